import Foundation
import XCTest
import Display
import Models
@testable import Script

/// The transformers model bindings. The scripts in Tests/Fixtures/models/scripts print what
/// real Python + transformers printed for them (scripts.json, from generate_scripts.py); they
/// load the tiny BERT fixtures by relative path from the package root and the real
/// all-MiniLM-L6-v2 from $HF_HOME. The other tests check what has no transformers counterpart
/// to compare with (Apus's picture of attention, its error for a keyword the forward lacks).
final class ModelBindingTests: XCTestCase {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = packageRoot.appendingPathComponent("Tests/Fixtures/models")

    static let expected: [String: String] = {
        let data = try! Data(contentsOf: fixtures.appendingPathComponent("scripts.json"))
        return try! JSONSerialization.jsonObject(with: data) as! [String: String]
    }()

    private var savedDirectory = ""
    override func setUp() {
        savedDirectory = FileManager.default.currentDirectoryPath
        _ = FileManager.default.changeCurrentDirectoryPath(Self.packageRoot.path)
    }
    override func tearDown() { _ = FileManager.default.changeCurrentDirectoryPath(savedDirectory) }

    /// Runs `code` in a fresh engine: (stdout + the uncaught error's last line, result).
    func run(_ code: String, sink: OutputSink = CaptureSink(), display: Bool = false) -> (String, Engine.Result) {
        let engine = Engine(sink: sink)
        let r = engine.execute(code, cellName: "<cell>", displayLastExpression: display)
        let out = (sink as? CaptureSink)?.stdout ?? (sink as? RecordingDisplaySink)?.stdout ?? ""
        return (out + (r.errorLine.map { $0 + "\n" } ?? ""), r)
    }

    func check(_ script: String) throws {
        let want = try XCTUnwrap(Self.expected[script])
        let code = try String(contentsOf: Self.fixtures.appendingPathComponent("scripts/\(script)"), encoding: .utf8)
        let (got, _) = run(code)
        if got != want {
            let g = got.split(separator: "\n", omittingEmptySubsequences: false), w = want.split(separator: "\n", omittingEmptySubsequences: false)
            let i = (0..<min(g.count, w.count)).first { !Self.sameLine(g[$0], w[$0]) } ?? min(g.count, w.count)
            if i == g.count && i == w.count { return }
            XCTFail("\(script) differs from transformers at line \(i + 1):\n got      \(i < g.count ? String(g[i]) : "<end>")\n expected \(i < w.count ? String(w[i]) : "<end>")\n--- full output\n\(got)")
        }
    }

    /// Whether two printed lines say the same: identical text around the numbers, integers
    /// identical, and floats (a point or an exponent) within 1e-4, since float32 sums taken in
    /// another order (a padded batch, another kernel) differ in the last digits.
    static func sameLine(_ a: Substring, _ b: Substring) -> Bool {
        if a == b { return true }
        let (textA, floatsA) = splitFloats(String(a)), (textB, floatsB) = splitFloats(String(b))
        return textA == textB && floatsA.count == floatsB.count && zip(floatsA, floatsB).allSatisfy { abs($0 - $1) <= 1e-4 }
    }

    private static let floatPattern = try! NSRegularExpression(pattern: "-?[0-9]+\\.[0-9]+(?:e[-+]?[0-9]+)?|-?[0-9]+e[-+]?[0-9]+")

    /// The line with each float replaced by "#", and the floats in order.
    static func splitFloats(_ line: String) -> (String, [Double]) {
        let text = line as NSString
        var skeleton = "", floats: [Double] = [], last = 0
        for match in floatPattern.matches(in: line, range: NSRange(location: 0, length: text.length)) {
            skeleton += text.substring(with: NSRange(location: last, length: match.range.location - last)) + "#"
            floats.append(Double(text.substring(with: match.range)) ?? .nan)
            last = match.range.location + match.range.length
        }
        return (skeleton + text.substring(from: last), floats)
    }

