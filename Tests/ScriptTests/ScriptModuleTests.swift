import XCTest
@testable import Script

final class ScriptModuleTests: XCTestCase {
    func testModuleLinks() { XCTAssertNotNil(Script.self) }
}
