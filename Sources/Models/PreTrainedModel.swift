import NN
import Tensors

/// The inputs of a forward pass, named as transformers' `forward` arguments. Each model reads
/// the ones it accepts (`PreTrainedModel.acceptedInputs`) and ignores none silently: the script
/// bindings reject a keyword the model does not take, as Python would.
public struct ModelInputs {
    /// `[batch, sequence]` token ids (int64 or int32).
    public var inputIds: Tensor?
    /// `[batch, sequence]` 1 = attend, 0 = padding. For causal models with a cache, it covers the
    /// cached positions too (`[batch, cached + sequence]`).
    public var attentionMask: Tensor?
    /// `[batch, sequence]` segment ids (BERT-style models).
    public var tokenTypeIds: Tensor?
    /// `[batch, sequence]` positions; each model's default when nil.
    public var positionIds: Tensor?
    /// `[batch, sequence, hidden]` embeddings used instead of `inputIds`.
    public var inputsEmbeds: Tensor?
    /// Targets for the loss: class ids, token ids (-100 ignored), or regression values.
    public var labels: Tensor?
    /// Question answering targets: `[batch]` start and end token indices.
    public var startPositions: Tensor?
    public var endPositions: Tensor?
    /// A cache from a previous step (causal models).
    public var pastKeyValues: KeyValueCache?
    /// Whether to return `past_key_values` (causal models; nil = the config's `use_cache`).
    public var useCache: Bool?
    /// Compute logits only for the last this-many positions (0 = all), as transformers'
    /// `logits_to_keep`: generation needs only the last one.
    public var logitsToKeep = 0
    /// Return every layer's hidden states / attention probabilities.
    public var outputHiddenStates = false
    public var outputAttentions = false

    public init(inputIds: Tensor? = nil, attentionMask: Tensor? = nil, tokenTypeIds: Tensor? = nil,
                positionIds: Tensor? = nil, inputsEmbeds: Tensor? = nil, labels: Tensor? = nil,
                startPositions: Tensor? = nil, endPositions: Tensor? = nil,
                pastKeyValues: KeyValueCache? = nil, useCache: Bool? = nil,
                outputHiddenStates: Bool = false, outputAttentions: Bool = false) {
        self.inputIds = inputIds
        self.attentionMask = attentionMask
        self.tokenTypeIds = tokenTypeIds
        self.positionIds = positionIds
        self.inputsEmbeds = inputsEmbeds
        self.labels = labels
        self.startPositions = startPositions
        self.endPositions = endPositions
        self.pastKeyValues = pastKeyValues
        self.useCache = useCache
        self.outputHiddenStates = outputHiddenStates
        self.outputAttentions = outputAttentions
    }
}

/// The Auto class (task) a model class belongs to, named as transformers names them.
public enum ModelTask: String, CaseIterable, Sendable {
    case base = "AutoModel"
    case sequenceClassification = "AutoModelForSequenceClassification"
    case tokenClassification = "AutoModelForTokenClassification"
    case questionAnswering = "AutoModelForQuestionAnswering"
    case maskedLM = "AutoModelForMaskedLM"
    case causalLM = "AutoModelForCausalLM"
}

/// A loaded model of any architecture, as transformers' `PreTrainedModel`: a module tree whose
/// state-dict names are the checkpoint's, its config, and one forward entry point.
public protocol PreTrainedModel: Module {
    /// The configuration it was built from.
    var config: ModelConfig { get }
    /// transformers' class name (`BertForSequenceClassification`).
    var className: String { get }
    /// The `forward` argument names it accepts, in transformers' order (`input_ids`,
    /// `attention_mask`, ...): keywords outside this list are an error in scripts.
    var acceptedInputs: [String] { get }
    /// Weights the checkpoint lacked and that were freshly initialised (a task head on a base
    /// checkpoint), as transformers warns.
    var newlyInitialized: [String] { get }
    /// Runs the model.
    func forward(_ inputs: ModelInputs) throws -> ModelOutput
}

/// One model class: its names and how to build it from a config and weights.
public struct ModelArchitecture {
    /// transformers' class name (`BertForMaskedLM`).
    public let className: String
    /// The config's `model_type` it serves (`bert`).
    public let modelType: String
    /// The Auto class that maps to it.
    public let task: ModelTask
    /// Builds the model, reading every weight through `loader` (rooted at the checkpoint's top
    /// level; a loader in initialising mode gives fresh weights, as `from_config`).
    public let make: (ModelConfig, WeightLoader) throws -> PreTrainedModel

    public init(_ className: String, modelType: String, task: ModelTask,
                make: @escaping (ModelConfig, WeightLoader) throws -> PreTrainedModel) {
        self.className = className
        self.modelType = modelType
        self.task = task
        self.make = make
    }
}
