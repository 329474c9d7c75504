import Foundation
import NN
import Tensors

// RoBERTa as transformers' modeling_roberta.py: BERT's embeddings, encoder layers and pooler
// (the same blocks and checkpoint names, reused from Bert.swift), with position ids counted from
// the padding index so that padding never shifts a token's position.

/// The RoBERTa encoder with its pooler (transformers' `RobertaModel`).
public final class RobertaModel: Module, PreTrainedModel {
    public let embeddings: BertEmbeddings
    public let encoder: BertEncoder
    public let pooler: BertPooler?
    public let config: ModelConfig
    public var className: String { "RobertaModel" }
    public var acceptedInputs: [String] {
        ["input_ids", "attention_mask", "token_type_ids", "position_ids", "output_attentions", "output_hidden_states"]
    }
    public var newlyInitialized: [String] { [] }
    let settings: BertConfiguration
    let paddingIndex: Int

    /// Builds the model from `config`, reading `embeddings.*`, `encoder.*` and `pooler.*` from
    /// `loader`. RoBERTa needs `pad_token_id`: positions are counted from it.
    public init(config: ModelConfig, loader: WeightLoader, addPoolingLayer: Bool = true) throws {
        self.config = config
        settings = try BertConfiguration(config)
        guard let pad = settings.padTokenId, (0..<settings.maxPositionEmbeddings).contains(pad) else {
            throw ModelError.invalidConfig("\(config.source): RoBERTa needs a pad_token_id within max_position_embeddings (\(settings.maxPositionEmbeddings)) to count positions from, got \(settings.padTokenId.map(String.init) ?? "null")")
        }
        paddingIndex = pad
        embeddings = try BertEmbeddings(settings, loader.scoped("embeddings"))
        encoder = try BertEncoder(settings, loader.scoped("encoder"))
        pooler = addPoolingLayer ? try BertPooler(settings, loader.scoped("pooler")) : nil
        super.init()
    }

    /// The encoder of a task model: `roberta.*` (or a base checkpoint's top level), no pooler.
    static func forTask(config: ModelConfig, loader: WeightLoader) throws -> RobertaModel {
        let root = loader.baseModelRoot(prefix: "roberta", probe: RobertaFamily.probe, forTaskModel: true)
        return try RobertaModel(config: config, loader: loader.rooted(at: root), addPoolingLayer: false)
    }

    /// Runs the encoder on `inputs` (last_hidden_state, pooler_output, hidden_states, attentions).
    public func forward(_ inputs: ModelInputs) throws -> ModelOutput {
        try encode(inputs, for: className)
    }

    /// Runs the encoder on a (task) model's inputs.
    func encode(_ inputs: ModelInputs, for className: String) throws -> ModelOutput {
        guard let inputIds = inputs.inputIds else { throw ModelError.invalidInput("\(className) needs input_ids") }
        return try self(inputIds: inputIds, attentionMask: inputs.attentionMask, tokenTypeIds: inputs.tokenTypeIds,
                        positionIds: inputs.positionIds, outputHiddenStates: inputs.outputHiddenStates,
                        outputAttentions: inputs.outputAttentions)
    }

    /// transformers' `create_position_ids_from_input_ids`: each non-padding token gets
    /// `paddingIndex` + its count of non-padding tokens so far (so the first real token is at
    /// `paddingIndex + 1` however much left padding precedes it); padding gets `paddingIndex`.
    public static func positionIds(from inputIds: Tensor, paddingIndex: Int) throws -> Tensor {
        let ids = inputIds.toInt64Array(), length = inputIds.shape[1], pad = Int64(paddingIndex)
        var positions = [Int64](repeating: pad, count: ids.count)
        for row in 0..<inputIds.shape[0] {
            var seen: Int64 = 0
            for column in 0..<length where ids[row * length + column] != pad {
                seen += 1
                positions[row * length + column] = pad + seen
            }
        }
        return try Tensor(int64: positions, shape: inputIds.shape)
    }

