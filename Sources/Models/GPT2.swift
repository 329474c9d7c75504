import Foundation
import NN
import Tensors

// GPT-2, block by block as transformers' modeling_gpt2.py (eager attention): learned positions,
// pre-norm blocks, Conv1D projections (weights stored [in, out]), a head tied to the token
// embeddings.

/// The numbers GPT-2 reads from its config (`n_embd`, `n_layer`, ... or their `hidden_size`
/// style aliases), checked once.
public struct GPT2Configuration {
    public let vocabSize, hiddenSize, numHiddenLayers, numAttentionHeads, innerSize, maxPositionEmbeddings: Int
    public let layerNormEps: Double
    public let residualDropout, embeddingDropout, attentionDropout: Double
    public let activation: Activation.Kind
    public let scaleAttentionWeights, scaleByInverseLayerIndex: Bool
    public let useCache: Bool
    public var headSize: Int { hiddenSize / numAttentionHeads }

    /// Reads `config`; throws naming a missing or inconsistent key.
    public init(_ config: ModelConfig) throws {
        let source = config.source
        // GPT2Config's attribute_map: hidden_size is n_embd, and so on.
        func int(_ key: String, alias: String) throws -> Int {
            if let v = try config.optionalInt(key) { return v }
            return try config.int(alias)
        }
        func flag(_ key: String, _ fallback: Bool) throws -> Bool {
            guard let v = config.value(key), !v.isNull else { return fallback }
            guard let b = v.boolValue else { throw ModelError.invalidConfig("\(source): '\(key)' must be true or false, got \(v)") }
            return b
        }
        vocabSize = try config.vocabSize
        hiddenSize = try int("n_embd", alias: "hidden_size")
        numHiddenLayers = try int("n_layer", alias: "num_hidden_layers")
        numAttentionHeads = try int("n_head", alias: "num_attention_heads")
        maxPositionEmbeddings = try int("n_positions", alias: "max_position_embeddings")
        innerSize = try config.optionalInt("n_inner") ?? 4 * hiddenSize
        layerNormEps = try config.double("layer_norm_epsilon")
        residualDropout = try config.double("resid_pdrop")
        embeddingDropout = try config.double("embd_pdrop")
        attentionDropout = try config.double("attn_pdrop")
        let act = try config.string("activation_function")
        guard let kind = BertConfiguration.activations[act] else {
            throw ModelError.invalidConfig("\(source): activation_function '\(act)' is not supported; supported: \(BertConfiguration.activations.keys.sorted().joined(separator: ", "))")
        }
        activation = kind
        scaleAttentionWeights = try flag("scale_attn_weights", true)
        scaleByInverseLayerIndex = try flag("scale_attn_by_inverse_layer_idx", false)
        useCache = try flag("use_cache", true)
        if try flag("add_cross_attention", false) {
            throw ModelError.invalidConfig("\(source): add_cross_attention (GPT-2 as a decoder of an encoder-decoder) is not supported")
        }
        for (key, value) in [("vocab_size", vocabSize), ("n_embd", hiddenSize), ("n_head", numAttentionHeads),
                             ("n_inner", innerSize), ("n_positions", maxPositionEmbeddings)] where value <= 0 {
            throw ModelError.invalidConfig("\(source): '\(key)' must be positive, got \(value)")
        }
        guard numHiddenLayers >= 0 else { throw ModelError.invalidConfig("\(source): 'n_layer' must not be negative") }
        guard hiddenSize % numAttentionHeads == 0 else {
            throw ModelError.invalidConfig("\(source): `embed_dim` must be divisible by num_heads (got `embed_dim`: \(hiddenSize) and `num_heads`: \(numAttentionHeads))")
        }
    }
}

/// GPT-2's projection layer (transformers' `Conv1D`): a linear layer whose weight is stored
/// transposed, `[in, out]`, so `y = x · weight + bias`.
public final class Conv1D: Module {
    public var weight: Tensor
    public var bias: Tensor

