import Foundation
import NN
import Tensors

// The Llama family (Llama, Mistral, Qwen2), block by block as transformers' modeling_llama.py,
// modeling_mistral.py and modeling_qwen2.py (eager attention). The three differ only in which
// projections carry a bias and which layers attend through a sliding window, so one set of
// blocks serves them all; each class reports its own transformers name.

/// Which member of the family a model is: its names and its config conventions.
public enum LlamaVariant: String, CaseIterable, Sendable {
    case llama, mistral, qwen2

    /// The transformers class-name stem (`Llama`, `Mistral`, `Qwen2`).
    public var classPrefix: String {
        switch self {
        case .llama: return "Llama"
        case .mistral: return "Mistral"
        case .qwen2: return "Qwen2"
        }
    }
}

/// The numbers a Llama-family model reads from its config, checked once.
public struct LlamaConfiguration {
    public let variant: LlamaVariant
    public let vocabSize, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads, numKeyValueHeads: Int
    /// `head_dim` when the config gives it, else hidden_size / num_attention_heads.
    public let headSize: Int
    public let maxPositionEmbeddings: Int
    public let rmsNormEps: Double
    /// Bias on q/k/v (Qwen2 always; Llama with `attention_bias`), and on o_proj (Llama only).
    public let qkvBias, outputBias, mlpBias: Bool
    public let tieWordEmbeddings: Bool
    public let useCache: Bool
    public let padTokenId: Int?
    public let attentionDropout: Double
    public let activation: Activation.Kind
    /// Per layer: the sliding window it attends through, nil for full attention.
    public let windows: [Int?]
    public let rope: RopeParameters

    /// Reads `config` with `variant`'s conventions; throws naming a missing or inconsistent key.
    public init(_ config: ModelConfig, variant: LlamaVariant) throws {
        let source = config.source
        self.variant = variant
        vocabSize = try config.vocabSize
        hiddenSize = try config.hiddenSize
        intermediateSize = try config.intermediateSize
        numHiddenLayers = try config.numHiddenLayers
        numAttentionHeads = try config.numAttentionHeads
        numKeyValueHeads = try config.optionalInt("num_key_value_heads") ?? numAttentionHeads
        maxPositionEmbeddings = try config.maxPositionEmbeddings
        rmsNormEps = try config.double("rms_norm_eps")
        for (key, value) in [("vocab_size", vocabSize), ("hidden_size", hiddenSize), ("intermediate_size", intermediateSize),
                             ("num_attention_heads", numAttentionHeads), ("num_key_value_heads", numKeyValueHeads)] where value <= 0 {
            throw ModelError.invalidConfig("\(source): '\(key)' must be positive, got \(value)")
        }
        guard numHiddenLayers >= 0 else { throw ModelError.invalidConfig("\(source): 'num_hidden_layers' must not be negative") }
        guard numAttentionHeads % numKeyValueHeads == 0 else {
            throw ModelError.invalidConfig("\(source): num_attention_heads (\(numAttentionHeads)) must be a multiple of num_key_value_heads (\(numKeyValueHeads))")
        }
        if let given = try config.optionalInt("head_dim") {
            headSize = given
        } else {
            guard hiddenSize % numAttentionHeads == 0 else {
                throw ModelError.invalidConfig("\(source): The hidden size (\(hiddenSize)) is not a multiple of the number of attention heads (\(numAttentionHeads))")
            }
            headSize = hiddenSize / numAttentionHeads
        }
        func flag(_ key: String, _ fallback: Bool) throws -> Bool {
            guard let v = config.value(key), !v.isNull else { return fallback }
            guard let b = v.boolValue else { throw ModelError.invalidConfig("\(source): '\(key)' must be true or false, got \(v)") }
            return b
        }
        switch variant {
        case .llama:
            qkvBias = try flag("attention_bias", false); outputBias = qkvBias; mlpBias = try flag("mlp_bias", false)
        case .mistral:
            qkvBias = false; outputBias = false; mlpBias = false
        case .qwen2:
            qkvBias = true; outputBias = false; mlpBias = false
        }
        tieWordEmbeddings = try flag("tie_word_embeddings", false)
        useCache = try flag("use_cache", true)
        padTokenId = try config.padTokenId
        attentionDropout = try config.optionalDouble("attention_dropout") ?? 0
        let act = try config.hiddenAct
        guard let kind = BertConfiguration.activations[act] else {
            throw ModelError.invalidConfig("\(source): hidden_act '\(act)' is not supported; supported: \(BertConfiguration.activations.keys.sorted().joined(separator: ", "))")
        }
        activation = kind
        windows = try LlamaConfiguration.windows(config, variant: variant, layers: numHiddenLayers)
        rope = try RopeParameters(config)
    }

