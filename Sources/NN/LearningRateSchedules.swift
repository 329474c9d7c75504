import Foundation

/// Sets an optimizer's learning rate from the step count: `base * factor(step)`, as torch's
/// `LambdaLR` and the schedules of transformers' `get_scheduler`.
public final class LearningRateSchedule {
    public let optimizer: Optimizer
    public let baseLearningRate: Double
    public let factor: (Int) -> Double
    public private(set) var stepCount = 0

    public init(_ optimizer: Optimizer, factor: @escaping (Int) -> Double) {
        self.optimizer = optimizer
        baseLearningRate = optimizer.learningRate
        self.factor = factor
        optimizer.learningRate = baseLearningRate * factor(0)
    }

    /// Advances one step and updates the optimizer's learning rate.
    public func step() {
        stepCount += 1
        optimizer.learningRate = baseLearningRate * factor(stepCount)
    }

    /// The learning rate in force now.
    public var lastLearningRate: Double { optimizer.learningRate }

    /// Linear warm-up from 0, then linear decay to 0 at `trainingSteps`.
    public static func linear(_ optimizer: Optimizer, warmupSteps: Int, trainingSteps: Int) -> LearningRateSchedule {
        LearningRateSchedule(optimizer) { step in
            if step < warmupSteps { return Double(step) / Double(max(1, warmupSteps)) }
            return max(0, Double(trainingSteps - step) / Double(max(1, trainingSteps - warmupSteps)))
        }
    }

    /// Linear warm-up, then a cosine from 1 to 0 over the remaining steps (`cycles` half-waves × 2).
    public static func cosine(_ optimizer: Optimizer, warmupSteps: Int, trainingSteps: Int,
                              cycles: Double = 0.5) -> LearningRateSchedule {
        LearningRateSchedule(optimizer) { step in
            if step < warmupSteps { return Double(step) / Double(max(1, warmupSteps)) }
            let progress = Double(step - warmupSteps) / Double(max(1, trainingSteps - warmupSteps))
            return max(0, 0.5 * (1 + cos(Double.pi * cycles * 2 * progress)))
        }
    }

    /// Linear warm-up, then constant.
    public static func constant(_ optimizer: Optimizer, warmupSteps: Int = 0) -> LearningRateSchedule {
        LearningRateSchedule(optimizer) { step in
            step < warmupSteps ? Double(step) / Double(max(1, warmupSteps)) : 1
        }
    }
}