    /// `weight [in, out]` and `bias [out]` from `loader`.
    init(_ loader: WeightLoader, in inFeatures: Int, out outFeatures: Int) throws {
        weight = try loader.tensor("weight", shape: [inFeatures, outFeatures])
        bias = try loader.tensor("bias", shape: [outFeatures])
        super.init()
    }

    func callAsFunction(_ x: Tensor) throws -> Tensor {
        // The transposed view is read in place by the product; no copy of the weight.
        try x.linear(weight: weight.transpose(0, 1), bias: bias)
    }
}

/// Causal self-attention with fused q/k/v projection (GPT2Attention).
public final class GPT2Attention: Module {
    public let c_attn: Conv1D
    public let c_proj: Conv1D
    public let attn_dropout: Dropout
    public let resid_dropout: Dropout
    let heads, headSize, layerIndex: Int
    let scale: Double

    init(_ c: GPT2Configuration, _ loader: WeightLoader, layer: Int) throws {
        c_attn = try Conv1D(loader.scoped("c_attn"), in: c.hiddenSize, out: 3 * c.hiddenSize)
        c_proj = try Conv1D(loader.scoped("c_proj"), in: c.hiddenSize, out: c.hiddenSize)
        attn_dropout = try Dropout(c.attentionDropout)
        resid_dropout = try Dropout(c.residualDropout)
        heads = c.numAttentionHeads
        headSize = c.headSize
        layerIndex = layer
        var scale = c.scaleAttentionWeights ? 1 / Double(c.headSize).squareRoot() : 1
        if c.scaleByInverseLayerIndex { scale /= Double(layer + 1) }
        self.scale = scale
        super.init()
    }

    func callAsFunction(_ x: Tensor, mask: Tensor?, cache: KeyValueCache?) throws -> (Tensor, Tensor) {
        let batch = x.shape[0], length = x.shape[1], width = heads * headSize
        let fused = try c_attn(x)
        func split(_ part: Int) throws -> Tensor {
            try fused.slice(2, start: part * width, end: (part + 1) * width)
                .view([batch, length, heads, headSize]).permute([0, 2, 1, 3])
        }
        var k = try split(1), v = try split(2)
        if let cache { (k, v) = try cache.update(layer: layerIndex, key: k, value: v) }
        let (context, probabilities) = try EagerAttention.attend(
            queries: split(0), keys: k, values: v, mask: mask, scale: scale, dropout: training ? attn_dropout : nil)
        return (try resid_dropout(c_proj(context)), probabilities)
    }
}

/// The feed-forward block: c_proj(act(c_fc(x))) and dropout (GPT2MLP).
public final class GPT2MLP: Module {
    public let c_fc: Conv1D
    public let c_proj: Conv1D
    public let dropout: Dropout
    let activation: Activation

    init(_ c: GPT2Configuration, _ loader: WeightLoader) throws {
        c_fc = try Conv1D(loader.scoped("c_fc"), in: c.hiddenSize, out: c.innerSize)
        c_proj = try Conv1D(loader.scoped("c_proj"), in: c.innerSize, out: c.hiddenSize)
        dropout = try Dropout(c.residualDropout)
        activation = Activation(c.activation)
        super.init()
    }

    func callAsFunction(_ x: Tensor) throws -> Tensor { try dropout(c_proj(activation(c_fc(x)))) }
}

/// LayerNorm, attention, residual; LayerNorm, MLP, residual (GPT2Block).
public final class GPT2Block: Module {
    public let ln_1: LayerNorm
    public let attn: GPT2Attention
    public let ln_2: LayerNorm
    public let mlp: GPT2MLP

    init(_ c: GPT2Configuration, _ loader: WeightLoader, layer: Int) throws {
        ln_1 = try LayerNorm(loader.scoped("ln_1"), size: c.hiddenSize, eps: c.layerNormEps)
        attn = try GPT2Attention(c, loader.scoped("attn"), layer: layer)
        ln_2 = try LayerNorm(loader.scoped("ln_2"), size: c.hiddenSize, eps: c.layerNormEps)
        mlp = try GPT2MLP(c, loader.scoped("mlp"))
        super.init()
    }

