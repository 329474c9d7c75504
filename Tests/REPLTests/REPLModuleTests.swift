import XCTest
@testable import REPL

final class REPLModuleTests: XCTestCase {
    func testModuleLinks() { XCTAssertNotNil(REPLModule.self) }
}
