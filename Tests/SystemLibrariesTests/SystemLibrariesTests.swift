import XCTest
import CZeroMQ
import CPNG
import CSndfile
import CSentencePiece
import COpenBLAS
import CEditLine

/// The Debian libraries Apus builds on are found through pkg-config and link.
final class SystemLibrariesTests: XCTestCase {
    func testZeroMQReportsVersion4() {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        XCTAssertEqual(major, 4)
    }

    func testLibPNGLinks() {
        XCTAssertGreaterThanOrEqual(png_access_version_number(), 10600)
    }

    func testLibSndfileLinks() {
        XCTAssertTrue(String(cString: sf_version_string()).hasPrefix("libsndfile"))
    }

    func testOpenBLASMultipliesMatrices() {
        let a: [Float] = [1, 2, 3, 4], b: [Float] = [5, 6, 7, 8]
        var c = [Float](repeating: 0, count: 4)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 2, 2, 2, 1, a, 2, b, 2, 0, &c, 2)
        XCTAssertEqual(c, [19, 22, 43, 50])
    }

    func testSentencePieceShimReportsMissingModel() {
        var message = [CChar](repeating: 0, count: 256)
        let handle = apus_spp_load("/nonexistent/model.model", &message, message.count)
        XCTAssertNil(handle)
        XCTAssertFalse(String(cString: message).isEmpty)
    }

    func testLibEditHistoryLinks() {
        using_history()
        add_history("print(1)")
        XCTAssertEqual(history_length, 1)
    }
}