    // MARK: Same output as transformers

    func testAutoConfigAttributesOverridesAndLabelsMatchTransformers() throws { try check("config.py") }
    func testForwardOutputsAndTheirAccessMatchTransformers() throws { try check("forward.py") }
    func testModuleMethodsMatchTorch() throws { try check("module.py") }
    func testErrorsAreTheExceptionsTransformersRaises() throws { try check("errors.py") }
    func testSavedModelReloadsWithTheSameOutputs() throws { try check("save.py") }
    func testMiniLMSentenceSimilarityMatchesTransformers() throws { try check("minilm_similarity.py") }

    // MARK: Behaviour without a transformers counterpart

    func testUnexpectedForwardKeywordIsATypeErrorNamingIt() {
        let (out, r) = run("""
            import torch
            from transformers import AutoModel
            model = AutoModel.from_pretrained("Tests/Fixtures/models/tiny-bert")
            model(input_ids=torch.tensor([[2, 5, 3]]), labels=torch.tensor([1]))
            """)
        XCTAssertEqual(r.errorLine, "TypeError: BertModel.forward() got an unexpected keyword argument 'labels'", out)
    }

    func testUnknownModelTypeErrorListsTheSupportedTypes() {
        let (_, r) = run("from transformers import AutoModel\nAutoModel.from_pretrained('Tests/Fixtures/models/unknown-type')")
        let line = r.errorLine ?? ""
        XCTAssertTrue(line.hasPrefix("ValueError:") && line.contains("no-such-architecture"), line)
        for type in ModelRegistry.modelTypes { XCTAssertTrue(line.contains(type), "\(type) missing from: \(line)") }
    }

    func testMissingModelErrorSaysWhereItLooked() {
        let (_, r) = run("from transformers import AutoModelForMaskedLM\nAutoModelForMaskedLM.from_pretrained('no-such-org/no-such-model')")
        let line = r.errorLine ?? ""
        XCTAssertTrue(line.hasPrefix("OSError:") && line.contains("models--no-such-org--no-such-model"), line)
    }

    func testEveryRegisteredClassIsImportableWithFromPretrained() {
        let names = ModelRegistry.architectures.map(\.className) + ModelTask.allCases.map(\.rawValue)
        let code = "import transformers\n" + names.map { "print(transformers.\($0).__name__, callable(transformers.\($0).from_pretrained), callable(transformers.\($0).from_config))" }.joined(separator: "\n")
        let (out, r) = run(code)
        XCTAssertNil(r.errorLine, out)
        XCTAssertEqual(out, names.map { "\($0) True True\n" }.joined())
    }

    func testConcreteClassBuiltFromAConfigHasFreshWeightsAndTrains() {
        let (out, r) = run("""
            from transformers import AutoConfig, BertForSequenceClassification
            config = AutoConfig.from_pretrained("Tests/Fixtures/models/tiny-bert", num_labels=4)
            model = BertForSequenceClassification(config)
            print(type(model).__name__, model.training, model.config.num_labels, model.classifier.weight.shape)
            """)
        XCTAssertNil(r.errorLine, out)
        XCTAssertEqual(out, "BertForSequenceClassification True 4 torch.Size([4, 32])\n")
    }

    func testTaskHeadOnABaseCheckpointIsReportedOnStderr() {
        let sink = CaptureSink()
        let (out, r) = run("from transformers import AutoModelForSequenceClassification\nAutoModelForSequenceClassification.from_pretrained('Tests/Fixtures/models/tiny-bert', num_labels=2)", sink: sink)
        XCTAssertNil(r.errorLine, out)
        XCTAssertEqual(out, "")
        XCTAssertTrue(sink.stderr.hasPrefix("Some weights of BertForSequenceClassification were not initialized from the model checkpoint at Tests/Fixtures/models/tiny-bert and are newly initialized: ['classifier.bias', 'classifier.weight']\n"), sink.stderr)
    }

