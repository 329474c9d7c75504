import Foundation
import NN
import Tensors

// BERT's token-level heads, as transformers' modeling_bert.py: token classification, extractive
// question answering and masked language modelling, each on a pooler-less BertModel under `bert.`.

extension BertModel {
    /// The encoder of a task model: `bert.*` (or the top level, for a base checkpoint, as
    /// transformers' base_model_prefix rule reads it), without the pooler the heads do not use.
    static func forTask(config: ModelConfig, loader: WeightLoader) throws -> BertModel {
        let root = loader.baseModelRoot(prefix: "bert", probe: BertFamily.probe, forTaskModel: true)
        return try BertModel(config: config, loader: loader.rooted(at: root), addPoolingLayer: false)
    }

    /// The base model's inputs from a task model's (labels and positions are the head's).
    func encode(_ inputs: ModelInputs, for className: String) throws -> ModelOutput {
        guard let inputIds = inputs.inputIds else { throw ModelError.invalidInput("\(className) needs input_ids") }
        return try self(inputIds: inputIds, attentionMask: inputs.attentionMask, tokenTypeIds: inputs.tokenTypeIds,
                        positionIds: inputs.positionIds, outputHiddenStates: inputs.outputHiddenStates,
                        outputAttentions: inputs.outputAttentions)
    }
}

/// BERT with a linear classifier on every token (transformers' `BertForTokenClassification`);
/// the loss is the cross-entropy over tokens whose label is not -100.
public final class BertForTokenClassification: Module, PreTrainedModel {
    public let bert: BertModel
    public let dropout: Dropout
    public let classifier: Linear
    public let config: ModelConfig
    public let newlyInitialized: [String]
    public var className: String { "BertForTokenClassification" }
    public var acceptedInputs: [String] {
        ["input_ids", "attention_mask", "token_type_ids", "position_ids", "labels", "output_attentions", "output_hidden_states"]
    }

    /// Builds the model from `config`, reading `bert.*` and `classifier.*` through `loader`; a
    /// missing classifier is initialised (and listed in `newlyInitialized`).
    public init(config: ModelConfig, loader: WeightLoader) throws {
        self.config = config
        let settings = try BertConfiguration(config)
        let labels = try EncoderHeads.labelCount(config, for: "BertForTokenClassification")
        bert = try BertModel.forTask(config: config, loader: loader)
        dropout = try Dropout(config.classifierDropout)
        classifier = try EncoderHeads.linear(loader.rooted(at: "classifier"), in: settings.hiddenSize, out: labels,
                                             std: config.double("initializer_range"))
        newlyInitialized = loader.newlyInitialized
        super.init()
    }

    /// Per-token logits `[batch, seq, numLabels]`; with `labels` (`[batch, seq]`, -100 ignored)
    /// the loss too.
    public func forward(_ inputs: ModelInputs) throws -> ModelOutput {
        let encoded = try bert.encode(inputs, for: className)
        let logits = try classifier(dropout(encoded.lastHiddenState!))
        let loss = try inputs.labels.map { try EncoderHeads.tokenLoss(logits, $0) }
        return EncoderHeads.output("TokenClassifierOutput", loss: loss, logits: logits, encoder: encoded)
    }
}

/// BERT with start and end scores for every token (transformers' `BertForQuestionAnswering`).
public final class BertForQuestionAnswering: Module, PreTrainedModel {
    public let bert: BertModel
    public let qa_outputs: Linear
    public let config: ModelConfig
    public let newlyInitialized: [String]
    public var className: String { "BertForQuestionAnswering" }
    public var acceptedInputs: [String] {
        ["input_ids", "attention_mask", "token_type_ids", "position_ids", "start_positions", "end_positions",
         "output_attentions", "output_hidden_states"]
    }

    /// Builds the model from `config` (which must have 2 labels), reading `bert.*` and
    /// `qa_outputs.*` through `loader`.
    public init(config: ModelConfig, loader: WeightLoader) throws {
        self.config = config
        let settings = try BertConfiguration(config)
        try EncoderHeads.checkQuestionAnsweringLabels(config, for: "BertForQuestionAnswering")
        bert = try BertModel.forTask(config: config, loader: loader)
        qa_outputs = try EncoderHeads.linear(loader.rooted(at: "qa_outputs"), in: settings.hiddenSize, out: 2,
                                             std: config.double("initializer_range"))
        newlyInitialized = loader.newlyInitialized
        super.init()
    }

