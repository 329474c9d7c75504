import Foundation
import NN
import Tensors

// DistilBERT, block by block as transformers' modeling_distilbert.py (eager attention): BERT's
// post-norm encoder without token types or pooler, under its own names (q_lin, sa_layer_norm,
// ffn.lin1, ...), with learned or sinusoidal position embeddings.

/// The numbers DistilBERT reads from its config (`dim`, `n_layers`, `n_heads` or their generic
/// spellings `hidden_size`, `num_hidden_layers`, `num_attention_heads`), checked once.
public struct DistilBertConfiguration {
    public let vocabSize, dim, numLayers, numHeads, hiddenDim, maxPositionEmbeddings: Int
    public let padTokenId: Int?
    public let sinusoidalPositions: Bool
    public let dropout, attentionDropout, qaDropout, seqClassifDropout, initializerRange: Double
    public let activation: Activation.Kind
    public var headSize: Int { dim / numHeads }
    /// DistilBERT's LayerNorms all use this epsilon (it is not a config key).
    static let layerNormEps = 1e-12

    /// Reads and checks `config`; throws naming the bad key.
    public init(_ config: ModelConfig) throws {
        vocabSize = try config.vocabSize
        dim = try config.int("dim")
        numLayers = try config.int("n_layers")
        numHeads = try config.int("n_heads")
        hiddenDim = try config.int("hidden_dim")
        maxPositionEmbeddings = try config.maxPositionEmbeddings
        padTokenId = try config.padTokenId
        dropout = try config.double("dropout")
        attentionDropout = try config.double("attention_dropout")
        qaDropout = try config.double("qa_dropout")
        seqClassifDropout = try config.double("seq_classif_dropout")
        initializerRange = try config.double("initializer_range")
        guard let sinusoidal = config.value("sinusoidal_pos_embds")?.boolValue else {
            throw ModelError.invalidConfig("\(config.source): 'sinusoidal_pos_embds' must be true or false, got \(config.value("sinusoidal_pos_embds").map { "\($0)" } ?? "nothing")")
        }
        sinusoidalPositions = sinusoidal
        let act = try config.string("activation")
        guard let kind = BertConfiguration.activations[act] else {
            throw ModelError.invalidConfig("\(config.source): activation '\(act)' is not supported; supported: \(BertConfiguration.activations.keys.sorted().joined(separator: ", "))")
        }
        activation = kind
        for (key, value) in [("vocab_size", vocabSize), ("dim", dim), ("n_heads", numHeads), ("hidden_dim", hiddenDim),
                             ("max_position_embeddings", maxPositionEmbeddings)] where value <= 0 {
            throw ModelError.invalidConfig("\(config.source): '\(key)' must be positive, got \(value)")
        }
        guard numLayers >= 0 else { throw ModelError.invalidConfig("\(config.source): 'n_layers' must not be negative, got \(numLayers)") }
        guard dim % numHeads == 0 else {
            throw ModelError.invalidConfig("\(config.source): n_heads \(numHeads) must divide dim \(dim) evenly")
        }
    }

    /// The fixed position table of `sinusoidal_pos_embds`: sin(pos / 10000^(2⌊j/2⌋/dim)) in even
    /// columns, cos in odd ones, computed in double precision as transformers does with numpy.
    func sinusoidalTable() throws -> Tensor {
        var values = [Float](repeating: 0, count: maxPositionEmbeddings * dim)
        for position in 0..<maxPositionEmbeddings {
            for j in 0..<dim {
                let angle = Double(position) / pow(10000, Double(2 * (j / 2)) / Double(dim))
                values[position * dim + j] = Float(j % 2 == 0 ? sin(angle) : cos(angle))
            }
        }
        return try Tensor(values, shape: [maxPositionEmbeddings, dim])
    }
}

/// Word and position embeddings summed, then LayerNorm and dropout (transformers' `Embeddings`).
public final class DistilBertEmbeddings: Module {
    public let word_embeddings: Embedding
    public let position_embeddings: Embedding
    public let LayerNorm: NN.LayerNorm
    public let dropout: Dropout

