import XCTest
@testable import Script

/// `batch_size` in the pipeline machinery (Sources/Script/Library/Pipelines.py), with a script
/// subclass of `Pipeline`, a stand-in tokenizer and a stand-in model that records each batch it
/// receives: how items are padded together, split back, streamed, and the errors for inputs that
/// cannot be batched. What real models print batched is checked against transformers in
/// ModelBindingTests (pipelines_batch.py).
final class PipelineBatchingTests: XCTestCase {
    func run(_ code: String) -> (String, Engine.Result) { runCell(code, displayLastExpression: false) }

    static let setup = """
    import torch
    from transformers import Pipeline, ChunkPipeline

    class Tokenizer:
        pad_token_id = 9
        padding_side = "right"

    class Recorder:
        config = None
        def __init__(self):
            self.batches = []
        def __call__(self, input_ids, attention_mask):
            self.batches.append(input_ids.tolist())
            return input_ids * 10 + attention_mask

    class Echo(Pipeline):
        def _sanitize_parameters(self, **kwargs):
            return {}, {}, {}
        def preprocess(self, n):
            return {"input_ids": torch.arange(1, n + 1).unsqueeze(0), "attention_mask": torch.ones(1, n, dtype=torch.long),
                    "name": "item" + str(n)}
        def _forward(self, inputs):
            return {"scores": self.model(inputs["input_ids"], inputs["attention_mask"]), "name": inputs["name"]}
        def postprocess(self, outputs):
            return (outputs["name"], outputs["scores"].tolist())

    model = Recorder()
    echo = Echo(model=model, tokenizer=Tokenizer())

    """

    func testItemsArePaddedOnTheRightWithThePadTokenAndSplitBackWithTheirBatchShape() {
        let (out, r) = run(Self.setup + """
        print(echo([1, 3, 2], batch_size=2))
        print(model.batches)
        """)
        XCTAssertNil(r.traceback, r.traceback ?? "")
        XCTAssertEqual(out, """
        [('item1', [[11, 90, 90]]), ('item3', [[11, 21, 31]]), ('item2', [[11, 21]])]
        [[[1, 9, 9], [1, 2, 3]], [[1, 2]]]

        """)
    }

    func testLeftPaddingSideAndBatchSizeGivenAtConstruction() {
        let (out, r) = run(Self.setup + """
        tokenizer = Tokenizer()
        tokenizer.padding_side = "left"
        batched = Echo(model=model, tokenizer=tokenizer, batch_size=3)
        print(batched([2, 1, 3]))
        print(model.batches)
        """)
        XCTAssertNil(r.traceback, r.traceback ?? "")
        XCTAssertEqual(out, """
        [('item2', [[90, 11, 21]]), ('item1', [[90, 90, 11]]), ('item3', [[11, 21, 31]])]
        [[[9, 1, 2], [9, 9, 1], [1, 2, 3]]]

        """)
    }

    func testAGeneratorIsReadOneBatchAtATimeAndItsResultsComeLazily() {
        let (out, r) = run(Self.setup + """
        def numbers():
            for n in [1, 2, 3]:
                print("read", n)
                yield n
        stream = echo(numbers(), batch_size=2)
        print("called")
        for name, scores in stream:
            print(name, len(model.batches))
        """)
        XCTAssertNil(r.traceback, r.traceback ?? "")
        XCTAssertEqual(out, "read 1\ncalled\nread 2\nitem1 1\nitem2 1\nread 3\nitem3 2\n")
    }

    func testADatasetIsReadByIndexAndStreamed() {
        let (out, r) = run(Self.setup + """
        from transformers.pipelines.pt_utils import KeyDataset
        rows = [{"n": 2}, {"n": 1}]
        stream = echo(KeyDataset(rows, "n"), batch_size=2)
        print(type(stream).__name__, len(model.batches))
        print(list(stream), len(model.batches))
        """)
        XCTAssertNil(r.traceback, r.traceback ?? "")
        XCTAssertEqual(out, "generator 0\n[('item2', [[11, 21]]), ('item1', [[11, 90]])] 1\n")
    }

