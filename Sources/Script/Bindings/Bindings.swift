import Foundation
import Display
import Tensors

extension Bindings {
    /// Makes `import torch`, `import torch.nn.functional` and `import numpy` available.
    /// Called once at engine start-up.
    public static func registerAll() {
        ScriptBridge.registerModule("torch", doc: "Tensors with autograd, the torch API over the Tensors module.") { TorchModule.make() }
        Modules.register("torch.nn") {
            guard case .obj(let o)? = try Modules.importModule("torch").asModule?.attrs["nn"], let m = o as? PyModule else {
                return PyModule("torch.nn")
            }
            return m
        }
        Modules.register("torch.nn.functional") {
            guard case .obj(let o)? = try Modules.importModule("torch.nn").asModule?.attrs["functional"], let m = o as? PyModule else {
                return PyModule("torch.nn.functional")
            }
            return m
        }
        IPythonDisplay.register()
        CommModule.register()
        ScriptBridge.registerModule("numpy", doc: "A few numpy calls, backed by tensors. float64 is not a dtype here: float arrays are float32.") {
            NumpyModule.make()
        }
        SourceModules.registerLibrary()
        ScriptBridge.registerModule("transformers", doc: "The transformers API: AutoTokenizer, PreTrainedTokenizerFast, BatchEncoding, AutoConfig, AutoModel and AutoModelFor..., the model classes, pipeline.") {
            try TransformersTokenizers.moduleAttributes().merging(TransformersModels.moduleAttributes()) { tokenizer, _ in tokenizer }
                .merging(PipelineSupport.moduleAttributes()) { own, _ in own }
        }
        AttentionViews.register()
    }

    /// The rich display of a script value (a tensor's text, HTML summary and heatmap), nil
    /// for values that have none; front-ends call it for a cell's last expression.
    public static func mimeBundle(for value: Value) -> MimeBundle? {
        if let chips = TokenChips.mimeBundle(for: value) { return chips }
        // Native objects with a rich form (tensors, attention pictures) bring their own bundle.
        guard case .obj(let o) = value, let native = o as? PyNative, let rich = native.object as? RichDisplayable else { return nil }
        return rich.mimeBundle()
    }
}

extension Value {
    var asModule: PyModule? { if case .obj(let o) = self { return o as? PyModule }; return nil }
}

extension Engine.Result {
    /// The rich display of the cell's last expression (text, HTML, heatmap for tensors), for
    /// front-ends that show more than its repr; nil when the value has none.
    public var mimeBundle: MimeBundle? { value.flatMap(Bindings.mimeBundle(for:)) }
}
