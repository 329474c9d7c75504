import Foundation
import Tensors

/// A model that names its tied weights itself, as transformers' `_tied_weights_keys`: the
/// state-dict names that alias another weight and are left out when saving. Models that do
/// not adopt it are covered by `TiedWeights.droppedSuffixes`.
public protocol DeclaresTiedWeights {
    /// State-dict names (exact) that save_pretrained leaves out when they alias another tensor.
    var tiedWeightKeys: [String] { get }
}

/// Which of several names for one tensor a checkpoint keeps, as transformers' save_pretrained
/// decides: the input embedding is kept and the output projection tied to it is dropped.
public enum TiedWeights {
    /// Name endings transformers lists as tied keys in its architectures (`lm_head.weight`,
    /// BERT's `cls.predictions.decoder.*`, DistilBERT's `vocab_projector.weight`): these are the
    /// copies it drops. Any other alias keeps the first name in state-dict order, as
    /// transformers does for aliases it has no rule for.
    public static let droppedSuffixes = ["lm_head.weight", "decoder.weight", "decoder.bias", "vocab_projector.weight"]

    /// Whether transformers would drop `name` when it aliases another weight.
    static func isDropped(_ name: String, declared: [String]?) -> Bool {
        if let declared { return declared.contains(name) }
        return droppedSuffixes.contains { name == $0 || name.hasSuffix("." + $0) }
    }

    /// Identity of the memory a tensor reads: two names are one weight when they view the same
    /// bytes with the same layout (a shared `Tensor`, or two views of one file mapping).
    struct Alias: Hashable {
        let address: Int
        let shape: [Int]
        let strides: [Int]
        let dtype: String
        init(_ t: Tensor) {
            address = Int(bitPattern: t.storage.bytes) + t.offset * t.dtype.itemSize
            shape = t.shape
            strides = t.strides
            dtype = "\(t.dtype)"
        }
    }

    /// `state` with every alias written once. Names that view the same memory form one group;
    /// a name transformers treats as a tied copy (see `droppedSuffixes`) whose values equal
    /// another kept tensor bit for bit is dropped too, since transformers re-ties it on load
    /// (`tieWordEmbeddings`), which covers models that load a tied weight twice.
    public static func deduplicated(_ state: [(String, Tensor)], declared: [String]? = nil,
                                    tieWordEmbeddings: Bool = true) -> [(String, Tensor)] {
        var groups: [Alias: [Int]] = [:]
        for (i, (_, t)) in state.enumerated() { groups[Alias(t), default: []].append(i) }
        var dropped = Set<Int>()
        for members in groups.values where members.count > 1 {
            // Keep the first name transformers would not drop, else the first name.
            let keep = members.first { !isDropped(state[$0].0, declared: declared) } ?? members[0]
            for m in members where m != keep { dropped.insert(m) }
        }
        if tieWordEmbeddings {
            for (i, (name, t)) in state.enumerated() where !dropped.contains(i) && isDropped(name, declared: declared) {
                let twin = state.indices.first { j in
                    j != i && !dropped.contains(j) && !isDropped(state[j].0, declared: declared)
                        && state[j].1.shape == t.shape && state[j].1.dtype == t.dtype && sameBytes(state[j].1, t)
                }
                if twin != nil { dropped.insert(i) }
            }
        }
        return state.enumerated().filter { !dropped.contains($0.offset) }.map(\.element)
    }

    /// Whether two tensors of one shape and dtype hold identical bytes.
    static func sameBytes(_ a: Tensor, _ b: Tensor) -> Bool {
        let x = a.contiguous(), y = b.contiguous()
        let size = x.count * x.dtype.itemSize
        return withExtendedLifetime((x, y)) {
            memcmp(x.storage.bytes + x.offset * x.dtype.itemSize, y.storage.bytes + y.offset * y.dtype.itemSize, size) == 0
        }
    }
}

extension PreTrainedModel {
    /// The tensors save_pretrained writes: the state dict with tied weights written once.
    public func checkpointTensors() -> [(String, Tensor)] {
        // The architecture's default applies when config.json leaves the key out.
        let tie = config.value("tie_word_embeddings")?.boolValue ?? true
        return TiedWeights.deduplicated(stateDict(), declared: (self as? DeclaresTiedWeights)?.tiedWeightKeys,
                                        tieWordEmbeddings: tie)
    }

    /// The config save_pretrained writes: every key of `config` (the model's own when nil),
    /// with `architectures` set to this class and the dtype set to what the weights are saved in.
    public func savedConfig(_ config: ModelConfig? = nil) -> ModelConfig {
        var saved = config ?? self.config
        saved["architectures"] = .array([.string(className)])
        let dtypes = Set(checkpointTensors().map { $0.1.dtype.torchName })
        let name = dtypes.count == 1 ? String(dtypes.first!.dropFirst("torch.".count)) : "float32"
        if saved["torch_dtype"] != nil && saved["dtype"] == nil { saved["torch_dtype"] = .string(name) }
        else { saved["dtype"] = .string(name) }
        return saved
    }

    /// Writes the model as transformers' `save_pretrained(directory)` does, so transformers
    /// (and `AutoModel.fromPretrained`) loads it: `model.safetensors` (metadata
    /// `{"format": "pt"}`, tied weights once) and `config.json` (keys sorted, two-space indent).
    /// `config` replaces the model's own (a script may have changed it). Creates the directory
    /// if needed; throws naming the path when it cannot write.
    public func savePretrained(_ directory: URL, config: ModelConfig? = nil) throws {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: directory.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw ModelError.invalidInput("save_pretrained: \(directory.path) is a file, not a directory")
        }
        do { try fm.createDirectory(at: directory, withIntermediateDirectories: true) } catch {
            throw ModelError.invalidInput("save_pretrained: cannot create \(directory.path): \(error.localizedDescription)")
        }
        let tensors = checkpointTensors().map { ($0.0, $0.1.detach()) }
        do {
            try SafeTensors.write(tensors, metadata: ["format": "pt"],
                                  to: directory.appendingPathComponent("model.safetensors").path)
        } catch {
            throw ModelError.invalidInput("save_pretrained: \(error)")
        }
        let text = ConfigValue.object(savedConfig(config).values).sortedKeys.json(indent: 2) + "\n"
        do {
            try text.write(to: directory.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        } catch {
            throw ModelError.invalidInput("save_pretrained: cannot write \(directory.appendingPathComponent("config.json").path): \(error.localizedDescription)")
        }
    }
}

extension ConfigValue {
    /// The same value with every object's keys sorted, as `json.dumps(sort_keys=True)` writes
    /// (code-point order, so "10" sorts before "2").
    public var sortedKeys: ConfigValue {
        switch self {
        case .object(let pairs):
            return .object(pairs.map { ($0.0, $0.1.sortedKeys) }
                .sorted { Array($0.0.unicodeScalars.map(\.value)).lexicographicallyPrecedes($1.0.unicodeScalars.map(\.value)) })
        case .array(let items): return .array(items.map(\.sortedKeys))
        default: return self
        }
    }
}