    func testModelReprIsTheModuleTreeWithRepeatedLayersFolded() {
        let (out, r) = run("from transformers import AutoModelForSequenceClassification\nprint(AutoModelForSequenceClassification.from_pretrained('Tests/Fixtures/models/tiny-bert-cls'))")
        XCTAssertNil(r.errorLine, out)
        XCTAssertTrue(out.hasPrefix("BertForSequenceClassification(\n  (bert): BertModel(\n    (embeddings): BertEmbeddings(\n      (word_embeddings): Embedding(100, 32, padding_idx=0)"), out)
        XCTAssertTrue(out.contains("(0-1): 2 x BertLayer("), out)
        XCTAssertTrue(out.hasSuffix("  (classifier): Linear(in_features=32, out_features=3, bias=True)\n)\n"), out)
    }

    func testSubmodulesAndWeightsAreAttributes() {
        let (out, r) = run("""
            from transformers import AutoModelForSequenceClassification
            model = AutoModelForSequenceClassification.from_pretrained("Tests/Fixtures/models/tiny-bert-cls")
            layer = model.bert.encoder.layer[1]
            print(type(layer).__name__, len(model.bert.encoder.layer), layer.attention.self.query.weight.shape)
            print(model.classifier)
            print(model.bert.embeddings.word_embeddings.weight.shape, model.get_input_embeddings().shape)
            """)
        XCTAssertNil(r.errorLine, out)
        XCTAssertEqual(out, "BertLayer 2 torch.Size([32, 32])\nLinear(in_features=32, out_features=3, bias=True)\ntorch.Size([100, 32]) torch.Size([100, 32])\n")
    }

    func testOutputFlagsSetOnTheConfigApplyToLaterCalls() {
        let (out, r) = run("""
            import torch
            from transformers import AutoModel
            model = AutoModel.from_pretrained("Tests/Fixtures/models/tiny-bert", output_attentions=True)
            ids = torch.tensor([[2, 5, 3]])
            print(list(model(input_ids=ids).keys()))
            print(model.config is model.config)
            model.config.output_attentions = False
            model.config.output_hidden_states = True
            print(list(model(input_ids=ids).keys()), list(model(ids, output_hidden_states=False).keys()))
            """)
        XCTAssertNil(r.errorLine, out)
        XCTAssertEqual(out, "['last_hidden_state', 'pooler_output', 'attentions']\nTrue\n['last_hidden_state', 'pooler_output', 'hidden_states'] ['last_hidden_state', 'pooler_output']\n")
    }

    func testBatchEncodingUnpacksIntoTheModelAndOutputsIndexLikeATuple() throws {
        let (out, r) = run("""
            import torch
            from transformers import AutoTokenizer, AutoModel
            tokenizer = AutoTokenizer.from_pretrained("sentence-transformers/all-MiniLM-L6-v2")
            model = AutoModel.from_pretrained("sentence-transformers/all-MiniLM-L6-v2")
            inputs = tokenizer(["Hello world", "A longer second sentence"], padding=True, return_tensors="pt")
            outputs = model(**inputs)
            print(outputs[0].shape, outputs[-1].shape, len(outputs[:2]), outputs["last_hidden_state"] is outputs.last_hidden_state)
            """)
        XCTAssertNil(r.errorLine, out)
        XCTAssertEqual(out, "torch.Size([2, 6, 384]) torch.Size([2, 384]) 2 True\n")
    }

    // MARK: Attention pictures

    /// A 2-head, 3-token attention whose rows are known probabilities.
    static let smallAttention = """
        import torch
        attention = torch.tensor([[[[1.0, 0.0, 0.0], [0.5, 0.5, 0.0], [0.2, 0.3, 0.5]],
                                   [[0.0, 0.0, 1.0], [0.25, 0.75, 0.0], [1/3, 1/3, 1/3]]]])
        tokens = ["[CLS]", "hi", "[SEP]"]

        """