    /// Mistral: every layer slides when `sliding_window` is set. Qwen2: `layer_types` (or, when
    /// absent, layers from `max_window_layers` on) slide when `use_sliding_window`. Llama: none.
    static func windows(_ config: ModelConfig, variant: LlamaVariant, layers: Int) throws -> [Int?] {
        let source = config.source
        switch variant {
        case .llama:
            return Array(repeating: nil, count: layers)
        case .mistral:
            let window = try config.optionalInt("sliding_window")
            if let window, window <= 0 { throw ModelError.invalidConfig("\(source): 'sliding_window' must be positive, got \(window)") }
            return Array(repeating: window, count: layers)
        case .qwen2:
            let enabled = config.value("use_sliding_window")?.boolValue ?? false
            let window = enabled ? try config.optionalInt("sliding_window") : nil
            if let window, window <= 0 { throw ModelError.invalidConfig("\(source): 'sliding_window' must be positive, got \(window)") }
            if let types = config["layer_types"], !types.isNull {
                guard let list = types.arrayValue?.compactMap(\.stringValue), list.count == layers,
                      list.allSatisfy({ ["full_attention", "sliding_attention"].contains($0) }) else {
                    throw ModelError.invalidConfig("\(source): 'layer_types' must list \(layers) of \"full_attention\" / \"sliding_attention\", got \(types)")
                }
                return list.map { $0 == "sliding_attention" ? window : nil }
            }
            let first = try config.optionalInt("max_window_layers") ?? 28
            return (0..<layers).map { $0 >= first ? window : nil }
        }
    }
}

extension Linear {
    /// `weight [out, in]` and, when `bias`, `bias [out]` from `loader`.
    convenience init(_ loader: WeightLoader, in inFeatures: Int, out outFeatures: Int, bias: Bool) throws {
        self.init(weight: try loader.tensor("weight", shape: [outFeatures, inFeatures]),
                  bias: bias ? try loader.tensor("bias", shape: [outFeatures]) : nil)
    }
}

extension RMSNorm {
    /// `weight [size]` from `loader`.
    convenience init(_ loader: WeightLoader, size: Int, eps: Double) throws {
        try self.init(size, eps: eps)
        weight = try loader.tensor("weight", shape: [size])
    }
}

/// Query, key, value and output projections around rotary, grouped-query attention
/// (LlamaAttention / MistralAttention / Qwen2Attention).
public final class LlamaAttention: Module {
    public let q_proj, k_proj, v_proj, o_proj: Linear
    let heads, kvHeads, headSize: Int
    let attentionDropout: Dropout
    let layerIndex: Int

    init(_ c: LlamaConfiguration, _ loader: WeightLoader, layer: Int) throws {
        q_proj = try Linear(loader.scoped("q_proj"), in: c.hiddenSize, out: c.numAttentionHeads * c.headSize, bias: c.qkvBias)
        k_proj = try Linear(loader.scoped("k_proj"), in: c.hiddenSize, out: c.numKeyValueHeads * c.headSize, bias: c.qkvBias)
        v_proj = try Linear(loader.scoped("v_proj"), in: c.hiddenSize, out: c.numKeyValueHeads * c.headSize, bias: c.qkvBias)
        o_proj = try Linear(loader.scoped("o_proj"), in: c.numAttentionHeads * c.headSize, out: c.hiddenSize, bias: c.outputBias)
        heads = c.numAttentionHeads
        kvHeads = c.numKeyValueHeads
        headSize = c.headSize
        attentionDropout = try Dropout(c.attentionDropout)
        layerIndex = layer
        super.init()
    }

    /// `[batch, new, hidden]` to (output `[batch, new, hidden]`, probabilities `[batch, heads,
    /// new, cached + new]`), appending this step's keys and values to `cache`.
    func callAsFunction(_ x: Tensor, cos: Tensor, sin: Tensor, mask: Tensor?, cache: KeyValueCache?) throws -> (Tensor, Tensor) {
        let batch = x.shape[0], length = x.shape[1]
        func split(_ t: Tensor, _ count: Int) throws -> Tensor {
            try t.view([batch, length, count, headSize]).permute([0, 2, 1, 3])
        }
        let q = try RotaryEmbedding.rotate(split(q_proj(x), heads), cos: cos, sin: sin)
        var k = try RotaryEmbedding.rotate(split(k_proj(x), kvHeads), cos: cos, sin: sin)
        var v = try split(v_proj(x), kvHeads)
        if let cache { (k, v) = try cache.update(layer: layerIndex, key: k, value: v) }
        let (context, probabilities) = try EagerAttention.attend(
            queries: q, keys: k, values: v, mask: mask, scale: 1 / Double(headSize).squareRoot(),
            dropout: training ? attentionDropout : nil)
        return (try o_proj(context), probabilities)
    }
}