    init(_ c: DistilBertConfiguration, _ loader: WeightLoader) throws {
        word_embeddings = Embedding(weight: try loader.scoped("word_embeddings").tensor("weight", shape: [c.vocabSize, c.dim]),
                                    paddingIndex: c.padTokenId)
        let positions = loader.scoped("position_embeddings")
        let table: Tensor
        if c.sinusoidalPositions {
            // A checkpoint's table wins, as in transformers; a missing one is the sinusoid, which is
            // what transformers' initialisation writes there (and it never trains).
            table = try positions.contains("weight")
                ? positions.tensor("weight", shape: [c.maxPositionEmbeddings, c.dim])
                : c.sinusoidalTable().requiringGrad()
        } else {
            table = try positions.tensor("weight", shape: [c.maxPositionEmbeddings, c.dim])
        }
        position_embeddings = Embedding(weight: table)
        LayerNorm = NN.LayerNorm(weight: try loader.scoped("LayerNorm").tensor("weight", shape: [c.dim]),
                                 bias: try loader.scoped("LayerNorm").tensor("bias", shape: [c.dim]), eps: DistilBertConfiguration.layerNormEps)
        dropout = try Dropout(c.dropout)
        super.init()
    }

    /// `inputIds [batch, seq]` and optional `positionIds` (default 0..<seq) to `[batch, seq, dim]`.
    func callAsFunction(_ inputIds: Tensor, positionIds: Tensor?) throws -> Tensor {
        let length = inputIds.shape[1]
        guard length <= position_embeddings.weight.shape[0] else {
            throw ModelError.invalidInput("sequence length \(length) exceeds max_position_embeddings (\(position_embeddings.weight.shape[0]))")
        }
        var x = try word_embeddings(inputIds)
        if let positionIds {
            x = try x + position_embeddings(positionIds)
        } else {
            x = try x + position_embeddings.weight.slice(0, start: 0, end: length)
        }
        return try dropout(LayerNorm(x))
    }
}

/// Query, key, value and output projections around scaled dot-product attention
/// (`DistilBertSelfAttention`, eager).
public final class DistilBertSelfAttention: Module {
    public let q_lin: Linear
    public let k_lin: Linear
    public let v_lin: Linear
    public let out_lin: Linear
    public let dropout: Dropout
    let heads: Int, headSize: Int

    init(_ c: DistilBertConfiguration, _ loader: WeightLoader) throws {
        q_lin = try Linear(loader.scoped("q_lin"), in: c.dim, out: c.dim)
        k_lin = try Linear(loader.scoped("k_lin"), in: c.dim, out: c.dim)
        v_lin = try Linear(loader.scoped("v_lin"), in: c.dim, out: c.dim)
        out_lin = try Linear(loader.scoped("out_lin"), in: c.dim, out: c.dim)
        dropout = try Dropout(c.attentionDropout)
        heads = c.numHeads
        headSize = c.headSize
        super.init()
    }

    /// `[batch, seq, dim]` to (projected context `[batch, seq, dim]`, probabilities
    /// `[batch, heads, seq, seq]`); `additiveMask` is `[batch, 1, 1, seq]` or nil.
    func callAsFunction(_ x: Tensor, additiveMask: Tensor?) throws -> (Tensor, Tensor) {
        let batch = x.shape[0], length = x.shape[1]
        func split(_ t: Tensor) throws -> Tensor {
            try t.view([batch, length, heads, headSize]).permute([0, 2, 1, 3])
        }
        // Scaling the queries instead of the scores: equal up to rounding, fewer multiplications.
        let q = try split(q_lin(x) * (1 / Double(headSize).squareRoot()))
        let k = try split(k_lin(x))
        let v = try split(v_lin(x))
        var scores = try q.matmul(k.transpose(-1, -2))
        if let additiveMask { scores = try scores + additiveMask }
        let probabilities = try scores.softmax(dim: -1)
        let context = try dropout(probabilities).matmul(v).permute([0, 2, 1, 3]).reshape([batch, length, heads * headSize])
        return (try out_lin(context), probabilities)
    }
}

/// The feed-forward block: lin1, activation, lin2, dropout (transformers' `FFN`).
public final class DistilBertFFN: Module {
    public let dropout: Dropout
    public let lin1: Linear
    public let lin2: Linear
    let activation: Activation