    /// Runs the encoder: `inputIds` `[batch, seq]` integers; `attentionMask` (1 = attend),
    /// `tokenTypeIds` and `positionIds` of the same shape (positions default to those counted
    /// from the padding). Returns the last hidden state and pooled output, and with the flags every
    /// layer's hidden states and attentions.
    public func callAsFunction(inputIds: Tensor, attentionMask: Tensor? = nil, tokenTypeIds: Tensor? = nil,
                               positionIds: Tensor? = nil, outputHiddenStates: Bool = false,
                               outputAttentions: Bool = false) throws -> ModelOutput {
        try BertModel.checkInputs(inputIds, attentionMask: attentionMask, tokenTypeIds: tokenTypeIds, positionIds: positionIds,
                                  settings: settings)
        let positions = try positionIds?.to(.int64) ?? RobertaModel.positionIds(from: inputIds, paddingIndex: paddingIndex)
        if positionIds == nil, let last = positions.toInt64Array().max(), last >= settings.maxPositionEmbeddings {
            throw ModelError.invalidInput(
                "a sequence of \(inputIds.shape[1]) tokens needs position \(last) (positions start after the padding index \(paddingIndex)), beyond max_position_embeddings (\(settings.maxPositionEmbeddings))")
        }
        let embedded = try embeddings(inputIds.to(.int64), tokenTypeIds: tokenTypeIds?.to(.int64), positionIds: positions)
        let (hidden, hiddenStates, attentions) = try encoder(embedded, additiveMask: BertModel.attentionBias(attentionMask),
                                                             outputHiddenStates: outputHiddenStates, outputAttentions: outputAttentions)
        return ModelOutput("BaseModelOutputWithPoolingAndCrossAttentions", [
            ("last_hidden_state", .tensor(hidden)), ("pooler_output", ModelOutput.value(try pooler?(hidden))),
            ("hidden_states", ModelOutput.value(hiddenStates)), ("attentions", ModelOutput.value(attentions)),
        ])
    }
}

/// Dropout, dense, tanh, dropout and `out_proj` on the first token (`<s>`)
/// (transformers' `RobertaClassificationHead`).
public final class RobertaClassificationHead: Module {
    public let dense: Linear
    public let dropout: Dropout
    public let out_proj: Linear

    init(_ c: BertConfiguration, _ loader: WeightLoader, labels: Int, dropout p: Double, std: Double) throws {
        dense = try EncoderHeads.linear(loader.scoped("dense"), in: c.hiddenSize, out: c.hiddenSize, std: std)
        dropout = try Dropout(p)
        out_proj = try EncoderHeads.linear(loader.scoped("out_proj"), in: c.hiddenSize, out: labels, std: std)
        super.init()
    }

    func callAsFunction(_ hidden: Tensor) throws -> Tensor {
        try out_proj(dropout(dense(dropout(hidden.select(1, 0))).tanh()))
    }
}

/// RoBERTa with its classification head (transformers' `RobertaForSequenceClassification`);
/// the loss follows `problem_type`.
public final class RobertaForSequenceClassification: Module, PreTrainedModel {
    public let roberta: RobertaModel
    public let classifier: RobertaClassificationHead
    public let config: ModelConfig
    public let newlyInitialized: [String]
    public var className: String { "RobertaForSequenceClassification" }
    public var acceptedInputs: [String] {
        ["input_ids", "attention_mask", "token_type_ids", "position_ids", "labels", "output_attentions", "output_hidden_states"]
    }

    /// Builds the model, reading `roberta.*` and `classifier.dense.*` / `classifier.out_proj.*`.
    public init(config: ModelConfig, loader: WeightLoader) throws {
        self.config = config
        let settings = try BertConfiguration(config)
        let labels = try EncoderHeads.labelCount(config, for: "RobertaForSequenceClassification")
        roberta = try RobertaModel.forTask(config: config, loader: loader)
        classifier = try RobertaClassificationHead(settings, loader.rooted(at: "classifier"), labels: labels,
                                                   dropout: config.classifierDropout, std: config.double("initializer_range"))
        newlyInitialized = loader.newlyInitialized
        super.init()
    }