/// The gated feed-forward block: down(act(gate(x)) * up(x)) (LlamaMLP, SwiGLU with silu).
public final class LlamaMLP: Module {
    public let gate_proj, up_proj, down_proj: Linear
    let activation: Activation

    init(_ c: LlamaConfiguration, _ loader: WeightLoader) throws {
        gate_proj = try Linear(loader.scoped("gate_proj"), in: c.hiddenSize, out: c.intermediateSize, bias: c.mlpBias)
        up_proj = try Linear(loader.scoped("up_proj"), in: c.hiddenSize, out: c.intermediateSize, bias: c.mlpBias)
        down_proj = try Linear(loader.scoped("down_proj"), in: c.intermediateSize, out: c.hiddenSize, bias: c.mlpBias)
        activation = Activation(c.activation)
        super.init()
    }

    func callAsFunction(_ x: Tensor) throws -> Tensor {
        try down_proj(activation(gate_proj(x)) * up_proj(x))
    }
}

/// Pre-norm attention and feed-forward with residuals (LlamaDecoderLayer).
public final class LlamaDecoderLayer: Module {
    public let self_attn: LlamaAttention
    public let mlp: LlamaMLP
    public let input_layernorm: RMSNorm
    public let post_attention_layernorm: RMSNorm

    init(_ c: LlamaConfiguration, _ loader: WeightLoader, layer: Int) throws {
        self_attn = try LlamaAttention(c, loader.scoped("self_attn"), layer: layer)
        mlp = try LlamaMLP(c, loader.scoped("mlp"))
        input_layernorm = try RMSNorm(loader.scoped("input_layernorm"), size: c.hiddenSize, eps: c.rmsNormEps)
        post_attention_layernorm = try RMSNorm(loader.scoped("post_attention_layernorm"), size: c.hiddenSize, eps: c.rmsNormEps)
        super.init()
    }

    func callAsFunction(_ x: Tensor, cos: Tensor, sin: Tensor, mask: Tensor?, cache: KeyValueCache?) throws -> (Tensor, Tensor) {
        let (attended, probabilities) = try self_attn(input_layernorm(x), cos: cos, sin: sin, mask: mask, cache: cache)
        let h = try x + attended
        return (try h + mlp(post_attention_layernorm(h)), probabilities)
    }
}

/// The decoder stack: embeddings, layers, final norm (transformers' `LlamaModel`,
/// `MistralModel`, `Qwen2Model`).
public final class LlamaModel: Module, PreTrainedModel {
    public let embed_tokens: Embedding
    public let layers: [LlamaDecoderLayer]
    public let norm: RMSNorm
    public let config: ModelConfig
    /// The config's numbers, checked.
    public let settings: LlamaConfiguration
    /// The rotary embedding (no weights; `dynamic` scaling keeps state in it).
    public let rotaryEmbedding: RotaryEmbedding
    public var className: String { settings.variant.classPrefix + "Model" }
    public var acceptedInputs: [String] {
        ["input_ids", "attention_mask", "position_ids", "past_key_values", "inputs_embeds", "use_cache",
         "output_attentions", "output_hidden_states"]
    }
    public var newlyInitialized: [String] { [] }

    /// Builds the model from `config`, reading `embed_tokens.*`, `layers.N.*` and `norm.*`
    /// through `loader` (already at the base model's root).
    public init(config: ModelConfig, loader: WeightLoader, variant: LlamaVariant) throws {
        self.config = config
        let c = try LlamaConfiguration(config, variant: variant)
        settings = c
        embed_tokens = Embedding(weight: try loader.scoped("embed_tokens").tensor("weight", shape: [c.vocabSize, c.hiddenSize]),
                                 paddingIndex: c.padTokenId)
        layers = try (0..<c.numHiddenLayers).map { try LlamaDecoderLayer(c, loader.scoped("layers.\($0)"), layer: $0) }
        norm = try RMSNorm(loader.scoped("norm"), size: c.hiddenSize, eps: c.rmsNormEps)
        rotaryEmbedding = try RotaryEmbedding(c.rope, dimension: c.headSize, maxPositionEmbeddings: c.maxPositionEmbeddings)
        super.init()
    }