    init(_ c: DistilBertConfiguration, _ loader: WeightLoader) throws {
        dropout = try Dropout(c.dropout)
        lin1 = try Linear(loader.scoped("lin1"), in: c.dim, out: c.hiddenDim)
        lin2 = try Linear(loader.scoped("lin2"), in: c.hiddenDim, out: c.dim)
        activation = Activation(c.activation)
        super.init()
    }

    func callAsFunction(_ x: Tensor) throws -> Tensor { try dropout(lin2(activation(lin1(x)))) }
}

/// One encoder layer: attention, residual and `sa_layer_norm`, then the feed-forward block,
/// residual and `output_layer_norm` (transformers' `TransformerBlock`).
public final class DistilBertTransformerBlock: Module {
    public let attention: DistilBertSelfAttention
    public let sa_layer_norm: NN.LayerNorm
    public let ffn: DistilBertFFN
    public let output_layer_norm: NN.LayerNorm

    init(_ c: DistilBertConfiguration, _ loader: WeightLoader) throws {
        attention = try DistilBertSelfAttention(c, loader.scoped("attention"))
        sa_layer_norm = try NN.LayerNorm(loader.scoped("sa_layer_norm"), size: c.dim, eps: DistilBertConfiguration.layerNormEps)
        ffn = try DistilBertFFN(c, loader.scoped("ffn"))
        output_layer_norm = try NN.LayerNorm(loader.scoped("output_layer_norm"), size: c.dim, eps: DistilBertConfiguration.layerNormEps)
        super.init()
    }

    func callAsFunction(_ x: Tensor, additiveMask: Tensor?) throws -> (Tensor, Tensor) {
        let (attended, probabilities) = try attention(x, additiveMask: additiveMask)
        let normed = try sa_layer_norm(attended + x)
        return (try output_layer_norm(ffn(normed) + normed), probabilities)
    }
}

/// The stack of layers (transformers' `Transformer`).
public final class DistilBertTransformer: Module {
    public let layer: [DistilBertTransformerBlock]

    init(_ c: DistilBertConfiguration, _ loader: WeightLoader) throws {
        layer = try (0..<c.numLayers).map { try DistilBertTransformerBlock(c, loader.scoped("layer.\($0)")) }
        super.init()
    }

    override public func namedChildren() -> [(String, Module)] { [("layer", ModuleList(layer))] }
}

/// The DistilBERT encoder (transformers' `DistilBertModel`); returns a `BaseModelOutput`.
public final class DistilBertModel: Module, PreTrainedModel {
    public let embeddings: DistilBertEmbeddings
    public let transformer: DistilBertTransformer
    public let config: ModelConfig
    public var className: String { "DistilBertModel" }
    public var acceptedInputs: [String] {
        ["input_ids", "attention_mask", "position_ids", "output_attentions", "output_hidden_states"]
    }
    public var newlyInitialized: [String] { [] }
    let settings: DistilBertConfiguration

    /// Builds the model from `config`, reading `embeddings.*` and `transformer.*` from `loader`.
    public init(config: ModelConfig, loader: WeightLoader) throws {
        self.config = config
        settings = try DistilBertConfiguration(config)
        embeddings = try DistilBertEmbeddings(settings, loader.scoped("embeddings"))
        transformer = try DistilBertTransformer(settings, loader.scoped("transformer"))
        super.init()
    }

    /// The encoder of a task model: `distilbert.*`, or the top level of a base checkpoint.
    static func forTask(config: ModelConfig, loader: WeightLoader) throws -> DistilBertModel {
        try DistilBertModel(config: config, loader: loader.rooted(
            at: loader.baseModelRoot(prefix: "distilbert", probe: DistilBertFamily.probe, forTaskModel: true)))
    }

    /// Runs the encoder on `inputs` (`BaseModelOutput`: last_hidden_state, hidden_states, attentions).
    public func forward(_ inputs: ModelInputs) throws -> ModelOutput {
        try encode(inputs, for: className)
    }