    /// Logits `[batch, numLabels]`; with `labels` the loss.
    public func forward(_ inputs: ModelInputs) throws -> ModelOutput {
        let encoded = try roberta.encode(inputs, for: className)
        let logits = try classifier(encoded.lastHiddenState!)
        let loss = try inputs.labels.map { try EncoderHeads.sequenceClassificationLoss(logits, $0, config: config) }
        return EncoderHeads.output("SequenceClassifierOutput", loss: loss, logits: logits, encoder: encoded)
    }
}

/// RoBERTa with a linear classifier on every token (`RobertaForTokenClassification`).
public final class RobertaForTokenClassification: Module, PreTrainedModel {
    public let roberta: RobertaModel
    public let dropout: Dropout
    public let classifier: Linear
    public let config: ModelConfig
    public let newlyInitialized: [String]
    public var className: String { "RobertaForTokenClassification" }
    public var acceptedInputs: [String] {
        ["input_ids", "attention_mask", "token_type_ids", "position_ids", "labels", "output_attentions", "output_hidden_states"]
    }

    /// Builds the model, reading `roberta.*` and `classifier.*`.
    public init(config: ModelConfig, loader: WeightLoader) throws {
        self.config = config
        let settings = try BertConfiguration(config)
        let labels = try EncoderHeads.labelCount(config, for: "RobertaForTokenClassification")
        roberta = try RobertaModel.forTask(config: config, loader: loader)
        dropout = try Dropout(config.classifierDropout)
        classifier = try EncoderHeads.linear(loader.rooted(at: "classifier"), in: settings.hiddenSize, out: labels,
                                             std: config.double("initializer_range"))
        newlyInitialized = loader.newlyInitialized
        super.init()
    }

    /// Per-token logits; with `labels` (`[batch, seq]`, -100 ignored) the loss.
    public func forward(_ inputs: ModelInputs) throws -> ModelOutput {
        let encoded = try roberta.encode(inputs, for: className)
        let logits = try classifier(dropout(encoded.lastHiddenState!))
        let loss = try inputs.labels.map { try EncoderHeads.tokenLoss(logits, $0) }
        return EncoderHeads.output("TokenClassifierOutput", loss: loss, logits: logits, encoder: encoded)
    }
}

/// RoBERTa with start and end scores for every token (`RobertaForQuestionAnswering`).
public final class RobertaForQuestionAnswering: Module, PreTrainedModel {
    public let roberta: RobertaModel
    public let qa_outputs: Linear
    public let config: ModelConfig
    public let newlyInitialized: [String]
    public var className: String { "RobertaForQuestionAnswering" }
    public var acceptedInputs: [String] {
        ["input_ids", "attention_mask", "token_type_ids", "position_ids", "start_positions", "end_positions",
         "output_attentions", "output_hidden_states"]
    }

    /// Builds the model (the config must have 2 labels), reading `roberta.*` and `qa_outputs.*`.
    public init(config: ModelConfig, loader: WeightLoader) throws {
        self.config = config
        let settings = try BertConfiguration(config)
        try EncoderHeads.checkQuestionAnsweringLabels(config, for: "RobertaForQuestionAnswering")
        roberta = try RobertaModel.forTask(config: config, loader: loader)
        qa_outputs = try EncoderHeads.linear(loader.rooted(at: "qa_outputs"), in: settings.hiddenSize, out: 2,
                                             std: config.double("initializer_range"))
        newlyInitialized = loader.newlyInitialized
        super.init()
    }

    /// Start and end logits `[batch, seq]`; with both position tensors the loss.
    public func forward(_ inputs: ModelInputs) throws -> ModelOutput {
        let encoded = try roberta.encode(inputs, for: className)
        return try EncoderHeads.questionAnsweringOutput(qa_outputs(encoded.lastHiddenState!), startPositions: inputs.startPositions,
                                                        endPositions: inputs.endPositions, encoder: encoded)
    }
}

/// Dense, exact GELU (whatever `hidden_act` says, as transformers' RoBERTa head), LayerNorm, then
/// scores over the vocabulary from the word embeddings plus `bias` (`RobertaLMHead`).
public final class RobertaLMHead: Module {
    public let bias: Tensor
    public let dense: Linear
    public let layer_norm: NN.LayerNorm
    public let decoder: Linear

