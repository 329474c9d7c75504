import XCTest
@testable import NN

final class NNModuleTests: XCTestCase {
    func testModuleLinks() { XCTAssertNotNil(NN.self) }
}
