import XCTest
@testable import Tensors

/// Checks an op's analytic gradient against central finite differences.
///
/// `f` maps the inputs to any tensor; the check differentiates `sum(f(inputs) * w)` for a fixed
/// pseudo-random weight `w`, so every output element contributes with a different weight.
/// Inputs must be float32 tensors; they are made to require grad here.
func assertGradientsMatchFiniteDifferences(
    _ inputs: [Tensor], epsilon: Float = 1e-2, tolerance: Float = 2e-2,
    file: StaticString = #filePath, line: UInt = #line,
    _ f: ([Tensor]) throws -> Tensor
) throws {
    let leaves = try inputs.map { try $0.detach().contiguous().clone().requiringGrad() }
    let probe = try withNoGrad { try f(leaves.map { $0.detach() }) }
    var state: UInt64 = 0x9E3779B97F4A7C15
    let weightValues: [Float] = (0..<probe.count).map { _ in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Float((state >> 33) % 1000) / 1000 + 0.5
    }
    let weights = try Tensor(weightValues, shape: probe.shape)
    let loss = try (f(leaves).to(.float32) * weights).sum()
    try loss.backward()

    func objective(_ values: [Tensor]) throws -> Double {
        try withNoGrad { Double(try (f(values).to(.float32) * weights).sum().item()) }
    }
    for (index, leaf) in leaves.enumerated() {
        let analytic = leaf.grad?.toFloatArray() ?? [Float](repeating: 0, count: leaf.count)
        let base = leaf.detach().toFloatArray()
        for element in 0..<leaf.count {
            var plus = base, minus = base
            plus[element] += epsilon
            minus[element] -= epsilon
            var argsPlus = leaves.map { $0.detach() }, argsMinus = argsPlus
            argsPlus[index] = try Tensor(plus, shape: leaf.shape)
            argsMinus[index] = try Tensor(minus, shape: leaf.shape)
            let numeric = Float((try objective(argsPlus) - objective(argsMinus)) / Double(2 * epsilon))
            let scale = max(1, abs(numeric))
            XCTAssertEqual(analytic[element], numeric, accuracy: tolerance * scale,
                           "input \(index) element \(element)", file: file, line: line)
        }
    }
}
