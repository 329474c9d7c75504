import XCTest
import Tensors
@testable import NN

/// Layers, parameter naming and a short training run that reproduces torch's exactly.
final class LayerTests: XCTestCase {
    private func mlp() throws -> Sequential {
        Sequential([try Linear(6, 16), Activation(.gelu), try Dropout(0), try Linear(16, 4)])
    }

    func testSequentialNamesParametersLikeTorch() throws {
        let names = try mlp().stateDict().map(\.0)
        XCTAssertEqual(names, ["0.weight", "0.bias", "3.weight", "3.bias"])
        XCTAssertEqual(try mlp().numParameters(), 6 * 16 + 16 + 16 * 4 + 4)
    }

    func testNestedModulesUseDottedNames() throws {
        final class Block: Module {
            let attention = try! Linear(4, 4, bias: false)
            let norm = try! LayerNorm([4])
            let layers: [Module] = [try! Linear(4, 2), try! Linear(2, 4)]
        }
        XCTAssertEqual(Block().stateDict().map(\.0),
                       ["attention.weight", "norm.weight", "norm.bias",
                        "layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"])
    }

    func testLoadStateDictRejectsWrongShapesAndNames() throws {
        let model = try mlp()
        var state = Dictionary(uniqueKeysWithValues: model.stateDict())
        state["0.weight"] = Tensor.zeros([3, 3])
        XCTAssertThrowsError(try model.loadStateDict(state)) { error in
            XCTAssertTrue("\(error)".contains("0.weight") && "\(error)".contains("[3, 3]"), "\(error)")
        }
        state["0.weight"] = nil
        XCTAssertThrowsError(try model.loadStateDict(state)) { XCTAssertTrue("\($0)".contains("missing")) }
        XCTAssertNoThrow(try model.loadStateDict(state, strict: false))
    }

    func testEvalModeTurnsDropoutOff() throws {
        let dropout = try Dropout(0.5)
        let x = Tensor.ones([1000])
        dropout.eval()
        XCTAssertEqual(try dropout(x).toFloatArray(), x.toFloatArray())
        dropout.train()
        XCTAssertTrue(try dropout(x).toFloatArray().contains(0))
    }

    func testEmbeddingPaddingRowStartsAtZero() throws {
        let embedding = try Embedding(5, 3, paddingIndex: 2)
        XCTAssertEqual(try embedding.weight.select(0, 2).toFloatArray(), [0, 0, 0])
        XCTAssertThrowsError(try Embedding(5, 3, paddingIndex: 7))
    }

    func testTrainingAnMLPWithAdamWReproducesTorch() throws {
        let fixture = try Fixtures.json("nn/training.json")
        func tensors(_ key: String) throws -> [String: Tensor] {
            var out: [String: Tensor] = [:]
            for (name, value) in fixture[key] as! [String: [String: Any]] {
                out[name] = try Tensor((value["data"] as! [Double]).map(Float.init), shape: value["shape"] as! [Int])
            }
            return out
        }
        let model = try mlp()
        try model.loadStateDict(try tensors("initial"))
        let x = try Tensor((fixture["x"] as! [Double]).map(Float.init), shape: fixture["x_shape"] as! [Int])
        let y = try Tensor(int64: (fixture["y"] as! [Int]).map(Int64.init), shape: [(fixture["y"] as! [Int]).count])
        let optimizer = try AdamW(model.parameters(), learningRate: 0.01, weightDecay: 0.01)
        var losses: [Double] = []
        for _ in 0..<5 {
            optimizer.zeroGrad()
            let loss = try Tensor.crossEntropy(model(x), y)
            try loss.backward()
            try optimizer.step()
            losses.append(try loss.item())
        }
        for (a, b) in zip(losses, fixture["losses"] as! [Double]) { XCTAssertEqual(a, b, accuracy: 1e-5) }
        let final = try tensors("final")
        for (name, tensor) in model.stateDict() {
            for (a, b) in zip(tensor.toFloatArray(), final[name]!.toFloatArray()) {
                XCTAssertEqual(a, b, accuracy: 1e-5, name)
            }
        }
    }
}
