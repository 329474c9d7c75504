import Foundation
import XCTest
@testable import Tensors

/// The GGUF reader against files written by the `gguf` Python package (generate_formats.py) and
/// the real SmolLM2 GGUF, and its errors on damaged files.
final class GGUFTests: XCTestCase {
    static let tinyPath = Fixtures.url("tokenizers/formats/tiny.gguf").path

    /// Converts a reader value to what Python's `contents()` gives, for comparison with JSON.
    func plain(_ v: GGUFValue) -> Any {
        switch v {
        case .string(let s): return s
        case .bool(let b): return b
        case .float32(let f): return Double(f)
        case .float64(let d): return d
        case .uint64(let u): return NSNumber(value: u)
        case .array(_, let items): return items.map(plain)
        default: return v.intValue!
        }
    }

    func testMetadataOfEveryValueTypeMatchesThePythonReader() throws {
        let file = try GGUFFile(path: Self.tinyPath)
        let expected = try Fixtures.json("tokenizers/formats/tiny.gguf.expected.json")
        XCTAssertEqual(file.version, expected["version"] as? Int)
        XCTAssertEqual(file.metadataKeys, expected["metadata_keys"] as? [String])
        let meta = expected["metadata"] as! [String: [String: Any]]
        for key in file.metadataKeys {
            let value = try XCTUnwrap(file.metadata[key])
            let got = plain(value) as! NSObject, want = meta[key]!["value"] as! NSObject
            if case .float32(let f) = value {
                // Foundation's JSON parser on Linux can be off in the last digit of a double, so
                // compare at the stored float32 precision.
                XCTAssertEqual(f, (want as? NSNumber).map { Float($0.doubleValue) }, key)
            } else {
                XCTAssertTrue(got.isEqual(want), "\(key): got \(got), expected \(want)")
            }
            // The type codes: the value's, then (for arrays) the element type, nested.
            var types: [Int] = []
            var v: GGUFValue? = value
            while let cur = v {
                switch cur {
                case .array(let t, let items):
                    types.append(9)
                    if t == .array { v = items.first } else { types.append(Int(t.rawValue)); v = nil }
                default:
                    types.append(typeCode(cur)); v = nil
                }
            }
            XCTAssertEqual(types, meta[key]!["types"] as? [Int], key)
        }
        XCTAssertEqual(file.string("general.architecture"), "tiny")
        XCTAssertEqual(file.metadata["test.array_string"]?.stringArray, ["a", "", "ü"])
        XCTAssertEqual(file.metadata["test.array_int"]?.intArray, [1, 2, 3, -4])
    }

    func typeCode(_ v: GGUFValue) -> Int {
        switch v {
        case .uint8: return 0
        case .int8: return 1
        case .uint16: return 2
        case .int16: return 3
        case .uint32: return 4
        case .int32: return 5
        case .float32: return 6
        case .bool: return 7
        case .string: return 8
        case .array: return 9
        case .uint64: return 10
        case .int64: return 11
        case .float64: return 12
        }
    }

    func testTensorTableAndRawBytesMatchThePythonReader() throws {
        let file = try GGUFFile(path: Self.tinyPath)
        let expected = try Fixtures.json("tokenizers/formats/tiny.gguf.expected.json")
        XCTAssertEqual(file.alignment, expected["alignment"] as? Int)
        XCTAssertEqual(file.dataOffset, expected["data_offset"] as? Int)
        let tensors = expected["tensors"] as! [[String: Any]]
        XCTAssertEqual(file.tensors.map(\.name), tensors.map { $0["name"] as! String })
        for (info, e) in zip(file.tensors, tensors) {
            // Python's reader reports dims innermost first, as the file stores them.
            XCTAssertEqual(info.dims, e["dims"] as? [Int], info.name)
            XCTAssertEqual(Int(info.type.rawValue), e["type"] as? Int, info.name)
            XCTAssertEqual(info.offset, e["offset"] as? Int, info.name)
            let bytes = try file.data(for: info.name)
            XCTAssertEqual(bytes.map { String(format: "%02x", $0) }.joined(), e["bytes"] as? String, info.name)
        }
        XCTAssertEqual(file.tensorInfo(named: "proj.q8_0")?.shape, [2, 32])
    }