    func testChunksOfSeveralItemsShareBatchesAndRegroupByIsLast() {
        let (out, r) = run(Self.setup + """
        class Chunks(ChunkPipeline):
            def _sanitize_parameters(self, **kwargs):
                return {}, {}, {}
            def preprocess(self, n):
                for i in range(n):
                    yield {"input_ids": torch.tensor([[n, i]]), "attention_mask": torch.ones(1, 2, dtype=torch.long),
                           "is_last": i == n - 1}
            def _forward(self, inputs):
                return {"ids": self.model(inputs["input_ids"], inputs["attention_mask"]), "is_last": inputs["is_last"]}
            def postprocess(self, outputs):
                return [o["ids"].tolist() for o in outputs] + [sorted(outputs[0].keys())]
        chunks = Chunks(model=model, tokenizer=Tokenizer())
        print(chunks([2, 3], batch_size=4))
        print(len(model.batches), chunks(1, batch_size=4))
        """)
        XCTAssertNil(r.traceback, r.traceback ?? "")
        XCTAssertEqual(out, """
        [[[[21, 1]], [[21, 11]], ['ids']], [[[31, 1]], [[31, 11]], [[31, 21]], ['ids']]]
        2 [[[11, 1]], ['ids']]

        """)
    }

    func testBatchingWithoutAPadTokenIsAValueErrorSayingHowToSetOne() {
        let (_, r) = run(Self.setup + """
        tokenizer = Tokenizer()
        tokenizer.pad_token_id = None
        Echo(model=model, tokenizer=tokenizer)([1, 2], batch_size=2)
        """)
        XCTAssertEqual(r.errorName, "ValueError", r.traceback ?? "")
        XCTAssertTrue(r.errorLine?.contains("without pad_token cannot do batching") == true, r.errorLine ?? "")
        XCTAssertTrue(r.errorLine?.contains("pipe.tokenizer.pad_token_id") == true, r.errorLine ?? "")
    }

    func testBatchSizeMustBeAPositiveInteger() {
        for bad in ["0", "-2", "'2'", "1.5", "True"] {
            let (_, r) = run(Self.setup + "echo([1, 2], batch_size=\(bad))\n")
            XCTAssertEqual(r.errorName, "ValueError", "\(bad): \(r.traceback ?? "")")
            XCTAssertTrue(r.errorLine?.contains("batch_size should be a positive integer value") == true, r.errorLine ?? "")
        }
    }

    func testItemsWithDifferentKeysCannotShareABatch() {
        let (_, r) = run(Self.setup + """
        class Uneven(Echo):
            def preprocess(self, n):
                inputs = super().preprocess(n)
                if n == 2:
                    inputs["extra"] = True
                return inputs
        Uneven(model=model, tokenizer=Tokenizer())([1, 2], batch_size=2)
        """)
        XCTAssertEqual(r.errorName, "ValueError", r.traceback ?? "")
        XCTAssertTrue(r.errorLine?.contains("contain different keys") == true && r.errorLine?.contains("extra") == true, r.errorLine ?? "")
    }

    func testChunkForwardThatDropsIsLastIsAKeyErrorSayingSo() {
        let (_, r) = run(Self.setup + """
        class Forgetful(ChunkPipeline):
            def _sanitize_parameters(self, **kwargs):
                return {}, {}, {}
            def preprocess(self, n):
                yield {"input_ids": torch.tensor([[n]]), "attention_mask": torch.ones(1, 1, dtype=torch.long), "is_last": True}
            def _forward(self, inputs):
                return {"ids": inputs["input_ids"]}
            def postprocess(self, outputs):
                return outputs
        Forgetful(model=model, tokenizer=Tokenizer())(1)
        """)
        XCTAssertEqual(r.errorName, "KeyError", r.traceback ?? "")
        XCTAssertTrue(r.errorLine?.contains("'is_last' flag") == true, r.errorLine ?? "")
    }
}