    func testAttentionFigureDrawsOneMapPerHeadInTheColoursOfTheProbabilities() throws {
        let (out, r) = run(Self.smallAttention + "from apus.viz import attention_figure\nattention_figure((attention,), tokens, layer=0)", display: true)
        XCTAssertNil(r.errorLine, out)
        let figure = try XCTUnwrap(r.value.flatMap { ScriptBridge.unwrap($0, as: AttentionFigure.self) })
        let grid = figure.grid
        XCTAssertEqual(grid.panels.map(\.title), ["Layer 0, head 0", "Layer 0, head 1"])
        XCTAssertEqual(grid.queryTokens, ["[CLS]", "hi", "[SEP]"])
        XCTAssertEqual(grid.keyTokens, ["[CLS]", "hi", "[SEP]"])
        let cell = grid.cellSize, image = grid.image()
        XCTAssertEqual(image.width, 2 * 3 * cell + AttentionGrid.gap)
        XCTAssertEqual(image.height, 3 * cell)
        let values: [[Float]] = [[1, 0, 0, 0.5, 0.5, 0, 0.2, 0.3, 0.5], [0, 0, 1, 0.25, 0.75, 0, 1 / 3, 1 / 3, 1 / 3]]
        for head in 0..<2 {
            for row in 0..<3 {
                for column in 0..<3 {
                    let x = head * (3 * cell + AttentionGrid.gap) + column * cell + cell / 2, y = row * cell + cell / 2
                    let i = 4 * (y * image.width + x)
                    let want = Colormap.blues.color(Double(values[head][row * 3 + column]))
                    XCTAssertEqual(Array(image.pixels[i..<i + 3]), [want.red, want.green, want.blue], "head \(head) (\(row), \(column))")
                }
            }
        }
        // The gap between the maps is white.
        let g = 4 * ((cell / 2) * image.width + 3 * cell + AttentionGrid.gap / 2)
        XCTAssertEqual(Array(image.pixels[g..<g + 3]), [255, 255, 255])
        // The PNG in the bundle is this image; the SVG labels both axes of both maps.
        let bundle = try XCTUnwrap(r.mimeBundle)
        let png = try XCTUnwrap(bundle["image/png"]?.stringValue.flatMap { Data(base64Encoded: $0) })
        XCTAssertEqual(try RGBAImage(pngData: [UInt8](png)), image)
        let svg = try XCTUnwrap(bundle["image/svg+xml"]?.stringValue)
        XCTAssertEqual(svg.components(separatedBy: ">[CLS]</text>").count - 1, 4, "[CLS] on both axes of both maps")
        XCTAssertEqual(svg.components(separatedBy: ">hi</text>").count - 1, 4)
        XCTAssertTrue(svg.contains(">Layer 0, head 1</text>"))
        // The text form (the REPL's) has the probabilities with two decimals.
        XCTAssertTrue(bundle.plainText.contains("   hi  0.25  0.75  0.00"), bundle.plainText)
    }

    func testShowAttentionDisplaysTheGridAndReturnsNone() throws {
        let sink = RecordingDisplaySink()
        let (out, r) = run(Self.smallAttention + "from apus.viz import show_attention\nprint(show_attention(attention, tokens, heads=[1]))", sink: sink)
        XCTAssertNil(r.errorLine, out)
        XCTAssertEqual(sink.stdout, "None\n")
        guard case .display(let bundle, _)? = sink.events.first else { return XCTFail("nothing displayed") }
        XCTAssertEqual(sink.events.count, 1)
        XCTAssertEqual(bundle.mimeTypes, ["text/plain", "image/svg+xml", "image/png"])
        XCTAssertTrue(bundle.plainText.hasPrefix("Layer 0, head 1\n"), bundle.plainText)
        XCTAssertFalse(bundle.plainText.contains("head 0"))
    }

