import Foundation
import XCTest
@testable import Tensors

/// Dequantization of every supported ggml type against gguf-py's `gguf.quants.dequantize`
/// (fixtures from Tests/Fixtures/gguf/generate.py): the same float32 bits, value for value.
final class GGUFDequantizationTests: XCTestCase {
    static let filePath = Fixtures.url("gguf/quants.gguf").path
    static let referencePath = Fixtures.url("gguf/quants.reference.safetensors").path

    /// Bit patterns of a float32 tensor (so -0.0 and infinities compare exactly).
    func bits(_ t: Tensor) -> [UInt32] { t.contiguous().toFloatArray().map(\.bitPattern) }

    func testEveryTypeMatchesThePythonDequantizerBitForBit() throws {
        let file = try GGUFFile(path: Self.filePath)
        let reference = try SafeTensorsFile(path: Self.referencePath)
        XCTAssertEqual(Set(file.tensors.map(\.type)), Set(GGMLDequantization.supportedTypes), "the fixture covers every supported type")
        for info in file.tensors {
            let quantized = try file.quantizedTensor(named: info.name)
            XCTAssertEqual(quantized.type, info.type)
            XCTAssertEqual(quantized.shape, info.shape)
            let expected = try reference.tensor(named: info.name)
            let values = try quantized.dequantized()
            XCTAssertEqual(values.shape, expected.shape, info.name)
            let got = bits(values), want = bits(expected)
            let mismatches = zip(got, want).enumerated().filter { $0.element.0 != $0.element.1 }
            XCTAssertTrue(mismatches.isEmpty, "\(info.type.name): \(mismatches.count) of \(want.count) values differ, first at \(mismatches.first.map { "\($0.offset): \(Float(bitPattern: $0.element.0)) vs \(Float(bitPattern: $0.element.1))" } ?? "")")
        }
    }

    /// A tensor large enough to be split across cores decodes to the same values as the small
    /// one, tile for tile (the chunk boundaries fall inside the tiling).
    func testParallelDecodingOfManyBlocksMatches() throws {
        let file = try GGUFFile(path: Self.filePath)
        let reference = try SafeTensorsFile(path: Self.referencePath)
        for name in ["q4_1", "q6_k", "f16"] {
            let small = try file.quantizedTensor(named: name)
            let tiles = 1 << 17 / small.count + 3
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: small.bytes.count * tiles, alignment: 64)
            defer { buffer.deallocate() }
            for t in 0..<tiles {
                UnsafeMutableRawBufferPointer(rebasing: buffer[(t * small.bytes.count)...]).copyMemory(from: small.bytes)
            }
            let big = try QuantizedTensor(name: name, type: small.type, shape: [tiles * small.shape[0], small.shape[1]],
                                          bytes: UnsafeRawBufferPointer(buffer), owner: file, source: "tiled")
            XCTAssertGreaterThan(big.count, GGMLDequantization.elementsPerTask * 2)
            let got = bits(try big.dequantized())
            let want = bits(try reference.tensor(named: name))
            XCTAssertEqual(got, Array([[UInt32]](repeating: want, count: tiles).joined()), name)
        }
    }

    func testUnsupportedTypeIsAnErrorListingTheSupportedOnes() throws {
        let bytes = [UInt8](repeating: 0, count: GGMLType.iq4_xs.blockByteCount)
        try bytes.withUnsafeBytes { raw in
            let tensor = try QuantizedTensor(name: "w", type: .iq4_xs, shape: [256], bytes: raw, owner: self, source: "model.gguf")
            XCTAssertThrowsError(try tensor.dequantized()) { error in
                let text = "\(error)"
                for part in ["model.gguf", "'w'", "IQ4_XS", "Q4_K", "BF16", "Q8_0"] {
                    XCTAssertTrue(text.contains(part), "\(text) should mention \(part)")
                }
            }
        }
    }

    func testBlocksThatDoNotFitTheShapeAreRefused() throws {
        let bytes = [UInt8](repeating: 0, count: 20)
        try bytes.withUnsafeBytes { raw in
            XCTAssertThrowsError(try QuantizedTensor(name: "w", type: .q4_1, shape: [2, 32], bytes: raw, owner: self, source: "m.gguf")) {
                XCTAssertTrue("\($0)".contains("needs 40 bytes, got 20"), "\($0)")
            }
            XCTAssertThrowsError(try QuantizedTensor(name: "w", type: .q4_1, shape: [20], bytes: raw, owner: self, source: "m.gguf")) {
                XCTAssertTrue("\($0)".contains("not a multiple of its block of 32"), "\($0)")
            }
        }
    }
}
