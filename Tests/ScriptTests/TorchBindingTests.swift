import XCTest
import Display
@testable import Script

/// Runs the scripts in Tests/Fixtures/bindings/cases through the interpreter and compares
/// their output with what real torch and numpy printed (cases/*.expected, from generate.py).
final class TorchBindingTests: XCTestCase {
    static var casesDir: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/bindings/cases")
    }

    /// The script's stdout, then "--- error ---" and the error's last line if it raised.
    static func run(_ name: String) throws -> String {
        let url = casesDir.appendingPathComponent(name + ".py")
        let code = try String(contentsOf: url, encoding: .utf8)
        let sink = CaptureSink()
        let engine = Engine(sink: sink, argv: [url.lastPathComponent])
        let r = engine.execute(code, cellName: url.lastPathComponent)
        var out = sink.stdout
        if let line = r.errorLine { out += "--- error ---\n" + line + "\n" }
        return out
    }

    func check(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let expected = try String(contentsOf: Self.casesDir.appendingPathComponent(name + ".expected"), encoding: .utf8)
        let got = try Self.run(name)
        if got != expected {
            let want = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let have = got.split(separator: "\n", omittingEmptySubsequences: false)
            let first = Array(zip(want, have)).firstIndex { $0.0 != $0.1 } ?? min(want.count, have.count)
            XCTFail("\(name).py differs from torch at line \(first + 1)\n--- torch\n\(expected)\n--- apus\n\(got)", file: file, line: line)
        }
    }

    func testCreationMatchesTorch() throws { try check("creation") }
    func testArithmeticAndBroadcastingMatchTorch() throws { try check("arithmetic") }
    func testIndexingAndAssignmentMatchTorch() throws { try check("indexing") }
    func testAdvancedIndexingMatchesTorch() throws { try check("advanced_indexing") }
    func testReductionsMatchTorch() throws { try check("reductions") }
    func testAutogradMatchesTorch() throws { try check("autograd") }
    func testAutogradNamesAndTrainingStepsMatchTorch() throws { try check("autograd_more") }
    func testFunctionalMatchesTorch() throws { try check("functional") }
    func testMoreFunctionsAndMethodsMatchTorch() throws { try check("more_functions") }
    func testTensorMethodsMatchTorch() throws { try check("methods") }
    func testErrorsRaiseTorchExceptions() throws { try check("errors") }
    func testBindingErrorMessagesMatchTorch() throws { try check("error_messages") }
    func testNumpyCallsMatchNumpy() throws { try check("numpy_calls") }
    func testTypesFormattingAndDtypesMatchTorch() throws { try check("types_and_display") }
    func testTensorsInFormatStringsMatchTorch() throws { try check("tensor_format") }
    func testNormsAndCosineSimilarityMatchTorch() throws { try check("norms") }

    func testTensorHasRichDisplay() throws {
        let engine = Engine(sink: CaptureSink())
        let r = engine.execute("import torch\ntorch.ones(2, 2)", displayLastExpression: true)
        let value = try XCTUnwrap(r.value)
        let bundle = try XCTUnwrap(Bindings.mimeBundle(for: value))
        XCTAssertEqual(bundle.plainText, "tensor([[1., 1.],\n        [1., 1.]])")
        XCTAssertTrue(bundle.mimeTypes.contains("text/html"))
        XCTAssertNil(Bindings.mimeBundle(for: .int(3)))
        XCTAssertEqual(r.mimeBundle?.plainText, bundle.plainText)
    }

    /// Streams are not torch's (see Generator), so this checks determinism, not values.
    func testSeededRandomFunctionsRepeat() throws {
        let sink = CaptureSink()
        let r = Engine(sink: sink).execute("""
            import torch
            torch.manual_seed(3); a = torch.randn(2, 3); u = torch.rand(5); i = torch.randint(0, 5, (100,))
            torch.manual_seed(3); b = torch.randn(2, 3); v = torch.rand(5); j = torch.randint(0, 5, (100,))
            g = torch.Generator().manual_seed(7)
            c = torch.randn(4, generator=g)
            d = torch.randn(4, generator=torch.Generator().manual_seed(7))
            print(torch.equal(a, b), torch.equal(u, v), torch.equal(i, j), torch.equal(c, d))
            print(a.shape, a.dtype, i.dtype, 0 <= i.min().item(), i.max().item() < 5, 0 <= u.min().item(), u.max().item() < 1)
            """)
        XCTAssertNil(r.errorLine)
        XCTAssertEqual(sink.stdout, "True True True True\ntorch.Size([2, 3]) torch.float32 torch.int64 True True True True\n")
    }

    func testWrongArgumentTypeNamesTheParameter() throws {
        let sink = CaptureSink()
        let r = Engine(sink: sink).execute("import torch\ntorch.zeros(2, dtype='float')")
        XCTAssertEqual(r.errorLine, "TypeError: zeros(): argument 'dtype' must be torch.dtype, not str")
    }

    func testHelpShowsSignatureAndDoc() throws {
        let sink = CaptureSink()
        _ = Engine(sink: sink).execute("import torch\nprint(torch.zeros.__doc__.splitlines()[0])")
        XCTAssertEqual(sink.stdout, "zeros(*size, dtype=None, device=None, requires_grad=False)\n")
    }
}