    /// Runs the encoder on `inputs` (input_ids, attention_mask, position_ids and the output
    /// flags; a task model's labels are its own business).
    func encode(_ inputs: ModelInputs, for className: String) throws -> ModelOutput {
        guard let inputIds = inputs.inputIds else { throw ModelError.invalidInput("\(className) needs input_ids") }
        if inputs.tokenTypeIds != nil {
            throw ModelError.invalidInput("\(className) takes no token_type_ids (DistilBERT has no segment embeddings)")
        }
        return try self(inputIds: inputIds, attentionMask: inputs.attentionMask, positionIds: inputs.positionIds,
                        outputHiddenStates: inputs.outputHiddenStates, outputAttentions: inputs.outputAttentions)
    }

    /// Runs the encoder: `inputIds` `[batch, seq]` integers, `attentionMask` (1 = attend) and
    /// `positionIds` of the same shape. Returns the last hidden state and, with the flags, the
    /// embeddings' and every layer's output and every layer's attention probabilities.
    public func callAsFunction(inputIds: Tensor, attentionMask: Tensor? = nil, positionIds: Tensor? = nil,
                               outputHiddenStates: Bool = false, outputAttentions: Bool = false) throws -> ModelOutput {
        guard inputIds.rank == 2, inputIds.dtype.isIntegral, inputIds.dtype != .bool else {
            throw ModelError.invalidInput("input_ids must be a [batch, sequence] integer tensor, got \(inputIds.dtype) \(inputIds.shape.shapeString)")
        }
        for (name, t) in [("attention_mask", attentionMask), ("position_ids", positionIds)] {
            if let t, t.shape != inputIds.shape {
                throw ModelError.invalidInput("\(name) has shape \(t.shape.shapeString) but input_ids has \(inputIds.shape.shapeString)")
            }
        }
        try BertModel.checkRange(inputIds, "input_ids", below: settings.vocabSize)
        if let positionIds { try BertModel.checkRange(positionIds, "position_ids", below: settings.maxPositionEmbeddings) }

        var hidden = try embeddings(inputIds.to(.int64), positionIds: positionIds?.to(.int64))
        let mask = try BertModel.attentionBias(attentionMask)
        var hiddenStates: [Tensor] = outputHiddenStates ? [hidden] : []
        var attentions: [Tensor] = []
        for layer in transformer.layer {
            let (out, probabilities) = try layer(hidden, additiveMask: mask)
            hidden = out
            if outputHiddenStates { hiddenStates.append(hidden) }
            if outputAttentions { attentions.append(probabilities) }
        }
        return ModelOutput("BaseModelOutput", [
            ("last_hidden_state", .tensor(hidden)),
            ("hidden_states", outputHiddenStates ? .tensors(hiddenStates) : nil),
            ("attentions", outputAttentions ? .tensors(attentions) : nil),
        ])
    }
}

/// DistilBERT with `pre_classifier`, ReLU, dropout and `classifier` on the first token
/// (transformers' `DistilBertForSequenceClassification`); the loss follows `problem_type`.
public final class DistilBertForSequenceClassification: Module, PreTrainedModel {
    public let distilbert: DistilBertModel
    public let pre_classifier: Linear
    public let classifier: Linear
    public let dropout: Dropout
    public let config: ModelConfig
    public let newlyInitialized: [String]
    public var className: String { "DistilBertForSequenceClassification" }
    public var acceptedInputs: [String] {
        ["input_ids", "attention_mask", "labels", "position_ids", "output_attentions", "output_hidden_states"]
    }

    /// Builds the model, reading `distilbert.*`, `pre_classifier.*` and `classifier.*` (the
    /// latter two initialised when a base checkpoint lacks them).
    public init(config: ModelConfig, loader: WeightLoader) throws {
        self.config = config
        let settings = try DistilBertConfiguration(config)
        let labels = try EncoderHeads.labelCount(config, for: "DistilBertForSequenceClassification")
        distilbert = try DistilBertModel.forTask(config: config, loader: loader)
        pre_classifier = try EncoderHeads.linear(loader.rooted(at: "pre_classifier"), in: settings.dim, out: settings.dim,
                                                 std: settings.initializerRange)
        classifier = try EncoderHeads.linear(loader.rooted(at: "classifier"), in: settings.dim, out: labels, std: settings.initializerRange)
        dropout = try Dropout(settings.seqClassifDropout)
        newlyInitialized = loader.newlyInitialized
        super.init()
    }

