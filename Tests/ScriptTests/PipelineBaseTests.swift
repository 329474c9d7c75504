import XCTest
@testable import Script

/// The pipeline machinery written in the scripting language (Sources/Script/Library/Pipelines.py):
/// a script subclass of `Pipeline` with a stand-in model, called on one item, a list and a
/// generator, with parameters given at construction and at call time.
final class PipelineBaseTests: XCTestCase {
    func run(_ code: String) -> (String, Engine.Result) { runCell(code, displayLastExpression: true) }

    static let subclass = """
    from transformers.pipelines import Pipeline, PIPELINE_REGISTRY

    class Doubler:
        config = None
        def __call__(self, x):
            return [v * 2 for v in x]

    class DoublePipeline(Pipeline):
        def _sanitize_parameters(self, offset=None, scale=None):
            post = {}
            if offset is not None:
                post["offset"] = offset
            pre = {}
            if scale is not None:
                pre["scale"] = scale
            return pre, {}, post
        def preprocess(self, inputs, scale=1):
            return [inputs * scale]
        def _forward(self, model_inputs):
            return self.model(model_inputs)
        def postprocess(self, outputs, offset=0):
            return {"value": outputs[0] + offset}

    pipe = DoublePipeline(model=Doubler(), offset=100)

    """

    func testSingleListAndGeneratorInputs() {
        let (out, r) = run(PipelineBaseTests.subclass + """
        print(pipe(1))
        print(pipe([1, 2, 3]))
        print(pipe(2, offset=0, scale=10))
        stream = pipe(x for x in range(3))
        print(type(stream).__name__)
        print(list(stream))
        print(pipe(4))
        """)
        XCTAssertNil(r.traceback, r.traceback ?? "")
        XCTAssertEqual(out, """
        {'value': 102}
        [{'value': 102}, {'value': 104}, {'value': 106}]
        {'value': 40}
        generator
        [{'value': 100}, {'value': 102}, {'value': 104}]
        {'value': 108}

        """)
    }

    func testRegisteredTaskIsListedAndUnknownTasksNamed() {
        let (out, r) = run(PipelineBaseTests.subclass + """
        PIPELINE_REGISTRY.register_pipeline("double", pipeline_class=DoublePipeline)
        print("double" in PIPELINE_REGISTRY.get_supported_tasks())
        print(PIPELINE_REGISTRY.check_task("sentiment-analysis")[0])
        try:
            PIPELINE_REGISTRY.check_task("translate-klingon")
        except KeyError as e:
            print("KeyError", "translate-klingon" in str(e), "text-classification" in str(e))
        """)
        XCTAssertNil(r.traceback, r.traceback ?? "")
        XCTAssertEqual(out, "True\ntext-classification\nKeyError True True\n")
    }

    func testErrorsInsideAStepKeepTheSession() {
        let sink = CaptureSink()
        let engine = Engine(sink: sink)
        _ = engine.execute(PipelineBaseTests.subclass + "kept = 41\n", cellName: "<cell>")
        let failed = engine.execute("pipe('x', scale=None, offset=1)", cellName: "<cell2>")
        XCTAssertEqual(failed.errorName, "TypeError", failed.traceback ?? "")
        XCTAssertTrue(failed.traceback?.contains("<transformers.pipelines>") ?? false, failed.traceback ?? "")
        let after = engine.execute("kept + 1", cellName: "<cell3>", displayLastExpression: true)
        XCTAssertEqual(after.valueRepr, "42")
    }
}