    init(_ c: BertConfiguration, _ loader: WeightLoader, wordEmbeddings: Tensor?, std: Double) throws {
        dense = try EncoderHeads.linear(loader.scoped("dense"), in: c.hiddenSize, out: c.hiddenSize, std: std)
        layer_norm = try EncoderHeads.layerNorm(loader.scoped("layer_norm"), size: c.hiddenSize, eps: c.layerNormEps)
        // Stored once as `bias` (transformers ties `decoder.bias` to it); older files may hold `decoder.bias`.
        let biasLoader = loader.contains("bias") || !loader.contains("decoder.bias") ? loader : loader.scoped("decoder")
        bias = try biasLoader.tensor("bias", shape: [c.vocabSize]) { Tensor.zeros([c.vocabSize]) }
        let weight = try wordEmbeddings
            ?? loader.scoped("decoder").tensor("weight", shape: [c.vocabSize, c.hiddenSize]) { try Tensor.normal([c.vocabSize, c.hiddenSize], std: std) }
        decoder = Linear(weight: weight, bias: bias)
        super.init()
    }

    func callAsFunction(_ x: Tensor) throws -> Tensor { try decoder(layer_norm(dense(x).gelu())) }
}

/// RoBERTa with scores over the vocabulary at every position (`RobertaForMaskedLM`).
public final class RobertaForMaskedLM: Module, PreTrainedModel {
    public let roberta: RobertaModel
    public let lm_head: RobertaLMHead
    public let config: ModelConfig
    public let newlyInitialized: [String]
    public var className: String { "RobertaForMaskedLM" }
    public var acceptedInputs: [String] {
        ["input_ids", "attention_mask", "token_type_ids", "position_ids", "labels", "output_attentions", "output_hidden_states"]
    }

    /// Builds the model, reading `roberta.*` and `lm_head.*`; the decoder is the word embedding
    /// table unless `tie_word_embeddings` is false.
    public init(config: ModelConfig, loader: WeightLoader) throws {
        self.config = config
        let settings = try BertConfiguration(config)
        roberta = try RobertaModel.forTask(config: config, loader: loader)
        let tied = try EncoderHeads.tiesWordEmbeddings(config) ? roberta.embeddings.word_embeddings.weight : nil
        lm_head = try RobertaLMHead(settings, loader.rooted(at: "lm_head"), wordEmbeddings: tied, std: config.double("initializer_range"))
        newlyInitialized = loader.newlyInitialized
        super.init()
    }

    /// Logits `[batch, seq, vocab]`; with `labels` (-100 ignored) the loss.
    public func forward(_ inputs: ModelInputs) throws -> ModelOutput {
        let encoded = try roberta.encode(inputs, for: className)
        let logits = try lm_head(encoded.lastHiddenState!)
        let loss = try inputs.labels.map { try EncoderHeads.tokenLoss(logits, $0) }
        return EncoderHeads.output("MaskedLMOutput", loss: loss, logits: logits, encoder: encoded)
    }
}

/// The RoBERTa classes.
public enum RobertaFamily {
    /// A tensor every RoBERTa checkpoint has, to find where the base model's names start.
    static let probe = "embeddings.word_embeddings.weight"

    /// The RoBERTa classes, for `ModelRegistry`.
    public static let architectures: [ModelArchitecture] = [
        ModelArchitecture("RobertaModel", modelType: "roberta", task: .base) { config, loader in
            try RobertaModel(config: config, loader: loader.rooted(at: loader.baseModelRoot(prefix: "roberta", probe: probe, forTaskModel: false)))
        },
        ModelArchitecture("RobertaForSequenceClassification", modelType: "roberta", task: .sequenceClassification) {
            try RobertaForSequenceClassification(config: $0, loader: $1)
        },
        ModelArchitecture("RobertaForTokenClassification", modelType: "roberta", task: .tokenClassification) {
            try RobertaForTokenClassification(config: $0, loader: $1)
        },
        ModelArchitecture("RobertaForQuestionAnswering", modelType: "roberta", task: .questionAnswering) {
            try RobertaForQuestionAnswering(config: $0, loader: $1)
        },
        ModelArchitecture("RobertaForMaskedLM", modelType: "roberta", task: .maskedLM) {
            try RobertaForMaskedLM(config: $0, loader: $1)
        },
    ]
}