    /// Logits `[batch, numLabels]`; with `labels` the loss (see `problem_type`).
    public func forward(_ inputs: ModelInputs) throws -> ModelOutput {
        let encoded = try distilbert.encode(inputs, for: className)
        let pooled = try encoded.lastHiddenState!.select(1, 0)
        let logits = try classifier(dropout(pre_classifier(pooled).relu()))
        let loss = try inputs.labels.map { try EncoderHeads.sequenceClassificationLoss(logits, $0, config: config) }
        return EncoderHeads.output("SequenceClassifierOutput", loss: loss, logits: logits, encoder: encoded)
    }
}

/// DistilBERT with a linear classifier on every token (`DistilBertForTokenClassification`).
public final class DistilBertForTokenClassification: Module, PreTrainedModel {
    public let distilbert: DistilBertModel
    public let dropout: Dropout
    public let classifier: Linear
    public let config: ModelConfig
    public let newlyInitialized: [String]
    public var className: String { "DistilBertForTokenClassification" }
    public var acceptedInputs: [String] {
        ["input_ids", "attention_mask", "labels", "position_ids", "output_attentions", "output_hidden_states"]
    }

    /// Builds the model, reading `distilbert.*` and `classifier.*`.
    public init(config: ModelConfig, loader: WeightLoader) throws {
        self.config = config
        let settings = try DistilBertConfiguration(config)
        let labels = try EncoderHeads.labelCount(config, for: "DistilBertForTokenClassification")
        distilbert = try DistilBertModel.forTask(config: config, loader: loader)
        dropout = try Dropout(settings.dropout)
        classifier = try EncoderHeads.linear(loader.rooted(at: "classifier"), in: settings.dim, out: labels, std: settings.initializerRange)
        newlyInitialized = loader.newlyInitialized
        super.init()
    }

    /// Per-token logits; with `labels` (`[batch, seq]`, -100 ignored) the loss.
    public func forward(_ inputs: ModelInputs) throws -> ModelOutput {
        let encoded = try distilbert.encode(inputs, for: className)
        let logits = try classifier(dropout(encoded.lastHiddenState!))
        let loss = try inputs.labels.map { try EncoderHeads.tokenLoss(logits, $0) }
        return EncoderHeads.output("TokenClassifierOutput", loss: loss, logits: logits, encoder: encoded)
    }
}

/// DistilBERT with start and end scores for every token (`DistilBertForQuestionAnswering`).
public final class DistilBertForQuestionAnswering: Module, PreTrainedModel {
    public let distilbert: DistilBertModel
    public let qa_outputs: Linear
    public let dropout: Dropout
    public let config: ModelConfig
    public let newlyInitialized: [String]
    public var className: String { "DistilBertForQuestionAnswering" }
    public var acceptedInputs: [String] {
        ["input_ids", "attention_mask", "start_positions", "end_positions", "position_ids", "output_attentions", "output_hidden_states"]
    }

    /// Builds the model (the config must have 2 labels), reading `distilbert.*` and `qa_outputs.*`.
    public init(config: ModelConfig, loader: WeightLoader) throws {
        self.config = config
        let settings = try DistilBertConfiguration(config)
        try EncoderHeads.checkQuestionAnsweringLabels(config, for: "DistilBertForQuestionAnswering")
        distilbert = try DistilBertModel.forTask(config: config, loader: loader)
        qa_outputs = try EncoderHeads.linear(loader.rooted(at: "qa_outputs"), in: settings.dim, out: 2, std: settings.initializerRange)
        dropout = try Dropout(settings.qaDropout)
        newlyInitialized = loader.newlyInitialized
        super.init()
    }

    /// Start and end logits `[batch, seq]`; with both position tensors the loss.
    public func forward(_ inputs: ModelInputs) throws -> ModelOutput {
        let encoded = try distilbert.encode(inputs, for: className)
        return try EncoderHeads.questionAnsweringOutput(qa_outputs(dropout(encoded.lastHiddenState!)), startPositions: inputs.startPositions,
                                                        endPositions: inputs.endPositions, encoder: encoded)
    }
}

