#include "CSentencePiece.h"

#include <sentencepiece_processor.h>

#include <cstring>
#include <string>
#include <vector>

struct apus_spp {
    sentencepiece::SentencePieceProcessor processor;
};

static void write_error(const std::string &message, char *error, size_t error_size) {
    if (error == nullptr || error_size == 0) return;
    size_t n = message.size() < error_size - 1 ? message.size() : error_size - 1;
    std::memcpy(error, message.data(), n);
    error[n] = '\0';
}

apus_spp *apus_spp_load(const char *path, char *error, size_t error_size) {
    auto *spp = new apus_spp();
    auto status = spp->processor.Load(path);
    if (!status.ok()) {
        write_error(status.ToString(), error, error_size);
        delete spp;
        return nullptr;
    }
    return spp;
}

apus_spp *apus_spp_load_bytes(const void *bytes, size_t size, char *error, size_t error_size) {
    auto *spp = new apus_spp();
    auto status = spp->processor.LoadFromSerializedProto(
        std::string(static_cast<const char *>(bytes), size));
    if (!status.ok()) {
        write_error(status.ToString(), error, error_size);
        delete spp;
        return nullptr;
    }
    return spp;
}

void apus_spp_free(apus_spp *spp) { delete spp; }

int32_t apus_spp_vocab_size(const apus_spp *spp) { return spp->processor.GetPieceSize(); }

int32_t apus_spp_piece_to_id(const apus_spp *spp, const char *piece) {
    return spp->processor.PieceToId(piece);
}

int32_t apus_spp_id_to_piece(const apus_spp *spp, int32_t id, char *out, size_t out_size) {
    if (id < 0 || id >= spp->processor.GetPieceSize()) return -1;
    const std::string &piece = spp->processor.IdToPiece(id);
    if (out != nullptr && out_size > piece.size()) {
        std::memcpy(out, piece.data(), piece.size());
        out[piece.size()] = '\0';
    }
    return static_cast<int32_t>(piece.size());
}

float apus_spp_score(const apus_spp *spp, int32_t id) { return spp->processor.GetScore(id); }

int32_t apus_spp_piece_type(const apus_spp *spp, int32_t id) {
    if (spp->processor.IsUnknown(id)) return 2;
    if (spp->processor.IsControl(id)) return 3;
    if (spp->processor.IsUnused(id)) return 6;
    if (spp->processor.IsByte(id)) return 5;
    // User-defined pieces are not exposed directly by the processor API; they are reported as
    // normal here and recognised from the model proto by callers that need the distinction.
    return 1;
}

int32_t apus_spp_unk_id(const apus_spp *spp) { return spp->processor.unk_id(); }
int32_t apus_spp_bos_id(const apus_spp *spp) { return spp->processor.bos_id(); }
int32_t apus_spp_eos_id(const apus_spp *spp) { return spp->processor.eos_id(); }
int32_t apus_spp_pad_id(const apus_spp *spp) { return spp->processor.pad_id(); }

int64_t apus_spp_encode(const apus_spp *spp, const char *text, size_t length, int32_t *ids,
                        size_t capacity) {
    std::vector<int> out;
    auto status = spp->processor.Encode(std::string(text, length), &out);
    if (!status.ok()) return -1;
    for (size_t i = 0; i < out.size() && i < capacity; ++i) ids[i] = out[i];
    return static_cast<int64_t>(out.size());
}

int64_t apus_spp_decode(const apus_spp *spp, const int32_t *ids, size_t count, char *out,
                        size_t capacity) {
    std::vector<int> in(ids, ids + count);
    std::string text;
    auto status = spp->processor.Decode(in, &text);
    if (!status.ok()) return -1;
    if (out != nullptr && capacity > 0) {
        size_t n = text.size() < capacity - 1 ? text.size() : capacity - 1;
        std::memcpy(out, text.data(), n);
        out[n] = '\0';
    }
    return static_cast<int64_t>(text.size());
}

const char *apus_spp_version(void) { return "sentencepiece (Debian libsentencepiece)"; }
