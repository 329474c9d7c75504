import Foundation
import NN
import Tensors

// BERT, block by block as transformers' modeling_bert.py (eager attention). Each block loads its
// own weights from a prefix-scoped `WeightLoader`, so a checkpoint's names are the parameter names.

/// The numbers BERT reads from its config, checked once.
public struct BertConfiguration {
    public let vocabSize, hiddenSize, numHiddenLayers, numAttentionHeads, intermediateSize: Int
    public let maxPositionEmbeddings, typeVocabSize: Int
    public let padTokenId: Int?
    public let layerNormEps: Double
    public let hiddenDropoutProb, attentionProbsDropoutProb: Double
    public let activation: Activation.Kind
    public var headSize: Int { hiddenSize / numAttentionHeads }

    /// The activations `hidden_act` may name, as transformers' ACT2FN spells them.
    static let activations: [String: Activation.Kind] = [
        "gelu": .gelu, "gelu_new": .geluTanh, "gelu_pytorch_tanh": .geluTanh, "gelu_fast": .geluTanh,
        "relu": .relu, "silu": .silu, "swish": .silu, "tanh": .tanh, "sigmoid": .sigmoid,
    ]

    public init(_ config: ModelConfig) throws {
        vocabSize = try config.vocabSize
        hiddenSize = try config.hiddenSize
        numHiddenLayers = try config.numHiddenLayers
        numAttentionHeads = try config.numAttentionHeads
        intermediateSize = try config.intermediateSize
        maxPositionEmbeddings = try config.maxPositionEmbeddings
        typeVocabSize = try config.typeVocabSize
        padTokenId = try config.padTokenId
        layerNormEps = try config.layerNormEps
        hiddenDropoutProb = try config.hiddenDropoutProb
        attentionProbsDropoutProb = try config.attentionProbsDropoutProb
        let act = try config.hiddenAct
        guard let kind = BertConfiguration.activations[act] else {
            throw ModelError.invalidConfig("\(config.source): hidden_act '\(act)' is not supported; supported: \(BertConfiguration.activations.keys.sorted().joined(separator: ", "))")
        }
        activation = kind
        for (key, value) in [("vocab_size", vocabSize), ("hidden_size", hiddenSize), ("num_hidden_layers", numHiddenLayers),
                             ("num_attention_heads", numAttentionHeads), ("intermediate_size", intermediateSize),
                             ("max_position_embeddings", maxPositionEmbeddings), ("type_vocab_size", typeVocabSize)]
        where value <= 0 && !(key == "num_hidden_layers" && value == 0) {
            throw ModelError.invalidConfig("\(config.source): '\(key)' must be positive, got \(value)")
        }
        guard hiddenSize % numAttentionHeads == 0 else {
            throw ModelError.invalidConfig("\(config.source): The hidden size (\(hiddenSize)) is not a multiple of the number of attention heads (\(numAttentionHeads))")
        }
        if let position = try config.optionalString("position_embedding_type"), position != "absolute" {
            throw ModelError.invalidConfig("\(config.source): position_embedding_type '\(position)' is not supported (only 'absolute')")
        }
    }
}

extension ModelConfig {
    /// `key` as an optional string: nil when absent or JSON null.
    func optionalString(_ key: String) throws -> String? {
        guard let v = value(key), !v.isNull else { return nil }
        guard let s = v.stringValue else { throw ModelError.invalidConfig("\(source): '\(key)' must be a string or null, got \(v)") }
        return s
    }
}

extension Linear {
    /// `weight [out, in]` and `bias [out]` from `loader`.
    convenience init(_ loader: WeightLoader, in inFeatures: Int, out outFeatures: Int) throws {
        self.init(weight: try loader.tensor("weight", shape: [outFeatures, inFeatures]),
                  bias: try loader.tensor("bias", shape: [outFeatures]))
    }
}

extension LayerNorm {
    /// `weight` and `bias` of size `size` from `loader`.
    convenience init(_ loader: WeightLoader, size: Int, eps: Double) throws {
        self.init(weight: try loader.tensor("weight", shape: [size]), bias: try loader.tensor("bias", shape: [size]), eps: eps)
    }
}

