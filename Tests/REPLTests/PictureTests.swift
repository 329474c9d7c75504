import Display
import XCTest
@testable import REPL

final class PictureChoiceTests: XCTestCase {
    func testPipeAlwaysGetsText() {
        XCTAssertEqual(TerminalPicture.choose(environment: ["KITTY_WINDOW_ID": "1", "COLORTERM": "truecolor"], isTTY: false), .text)
    }
    func testKittyWindowIdChoosesKitty() {
        XCTAssertEqual(TerminalPicture.choose(environment: ["KITTY_WINDOW_ID": "3", "TERM": "xterm"], isTTY: true), .kitty)
    }
    func testKittyTermChoosesKitty() {
        XCTAssertEqual(TerminalPicture.choose(environment: ["TERM": "xterm-kitty"], isTTY: true), .kitty)
    }
    func testITermProgramChoosesITerm() {
        XCTAssertEqual(TerminalPicture.choose(environment: ["TERM_PROGRAM": "iTerm.app", "COLORTERM": "truecolor"], isTTY: true), .iTerm)
    }
    func testTruecolorChoosesHalfBlocks() {
        XCTAssertEqual(TerminalPicture.choose(environment: ["COLORTERM": "truecolor"], isTTY: true), .halfBlocks)
        XCTAssertEqual(TerminalPicture.choose(environment: ["COLORTERM": "24bit"], isTTY: true), .halfBlocks)
    }
    func testPlainTerminalChoosesText() {
        XCTAssertEqual(TerminalPicture.choose(environment: ["TERM": "xterm-256color"], isTTY: true), .text)
    }
}

final class PictureRenderingTests: XCTestCase {
    func twoByTwo() throws -> RGBAImage {
        // Top row red, green; bottom row blue, white.
        try RGBAImage(width: 2, height: 2, pixels: [255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 255, 255, 255, 255])
    }

    func testHalfBlocksPutsUpperPixelInForegroundAndLowerInBackground() throws {
        let art = TerminalRenderer.halfBlocks(try twoByTwo(), maxColumns: 80)
        XCTAssertEqual(art, "\u{1B}[38;2;255;0;0m\u{1B}[48;2;0;0;255m▀\u{1B}[38;2;0;255;0m\u{1B}[48;2;255;255;255m▀\u{1B}[0m\n")
    }

    func testHalfBlocksDownsamplesToTheWidthByAveraging() throws {
        var image = RGBAImage(width: 4, height: 2, fill: RGB(0, 0, 0))
        image.fill(x: 0, y: 0, width: 1, height: 2, color: RGB(200, 100, 50))
        let art = TerminalRenderer.halfBlocks(image, maxColumns: 2)
        XCTAssertEqual(art.components(separatedBy: "▀").count - 1, 2, "4 pixels squeezed into 2 columns, 1 row")
        XCTAssertTrue(art.hasPrefix("\u{1B}[38;2;100;50;25m"), art)
    }

    func testOddHeightLeavesLastBackgroundDefault() throws {
        let image = RGBAImage(width: 1, height: 3, fill: RGB(10, 20, 30))
        let art = TerminalRenderer.halfBlocks(image, maxColumns: 80)
        XCTAssertEqual(art.split(separator: "\n").count, 2)
        XCTAssertTrue(art.contains("\u{1B}[49m▀"))
    }

    func testTransparentPixelsBlendOntoWhite() throws {
        let image = try RGBAImage(width: 1, height: 1, pixels: [0, 0, 0, 0])
        XCTAssertTrue(TerminalRenderer.halfBlocks(image, maxColumns: 80).hasPrefix("\u{1B}[38;2;255;255;255m"))
    }

    func testRenderDecodesPNGFromBundleForHalfBlocks() throws {
        let image = try twoByTwo()
        var bundle = MimeBundle(plain: "<image>")
        bundle.setPNG(try image.pngData(), width: 2, height: 2)
        XCTAssertEqual(TerminalRenderer.render(bundle, picture: .halfBlocks, columns: 80),
                       TerminalRenderer.halfBlocks(image, maxColumns: 80))
    }

    func testRenderFallsBackToTextWithoutImage() {
        XCTAssertEqual(TerminalRenderer.render(MimeBundle(plain: "42"), picture: .halfBlocks, columns: 80), "42\n")
    }

    func testRenderTextPictureIgnoresImage() throws {
        var bundle = MimeBundle(plain: "<image>")
        bundle.setPNG(try twoByTwo().pngData(), width: 2, height: 2)
        XCTAssertEqual(TerminalRenderer.render(bundle, picture: .text, columns: 80), "<image>\n")
    }

    func testKittyEscapeChunksAt4096Base64Bytes() {
        let png = [UInt8](repeating: 7, count: 4000)   // 5336 base64 bytes: two chunks
        let escape = TerminalRenderer.kittyEscape(png: png)
        XCTAssertTrue(escape.hasPrefix("\u{1B}_Ga=T,f=100,m=1;"))
        XCTAssertTrue(escape.contains("\u{1B}\\\u{1B}_Gm=0;"))
        XCTAssertEqual(escape.components(separatedBy: "\u{1B}_G").count - 1, 2)
    }

    func testITermEscapeCarriesSizeAndBase64() {
        let escape = TerminalRenderer.iTermEscape(png: [1, 2, 3])
        XCTAssertEqual(escape, "\u{1B}]1337;File=inline=1;size=3;preserveAspectRatio=1:AQID\u{07}")
    }
}
