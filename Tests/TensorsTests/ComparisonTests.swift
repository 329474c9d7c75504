import XCTest
@testable import Tensors

final class ComparisonTests: XCTestCase {
    private func compare(_ op: String, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        switch op {
        case "eq": return try a.eq(b)
        case "ne": return try a.ne(b)
        case "lt": return try a.lt(b)
        case "le": return try a.le(b)
        case "gt": return try a.gt(b)
        default: return try a.ge(b)
        }
    }

    private func compare(_ op: String, _ a: Tensor, _ value: Double) throws -> Tensor {
        switch op {
        case "eq": return try a.eq(value)
        case "ne": return try a.ne(value)
        case "lt": return try a.lt(value)
        case "le": return try a.le(value)
        case "gt": return try a.gt(value)
        default: return try a.ge(value)
        }
    }

    func testComparisonsBroadcastAndMatchTorch() throws {
        for op in ["eq", "ne", "lt", "le", "gt", "ge"] {
            for c in try IndexFixture.load("comparison", op: op) {
                let out = c.has("scalar") ? try compare(op, c.input("a"), c.double("scalar"))
                                          : try compare(op, c.input("a"), c.input("b"))
                assertMatches(out, c.output("out"), c.name)
            }
        }
    }

    func testLogicalOpsMatchTorch() throws {
        for c in try IndexFixture.load("comparison") where c.op.hasPrefix("logical") {
            let a = c.input("a")
            let out: Tensor
            switch c.op {
            case "logical_and": out = try a.logicalAnd(c.input("b"))
            case "logical_or": out = try a.logicalOr(c.input("b"))
            case "logical_xor": out = try a.logicalXor(c.input("b"))
            default: out = try a.logicalNot()
            }
            assertMatches(out, c.output("out"), c.name)
        }
    }

    func testComparisonOfStridedViewReadsTheView() throws {
        let a = try Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
        assertMatches(try a.T.gt(2), try a.T.contiguous().clone().gt(2), "transposed")
    }

    func testMismatchedComparisonShapesAreNamed() throws {
        assertThrowsMentioning(["[2, 3]", "[4]"]) { try Tensor.zeros([2, 3]).lt(Tensor.zeros([4])) }
    }
}