/// DistilBERT with `vocab_transform`, the activation, `vocab_layer_norm` and `vocab_projector`
/// (tied to the word embeddings) at every position (`DistilBertForMaskedLM`).
public final class DistilBertForMaskedLM: Module, PreTrainedModel {
    let activation: Activation
    public let distilbert: DistilBertModel
    public let vocab_transform: Linear
    public let vocab_layer_norm: NN.LayerNorm
    public let vocab_projector: Linear
    public let config: ModelConfig
    public let newlyInitialized: [String]
    public var className: String { "DistilBertForMaskedLM" }
    public var acceptedInputs: [String] {
        ["input_ids", "attention_mask", "labels", "position_ids", "output_attentions", "output_hidden_states"]
    }

    /// Builds the model, reading `distilbert.*`, `vocab_transform.*`, `vocab_layer_norm.*` and
    /// `vocab_projector.bias`; the projector's weight is the word embedding table unless
    /// `tie_word_embeddings` is false.
    public init(config: ModelConfig, loader: WeightLoader) throws {
        self.config = config
        let s = try DistilBertConfiguration(config)
        activation = Activation(s.activation)
        distilbert = try DistilBertModel.forTask(config: config, loader: loader)
        vocab_transform = try EncoderHeads.linear(loader.rooted(at: "vocab_transform"), in: s.dim, out: s.dim, std: s.initializerRange)
        vocab_layer_norm = try EncoderHeads.layerNorm(loader.rooted(at: "vocab_layer_norm"), size: s.dim, eps: DistilBertConfiguration.layerNormEps)
        let projector = loader.rooted(at: "vocab_projector")
        let weight = try EncoderHeads.tiesWordEmbeddings(config)
            ? distilbert.embeddings.word_embeddings.weight
            : projector.tensor("weight", shape: [s.vocabSize, s.dim]) { try Tensor.normal([s.vocabSize, s.dim], std: s.initializerRange) }
        vocab_projector = Linear(weight: weight, bias: try projector.tensor("bias", shape: [s.vocabSize]) { Tensor.zeros([s.vocabSize]) })
        newlyInitialized = loader.newlyInitialized
        super.init()
    }

    /// Logits `[batch, seq, vocab]`; with `labels` (-100 ignored) the loss.
    public func forward(_ inputs: ModelInputs) throws -> ModelOutput {
        let encoded = try distilbert.encode(inputs, for: className)
        let logits = try vocab_projector(vocab_layer_norm(activation(vocab_transform(encoded.lastHiddenState!))))
        let loss = try inputs.labels.map { try EncoderHeads.tokenLoss(logits, $0) }
        return EncoderHeads.output("MaskedLMOutput", loss: loss, logits: logits, encoder: encoded)
    }
}

/// The DistilBERT classes.
public enum DistilBertFamily {
    /// A tensor every DistilBERT checkpoint has, to find where the base model's names start.
    static let probe = "embeddings.word_embeddings.weight"

    /// The DistilBERT classes, for `ModelRegistry`.
    public static let architectures: [ModelArchitecture] = [
        ModelArchitecture("DistilBertModel", modelType: "distilbert", task: .base) { config, loader in
            try DistilBertModel(config: config, loader: loader.rooted(at: loader.baseModelRoot(prefix: "distilbert", probe: probe, forTaskModel: false)))
        },
        ModelArchitecture("DistilBertForSequenceClassification", modelType: "distilbert", task: .sequenceClassification) {
            try DistilBertForSequenceClassification(config: $0, loader: $1)
        },
        ModelArchitecture("DistilBertForTokenClassification", modelType: "distilbert", task: .tokenClassification) {
            try DistilBertForTokenClassification(config: $0, loader: $1)
        },
        ModelArchitecture("DistilBertForQuestionAnswering", modelType: "distilbert", task: .questionAnswering) {
            try DistilBertForQuestionAnswering(config: $0, loader: $1)
        },
        ModelArchitecture("DistilBertForMaskedLM", modelType: "distilbert", task: .maskedLM) {
            try DistilBertForMaskedLM(config: $0, loader: $1)
        },
    ]
}
