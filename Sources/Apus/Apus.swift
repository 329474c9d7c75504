// The umbrella module for Swift users: `import Apus` brings in the whole library.
@_exported import Display
@_exported import Models
@_exported import NN
@_exported import Tensors
@_exported import Tokenizers
