import Foundation
import Tensors

/// A GGUF file read as a transformers checkpoint: the config its metadata implies and its
/// tensors under transformers' names.
public struct GGUFCheckpoint {
    /// The config built from the file's metadata.
    public var config: ModelConfig
    /// The tensors, renamed and dequantized to what the model classes ask for.
    public let weights: WeightSource

    /// Opens `path`; throws naming the file and what is wrong with it.
    public init(path: URL) throws {
        throw ModelError.unsupportedModelType("\(path.path): loading model weights from GGUF is not implemented yet")
    }
}
