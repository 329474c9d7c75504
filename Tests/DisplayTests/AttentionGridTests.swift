import XCTest
@testable import Display

/// The attention grid's layout: one map per head, `columns` to a row, white gaps between.
final class AttentionGridTests: XCTestCase {
    func grid(heads: Int, tokens: Int, columns: Int) throws -> AttentionGrid {
        let panels = (0..<heads).map { h in
            AttentionGrid.Panel(title: "Layer 0, head \(h)",
                                values: (0..<(tokens * tokens)).map { Float(($0 + h) % tokens) / Float(tokens - 1) })
        }
        let names = (0..<tokens).map { "t\($0)" }
        return try AttentionGrid(panels: panels, queryTokens: names, keyTokens: names, columns: columns)
    }

    func testGridWrapsHeadsIntoRowsOfColumns() throws {
        let g = try grid(heads: 6, tokens: 5, columns: 4)
        XCTAssertEqual(g.rows, 2)
        XCTAssertEqual(g.cellSize, 24)
        let image = g.image()
        XCTAssertEqual(image.width, 4 * 5 * 24 + 3 * AttentionGrid.gap)
        XCTAssertEqual(image.height, 2 * 5 * 24 + AttentionGrid.gap)
        // The unused places of the last row stay white.
        let x = 3 * (5 * 24 + AttentionGrid.gap) + 10, y = 5 * 24 + AttentionGrid.gap + 10
        let i = 4 * (y * image.width + x)
        XCTAssertEqual(Array(image.pixels[i..<i + 3]), [255, 255, 255])
    }

    func testCellsShrinkForLongSentencesButStayVisible() throws {
        XCTAssertEqual(try grid(heads: 1, tokens: 12, columns: 4).cellSize, 120 / 12)
        XCTAssertEqual(try grid(heads: 1, tokens: 200, columns: 4).cellSize, 4)
    }

    func testMismatchedValuesAreAnErrorNamingThePanel() {
        XCTAssertThrowsError(try AttentionGrid(panels: [.init(title: "Layer 2, head 1", values: [1, 0, 0])],
                                               queryTokens: ["a", "b"], keyTokens: ["a", "b"], columns: 1)) { error in
            XCTAssertTrue("\(error)".contains("Layer 2, head 1"), "\(error)")
        }
    }
}