    override public func namedChildren() -> [(String, Module)] {
        [("embed_tokens", embed_tokens), ("layers", ModuleList(layers)), ("norm", norm)]
    }

    /// Runs the model on `inputs` (the ones named in `acceptedInputs`); throws naming a
    /// mis-shaped or out-of-range input.
    public func forward(_ inputs: ModelInputs) throws -> ModelOutput {
        let out = try run(inputs)
        return ModelOutput("BaseModelOutputWithPast", [
            ("last_hidden_state", .tensor(out.hidden)), ("past_key_values", ModelOutput.value(out.cache)),
            ("hidden_states", ModelOutput.value(out.hiddenStates)), ("attentions", ModelOutput.value(out.attentions)),
        ])
    }

    func run(_ inputs: ModelInputs) throws -> DecoderResult {
        let c = settings
        let (batch, length) = try CausalLanguageModeling.checkInputs(inputs.inputIds, inputs.inputsEmbeds, vocabSize: c.vocabSize,
                                                                     hiddenSize: c.hiddenSize, className: className)
        let cache = try CausalLanguageModeling.cache(inputs.pastKeyValues, useCache: inputs.useCache ?? c.useCache,
                                                     layers: layers.count, batch: batch)
        let past = cache?.sequenceLength ?? 0
        let positions = try CausalLanguageModeling.positions(inputs.positionIds, batch: batch, length: length, past: past)
        let mask = try CausalMask(attentionMask: inputs.attentionMask, batch: batch, queryLength: length, pastLength: past,
                                  positionIds: inputs.positionIds, usesCache: cache != nil)
        // One additive mask per distinct window (full attention is the nil window).
        var masks: [Int: Tensor?] = [:]
        func maskFor(_ window: Int?) -> Tensor? {
            let key = window ?? 0
            if let built = masks[key] { return built }
            let built = mask.additive(slidingWindow: window)
            masks[key] = built
            return built
        }
        var hidden = try inputs.inputsEmbeds ?? embed_tokens(inputs.inputIds!.to(.int64))
        let (cos, sin) = rotaryEmbedding.cosSin(positions)
        var hiddenStates: [Tensor] = inputs.outputHiddenStates ? [hidden] : []
        var attentions: [Tensor] = []
        for (i, layer) in layers.enumerated() {
            let (out, probabilities) = try layer(hidden, cos: cos, sin: sin, mask: maskFor(c.windows[i]), cache: cache)
            hidden = out
            if inputs.outputHiddenStates { hiddenStates.append(hidden) }
            if inputs.outputAttentions { attentions.append(probabilities) }
        }
        hidden = try norm(hidden)
        // transformers reports the normalised output as the last hidden state of the tuple.
        if inputs.outputHiddenStates { hiddenStates[hiddenStates.count - 1] = hidden }
        return DecoderResult(hidden: hidden, cache: cache, hiddenStates: inputs.outputHiddenStates ? hiddenStates : nil,
                      attentions: inputs.outputAttentions ? attentions : nil)
    }
}

/// The decoder with a language-modelling head (transformers' `LlamaForCausalLM`,
/// `MistralForCausalLM`, `Qwen2ForCausalLM`); with `tie_word_embeddings` the head is the
/// embedding matrix itself, as checkpoints then omit `lm_head.weight`.
public final class LlamaForCausalLM: Module, PreTrainedModel {
    public let model: LlamaModel
    public let lm_head: Linear
    public let config: ModelConfig
    public let newlyInitialized: [String]
    public var className: String { model.settings.variant.classPrefix + "ForCausalLM" }
    public var acceptedInputs: [String] {
        ["input_ids", "attention_mask", "position_ids", "past_key_values", "inputs_embeds", "labels", "use_cache",
         "output_attentions", "output_hidden_states"]
    }