    /// `start_logits` and `end_logits` `[batch, seq]`; with both `startPositions` and
    /// `endPositions` (`[batch]`) the mean of their cross-entropies.
    public func forward(_ inputs: ModelInputs) throws -> ModelOutput {
        let encoded = try bert.encode(inputs, for: className)
        return try EncoderHeads.questionAnsweringOutput(qa_outputs(encoded.lastHiddenState!), startPositions: inputs.startPositions,
                                                        endPositions: inputs.endPositions, encoder: encoded)
    }
}

/// Dense, activation and LayerNorm before the vocabulary projection
/// (`BertPredictionHeadTransform`).
public final class BertPredictionHeadTransform: Module {
    public let dense: Linear
    public let transform_act_fn: Activation
    public let LayerNorm: NN.LayerNorm

    init(_ c: BertConfiguration, _ loader: WeightLoader, std: Double) throws {
        dense = try EncoderHeads.linear(loader.scoped("dense"), in: c.hiddenSize, out: c.hiddenSize, std: std)
        transform_act_fn = Activation(c.activation)
        LayerNorm = try EncoderHeads.layerNorm(loader.scoped("LayerNorm"), size: c.hiddenSize, eps: c.layerNormEps)
        super.init()
    }

    func callAsFunction(_ x: Tensor) throws -> Tensor { try LayerNorm(transform_act_fn(dense(x))) }
}

/// The transform, then scores over the vocabulary from the word embedding table plus an
/// output-only bias (`BertLMPredictionHead`). `decoder` shares its weight with the embeddings
/// and its bias with `bias`, as transformers ties them.
public final class BertLMPredictionHead: Module {
    public let bias: Tensor
    public let transform: BertPredictionHeadTransform
    public let decoder: Linear

    init(_ c: BertConfiguration, _ loader: WeightLoader, wordEmbeddings: Tensor?, std: Double) throws {
        transform = try BertPredictionHeadTransform(c, loader.scoped("transform"), std: std)
        // transformers 5 stores the bias once as `bias`; older checkpoints may hold it as `decoder.bias` too.
        let biasLoader = loader.contains("bias") || !loader.contains("decoder.bias") ? loader : loader.scoped("decoder")
        bias = try biasLoader.tensor("bias", shape: [c.vocabSize]) { Tensor.zeros([c.vocabSize]) }
        let weight = try wordEmbeddings
            ?? loader.scoped("decoder").tensor("weight", shape: [c.vocabSize, c.hiddenSize]) { try Tensor.normal([c.vocabSize, c.hiddenSize], std: std) }
        decoder = Linear(weight: weight, bias: bias)
        super.init()
    }

    func callAsFunction(_ x: Tensor) throws -> Tensor { try decoder(transform(x)) }
}

/// The masked-LM head alone (`BertOnlyMLMHead`), named `cls` in checkpoints.
public final class BertOnlyMLMHead: Module {
    public let predictions: BertLMPredictionHead

    init(_ predictions: BertLMPredictionHead) {
        self.predictions = predictions
        super.init()
    }
}

/// BERT with scores over the vocabulary at every position (transformers' `BertForMaskedLM`); the
/// loss is the cross-entropy over positions whose label is not -100.
public final class BertForMaskedLM: Module, PreTrainedModel {
    public let bert: BertModel
    public let cls: BertOnlyMLMHead
    public let config: ModelConfig
    public let newlyInitialized: [String]
    public var className: String { "BertForMaskedLM" }
    public var acceptedInputs: [String] {
        ["input_ids", "attention_mask", "token_type_ids", "position_ids", "labels", "output_attentions", "output_hidden_states"]
    }

    /// Builds the model from `config`, reading `bert.*` and `cls.predictions.*` through `loader`.
    /// With `tie_word_embeddings` (the default) the decoder is the word embedding table itself.
    public init(config: ModelConfig, loader: WeightLoader) throws {
        self.config = config
        let settings = try BertConfiguration(config)
        bert = try BertModel.forTask(config: config, loader: loader)
        let tied = try EncoderHeads.tiesWordEmbeddings(config) ? bert.embeddings.word_embeddings.weight : nil
        cls = BertOnlyMLMHead(try BertLMPredictionHead(settings, loader.rooted(at: "cls.predictions"), wordEmbeddings: tied,
                                                       std: config.double("initializer_range")))
        newlyInitialized = loader.newlyInitialized
        super.init()
    }

    /// Logits `[batch, seq, vocab]`; with `labels` (`[batch, seq]` token ids, -100 ignored) the loss.
    public func forward(_ inputs: ModelInputs) throws -> ModelOutput {
        let encoded = try bert.encode(inputs, for: className)
        let logits = try cls.predictions(encoded.lastHiddenState!)
        let loss = try inputs.labels.map { try EncoderHeads.tokenLoss(logits, $0) }
        return EncoderHeads.output("MaskedLMOutput", loss: loss, logits: logits, encoder: encoded)
    }
}