/// Word, position and token-type embeddings summed, then LayerNorm and dropout (BertEmbeddings).
public final class BertEmbeddings: Module {
    public let word_embeddings: Embedding
    public let position_embeddings: Embedding
    public let token_type_embeddings: Embedding
    public let LayerNorm: NN.LayerNorm
    public let dropout: Dropout

    init(_ c: BertConfiguration, _ loader: WeightLoader) throws {
        word_embeddings = Embedding(weight: try loader.scoped("word_embeddings").tensor("weight", shape: [c.vocabSize, c.hiddenSize]),
                                    paddingIndex: c.padTokenId)
        position_embeddings = Embedding(weight: try loader.scoped("position_embeddings").tensor("weight", shape: [c.maxPositionEmbeddings, c.hiddenSize]))
        token_type_embeddings = Embedding(weight: try loader.scoped("token_type_embeddings").tensor("weight", shape: [c.typeVocabSize, c.hiddenSize]))
        LayerNorm = try NN.LayerNorm(loader.scoped("LayerNorm"), size: c.hiddenSize, eps: c.layerNormEps)
        dropout = try Dropout(c.hiddenDropoutProb)
        super.init()
    }

    /// `inputIds [batch, seq]` (int64), optional `tokenTypeIds` (default zeros) and
    /// `positionIds` (default 0..<seq for every row) to `[batch, seq, hidden]`.
    func callAsFunction(_ inputIds: Tensor, tokenTypeIds: Tensor?, positionIds: Tensor?) throws -> Tensor {
        let length = inputIds.shape[1]
        guard length <= position_embeddings.weight.shape[0] else {
            throw ModelError.invalidInput("sequence length \(length) exceeds max_position_embeddings (\(position_embeddings.weight.shape[0]))")
        }
        var x = try word_embeddings(inputIds)
        if let tokenTypeIds {
            x = try x + token_type_embeddings(tokenTypeIds)
        } else {
            // Every token has type 0: add that one row, broadcast, instead of a lookup per token.
            x = try x + token_type_embeddings.weight.select(0, 0)
        }
        if let positionIds {
            x = try x + position_embeddings(positionIds)
        } else {
            x = try x + position_embeddings.weight.slice(0, start: 0, end: length)
        }
        return try dropout(LayerNorm(x))
    }
}

/// Query, key and value projections and scaled dot-product attention (BertSelfAttention, eager).
///
/// The three projections' weights (and biases) are views into one `[3 * hidden, hidden]`
/// buffer, so at inference one product computes all three, and the attention itself runs
/// fused per (batch, head) (`Tensor.multiHeadAttention`). While training (dropout on, or
/// autograd recording) the composed ops run instead, as transformers' eager path.
public final class BertSelfAttention: Module {
    public let query: Linear
    public let key: Linear
    public let value: Linear
    public let dropout: Dropout
    let heads: Int, headSize: Int

    init(_ c: BertConfiguration, _ loader: WeightLoader) throws {
        let projections = try ["query", "key", "value"].map { try Linear(loader.scoped($0), in: c.hiddenSize, out: c.hiddenSize) }
        let packed = try Linear.packedRows(projections)
        query = packed[0]
        key = packed[1]
        value = packed[2]
        dropout = try Dropout(c.attentionProbsDropoutProb)
        heads = c.numAttentionHeads
        headSize = c.headSize
        super.init()
    }

    /// `[batch, seq, hidden]` to (context `[batch, seq, hidden]`, probabilities
    /// `[batch, heads, seq, seq]`). `additiveMask` is `[batch, 1, 1, seq]` (0 or dtype-min).
    func callAsFunction(_ x: Tensor, additiveMask: Tensor?) throws -> (Tensor, Tensor) {
        let (context, probabilities) = try self(x, additiveMask: additiveMask, keepProbabilities: true)
        return (context, probabilities!)
    }

