import CPNG
import Foundation

/// An 8-bit RGBA raster, row-major from the top-left, and its PNG encoding through libpng.
public struct RGBAImage: Equatable, Sendable {
    public let width: Int
    public let height: Int
    /// `width * height * 4` bytes: red, green, blue, alpha per pixel.
    public var pixels: [UInt8]

    /// A canvas filled with one colour.
    public init(width: Int, height: Int, fill: RGB = RGB(255, 255, 255)) {
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 255, count: width * height * 4)
        for i in 0..<(width * height) {
            pixels[i * 4] = fill.red; pixels[i * 4 + 1] = fill.green; pixels[i * 4 + 2] = fill.blue
        }
    }

    public init(width: Int, height: Int, pixels: [UInt8]) throws {
        guard width > 0, height > 0, pixels.count == width * height * 4 else {
            throw DisplayError.invalidImage("\(pixels.count) bytes do not make a \(width)x\(height) RGBA image")
        }
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// Paints the rectangle `x..<x+w`, `y..<y+h` (clipped to the canvas).
    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, color: RGB) {
        let x0 = max(0, x), y0 = max(0, y), x1 = min(width, x + w), y1 = min(height, y + h)
        guard x0 < x1, y0 < y1 else { return }
        for row in y0..<y1 {
            var i = (row * width + x0) * 4
            for _ in x0..<x1 {
                pixels[i] = color.red; pixels[i + 1] = color.green; pixels[i + 2] = color.blue; pixels[i + 3] = 255
                i += 4
            }
        }
    }

    /// The PNG file bytes.
    public func pngData() throws -> [UInt8] {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(width)
        image.height = UInt32(height)
        image.format = UInt32(PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA)
        var size: Int = 0
        let stride = Int32(width * 4)
        // First call measures, second writes.
        guard pixels.withUnsafeBytes({ png_image_write_to_memory(&image, nil, &size, 0, $0.baseAddress, stride, nil) }) != 0 else {
            throw DisplayError.invalidImage("libpng could not size the image: \(PNGMessage.of(image))")
        }
        var output = [UInt8](repeating: 0, count: size)
        let ok = output.withUnsafeMutableBytes { out in
            pixels.withUnsafeBytes { png_image_write_to_memory(&image, out.baseAddress, &size, 0, $0.baseAddress, stride, nil) }
        }
        guard ok != 0 else { throw DisplayError.invalidImage("libpng failed: \(PNGMessage.of(image))") }
        return Array(output.prefix(size))
    }

    /// Decodes PNG file bytes (any colour type) to RGBA.
    public init(pngData bytes: [UInt8]) throws {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        guard bytes.withUnsafeBytes({ png_image_begin_read_from_memory(&image, $0.baseAddress, bytes.count) }) != 0 else {
            throw DisplayError.invalidImage("not a PNG image: \(PNGMessage.of(image))")
        }
        image.format = UInt32(PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA)
        var pixels = [UInt8](repeating: 0, count: Int(image.width) * Int(image.height) * 4)
        let ok = pixels.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, 0, nil) }
        guard ok != 0 else {
            png_image_free(&image)
            throw DisplayError.invalidImage("corrupt PNG data: \(PNGMessage.of(image))")
        }
        try self.init(width: Int(image.width), height: Int(image.height), pixels: pixels)
    }
}

private enum PNGMessage {
    static func of(_ image: png_image) -> String {
        var message = image.message
        return withUnsafeBytes(of: &message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}

/// An 8-bit colour.
public struct RGB: Equatable, Sendable {
    public var red, green, blue: UInt8
    public init(_ red: UInt8, _ green: UInt8, _ blue: UInt8) {
        self.red = red; self.green = green; self.blue = blue
    }

    /// `#rrggbb`, for HTML and SVG.
    public var hex: String { String(format: "#%02x%02x%02x", red, green, blue) }
}

/// What went wrong producing a display.
public enum DisplayError: Error, CustomStringConvertible {
    case invalidImage(String)
    case unsupported(String)

    public var description: String {
        switch self {
        case .invalidImage(let m): return m
        case .unsupported(let m): return m
        }
    }
}