    func testBertvizHeadViewDrawsEveryLayerAsARowOfHeads() throws {
        let (out, r) = run(Self.smallAttention + """
            from bertviz import head_view
            figure = head_view([attention, attention, attention], ["Ġhello", "Ġworld", "!"], html_action="return")
            print(figure.titles[0], figure.titles[-1], len(figure.titles), figure.tokens)
            print(head_view(attention, tokens, layer=0, html_action="return").titles)
            print(head_view([attention, attention], tokens, layer=-1, html_action="return").titles[0])
            """)
        XCTAssertNil(r.errorLine, out)
        XCTAssertEqual(out, "Layer 0, head 0 Layer 2, head 1 6 [' hello', ' world', '!']\n['Layer 0, head 0', 'Layer 0, head 1']\nLayer 1, head 0\n")
    }

    func testAttentionOnMiniLMWithTheTokensOfTheSentence() throws {
        let (out, r) = run("""
            from transformers import AutoTokenizer, AutoModel
            from apus.viz import attention_figure
            tokenizer = AutoTokenizer.from_pretrained("sentence-transformers/all-MiniLM-L6-v2")
            model = AutoModel.from_pretrained("sentence-transformers/all-MiniLM-L6-v2", attn_implementation="eager")
            inputs = tokenizer("The cat sat on the mat.", return_tensors="pt")
            outputs = model(**inputs, output_attentions=True)
            tokens = tokenizer.convert_ids_to_tokens(inputs["input_ids"][0])
            figure = attention_figure(outputs.attentions, tokens, layer=5)
            print(len(figure.titles), figure.titles[11], figure.tokens[1], figure.size)
            """)
        XCTAssertNil(r.errorLine, out)
        XCTAssertEqual(out, "12 Layer 5, head 11 the (\(4 * 9 * 13 + 3 * AttentionGrid.gap), \(3 * 9 * 13 + 2 * AttentionGrid.gap))\n")
    }

    func testAttentionErrorsSayWhatIsWrong() {
        let cases = [
            ("attention_figure(attention, ['a', 'b'])", "ValueError: 2 tokens for attention over 3 positions"),
            ("attention_figure((attention,), tokens, layer=3)", "IndexError: layer 3 is out of range: the attention has 1 layer"),
            ("attention_figure(attention, tokens, heads=[2])", "IndexError: head 2 is out of range: layer 0 has 2 heads"),
            ("attention_figure(())", "ValueError: attention is empty: call the model with output_attentions=True"),
            ("attention_figure([attention, 1], tokens)", "TypeError: attention[1] must be a tensor, not int"),
        ]
        for (call, message) in cases {
            let (out, r) = run(Self.smallAttention + "from apus.viz import attention_figure\n" + call)
            XCTAssertTrue(r.errorLine?.hasPrefix(message) == true, "\(call): \(r.errorLine ?? out)")
        }
    }
}

/// Generation, streaming and pipelines from scripts print what transformers prints for the same
/// scripts (Tests/Fixtures/models/scripts, recorded by generate_scripts.py).
extension ModelBindingTests {
    func testGenerateOptionsBeamScoresAndErrorsMatchTransformers() throws { try check("generate_tiny.py") }
    func testTextStreamerPrintsWhatTransformersPrints() throws { try check("streamer_smollm2.py") }
    func testQuickTourPipelinesMatchTransformers() throws { try check("pipelines.py") }
}

extension ModelBindingTests {
    func testTextClassificationAndFillMaskPipelinesMatchTransformers() throws { try check("pipelines_tiny.py") }
}

/// Zero-shot classification, and `batch_size` on every pipeline: batched results equal the
/// one-at-a-time ones and transformers' (pipelines_batch.py).
extension ModelBindingTests {
    func testZeroShotAndBatchedPipelinesMatchTransformers() throws { try check("pipelines_batch.py") }

    /// text-generation's parameters as transformers applies them: pipeline()-time ones for every
    /// call, the call's over them, a call's generation_config replacing them, the pipeline's
    /// defaults (256 new tokens, sampling at 0.7) only where nothing sets them, and the extra
    /// outputs of return_dict_in_generate in each record (pipelines_generation_defaults.py).
    func testTextGenerationParametersAndDefaultsMatchTransformers() throws { try check("pipelines_generation_defaults.py") }

