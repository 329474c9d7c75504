import XCTest
@testable import Script

final class EngineTests: XCTestCase {
    func run(_ engine: Engine, _ code: String) -> (String, Engine.Result) {
        let sink = CaptureSink()
        engine.sink = sink
        let r = engine.execute(code, cellName: "<cell>", displayLastExpression: true)
        return (sink.stdout, r)
    }

    func testGlobalsPersistAcrossExecutionsAndErrors() {
        let e = Engine(sink: CaptureSink())
        _ = run(e, "x = 41")
        let (_, bad) = run(e, "x += 1\nraise ValueError('boom')")
        XCTAssertEqual(bad.errorLine, "ValueError: boom")
        let (_, r) = run(e, "x")
        XCTAssertEqual(r.valueRepr, "42")
    }

    func testSyntaxErrorReportsLineAndCaret() {
        let (_, r) = run(Engine(sink: CaptureSink()), "a = 1\nb = = 2")
        XCTAssertEqual(r.errorName, "SyntaxError")
        XCTAssertTrue(r.traceback?.contains("line 2") ?? false)
        XCTAssertTrue(r.traceback?.contains("^") ?? false)
    }

    func testTracebackNamesFileLineAndFunction() {
        let (_, r) = run(Engine(sink: CaptureSink()), "def f():\n    return 1 / 0\nf()")
        XCTAssertTrue(r.traceback?.contains("File \"<cell>\", line 2, in f") ?? false, r.traceback ?? "")
        XCTAssertEqual(r.errorLine, "ZeroDivisionError: division by zero")
    }

    func testIsCompleteDetectsOpenBlocksAndBrackets() {
        let e = Engine(sink: CaptureSink())
        XCTAssertEqual(e.isComplete("x = 1"), .complete)
        XCTAssertEqual(e.isComplete("if x:"), .incomplete(indent: "    "))
        XCTAssertEqual(e.isComplete("f(1,"), .incomplete(indent: ""))
        XCTAssertEqual(e.isComplete("x = = 1"), .invalid)
    }

    func testCompletionListsGlobalsAndAttributes() {
        let e = Engine(sink: CaptureSink())
        _ = run(e, "value_one = 1\nimport math")
        XCTAssertTrue(e.complete("valu", cursor: 4).matches.contains("value_one"))
        XCTAssertTrue(e.complete("math.sq", cursor: 7).matches.contains("sqrt"))
    }

    func testInspectReturnsDocstring() {
        let e = Engine(sink: CaptureSink())
        _ = run(e, "def greet(name):\n    \"Say hello.\"\n    return name")
        XCTAssertTrue(e.inspect("greet(", cursor: 6)?.contains("Say hello.") ?? false)
    }

    func testInterruptRaisesKeyboardInterruptAndKeepsVariables() {
        let e = Engine(sink: CaptureSink())
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { e.interrupt() }
        let (_, r) = run(e, "i = 0\nwhile True:\n    i += 1")
        XCTAssertEqual(r.errorName, "KeyboardInterrupt")
        let (_, r2) = run(e, "i > 0")
        XCTAssertEqual(r2.valueRepr, "True")
    }

    func testIntegerOverflowRaisesOverflowError() {
        let (_, r) = run(Engine(sink: CaptureSink()), "2 ** 70")
        XCTAssertEqual(r.errorName, "OverflowError")
    }
}

final class GeneratorTests: XCTestCase {
    func output(_ code: String) -> String {
        let sink = CaptureSink()
        let r = Engine(sink: sink).execute(code, cellName: "<test>")
        return sink.stdout + (r.errorLine ?? "")
    }

    func testAbandonedGeneratorRunsItsFinallyBlock() {
        let out = output("def g():\n    try:\n        yield 1\n        yield 2\n    finally:\n        print('cleanup')\nit = g()\nprint(next(it))\ndel it\nprint('after')")
        XCTAssertEqual(out, "1\ncleanup\nafter\n")
    }

    func testManyLiveGeneratorsWork() {
        let out = output("def g(i):\n    yield i\n    yield i + 1\ngs = [g(i) for i in range(300)]\nprint(sum(next(x) for x in gs), sum(next(x) for x in gs))")
        XCTAssertEqual(out, "44850 45150\n")
    }

    func testExceptionInsideGeneratorReachesConsumer() {
        let out = output("def g():\n    yield 1\n    raise ValueError('inside')\ntry:\n    for v in g():\n        print(v)\nexcept ValueError as e:\n    print('caught', e)")
        XCTAssertEqual(out, "1\ncaught inside\n")
    }

    func testInterruptStopsAGeneratorLoop() {
        let e = Engine(sink: CaptureSink())
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { e.interrupt() }
        let r = e.execute("def forever():\n    while True:\n        yield 1\nn = 0\nfor x in forever():\n    n += x", cellName: "<test>")
        XCTAssertEqual(r.errorName, "KeyboardInterrupt")
    }
}
