import XCTest
@testable import Kernel

final class KernelModuleTests: XCTestCase {
    func testModuleLinks() { XCTAssertNotNil(KernelModule.self) }
}
