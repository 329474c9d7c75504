import XCTest
@testable import Tensors

/// Composed functions built from many ops give PyTorch's loss and gradients
/// (Tests/Fixtures/autograd/generate.py).
final class ComposedGradientTests: XCTestCase {
    private struct Case {
        let inputs: [String: Tensor]
        let integers: [String: Tensor]
        let loss: Double
        let grads: [String: [Double]]
    }

    private func load(_ name: String) throws -> Case {
        let fixture = try Fixtures.json("autograd/composed.json")
        let raw = (fixture["cases"] as! [[String: Any]]).first { $0["name"] as! String == name }!
        func tensors(_ key: String, integral: Bool) throws -> [String: Tensor] {
            var out: [String: Tensor] = [:]
            for (k, v) in raw[key] as! [String: [String: Any]] {
                let shape = v["shape"] as! [Int]
                if integral {
                    out[k] = try Tensor(int64: (v["data"] as! [Int]).map(Int64.init), shape: shape)
                } else {
                    out[k] = try Tensor((v["data"] as! [Double]).map(Float.init), shape: shape).requiringGrad()
                }
            }
            return out
        }
        return Case(inputs: try tensors("inputs", integral: false), integers: try tensors("int_inputs", integral: true),
                    loss: raw["loss"] as! Double, grads: raw["grads"] as! [String: [Double]])
    }

    private func check(_ case_: Case, loss: Tensor, tolerance: Double = 1e-4,
                       file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(try loss.item(), case_.loss, accuracy: tolerance * max(1, abs(case_.loss)), file: file, line: line)
        try loss.backward()
        for (name, expected) in case_.grads {
            let got = case_.inputs[name]!.grad?.toFloatArray() ?? []
            XCTAssertEqual(got.count, expected.count, name, file: file, line: line)
            for (i, (a, b)) in zip(got, expected).enumerated() {
                XCTAssertEqual(Double(a), b, accuracy: tolerance * max(1, abs(b)), "\(name)[\(i)]", file: file, line: line)
            }
        }
    }

    func testMLPWithCrossEntropyMatchesTorch() throws {
        let c = try load("mlp_cross_entropy")
        let t = c.inputs
        let hidden = try t["x"]!.linear(weight: t["w1"]!, bias: t["b1"]!).gelu()
        let logits = try hidden.linear(weight: t["w2"]!, bias: t["b2"]!)
        try check(c, loss: try Tensor.crossEntropy(logits, c.integers["targets"]!))
    }

    func testCausalAttentionWithLayerNormMatchesTorch() throws {
        let c = try load("causal_attention_layer_norm")
        let t = c.inputs
        let scores = try t["q"]!.matmul(t["k"]!.transpose(-1, -2)) / Double(8).squareRoot()
        let mask = try Tensor.ones([4, 4], dtype: .bool).triu(diagonal: 1)
        let attention = try scores.maskedFill(mask: mask, value: -.infinity).softmax(dim: -1)
        let out = try attention.matmul(t["v"]!).layerNorm(normalizedShape: [8], weight: t["ln_w"]!, bias: t["ln_b"]!, eps: 1e-5)
        try check(c, loss: try (out * out).mean())
    }

    func testRMSNormSwiGLUResidualMatchesTorch() throws {
        let c = try load("rms_norm_swiglu_residual")
        let t = c.inputs
        let h = t["h"]!
        let normed = try h * (h.pow(2).mean(dims: [-1], keepDim: true) + 1e-6).rsqrt() * t["norm_w"]!
        let gate = try normed.linear(weight: t["wg"]!).silu() * normed.linear(weight: t["wu"]!)
        let mlp = try gate.linear(weight: t["wd"]!)
        try check(c, loss: try (h + mlp).tanh().sum())
    }

    func testEmbeddingCumsumLogSoftmaxGatherMatchesTorch() throws {
        let c = try load("embedding_cumsum_log_softmax_gather")
        let emb = c.inputs["emb"]!
        let hidden = try emb.embedding(c.integers["ids"]!).cumsum(dim: 1) * 0.5
        let logp = try hidden.matmul(emb.T).logSoftmax(dim: -1)
        let picked = try logp.gather(dim: -1, index: c.integers["labels"]!.unsqueeze(-1))
        try check(c, loss: try -(picked.mean()))
    }
}