    func callAsFunction(_ x: Tensor, mask: Tensor?, cache: KeyValueCache?) throws -> (Tensor, Tensor) {
        let (attended, probabilities) = try attn(ln_1(x), mask: mask, cache: cache)
        let h = try x + attended
        return (try h + mlp(ln_2(h)), probabilities)
    }
}

/// The GPT-2 decoder: token and position embeddings, blocks, final LayerNorm (transformers'
/// `GPT2Model`).
public final class GPT2Model: Module, PreTrainedModel {
    public let wte: Embedding
    public let wpe: Embedding
    public let drop: Dropout
    public let h: [GPT2Block]
    public let ln_f: LayerNorm
    public let config: ModelConfig
    /// The config's numbers, checked.
    public let settings: GPT2Configuration
    public var className: String { "GPT2Model" }
    public var acceptedInputs: [String] {
        ["input_ids", "past_key_values", "attention_mask", "token_type_ids", "position_ids", "inputs_embeds", "use_cache",
         "output_attentions", "output_hidden_states"]
    }
    public var newlyInitialized: [String] { [] }

    /// Builds the model from `config`, reading `wte`, `wpe`, `h.N.*` and `ln_f` through `loader`
    /// (already at the base model's root).
    public init(config: ModelConfig, loader: WeightLoader) throws {
        self.config = config
        let c = try GPT2Configuration(config)
        settings = c
        wte = Embedding(weight: try loader.scoped("wte").tensor("weight", shape: [c.vocabSize, c.hiddenSize]))
        wpe = Embedding(weight: try loader.scoped("wpe").tensor("weight", shape: [c.maxPositionEmbeddings, c.hiddenSize]))
        drop = try Dropout(c.embeddingDropout)
        h = try (0..<c.numHiddenLayers).map { try GPT2Block(c, loader.scoped("h.\($0)"), layer: $0) }
        ln_f = try LayerNorm(loader.scoped("ln_f"), size: c.hiddenSize, eps: c.layerNormEps)
        super.init()
    }

    override public func namedChildren() -> [(String, Module)] {
        [("wte", wte), ("wpe", wpe), ("drop", drop), ("h", ModuleList(h)), ("ln_f", ln_f)]
    }

    /// Runs the model on `inputs` (the ones named in `acceptedInputs`); throws naming a
    /// mis-shaped or out-of-range input.
    public func forward(_ inputs: ModelInputs) throws -> ModelOutput {
        let out = try run(inputs)
        return ModelOutput("BaseModelOutputWithPastAndCrossAttentions", [
            ("last_hidden_state", .tensor(out.hidden)), ("past_key_values", ModelOutput.value(out.cache)),
            ("hidden_states", ModelOutput.value(out.hiddenStates)), ("attentions", ModelOutput.value(out.attentions)),
        ])
    }