    func testZeroShotDefaultModelMissingOfflineIsAnOSErrorNamingItAndTheLocalModels() {
        let (_, r) = run("from transformers import pipeline\npipeline('zero-shot-classification')")
        let line = r.errorLine ?? ""
        XCTAssertTrue(line.hasPrefix("OSError:") && line.contains("'zero-shot-classification'") && line.contains("facebook/bart-large-mnli")
                      && line.contains("Local models that fit this task"), line)
    }

    func testFloatsInPrintedLinesCompareWithinTolerance() {
        XCTAssertTrue(Self.sameLine("{'score': 0.44683000445365906, 'token': 439}", "{'score': 0.44682997465133667, 'token': 439}"))
        XCTAssertTrue(Self.sameLine("[1.5471675496314674e-08]", "[1.5471558256763274e-08]"))
        XCTAssertFalse(Self.sameLine("{'score': 0.4468, 'token': 439}", "{'score': 0.4470, 'token': 439}"))
        XCTAssertFalse(Self.sameLine("{'score': 0.4468, 'token': 439}", "{'score': 0.4468, 'token': 438}"))
        XCTAssertFalse(Self.sameLine("['sports', 'animals'] 0.5", "['animals', 'sports'] 0.5"))
    }
}

/// The token-classification and question-answering pipelines print what transformers' own
/// pipelines print (question-answering as recorded with transformers 5.2.0, its last release
/// with that pipeline), bad input included; their default models are not local here.
extension ModelBindingTests {
    func testTokenClassificationPipelineMatchesTransformers() throws { try check("pipelines_ner.py") }
    func testQuestionAnsweringPipelineAndWindowAlignmentMatchTransformers() throws { try check("pipelines_qa.py") }

    /// transformers 5.2.0 takes question=/context= keywords only; like earlier releases, Apus also
    /// takes a dict, a list of dicts, a (question, context) pair of strings and a generator.
    func testQuestionAnsweringTakesDictsPairsAndGeneratorsAsItTakesKeywords() {
        let (out, r) = run("""
            from transformers import pipeline
            qa = pipeline("question-answering", model="Tests/Fixtures/models/tiny-bert-pipeline-qa")
            q, c = "where does the fox live ?", "the quick brown fox lives in reykjavik with a dog named wolfgang ."
            one = qa(question=q, context=c)
            print(sorted(one.keys()), qa({"question": q, "context": c}) == one, qa(q, c) == one)
            print(qa([{"question": q, "context": c}, {"question": "who ?", "context": c}]) == [one, qa(question="who ?", context=c)])
            stream = qa({"question": q, "context": c} for _ in range(2))
            print(type(stream).__name__, list(stream) == [one, one])
            for bad in (["no dict"], {"question": q}, {"question": q, "context": None}):
                try:
                    qa(bad)
                except Exception as e:
                    print(type(e).__name__, e)
            """)
        XCTAssertNil(r.traceback, r.traceback ?? "")
        XCTAssertEqual(out, """
            ['answer', 'end', 'score', 'start'] True True
            True
            generator True
            ValueError no dict argument needs to be of type (SquadExample, dict)
            KeyError 'You need to provide a dictionary with keys {question:..., context:...}'
            ValueError `context` cannot be None

            """)
    }

    func testNerAndQuestionAnsweringDefaultsThatAreNotLocalSayHowToGetThem() {
        for (task, model) in [("ner", "dbmdz/bert-large-cased-finetuned-conll03-english"),
                              ("question-answering", "distilbert/distilbert-base-cased-distilled-squad")] {
            let (out, r) = run("from transformers import pipeline\npipeline('\(task)')")
            let line = r.errorLine ?? out
            XCTAssertTrue(line.hasPrefix("OSError:") && line.contains(model) && line.contains("fetch_models.py"), line)
        }
    }
}