    /// As `callAsFunction(_:additiveMask:)`; the probabilities only when `keepProbabilities`
    /// (without them the fused path never writes the `[batch, heads, seq, seq]` tensor).
    func callAsFunction(_ x: Tensor, additiveMask: Tensor?, keepProbabilities: Bool) throws -> (Tensor, Tensor?) {
        let batch = x.shape[0], length = x.shape[1], hidden = heads * headSize
        let scale = 1 / Double(headSize).squareRoot()
        // The mask as one additive row per batch entry, when it has the usual [batch, 1, 1, seq].
        let keyMask = try additiveMask.flatMap { m -> Tensor? in
            m.shape == [batch, 1, 1, length] && m.dtype == .float32 ? try m.reshape([batch, length]) : nil
        }
        let fusable = x.dtype == .float32 && (additiveMask == nil || keyMask != nil) && !dropout.isActive
        guard fusable else { return try composed(x, additiveMask: additiveMask) }
        let q: Tensor, k: Tensor, v: Tensor
        if let (weight, bias) = Linear.packedParameters([query, key, value]) {
            let qkv = try x.linear(weight: weight, bias: bias, activation: nil)
            q = try qkv.slice(-1, start: 0, end: hidden)
            k = try qkv.slice(-1, start: hidden, end: 2 * hidden)
            v = try qkv.slice(-1, start: 2 * hidden, end: 3 * hidden)
        } else {
            (q, k, v) = (try query(x), try key(x), try value(x))
        }
        return try Tensor.multiHeadAttention(query: q, key: k, value: v, heads: heads, scale: scale, keyMask: keyMask,
                                             keepProbabilities: keepProbabilities)
    }

    /// transformers' eager attention from separate ops (dropout on the probabilities applies).
    private func composed(_ x: Tensor, additiveMask: Tensor?) throws -> (Tensor, Tensor) {
        let batch = x.shape[0], length = x.shape[1]
        // [batch, seq, hidden] -> [batch, heads, seq, headSize]: views, no copies; the batched
        // product reads the strided heads in place.
        func split(_ t: Tensor) throws -> Tensor {
            try t.view([batch, length, heads, headSize]).permute([0, 2, 1, 3])
        }
        // Scaling the queries (seq x hidden values) is cheaper than scaling the scores (seq x seq
        // per head) and equal up to rounding.
        let q = try split(query(x) * (1 / Double(headSize).squareRoot()))
        let k = try split(key(x))
        let v = try split(value(x))
        var scores = try q.matmul(k.transpose(-1, -2))
        if let additiveMask { scores = try scores + additiveMask }
        let probabilities = try scores.softmax(dim: -1)
        let context = try dropout(probabilities).matmul(v)
        let merged = try context.permute([0, 2, 1, 3]).reshape([batch, length, heads * headSize])
        return (merged, probabilities)
    }
}

/// Dense, dropout, residual add and LayerNorm after a sublayer (BertSelfOutput / BertOutput).
public final class BertResidualOutput: Module {
    public let dense: Linear
    public let LayerNorm: NN.LayerNorm
    public let dropout: Dropout

    init(_ c: BertConfiguration, _ loader: WeightLoader, inFeatures: Int) throws {
        dense = try Linear(loader.scoped("dense"), in: inFeatures, out: c.hiddenSize)
        LayerNorm = try NN.LayerNorm(loader.scoped("LayerNorm"), size: c.hiddenSize, eps: c.layerNormEps)
        dropout = try Dropout(c.hiddenDropoutProb)
        super.init()
    }

    func callAsFunction(_ x: Tensor, residual: Tensor) throws -> Tensor {
        if !dropout.isActive {
            // One product seeded with bias + residual, normalised in place.
            return try x.linearAddLayerNorm(weight: dense.weight, bias: dense.bias, residual: residual,
                                            normWeight: LayerNorm.weight, normBias: LayerNorm.bias, eps: LayerNorm.eps)
        }
        return try LayerNorm(dropout(dense(x)) + residual)
    }
}

