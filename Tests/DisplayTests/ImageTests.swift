import XCTest
import Tensors
@testable import Display

final class ImageTests: XCTestCase {
    func testPNGRoundTripsThroughLibPNG() throws {
        var image = RGBAImage(width: 5, height: 3, fill: RGB(10, 20, 30))
        image.fill(x: 1, y: 1, width: 2, height: 5, color: RGB(200, 100, 0))
        let png = try image.pngData()
        XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        XCTAssertEqual(try RGBAImage(pngData: png), image)
    }

    func testCorruptPNGIsAnErrorNotACrash() {
        XCTAssertThrowsError(try RGBAImage(pngData: [1, 2, 3, 4]))
        XCTAssertThrowsError(try RGBAImage(width: 2, height: 2, pixels: [0, 0, 0]))
    }

    func testHeatmapMapsExtremesToColormapEnds() throws {
        let heatmap = try Heatmap(values: [0, 1, 2, 3], rows: 2, columns: 2, colormap: .viridis)
        let image = heatmap.image(cellSize: 1)
        XCTAssertEqual(Array(image.pixels[0..<3]), [68, 1, 84])
        XCTAssertEqual(Array(image.pixels[12..<15]), [253, 231, 37])
    }

    func testHeatmapSVGCarriesEscapedTokenLabels() throws {
        let heatmap = try Heatmap(values: [0.5, 0.5, 1, 0], rows: 2, columns: 2,
                                  rowLabels: ["<s>", "cat"], columnLabels: ["<s>", "cat"], title: "layer 0 & head 1")
        let svg = try heatmap.svg()
        XCTAssertTrue(svg.contains("&lt;s&gt;"))
        XCTAssertTrue(svg.contains("layer 0 &amp; head 1"))
        XCTAssertTrue(heatmap.mimeBundle().mimeTypes.contains("image/svg+xml"))
        XCTAssertThrowsError(try Heatmap(values: [1, 2], rows: 1, columns: 2, rowLabels: ["a", "b"]))
    }

    func testTwoDimensionalTensorDisplaysAsTableAndHeatmap() throws {
        let t = try Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
        let bundle = t.mimeBundle()
        XCTAssertEqual(bundle.mimeTypes, ["text/plain", "text/html", "image/png"])
        let html = bundle["text/html"]?.stringValue ?? ""
        XCTAssertTrue(html.contains("(2, 3)") && html.contains("torch.float32"), html)
        let png = Data(base64Encoded: bundle["image/png"]?.stringValue ?? "")
        XCTAssertNotNil(png)
        XCTAssertNoThrow(try RGBAImage(pngData: Array(png!)))
    }
}