    func run(_ inputs: ModelInputs) throws -> DecoderResult {
        let c = settings
        let (batch, length) = try CausalLanguageModeling.checkInputs(inputs.inputIds, inputs.inputsEmbeds, vocabSize: c.vocabSize,
                                                                     hiddenSize: c.hiddenSize, className: className)
        let cache = try CausalLanguageModeling.cache(inputs.pastKeyValues, useCache: inputs.useCache ?? c.useCache,
                                                     layers: h.count, batch: batch)
        let past = cache?.sequenceLength ?? 0
        let positions = try CausalLanguageModeling.positions(inputs.positionIds, batch: batch, length: length, past: past)
        if let bad = positions.joined().first(where: { $0 >= c.maxPositionEmbeddings }) {
            throw ModelError.invalidInput("position \(bad) is beyond n_positions (\(c.maxPositionEmbeddings)): GPT-2 has learned embeddings for positions 0..<\(c.maxPositionEmbeddings) only")
        }
        let mask = try CausalMask(attentionMask: inputs.attentionMask, batch: batch, queryLength: length, pastLength: past,
                                  positionIds: inputs.positionIds, usesCache: cache != nil).additive(slidingWindow: nil)
        var hidden = try inputs.inputsEmbeds ?? wte(inputs.inputIds!.to(.int64))
        let positionIds = try Tensor(int64: positions.joined().map(Int64.init), shape: [positions.count, length])
        hidden = try hidden + wpe(positionIds)
        if let tokenTypeIds = inputs.tokenTypeIds {
            guard tokenTypeIds.shape == [batch, length] else {
                throw ModelError.shapeMismatch("token_type_ids has shape \(tokenTypeIds.shape.shapeString) but the inputs are [\(batch), \(length)]")
            }
            // GPT-2 embeds token types with the token embeddings.
            let _ = try CausalLanguageModeling.checkInputs(tokenTypeIds, nil, vocabSize: c.vocabSize, hiddenSize: c.hiddenSize, className: className)
            hidden = try hidden + wte(tokenTypeIds.to(.int64))
        }
        hidden = try drop(hidden)
        var hiddenStates: [Tensor] = inputs.outputHiddenStates ? [hidden] : []
        var attentions: [Tensor] = []
        for block in h {
            let (out, probabilities) = try block(hidden, mask: mask, cache: cache)
            hidden = out
            if inputs.outputHiddenStates { hiddenStates.append(hidden) }
            if inputs.outputAttentions { attentions.append(probabilities) }
        }
        hidden = try ln_f(hidden)
        if inputs.outputHiddenStates { hiddenStates[hiddenStates.count - 1] = hidden }
        return DecoderResult(hidden: hidden, cache: cache, hiddenStates: inputs.outputHiddenStates ? hiddenStates : nil,
                                 attentions: inputs.outputAttentions ? attentions : nil)
    }
}

/// GPT-2 with its language-modelling head (transformers' `GPT2LMHeadModel`). The head is the
/// token embedding matrix (`tie_word_embeddings`, true for GPT-2), which save_pretrained leaves
/// out of the checkpoint.
public final class GPT2LMHeadModel: Module, PreTrainedModel {
    public let transformer: GPT2Model
    public let lm_head: Linear
    public let config: ModelConfig
    public let newlyInitialized: [String]
    public var className: String { "GPT2LMHeadModel" }
    public var acceptedInputs: [String] {
        ["input_ids", "past_key_values", "attention_mask", "token_type_ids", "position_ids", "inputs_embeds", "labels",
         "use_cache", "output_attentions", "output_hidden_states"]
    }

    /// Builds the model from `config`, reading `transformer.*` (or an unprefixed base
    /// checkpoint) through `loader`; the head is tied unless `tie_word_embeddings` is false.
    public init(config: ModelConfig, loader: WeightLoader) throws {
        self.config = config
        let root = loader.baseModelRoot(prefix: "transformer", probe: GPT2Family.probe, forTaskModel: true)
        transformer = try GPT2Model(config: config, loader: loader.rooted(at: root))
        let c = transformer.settings
        let tied = config.value("tie_word_embeddings")?.boolValue ?? true
        if tied {
            lm_head = Linear(weight: transformer.wte.weight, bias: nil)
        } else {
            let range = try config.optionalDouble("initializer_range") ?? 0.02
            lm_head = Linear(weight: try loader.rooted(at: "lm_head").tensor("weight", shape: [c.vocabSize, c.hiddenSize]) {
                try Tensor.normal([c.vocabSize, c.hiddenSize], std: range)
            }, bias: nil)
        }
        newlyInitialized = loader.newlyInitialized
        super.init()
    }

