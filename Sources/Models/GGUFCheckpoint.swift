import Foundation
import Tensors

/// A GGUF file read as a transformers checkpoint: the config its metadata implies and its
/// tensors under transformers' names, as `from_pretrained(..., gguf_file=...)` loads them
/// (architectures llama, mistral, qwen2 and gpt2; tensor types F32, F16, BF16, Q8_0, Q4_0, Q4_1,
/// Q5_0, Q5_1 and Q2_K-Q6_K, dequantized to float32 tensor by tensor as the model asks).
///
/// ```swift
/// let checkpoint = try GGUFCheckpoint(path: URL(fileURLWithPath: "SmolLM2-135M-Instruct.Q4_1.gguf"))
/// checkpoint.config["num_key_value_heads"]              // 3
/// try checkpoint.weights.rawTensor("model.layers.0.self_attn.q_proj.weight")   // [576, 576]
/// ```
public struct GGUFCheckpoint {
    /// The config built from the file's metadata.
    public var config: ModelConfig
    /// The tensors, renamed and dequantized to what the model classes ask for.
    public let weights: WeightSource
    /// The open file (metadata, tensor table, raw blocks).
    public let file: GGUFFile

    /// Opens `path`; throws naming the file and what is wrong with it (not a GGUF file,
    /// truncated, an unsupported architecture or tensor type).
    public init(path: URL) throws {
        let file: GGUFFile
        do { file = try GGUFFile(path: path.path) }
        catch let error as TensorError { throw ModelError.invalidWeights(error.description) }
        let (stored, modelType) = try GGUFConfigMapping.architecture(of: file)
        let config = try GGUFConfigMapping.config(of: file)
        self.file = file
        self.config = config
        weights = try GGUFWeights(file: file, storedArchitecture: stored, modelType: modelType, config: config)
    }
}
