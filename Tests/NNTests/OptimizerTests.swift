import XCTest
import Tensors
@testable import NN

/// Optimizer trajectories match torch.optim's on the fixture's quadratic, step for step.
final class OptimizerTests: XCTestCase {
    private var fixture: [String: Any]!

    override func setUpWithError() throws {
        fixture = try Fixtures.json("nn/optimizers.json")
    }

    private func floats(_ key: String) -> [Float] { (fixture[key] as! [Double]).map(Float.init) }

    private func trajectory(_ name: String, make: ([Tensor]) throws -> Optimizer) throws -> ([[Float]], [[Double]]) {
        let shape = fixture["shape"] as! [Int]
        let p = try Tensor(floats("start"), shape: shape).requiringGrad()
        let target = try Tensor(floats("target"), shape: shape)
        let weight = try Tensor(floats("weight"), shape: shape)
        let optimizer = try make([p])
        var steps: [[Float]] = []
        for _ in 0..<6 {
            optimizer.zeroGrad()
            let diff = try p - target
            try (weight * diff * diff).sum().backward()
            try optimizer.step()
            steps.append(p.toFloatArray())
        }
        let case_ = (fixture["optimizers"] as! [[String: Any]]).first { $0["name"] as! String == name }!
        return (steps, case_["steps"] as! [[Double]])
    }

    private func assertMatches(_ name: String, make: ([Tensor]) throws -> Optimizer) throws {
        let (ours, reference) = try trajectory(name, make: make)
        for (step, (a, b)) in zip(ours, reference).enumerated() {
            for (x, y) in zip(a, b) {
                XCTAssertEqual(Double(x), y, accuracy: 1e-5, "\(name) step \(step + 1)")
            }
        }
    }

    func testPlainSGDMatchesTorch() throws {
        try assertMatches("sgd") { try SGD($0, learningRate: 0.1) }
    }

    func testSGDWithMomentumDampeningAndWeightDecayMatchesTorch() throws {
        try assertMatches("sgd_momentum_wd") {
            try SGD($0, learningRate: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 0.01)
        }
    }

    func testNesterovSGDMatchesTorch() throws {
        try assertMatches("sgd_nesterov") { try SGD($0, learningRate: 0.05, momentum: 0.8, nesterov: true) }
    }

    func testAdamWMatchesTorch() throws {
        try assertMatches("adamw") {
            try AdamW($0, learningRate: 0.1, betas: (0.9, 0.95), epsilon: 1e-6, weightDecay: 0.1)
        }
    }

    func testAdamWithCoupledWeightDecayMatchesTorch() throws {
        try assertMatches("adam") { try AdamW($0, learningRate: 0.05, weightDecay: 0.02, decoupled: false) }
    }

    func testInvalidHyperparametersAreRejected() {
        XCTAssertThrowsError(try SGD([], learningRate: -1))
        XCTAssertThrowsError(try AdamW([], betas: (1.5, 0.9)))
        XCTAssertThrowsError(try SGD([], momentum: 0, nesterov: true))
    }
}

/// Learning-rate schedules match transformers' get_*_schedule_with_warmup.
final class LearningRateScheduleTests: XCTestCase {
    private func assertSchedule(_ name: String, make: (Optimizer) -> LearningRateSchedule) throws {
        let fixture = try Fixtures.json("nn/optimizers.json")
        let case_ = (fixture["schedules"] as! [[String: Any]]).first { $0["name"] as! String == name }!
        let expected = case_["rates"] as! [Double]
        let optimizer = try SGD([try Tensor.zeros([1]).requiringGrad()], learningRate: case_["base_lr"] as! Double)
        let schedule = make(optimizer)
        var rates = [schedule.lastLearningRate]
        for _ in 0..<(expected.count - 1) {
            schedule.step()
            rates.append(schedule.lastLearningRate)
        }
        for (i, (a, b)) in zip(rates, expected).enumerated() {
            XCTAssertEqual(a, b, accuracy: 1e-12, "\(name) step \(i)")
        }
    }

    func testLinearWarmupThenDecay() throws {
        try assertSchedule("linear") { .linear($0, warmupSteps: 3, trainingSteps: 10) }
    }

    func testCosineWithWarmup() throws {
        try assertSchedule("cosine") { .cosine($0, warmupSteps: 2, trainingSteps: 10) }
    }

    func testConstantWithWarmup() throws {
        try assertSchedule("constant") { .constant($0, warmupSteps: 4) }
    }
}