/// Self-attention followed by its output block (BertAttention).
public final class BertAttention: Module {
    public let `self`: BertSelfAttention
    public let output: BertResidualOutput

    init(_ c: BertConfiguration, _ loader: WeightLoader) throws {
        self.`self` = try BertSelfAttention(c, loader.scoped("self"))
        output = try BertResidualOutput(c, loader.scoped("output"), inFeatures: c.hiddenSize)
        super.init()
    }
}

/// The feed-forward expansion with the configured activation (BertIntermediate).
public final class BertIntermediate: Module {
    public let dense: Linear
    let activation: Activation

    init(_ c: BertConfiguration, _ loader: WeightLoader) throws {
        dense = try Linear(loader.scoped("dense"), in: c.hiddenSize, out: c.intermediateSize)
        activation = Activation(c.activation)
        super.init()
    }

    func callAsFunction(_ x: Tensor) throws -> Tensor { try dense(x, activation: activation) }
}

/// One transformer encoder layer: attention, then the feed-forward block (BertLayer).
public final class BertLayer: Module {
    public let attention: BertAttention
    public let intermediate: BertIntermediate
    public let output: BertResidualOutput

    init(_ c: BertConfiguration, _ loader: WeightLoader) throws {
        attention = try BertAttention(c, loader.scoped("attention"))
        intermediate = try BertIntermediate(c, loader.scoped("intermediate"))
        output = try BertResidualOutput(c, loader.scoped("output"), inFeatures: c.intermediateSize)
        super.init()
    }

    func callAsFunction(_ x: Tensor, additiveMask: Tensor?) throws -> (Tensor, Tensor) {
        let (out, probabilities) = try self(x, additiveMask: additiveMask, keepAttentions: true)
        return (out, probabilities!)
    }

    /// As `callAsFunction(_:additiveMask:)`; the attention probabilities only when
    /// `keepAttentions` (`output_attentions`), which spares the fused path writing them.
    func callAsFunction(_ x: Tensor, additiveMask: Tensor?, keepAttentions: Bool) throws -> (Tensor, Tensor?) {
        let (context, probabilities) = try attention.`self`(x, additiveMask: additiveMask, keepProbabilities: keepAttentions)
        let attended = try attention.output(context, residual: x)
        let out = try output(intermediate(attended), residual: attended)
        return (out, probabilities)
    }
}

/// The stack of encoder layers (BertEncoder).
public final class BertEncoder: Module {
    public let layer: [BertLayer]

    init(_ c: BertConfiguration, _ loader: WeightLoader) throws {
        layer = try (0..<c.numHiddenLayers).map { try BertLayer(c, loader.scoped("layer.\($0)")) }
        super.init()
    }

    override public func namedChildren() -> [(String, Module)] { [("layer", ModuleList(layer))] }

    /// Runs every layer over `hidden` (`additiveMask` as `BertModel.attentionBias` makes it), with
    /// the embeddings' and each layer's output and each layer's attention probabilities when asked.
    func callAsFunction(_ hidden: Tensor, additiveMask: Tensor?, outputHiddenStates: Bool,
                        outputAttentions: Bool) throws -> (last: Tensor, hiddenStates: [Tensor]?, attentions: [Tensor]?) {
        var hidden = hidden
        var hiddenStates: [Tensor] = outputHiddenStates ? [hidden] : []
        var attentions: [Tensor] = []
        for layer in layer {
            let (out, probabilities) = try layer(hidden, additiveMask: additiveMask, keepAttentions: outputAttentions)
            hidden = out
            if outputHiddenStates { hiddenStates.append(hidden) }
            if outputAttentions, let probabilities { attentions.append(probabilities) }
        }
        return (hidden, outputHiddenStates ? hiddenStates : nil, outputAttentions ? attentions : nil)
    }
}

/// The first token's state through dense + tanh (BertPooler).
public final class BertPooler: Module {
    public let dense: Linear

    init(_ c: BertConfiguration, _ loader: WeightLoader) throws {
        dense = try Linear(loader.scoped("dense"), in: c.hiddenSize, out: c.hiddenSize)
        super.init()
    }

