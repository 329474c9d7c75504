import Foundation
import Tensors

/// Where a model's weights come from, by checkpoint name: a safetensors checkpoint
/// (`WeightStore`), a GGUF file mapped to transformers' names, or nothing (`from_config`).
/// `rawTensor` returns the tensor as stored; the loader converts it to what the model computes in.
public protocol WeightSource: AnyObject {
    /// Every tensor name, in file order.
    var names: [String] { get }
    /// The files read (for messages).
    var paths: [String] { get }
    /// Whether there is a tensor called `name`.
    func contains(_ name: String) -> Bool
    /// The shape of `name` without reading its data.
    func shape(of name: String) -> [Int]?
    /// The file holding `name` (for messages).
    func path(of name: String) -> String?
    /// The tensor `name` as stored.
    func rawTensor(_ name: String) throws -> Tensor
}

/// No weights at all: every tensor a model asks for is initialised (`from_config`).
public final class NoWeights: WeightSource {
    public init() {}
    public var names: [String] { [] }
    public var paths: [String] { [] }
    public func contains(_ name: String) -> Bool { false }
    public func shape(of name: String) -> [Int]? { nil }
    public func path(of name: String) -> String? { nil }
    public func rawTensor(_ name: String) throws -> Tensor {
        throw ModelError.invalidWeights("there are no stored weights (the model was built from a config); '\(name)' does not exist")
    }
}

/// The tensors of a checkpoint directory: `model.safetensors`, or the shards listed by
/// `model.safetensors.index.json`. Files are memory-mapped; float32 tensors borrow the mapping.
public final class WeightStore: WeightSource {
    /// The open files (one, or one per shard).
    public let files: [SafeTensorsFile]
    /// Every tensor name, in file order.
    public let names: [String]
    private let fileOfName: [String: Int]

    /// Opens the weights in `directory`; throws naming the files looked for when none exist.
    public init(directory: URL) throws {
        let single = directory.appendingPathComponent("model.safetensors")
        let index = directory.appendingPathComponent("model.safetensors.index.json")
        let fm = FileManager.default
        if fm.fileExists(atPath: single.path) {
            let file = try WeightStore.open(single.path)
            files = [file]
            names = file.names
            fileOfName = Dictionary(file.names.map { ($0, 0) }, uniquingKeysWith: { a, _ in a })
        } else if fm.fileExists(atPath: index.path) {
            guard let data = fm.contents(atPath: index.path) else {
                throw ModelError.invalidWeights("\(index.path) cannot be read")
            }
            var parser = ConfigJSONParser(data, source: index.path)
            guard let weightMap = try parser.parse()["weight_map"]?.objectValue else {
                throw ModelError.invalidWeights("\(index.path) has no \"weight_map\" object")
            }
            var shardNames: [String] = [], opened: [SafeTensorsFile] = []
            var map: [String: Int] = [:], order: [String] = []
            for (tensorName, value) in weightMap {
                guard let shard = value.stringValue, !shard.contains("/") else {
                    throw ModelError.invalidWeights("\(index.path): weight_map entry '\(tensorName)' must name a shard file in the same directory, got \(value)")
                }
                if !shardNames.contains(shard) {
                    let path = directory.appendingPathComponent(shard).path
                    guard fm.fileExists(atPath: path) else {
                        throw ModelError.invalidWeights("\(index.path) lists shard '\(shard)', which is missing from \(directory.path)")
                    }
                    shardNames.append(shard)
                    opened.append(try WeightStore.open(path))
                }
                let fileIndex = shardNames.firstIndex(of: shard)!
                guard opened[fileIndex].contains(tensorName) else {
                    throw ModelError.invalidWeights("\(index.path) places '\(tensorName)' in \(shard), which has no such tensor")
                }
                map[tensorName] = fileIndex
                order.append(tensorName)
            }
            files = opened
            names = order
            fileOfName = map
        } else {
            throw ModelError.notFound(
                "no model weights in \(directory.path): looked for model.safetensors and model.safetensors.index.json")
        }
    }

    private static func open(_ path: String) throws -> SafeTensorsFile {
        // Copy-on-write, so load_state_dict and optimisers can write weights in place; pages
        // are copied only when written, and the file never changes.
        do { return try SafeTensorsFile(path: path, copyOnWrite: true) }
        catch { throw ModelError.invalidWeights("\(path): \(error)") }
    }

    /// The paths of the open files.
    public var paths: [String] { files.map(\.path) }

    /// Whether the checkpoint has a tensor called `name`.
    public func contains(_ name: String) -> Bool { fileOfName[name] != nil }

    /// The path of the file holding `name` (for messages).
    public func path(of name: String) -> String? { fileOfName[name].map { files[$0].path } }

    /// The shape stored for `name`, read from the header without touching the data.
    public func shape(of name: String) -> [Int]? { fileOfName[name].flatMap { files[$0].info(name)?.shape } }

    /// The tensor `name` as stored (dtype and all), borrowing the mapping.
    public func rawTensor(_ name: String) throws -> Tensor {
        guard let i = fileOfName[name] else { throw ModelError.invalidWeights("the checkpoint has no tensor '\(name)'") }
        do { return try files[i].tensor(named: name) }
        catch { throw ModelError.invalidWeights("\(files[i].path): \(error)") }
    }
}

/// Hands out a model's weights by name under a prefix (`encoder.layer.0.attention`), as
/// candle's VarBuilder: each block asks for its own tensors with the shape the config implies.
///
/// A mis-shaped tensor is an error at once (naming the tensor and both shapes). Missing tensors
/// are collected, so one error at `finish()` names all of them; meanwhile the block gets zeros
/// of the right shape so construction can go on.
public struct WeightLoader {
    /// Mutable state shared by every scoped copy of one loader.
    final class Record {
        var missing: [String] = []
        var used: Set<String> = []
        var newlyInitialized: [String] = []
        /// When set, absent tensors are initialised with this standard deviation instead of
        /// being missing (`from_config`).
        var initializerRange: Double?
    }

