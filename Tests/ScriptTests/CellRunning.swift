import XCTest
@testable import Script

extension XCTestCase {
    /// Runs `code` as one cell of a fresh engine; returns what it printed and the result.
    func runCell(_ code: String, displayLastExpression: Bool) -> (String, Engine.Result) {
        let sink = CaptureSink()
        let engine = Engine(sink: sink)
        let result = engine.execute(code, cellName: "<cell>", displayLastExpression: displayLastExpression)
        return (sink.stdout, result)
    }
}