    func callAsFunction(_ hidden: Tensor) throws -> Tensor {
        try dense(hidden.select(1, 0)).tanh()
    }
}

/// The BERT encoder with its pooler (transformers' `BertModel`).
public final class BertModel: Module, PreTrainedModel {
    public let embeddings: BertEmbeddings
    public let encoder: BertEncoder
    public let pooler: BertPooler?
    public let config: ModelConfig
    public var className: String { "BertModel" }
    public var acceptedInputs: [String] {
        ["input_ids", "attention_mask", "token_type_ids", "position_ids", "output_attentions", "output_hidden_states"]
    }
    public var newlyInitialized: [String] { [] }
    let settings: BertConfiguration

    /// Builds the model from `config`, reading weights from `loader` (at the base model's names:
    /// `embeddings.*`, `encoder.*`, `pooler.*`).
    public init(config: ModelConfig, loader: WeightLoader, addPoolingLayer: Bool = true) throws {
        self.config = config
        settings = try BertConfiguration(config)
        embeddings = try BertEmbeddings(settings, loader.scoped("embeddings"))
        encoder = try BertEncoder(settings, loader.scoped("encoder"))
        pooler = addPoolingLayer ? try BertPooler(settings, loader.scoped("pooler")) : nil
        super.init()
    }

    /// Loads `idOrPath` (a directory or a model id in the offline hub cache) as
    /// `AutoModel.fromPretrained` does, into this class; `bert.`-prefixed checkpoints (saved
    /// from a task model) are read as transformers does.
    public static func fromPretrained(_ idOrPath: String, revision: String? = nil,
                                      overrides: [(String, ConfigValue)] = []) throws -> BertModel {
        try AutoModel.fromPretrained(idOrPath, className: "BertModel", revision: revision, overrides: overrides) as! BertModel
    }

    public func forward(_ inputs: ModelInputs) throws -> ModelOutput {
        guard let inputIds = inputs.inputIds else { throw ModelError.invalidInput("BertModel needs input_ids") }
        return try self(inputIds: inputIds, attentionMask: inputs.attentionMask, tokenTypeIds: inputs.tokenTypeIds,
                        positionIds: inputs.positionIds, outputHiddenStates: inputs.outputHiddenStates,
                        outputAttentions: inputs.outputAttentions)
    }

    /// The additive mask transformers builds from a `[batch, seq]` 0/1 mask: 0 where attended,
    /// float32's most negative value where masked, shaped `[batch, 1, 1, seq]`.
    static func additiveMask(_ mask: Tensor) throws -> Tensor {
        let keep = try mask.to(.float32)
        return try ((1 - keep) * Double(-Float.greatestFiniteMagnitude)).view([mask.shape[0], 1, 1, mask.shape[1]])
    }

    /// The additive mask for an optional `attention_mask`, nil when there is nothing to mask: an
    /// all-ones mask changes nothing, and skipping it saves a pass over every score.
    static func attentionBias(_ attentionMask: Tensor?) throws -> Tensor? {
        try attentionMask.flatMap { m in
            m.toInt64Array().allSatisfy({ $0 != 0 }) ? nil : try additiveMask(m)
        }
    }

    /// Runs the encoder. `inputIds` is `[batch, seq]` int64; `attentionMask` (1 = attend),
    /// `tokenTypeIds` and `positionIds` have the same shape. Returns the last hidden state and
    /// pooled output, and with the flags every layer's hidden states and attentions.
    public func callAsFunction(inputIds: Tensor, attentionMask: Tensor? = nil, tokenTypeIds: Tensor? = nil,
                               positionIds: Tensor? = nil, outputHiddenStates: Bool = false,
                               outputAttentions: Bool = false) throws -> ModelOutput {
        try BertModel.checkInputs(inputIds, attentionMask: attentionMask, tokenTypeIds: tokenTypeIds, positionIds: positionIds,
                                  settings: settings)
        let embedded = try embeddings(inputIds.to(.int64), tokenTypeIds: tokenTypeIds?.to(.int64), positionIds: positionIds?.to(.int64))
        let (hidden, hiddenStates, attentions) = try encoder(embedded, additiveMask: BertModel.attentionBias(attentionMask),
                                                             outputHiddenStates: outputHiddenStates, outputAttentions: outputAttentions)
        return ModelOutput("BaseModelOutputWithPoolingAndCrossAttentions", [
            ("last_hidden_state", .tensor(hidden)), ("pooler_output", ModelOutput.value(try pooler?(hidden))),
            ("hidden_states", ModelOutput.value(hiddenStates)), ("attentions", ModelOutput.value(attentions)),
        ])
    }