    public let store: WeightSource
    /// The checkpoint name prefix of this scope, with a trailing dot (or empty).
    public let prefix: String
    let record: Record

    /// A loader at the root of `store` (prefix `root`, e.g. "bert" to read `bert.*` keys).
    public init(store: WeightSource, root: String = "") {
        self.store = store
        self.prefix = root.isEmpty ? "" : root + "."
        self.record = Record()
    }

    /// A loader with no checkpoint that initialises every tensor as transformers'
    /// `_init_weights` does for these architectures: biases zero, one-dimensional weights (the
    /// norms' scales) one, everything else normal with standard deviation `initializerRange`.
    public static func initializing(initializerRange: Double) -> WeightLoader {
        let loader = WeightLoader(store: NoWeights())
        loader.record.initializerRange = initializerRange
        return loader
    }

    /// Whether this loader makes fresh weights instead of reading a checkpoint.
    public var isInitializing: Bool { record.initializerRange != nil }

    /// The root at which a base model's weights sit: "" when `probe` (one of its own tensor
    /// names, like `embeddings.word_embeddings.weight`) is at the top level, `prefix` when it is
    /// under `prefix.` (a task checkpoint), else "" for a base model and `prefix` for a task
    /// model, so missing-weight errors name what transformers would look for.
    public func baseModelRoot(prefix: String, probe: String, forTaskModel: Bool) -> String {
        if store.contains(probe) { return "" }
        if store.contains(prefix + "." + probe) { return prefix }
        return forTaskModel ? prefix : ""
    }

    private init(store: WeightSource, prefix: String, record: Record) {
        self.store = store
        self.prefix = prefix
        self.record = record
    }

    /// The same loader one level down: `loader.scoped("encoder").scoped("layer.0")`.
    public func scoped(_ component: String) -> WeightLoader {
        WeightLoader(store: store, prefix: prefix + component + ".", record: record)
    }

    /// The same loader at another absolute prefix (sharing what it records), e.g. for a head
    /// outside the base model's prefix.
    public func rooted(at root: String) -> WeightLoader {
        WeightLoader(store: store, prefix: root.isEmpty ? "" : root + ".", record: record)
    }

    /// The float32 tensor `name` under this prefix, which must have `shape`. Half-precision
    /// tensors are converted; float32 ones borrow the file mapping. Marked as a parameter
    /// (requires grad), as a module's weights are.
    public func tensor(_ name: String, shape: [Int]) throws -> Tensor {
        let full = prefix + name
        guard store.contains(full) else {
            if let range = record.initializerRange { return try WeightLoader.fresh(name, shape: shape, std: range) }
            record.missing.append(full)
            return try Tensor.zeros(shape).requiringGrad()
        }
        return try load(full, shape: shape)
    }

    /// A fresh parameter by its role, read from its name and rank (see `initializing`).
    static func fresh(_ name: String, shape: [Int], std: Double) throws -> Tensor {
        let last = name.split(separator: ".").last.map(String.init) ?? name
        let tensor: Tensor
        if last == "bias" { tensor = Tensor.zeros(shape) }
        else if shape.count == 1 { tensor = Tensor.ones(shape) }
        else { tensor = try Tensor.normal(shape, std: std) }
        return try tensor.requiringGrad()
    }

    /// Like `tensor(_:shape:)`, but a missing tensor is made by `initializer` and reported in
    /// `newlyInitialized` instead of failing: a task head on top of a base checkpoint, which
    /// transformers initialises freshly with a warning.
    public func tensor(_ name: String, shape: [Int], orInitialize initializer: () throws -> Tensor) throws -> Tensor {
        let full = prefix + name
        guard store.contains(full) else {
            if isInitializing { return try initializer().requiringGrad() }
            record.newlyInitialized.append(full)
            return try initializer().requiringGrad()
        }
        return try load(full, shape: shape)
    }

    private func load(_ full: String, shape: [Int]) throws -> Tensor {
        let stored = store.shape(of: full) ?? []
        guard stored == shape else {
            throw ModelError.shapeMismatch(
                "\(store.path(of: full) ?? "checkpoint"): tensor '\(full)' has shape \(stored.shapeString) in the checkpoint, but the config needs \(shape.shapeString)")
        }
        record.used.insert(full)
        let raw = try store.rawTensor(full)
        guard raw.dtype.isFloatingPoint else {
            throw ModelError.invalidWeights("\(store.path(of: full) ?? "checkpoint"): tensor '\(full)' is \(raw.dtype), expected a floating-point weight")
        }
        return try (raw.dtype == .float32 ? raw : raw.to(.float32)).requiringGrad()
    }

    /// Whether the checkpoint has `name` under this prefix.
    public func contains(_ name: String) -> Bool { store.contains(prefix + name) }

    /// Names made freshly by `tensor(_:shape:orInitialize:)` so far.
    public var newlyInitialized: [String] { record.newlyInitialized }

    /// Checkpoint tensors no block asked for (transformers ignores them with a warning).
    public var unused: [String] { store.names.filter { !record.used.contains($0) } }

    /// Throws naming every weight that was asked for but absent from the checkpoint.
    public func finish() throws {
        guard record.missing.isEmpty else {
            let where_ = store.paths.joined(separator: ", ")
            throw ModelError.invalidWeights(
                "\(record.missing.count) weight(s) missing from the checkpoint (\(where_)): \(record.missing.joined(separator: ", "))")
        }
    }
}
