// A small C API over libsentencepiece, so Swift can use SentencePiece models without C++ interop.
#ifndef APUS_CSENTENCEPIECE_H
#define APUS_CSENTENCEPIECE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct apus_spp apus_spp;

/// Loads a `.model` file (or serialized bytes when `bytes != NULL`). Returns NULL on failure and
/// writes a message into `error` (at most `error_size` bytes, NUL-terminated).
apus_spp *apus_spp_load(const char *path, char *error, size_t error_size);
apus_spp *apus_spp_load_bytes(const void *bytes, size_t size, char *error, size_t error_size);
void apus_spp_free(apus_spp *spp);

int32_t apus_spp_vocab_size(const apus_spp *spp);
int32_t apus_spp_piece_to_id(const apus_spp *spp, const char *piece);
/// Copies piece `id` into `out` (NUL-terminated); returns the piece's byte length, or -1 when
/// `id` is out of range. When the piece does not fit, only the length is returned.
int32_t apus_spp_id_to_piece(const apus_spp *spp, int32_t id, char *out, size_t out_size);
float apus_spp_score(const apus_spp *spp, int32_t id);
/// 1 normal, 2 unknown, 3 control, 4 user defined, 5 byte, 6 unused (SentencePiece's types).
int32_t apus_spp_piece_type(const apus_spp *spp, int32_t id);
int32_t apus_spp_unk_id(const apus_spp *spp);
int32_t apus_spp_bos_id(const apus_spp *spp);
int32_t apus_spp_eos_id(const apus_spp *spp);
int32_t apus_spp_pad_id(const apus_spp *spp);

/// Encodes UTF-8 text into ids. Returns the number of ids; writes at most `capacity` of them.
/// Returns -1 on error.
int64_t apus_spp_encode(const apus_spp *spp, const char *text, size_t length,
                        int32_t *ids, size_t capacity);
/// Decodes ids into UTF-8 text. Returns the text's byte length (writes at most `capacity` bytes,
/// NUL-terminated when room allows), or -1 on error.
int64_t apus_spp_decode(const apus_spp *spp, const int32_t *ids, size_t count,
                        char *out, size_t capacity);

/// The library's version string, for diagnostics.
const char *apus_spp_version(void);

#ifdef __cplusplus
}
#endif
#endif
