import Foundation
import Tensors

/// What a GGUF tensor becomes under transformers' name, and how its values must be rearranged
/// (transformers' `TensorProcessor`s for these architectures).
public enum GGUFTensorTransform: Equatable, Sendable {
    /// Used as stored.
    case none
    /// llama.cpp interleaves each head's rotary halves in Q and K rows; this undoes it:
    /// rows viewed as (heads, half, 2) become (heads, 2, half).
    case unpermuteRows(heads: Int)
    /// A gpt2 Conv1D weight, stored transposed.
    case transpose
}

/// The transformers name of each GGUF tensor, as gguf-py's tensor name map gives it for the
/// causal-LM class of each architecture (`model.layers.0.self_attn.q_proj.weight`,
/// `transformer.h.0.attn.c_attn.weight`). Tensors with no transformers counterpart (llama.cpp's
/// `rope_freqs`) are left out, as transformers leaves them.
enum GGUFTensorNaming {
    /// Top-level tensors (without `.weight`/`.bias`).
    static let topLevel: [String: [String: String]] = [
        "llama": ["token_embd": "model.embed_tokens", "output_norm": "model.norm", "output": "lm_head"],
        "gpt2": ["token_embd": "transformer.wte", "position_embd": "transformer.wpe",
                 "output_norm": "transformer.ln_f", "output": "lm_head"],
    ]

    /// Per-block tensors: `blk.N.<key>` -> `<prefix>.N.<value>`.
    static let perBlock: [String: (prefix: String, names: [String: String])] = [
        "llama": ("model.layers", [
            "attn_norm": "input_layernorm", "attn_q": "self_attn.q_proj", "attn_k": "self_attn.k_proj",
            "attn_v": "self_attn.v_proj", "attn_output": "self_attn.o_proj", "ffn_norm": "post_attention_layernorm",
            "ffn_gate": "mlp.gate_proj", "ffn_up": "mlp.up_proj", "ffn_down": "mlp.down_proj",
        ]),
        "gpt2": ("transformer.h", [
            "attn_norm": "ln_1", "attn_qkv": "attn.c_attn", "attn_output": "attn.c_proj",
            "ffn_norm": "ln_2", "ffn_up": "mlp.c_fc", "ffn_down": "mlp.c_proj",
        ]),
    ]

    /// The table family of a model type (mistral and qwen2 are named as llama).
    static func family(_ modelType: String) -> String { modelType == "gpt2" ? "gpt2" : "llama" }

    /// The transformers name of `ggufName`, or nil when transformers has none; `blocks` is the
    /// layer count (names of blocks beyond it are not mapped).
    static func hfName(_ ggufName: String, modelType: String, blocks: Int) -> String? {
        let fam = family(modelType)
        let suffix: String, stem: Substring
        if ggufName.hasSuffix(".weight") { suffix = ".weight"; stem = ggufName.dropLast(7) }
        else if ggufName.hasSuffix(".bias") { suffix = ".bias"; stem = ggufName.dropLast(5) }
        else { return nil }
        if let top = topLevel[fam]?[String(stem)] { return top + suffix }
        let parts = stem.split(separator: ".", maxSplits: 2)
        guard parts.count == 3, parts[0] == "blk", let block = Int(parts[1]), block >= 0, block < blocks,
              let table = perBlock[fam], let local = table.names[String(parts[2])] else { return nil }
        return "\(table.prefix).\(block).\(local)\(suffix)"
    }

    /// How the stored values of `ggufName` must be rearranged. `storedArchitecture` picks the
    /// rule, as transformers picks its processor by the file's architecture (so a mistral file,
    /// stored as llama, is un-permuted too).
    static func transform(_ ggufName: String, storedArchitecture: String, config: ModelConfig) -> GGUFTensorTransform {
        switch storedArchitecture {
        case "llama":
            // Without both head counts in the metadata transformers leaves the rows alone.
            guard let heads = config["num_attention_heads"]?.intValue,
                  let kvHeads = config["num_key_value_heads"]?.intValue else { return .none }
            if ggufName.contains(".attn_q.") { return .unpermuteRows(heads: heads) }
            if ggufName.contains(".attn_k.") { return .unpermuteRows(heads: kvHeads) }
            return .none
        case "gpt2":
            for part in ["attn_qkv.weight", "ffn_down.weight", "ffn_up.weight", "attn_output.weight"] where ggufName.contains(part) {
                return .transpose
            }
            return .none
        default:
            return .none
        }
    }
}