    /// Builds the model from `config`, reading `model.*` and `lm_head.*` through `loader`
    /// (rooted at the checkpoint's top level; a base checkpoint without the `model.` prefix
    /// feeds the decoder directly).
    public init(config: ModelConfig, loader: WeightLoader, variant: LlamaVariant) throws {
        self.config = config
        let root = loader.baseModelRoot(prefix: "model", probe: LlamaFamily.probe, forTaskModel: true)
        model = try LlamaModel(config: config, loader: loader.rooted(at: root), variant: variant)
        let c = model.settings
        if c.tieWordEmbeddings {
            lm_head = Linear(weight: model.embed_tokens.weight, bias: nil)
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
        let base = try model.run(inputs)
        let logits = try lm_head(CausalLanguageModeling.keptPositions(base.hidden, inputs.logitsToKeep))
        let loss = try inputs.labels.map { try CausalLanguageModeling.loss(logits: logits, labels: $0) }
        return ModelOutput("CausalLMOutputWithPast", [
            ("loss", ModelOutput.value(loss)), ("logits", .tensor(logits)),
            ("past_key_values", ModelOutput.value(base.cache)),
            ("hidden_states", ModelOutput.value(base.hiddenStates)), ("attentions", ModelOutput.value(base.attentions)),
        ])
    }
}

/// The decoder with a linear scorer read at each row's last real token (transformers'
/// `LlamaForSequenceClassification`, `MistralForSequenceClassification`,
/// `Qwen2ForSequenceClassification`).
public final class LlamaForSequenceClassification: Module, PreTrainedModel {
    public let model: LlamaModel
    public let score: Linear
    public let config: ModelConfig
    public let newlyInitialized: [String]
    public var className: String { model.settings.variant.classPrefix + "ForSequenceClassification" }
    public var acceptedInputs: [String] {
        ["input_ids", "attention_mask", "position_ids", "past_key_values", "inputs_embeds", "labels", "use_cache",
         "output_attentions", "output_hidden_states"]
    }

    /// Builds the model from `config`, reading `model.*` and `score.weight` through `loader`;
    /// a checkpoint without a scorer gets a fresh one (listed in `newlyInitialized`).
    public init(config: ModelConfig, loader: WeightLoader, variant: LlamaVariant) throws {
        self.config = config
        let root = loader.baseModelRoot(prefix: "model", probe: LlamaFamily.probe, forTaskModel: true)
        model = try LlamaModel(config: config, loader: loader.rooted(at: root), variant: variant)
        score = Linear(weight: try LastTokenClassification.scoreWeight(loader, config: config, hidden: model.settings.hiddenSize), bias: nil)
        newlyInitialized = loader.newlyInitialized
        super.init()
    }

    /// Runs the model on `inputs` (the ones named in `acceptedInputs`); throws naming a
    /// mis-shaped or out-of-range input.
    public func forward(_ inputs: ModelInputs) throws -> ModelOutput {
        let base = try model.run(inputs)
        let logits = try score(base.hidden)
        let rows = try LastTokenClassification.lastTokens(inputIds: inputs.inputIds, batch: logits.shape[0], length: logits.shape[1],
                                                          padTokenId: model.settings.padTokenId, className: className)
        let pooled = try LastTokenClassification.pool(logits, at: rows)
        let loss = try inputs.labels.map { try LastTokenClassification.loss(pooled, $0, config: config) }
        return ModelOutput("SequenceClassifierOutputWithPast", [
            ("loss", ModelOutput.value(loss)), ("logits", .tensor(pooled)),
            ("past_key_values", ModelOutput.value(base.cache)),
            ("hidden_states", ModelOutput.value(base.hiddenStates)), ("attentions", ModelOutput.value(base.attentions)),
        ])
    }
}

/// The Llama, Mistral and Qwen2 classes and what they share.
public enum LlamaFamily {
    /// A tensor every checkpoint of the family has, to find where the base model's names start.
    static let probe = "embed_tokens.weight"

    /// Base, causal-LM and sequence-classification classes for each variant, for `ModelRegistry`.
    public static let architectures: [ModelArchitecture] = LlamaVariant.allCases.flatMap { variant in
        [
            ModelArchitecture(variant.classPrefix + "Model", modelType: variant.rawValue, task: .base) { config, loader in
                let root = loader.baseModelRoot(prefix: "model", probe: probe, forTaskModel: false)
                return try LlamaModel(config: config, loader: loader.rooted(at: root), variant: variant)
            },
            ModelArchitecture(variant.classPrefix + "ForCausalLM", modelType: variant.rawValue, task: .causalLM) { config, loader in
                try LlamaForCausalLM(config: config, loader: loader, variant: variant)
            },
            ModelArchitecture(variant.classPrefix + "ForSequenceClassification", modelType: variant.rawValue,
                              task: .sequenceClassification) { config, loader in
                try LlamaForSequenceClassification(config: config, loader: loader, variant: variant)
            },
        ]
    }
}
