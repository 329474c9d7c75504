import Foundation
import XCTest
@testable import Tensors

/// Each case of Tests/Fixtures/io/printing.json holds torch's `repr()` of a tensor whose data
/// is in printing.safetensors; the tests rebuild the tensor and compare the text exactly.
final class TensorPrintingTests: XCTestCase {
    private struct Case {
        let label: String
        let name: String
        let transform: String?
        let requiresGrad: Bool
        let gradFn: String?
        let options: [String: Any]
        let repr: String
    }

    private static let cases: [Case] = {
        guard let data = try? Data(contentsOf: Fixtures.url("io/printing.json")),
              let list = (try? JSONSerialization.jsonObject(with: data)) as? [[String: Any]] else {
            return []
        }
        return list.map { item in
            Case(label: item["label"] as? String ?? "", name: item["name"] as? String ?? "",
                 transform: item["transform"] as? String, requiresGrad: item["requires_grad"] as? Bool ?? false,
                 gradFn: item["grad_fn"] as? String, options: item["options"] as? [String: Any] ?? [:],
                 repr: item["repr"] as? String ?? "")
        }
    }()

    private static let data = try? SafeTensorsFile(path: Fixtures.url("io/printing.safetensors").path)

    /// Rebuilds the printed tensor of a case: its data, view and autograd state.
    private func rebuild(_ c: Case) throws -> Tensor {
        let file = try XCTUnwrap(TensorPrintingTests.data, "printing.safetensors did not open")
        var tensor = try file.tensor(named: c.name)
        if c.transform == "transpose" { tensor = try tensor.transpose(0, 1) }
        if c.requiresGrad { tensor = try tensor.detach().requiringGrad() }
        if let gradFn = c.gradFn {
            let leaf = try tensor.detach().requiringGrad()
            tensor = Tensor.record(tensor.detach(), gradFn, [leaf]) { g in [g] }
        }
        return tensor
    }

    private func options(_ c: Case) -> PrintOptions {
        var options = PrintOptions()
        if let precision = c.options["precision"] as? Int { options.precision = precision }
        if let threshold = c.options["threshold"] as? Int { options.threshold = threshold }
        if let edgeItems = c.options["edgeitems"] as? Int { options.edgeItems = edgeItems }
        if let lineWidth = c.options["linewidth"] as? Int { options.lineWidth = lineWidth }
        if let scientific = c.options["sci_mode"] as? Bool { options.scientific = scientific }
        return options
    }

    /// Compares every case whose label is listed, and fails on a label the fixture lacks.
    private func check(_ labels: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        for label in labels {
            guard let c = TensorPrintingTests.cases.first(where: { $0.label == label }) else {
                XCTFail("printing.json has no case '\(label)'", file: file, line: line)
                continue
            }
            let tensor = try rebuild(c)
            let text = c.options.isEmpty ? tensor.description : tensor.description(options: options(c))
            XCTAssertEqual(text, c.repr, "case '\(label)'", file: file, line: line)
        }
    }

    func testFloatsOfEveryRankUseFixedPrecision() throws {
        try check(["vector", "matrix", "rank3", "rank4", "wide values", "scalar fraction",
                   "scalar negative", "negative zero fraction"])
    }

    func testIntegerValuedFloatsPrintWithATrailingPoint() throws {
        try check(["integer floats", "integer floats negative", "integer floats matrix",
                   "scalar integer float", "zeros", "zeros matrix", "negative zero"])
    }

    func testScientificNotationFollowsTheRangeOfValues() throws {
        try check(["sci small", "sci large", "sci ratio", "sci integer large", "sci fractions large",
                   "sci matrix", "ratio exactly 1000", "min exactly 1e-4", "max exactly 1e8",
                   "scalar sci", "scalar sci large"])
    }

    func testNaNAndInfinityPrintAsPythonDoes() throws {
        try check(["nan inf mixed", "nan with integers", "only nonfinite", "nan with sci",
                   "scalar nan", "scalar inf"])
    }

    func testIntegerAndBoolTensorsAlignToTheWidestValue() throws {
        try check(["int64 arange", "int64 negative", "int64 large", "int64 scalar", "int32",
                   "int32 matrix", "uint8", "bool mixed", "bool all true", "bool matrix", "bool scalar"])
    }

    func testHalfPrecisionTensorsNameTheirDType() throws {
        try check(["float16", "bfloat16", "float16 integers", "bfloat16 sci", "float16 scalar"])
    }

    func testEmptyTensorsShowSizeAndDType() throws {
        try check(["empty", "empty matrix", "empty int64", "empty int32 matrix", "empty float16",
                   "empty bool rank3"])
    }

    func testLongRowsWrapAtEightyColumns() throws {
        try check(["wrap floats", "wrap ints", "wrap rows", "wrap rank3", "wrap exactly 1000"])
    }

    func testLargeTensorsAreSummarisedWithEllipses() throws {
        try check(["summarise vector", "summarise vector ints", "summarise matrix",
                   "summarise rows only", "summarise columns only", "summarise rank3",
                   "summarise int matrix", "summarise bool", "summarise sci"])
    }

    func testStridedViewsPrintInLogicalOrder() throws {
        try check(["transposed", "transposed ints"])
    }

    func testAutogradStateIsShownAsSuffixes() throws {
        try check(["requires grad", "requires grad scalar", "grad fn add", "grad fn mul"])
    }

    func testSuffixesThatDoNotFitMoveToTheNextLine() throws {
        try check(["float16 suffix wrap 6", "float16 suffix wrap 7", "float16 suffix wrap 8",
                   "requires grad suffix wrap 6", "requires grad suffix wrap 7",
                   "requires grad suffix wrap 8", "bfloat16 grad fn", "int32 suffix wrap"])
    }

    func testPrintOptionsChangePrecisionNotationThresholdAndWidth() throws {
        try check(["precision 2", "sci forced", "sci disabled", "threshold 5", "edgeitems 1",
                   "linewidth 40"])
    }

    func testEveryFixtureCaseIsCheckedByATest() throws {
        let source = try String(contentsOfFile: #filePath, encoding: .utf8)
        XCTAssertFalse(TensorPrintingTests.cases.isEmpty, "printing.json did not load")
        for c in TensorPrintingTests.cases {
            XCTAssertTrue(source.contains("\"\(c.label)\""), "no test checks case '\(c.label)'")
        }
    }

    func testDescriptionUsesTheCurrentOptions() throws {
        let tensor = Tensor([1.23456, 2])
        let saved = PrintOptions.current
        defer { PrintOptions.current = saved }
        PrintOptions.current.precision = 2
        XCTAssertEqual(tensor.description(options: PrintOptions.current), "\(tensor)")
        XCTAssertTrue("\(tensor)".contains("1.23,"), "\(tensor)")
    }

    func testNegativeOptionsDoNotCrash() {
        var options = PrintOptions()
        options.edgeItems = -2
        options.precision = -1
        options.threshold = -5
        options.lineWidth = -10
        XCTAssertTrue(Tensor([1.5, 2]).description(options: options).hasPrefix("tensor("))
    }

    func testPrintingAHugeTensorReadsOnlyTheShownElements() throws {
        // 50 million elements: summarising must not visit (or copy) them all; a broadcast
        // view over a single element shows it reads through strides, not a dense copy.
        let big = try Tensor.full([1], 2).expand([5_000, 10_000])
        XCTAssertEqual(big.storage.byteCount, 4)
        XCTAssertTrue(big.description.hasPrefix("tensor([[2., 2., 2.,  ..., 2., 2., 2.],"), big.description)
    }
}