    /// Runs the model on `inputs` (the ones named in `acceptedInputs`); throws naming a
    /// mis-shaped or out-of-range input.
    public func forward(_ inputs: ModelInputs) throws -> ModelOutput {
        let base = try transformer.run(inputs)
        let logits = try lm_head(CausalLanguageModeling.keptPositions(base.hidden, inputs.logitsToKeep))
        let loss = try inputs.labels.map { try CausalLanguageModeling.loss(logits: logits, labels: $0) }
        return ModelOutput("CausalLMOutputWithCrossAttentions", [
            ("loss", ModelOutput.value(loss)), ("logits", .tensor(logits)),
            ("past_key_values", ModelOutput.value(base.cache)),
            ("hidden_states", ModelOutput.value(base.hiddenStates)), ("attentions", ModelOutput.value(base.attentions)),
        ])
    }
}

/// GPT-2 with a linear scorer read at each row's last real token (transformers'
/// `GPT2ForSequenceClassification`).
public final class GPT2ForSequenceClassification: Module, PreTrainedModel {
    public let transformer: GPT2Model
    public let score: Linear
    public let config: ModelConfig
    public let newlyInitialized: [String]
    public var className: String { "GPT2ForSequenceClassification" }
    public var acceptedInputs: [String] {
        ["input_ids", "past_key_values", "attention_mask", "token_type_ids", "position_ids", "inputs_embeds", "labels",
         "use_cache", "output_attentions", "output_hidden_states"]
    }

    /// Builds the model from `config`, reading `transformer.*` and `score.weight` through
    /// `loader`; a checkpoint without a scorer gets a fresh one (listed in `newlyInitialized`).
    public init(config: ModelConfig, loader: WeightLoader) throws {
        self.config = config
        let root = loader.baseModelRoot(prefix: "transformer", probe: GPT2Family.probe, forTaskModel: true)
        transformer = try GPT2Model(config: config, loader: loader.rooted(at: root))
        score = Linear(weight: try LastTokenClassification.scoreWeight(loader, config: config, hidden: transformer.settings.hiddenSize), bias: nil)
        newlyInitialized = loader.newlyInitialized
        super.init()
    }

    /// Runs the model on `inputs` (the ones named in `acceptedInputs`); throws naming a
    /// mis-shaped or out-of-range input.
    public func forward(_ inputs: ModelInputs) throws -> ModelOutput {
        let base = try transformer.run(inputs)
        let logits = try score(base.hidden)
        let rows = try LastTokenClassification.lastTokens(inputIds: inputs.inputIds, batch: logits.shape[0], length: logits.shape[1],
                                                          padTokenId: try config.padTokenId, className: className)
        let pooled = try LastTokenClassification.pool(logits, at: rows)
        let loss = try inputs.labels.map { try LastTokenClassification.loss(pooled, $0, config: config) }
        return ModelOutput("SequenceClassifierOutputWithPast", [
            ("loss", ModelOutput.value(loss)), ("logits", .tensor(pooled)),
            ("past_key_values", ModelOutput.value(base.cache)),
            ("hidden_states", ModelOutput.value(base.hiddenStates)), ("attentions", ModelOutput.value(base.attentions)),
        ])
    }
}

/// The GPT-2 classes and what they share.
public enum GPT2Family {
    /// A tensor every GPT-2 checkpoint has, to find where the base model's names start.
    static let probe = "wte.weight"

    /// The GPT-2 classes, for `ModelRegistry`.
    public static let architectures: [ModelArchitecture] = [
        ModelArchitecture("GPT2Model", modelType: "gpt2", task: .base) { config, loader in
            try GPT2Model(config: config, loader: loader.rooted(at: loader.baseModelRoot(prefix: "transformer", probe: probe, forTaskModel: false)))
        },
        ModelArchitecture("GPT2LMHeadModel", modelType: "gpt2", task: .causalLM) { config, loader in
            try GPT2LMHeadModel(config: config, loader: loader)
        },
        ModelArchitecture("GPT2ForSequenceClassification", modelType: "gpt2", task: .sequenceClassification) { config, loader in
            try GPT2ForSequenceClassification(config: config, loader: loader)
        },
    ]
}