    /// Throws unless `inputIds` is a `[batch, seq]` integer tensor of token ids below the
    /// vocabulary size and the optional mask, token types and positions share its shape and range.
    static func checkInputs(_ inputIds: Tensor, attentionMask: Tensor?, tokenTypeIds: Tensor?, positionIds: Tensor?,
                            settings: BertConfiguration) throws {
        guard inputIds.rank == 2, inputIds.dtype.isIntegral, inputIds.dtype != .bool else {
            throw ModelError.invalidInput("input_ids must be a [batch, sequence] integer tensor, got \(inputIds.dtype) \(inputIds.shape.shapeString)")
        }
        for (name, t) in [("attention_mask", attentionMask), ("token_type_ids", tokenTypeIds), ("position_ids", positionIds)] {
            if let t, t.shape != inputIds.shape {
                throw ModelError.invalidInput("\(name) has shape \(t.shape.shapeString) but input_ids has \(inputIds.shape.shapeString)")
            }
        }
        try checkRange(inputIds, "input_ids", below: settings.vocabSize)
        if let tokenTypeIds { try checkRange(tokenTypeIds, "token_type_ids", below: settings.typeVocabSize) }
        if let positionIds { try checkRange(positionIds, "position_ids", below: settings.maxPositionEmbeddings) }
    }

    /// Throws unless `ids` is an integer tensor with every value in `0..<limit`.
    static func checkRange(_ ids: Tensor, _ name: String, below limit: Int) throws {
        guard ids.dtype.isIntegral, ids.dtype != .bool else {
            throw ModelError.invalidInput("\(name) must be an integer tensor, got \(ids.dtype)")
        }
        if let bad = ids.toInt64Array().first(where: { $0 < 0 || $0 >= limit }) {
            throw ModelError.invalidInput("\(name) holds \(bad), outside 0..<\(limit)")
        }
    }
}

/// BERT with a linear classifier on the pooled output (transformers'
/// `BertForSequenceClassification`); the loss follows `problem_type` as transformers infers it.
public final class BertForSequenceClassification: Module, PreTrainedModel {
    public let bert: BertModel
    public let dropout: Dropout
    public let classifier: Linear
    public let config: ModelConfig
    public let newlyInitialized: [String]
    public var className: String { "BertForSequenceClassification" }
    public var acceptedInputs: [String] {
        ["input_ids", "attention_mask", "token_type_ids", "position_ids", "labels", "output_attentions", "output_hidden_states"]
    }

    /// Builds the model from `config`, reading `bert.*` and `classifier.*` through `loader`
    /// (rooted at the checkpoint's top level).
    public init(config: ModelConfig, loader: WeightLoader) throws {
        self.config = config
        let settings = try BertConfiguration(config)
        let labels = try config.numLabels
        guard labels > 0 else { throw ModelError.invalidConfig("\(config.source): a sequence classifier needs at least one label") }
        // A base checkpoint (no `bert.` prefix) feeds the encoder directly, as transformers does.
        let baseRoot = loader.baseModelRoot(prefix: "bert", probe: BertFamily.probe, forTaskModel: true)
        bert = try BertModel(config: config, loader: loader.rooted(at: baseRoot))
        dropout = try Dropout(config.classifierDropout)
        let range = try config.double("initializer_range")
        let head = loader.rooted(at: "classifier")
        classifier = Linear(
            weight: try head.tensor("weight", shape: [labels, settings.hiddenSize]) { try Tensor.normal([labels, settings.hiddenSize], std: range) },
            bias: try head.tensor("bias", shape: [labels]) { Tensor.zeros([labels]) })
        newlyInitialized = loader.newlyInitialized
        super.init()
    }