    func testRealSmolLM2FileHeaderAndTensors() throws {
        let path = try Self.smolLM2Path()
        let file = try GGUFFile(path: path)
        let expected = try Fixtures.json("tokenizers/formats/smollm2_gguf.expected.json")
        XCTAssertEqual(file.tensors.count, expected["tensor_count"] as? Int)
        XCTAssertEqual(file.metadata.count, expected["metadata_count"] as? Int)
        XCTAssertEqual(file.string("tokenizer.ggml.model"), "gpt2")
        XCTAssertEqual(file.metadata["tokenizer.ggml.tokens"]?.stringArray?.count, expected["vocab_size"] as? Int)
        for e in expected["first_tensors"] as! [[String: Any]] {
            let name = e["name"] as! String
            let info = try XCTUnwrap(file.tensorInfo(named: name))
            XCTAssertEqual(info.dims, e["dims"] as? [Int], name)
            XCTAssertEqual(Int(info.type.rawValue), e["type"] as? Int, name)
            XCTAssertEqual(info.byteCount, e["bytes"] as? Int, name)
            let head = try file.data(for: name).prefix(16).map { String(format: "%02x", $0) }.joined()
            XCTAssertEqual(head, e["head"] as? String, name)
        }
    }

    /// The real SmolLM2 GGUF in the Hugging Face cache layout under $HF_HOME (scripts/test.sh
    /// fetches it); a missing file fails the test with where it looked.
    static func smolLM2Path() throws -> String {
        let home = ProcessInfo.processInfo.environment["HF_HOME"] ?? (NSHomeDirectory() + "/.cache/huggingface")
        let repo = home + "/hub/models--HuggingFaceTB--SmolLM2-135M-Instruct"
        let rev = try String(contentsOfFile: repo + "/refs/main", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let path = repo + "/snapshots/\(rev)/SmolLM2-135M-Instruct.Q4_1.gguf"
        guard FileManager.default.fileExists(atPath: path) else {
            throw TensorError.io("the SmolLM2 GGUF is not at \(path); run scripts/fetch_models.py with HF_HOME set")
        }
        return path
    }

    // MARK: Damaged files

    func damaged(_ transform: (inout [UInt8]) -> Void) throws -> String {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.tinyPath)))
        transform(&bytes)
        let path = NSTemporaryDirectory() + "damaged-\(UUID().uuidString).gguf"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    func assertCorrupt(_ path: String, mentions words: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try GGUFFile(path: path), file: file, line: line) { error in
            guard case TensorError.corruptFile(let p, let reason) = error else {
                return XCTFail("expected corruptFile, got \(error)", file: file, line: line)
            }
            XCTAssertEqual(p, path, file: file, line: line)
            for w in words { XCTAssertTrue(reason.contains(w), "'\(reason)' lacks '\(w)'", file: file, line: line) }
        }
    }

    func testTruncatedHeaderNamesWhatWasBeingRead() throws {
        let path = try damaged { $0 = Array($0.prefix(100)) }
        assertCorrupt(path, mentions: ["truncated", "byte"])
    }

    func testTruncatedTensorDataNamesTheTensor() throws {
        // The last tensor (4 bytes at data offset 160) ends 28 bytes before the padded end.
        let path = try damaged { $0 = Array($0.dropLast(40)) }
        assertCorrupt(path, mentions: ["scalar.i32", "truncated"])
    }

    func testWrongMagicIsNotAGGUFFile() throws {
        let path = try damaged { $0[0] = UInt8(ascii: "X") }
        assertCorrupt(path, mentions: ["not a GGUF file", "XGUF"])
    }

    func testUnsupportedVersion() throws {
        let path = try damaged { $0[4] = 9 }
        assertCorrupt(path, mentions: ["version 9"])
    }

    func testUnknownValueTypeNamesTheKey() throws {
        // The first key is general.architecture: 8-byte length + 20 bytes, then its type code.
        let path = try damaged { $0[24 + 8 + 20] = 99 }
        assertCorrupt(path, mentions: ["general.architecture", "unknown value type 99"])
    }

    func testImpossibleCountIsRefusedWithoutAllocating() throws {
        let path = try damaged { for i in 16..<24 { $0[i] = 0xFF } }
        assertCorrupt(path, mentions: ["metadata count"])
    }

    func testMissingFileIsAnIOError() {
        XCTAssertThrowsError(try GGUFFile(path: "/nonexistent/model.gguf")) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/model.gguf"))
        }
    }
}