    /// Loads `idOrPath` as `BertModel.fromPretrained` does; a base checkpoint gets a fresh
    /// classifier (listed in `newlyInitialized`).
    public static func fromPretrained(_ idOrPath: String, revision: String? = nil,
                                      overrides: [(String, ConfigValue)] = []) throws -> BertForSequenceClassification {
        try AutoModel.fromPretrained(idOrPath, className: "BertForSequenceClassification", revision: revision,
                                     overrides: overrides) as! BertForSequenceClassification
    }

    public func forward(_ inputs: ModelInputs) throws -> ModelOutput {
        guard let inputIds = inputs.inputIds else { throw ModelError.invalidInput("BertForSequenceClassification needs input_ids") }
        return try self(inputIds: inputIds, attentionMask: inputs.attentionMask, tokenTypeIds: inputs.tokenTypeIds,
                        positionIds: inputs.positionIds, labels: inputs.labels, outputHiddenStates: inputs.outputHiddenStates,
                        outputAttentions: inputs.outputAttentions)
    }

    /// Runs BERT and the classifier; with `labels` (`[batch]` class indices, or `[batch]` /
    /// `[batch, numLabels]` floats for regression / multi-label) the loss too.
    public func callAsFunction(inputIds: Tensor, attentionMask: Tensor? = nil, tokenTypeIds: Tensor? = nil,
                               positionIds: Tensor? = nil, labels: Tensor? = nil, outputHiddenStates: Bool = false,
                               outputAttentions: Bool = false) throws -> ModelOutput {
        let base = try bert(inputIds: inputIds, attentionMask: attentionMask, tokenTypeIds: tokenTypeIds,
                            positionIds: positionIds, outputHiddenStates: outputHiddenStates, outputAttentions: outputAttentions)
        guard let pooled = base.poolerOutput else { throw ModelError.invalidInput("the encoder has no pooler") }
        let logits = try classifier(dropout(pooled))
        let loss = try labels.map { try EncoderHeads.sequenceClassificationLoss(logits, $0, config: config) }
        return ModelOutput("SequenceClassifierOutput", [
            ("loss", ModelOutput.value(loss)), ("logits", .tensor(logits)),
            ("hidden_states", ModelOutput.value(base.hiddenStates)), ("attentions", ModelOutput.value(base.attentions)),
        ])
    }
}

/// The BERT classes and what they share.
public enum BertFamily {
    /// A tensor every BERT checkpoint has, to find where the base model's names start.
    static let probe = "embeddings.word_embeddings.weight"

    /// The BERT classes, for `ModelRegistry`.
    public static let architectures: [ModelArchitecture] = [
        ModelArchitecture("BertModel", modelType: "bert", task: .base) { config, loader in
            try BertModel(config: config, loader: loader.rooted(at: loader.baseModelRoot(prefix: "bert", probe: probe, forTaskModel: false)))
        },
        ModelArchitecture("BertForSequenceClassification", modelType: "bert", task: .sequenceClassification) { config, loader in
            try BertForSequenceClassification(config: config, loader: loader)
        },
        ModelArchitecture("BertForTokenClassification", modelType: "bert", task: .tokenClassification) { config, loader in
            try BertForTokenClassification(config: config, loader: loader)
        },
        ModelArchitecture("BertForQuestionAnswering", modelType: "bert", task: .questionAnswering) { config, loader in
            try BertForQuestionAnswering(config: config, loader: loader)
        },
        ModelArchitecture("BertForMaskedLM", modelType: "bert", task: .maskedLM) { config, loader in
            try BertForMaskedLM(config: config, loader: loader)
        },
    ]
}
