import Foundation
import XCTest
@testable import Tensors

final class SafeTensorsTests: XCTestCase {
    private var fixture: String { Fixtures.url("io/dtypes.safetensors").path }

    /// The values generate.py dumped next to dtypes.safetensors.
    private func expected() throws -> (metadata: [String: String], tensors: [String: [String: Any]]) {
        let data = try Data(contentsOf: Fixtures.url("io/dtypes.json"))
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let metadata = try XCTUnwrap(json["metadata"] as? [String: String])
        let tensors = try XCTUnwrap(json["tensors"] as? [String: [String: Any]])
        return (metadata, tensors)
    }

    private func temporaryPath(_ name: String) -> String {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("apus-io-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent(name).path
    }

    /// A file from a raw header string and data bytes, for building corrupt files.
    private func rawFile(_ name: String, header: String, data: [UInt8] = [],
                         declaredLength: UInt64? = nil) throws -> String {
        var bytes: [UInt8] = []
        withUnsafeBytes(of: (declaredLength ?? UInt64(header.utf8.count)).littleEndian) {
            bytes.append(contentsOf: $0)
        }
        bytes.append(contentsOf: Array(header.utf8))
        bytes.append(contentsOf: data)
        let path = temporaryPath(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    private func assertCorrupt(_ path: String, mentions words: [String],
                               file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try SafeTensorsFile(path: path), file: file, line: line) { error in
            guard case TensorError.corruptFile(let errorPath, let reason) = error else {
                return XCTFail("expected corruptFile, got \(error)", file: file, line: line)
            }
            XCTAssertEqual(errorPath, path, file: file, line: line)
            for word in words {
                XCTAssertTrue(reason.contains(word), "'\(reason)' does not mention '\(word)'",
                              file: file, line: line)
            }
        }
    }

    // MARK: Reading

    func testReadsEveryDTypeWithThePythonValues() throws {
        let file = try SafeTensorsFile(path: fixture)
        let (_, tensors) = try expected()
        XCTAssertEqual(Set(file.names), Set(tensors.keys))
        for (name, description) in tensors {
            let tensor = try file.tensor(named: name)
            let dtypeName = try XCTUnwrap(description["dtype"] as? String)
            XCTAssertEqual(tensor.dtype.safetensorsName, dtypeName, name)
            XCTAssertEqual(tensor.shape, description["shape"] as? [Int], name)
            let values = try XCTUnwrap(description["values"] as? [Any], name)
            switch tensor.dtype {
            case .float32, .float16, .bfloat16:
                let want = values.map { Float(($0 as? Double) ?? .nan) }
                XCTAssertEqual(tensor.toFloatArray(), want, name)
            case .bool:
                XCTAssertEqual(tensor.toInt64Array(), values.map { ($0 as? Bool) == true ? 1 : 0 }, name)
            default:
                XCTAssertEqual(tensor.toInt64Array(), values.map { Int64(($0 as? Int) ?? -999) }, name)
            }
        }
    }

    func testReadsMetadata() throws {
        let file = try SafeTensorsFile(path: fixture)
        XCTAssertEqual(file.metadata, try expected().metadata)
    }

    func testNamesAreSortedAndInfoGivesDTypeShapeAndOffsets() throws {
        let file = try SafeTensorsFile(path: fixture)
        XCTAssertEqual(file.names, file.names.sorted())
        let info = try XCTUnwrap(file.info("bf16"))
        XCTAssertEqual(info.dtype, .bfloat16)
        XCTAssertEqual(info.shape, [2, 2])
        XCTAssertEqual(info.dataOffsets.count, 8)
        XCTAssertNil(file.info("missing"))
    }

    func testTensorsBorrowTheMappingWithoutCopying() throws {
        let file = try SafeTensorsFile(path: fixture)
        for name in file.names {
            let tensor = try file.tensor(named: name)
            XCTAssertTrue(tensor.storage.owner === file.mapping, name)
            XCTAssertTrue(tensor.storage.isReadOnly, name)
            let start = UnsafeRawPointer(file.mapping.bytes)
            let bytes = UnsafeRawPointer(tensor.storage.bytes)
            XCTAssertTrue(bytes >= start && bytes + tensor.storage.byteCount <= start + file.mapping.byteCount, name)
        }
    }

    func testTensorsKeepTheMappingAliveAfterTheFileObjectIsGone() throws {
        var tensor: Tensor?
        do {
            let file = try SafeTensorsFile(path: fixture)
            tensor = try file.tensor(named: "f32_3d")
        }
        XCTAssertEqual(tensor?.toFloatArray(), (0..<24).map { Float($0) / 8 })
    }

    func testWritingIntoAReadOnlyMappingThrows() throws {
        let tensor = try SafeTensorsFile(path: fixture).tensor(named: "f32")
        XCTAssertThrowsError(try tensor.copy(from: Tensor.zeros([2, 3])))
    }

    func testLoadGivesWritableCopyOnWriteTensorsAndLeavesTheFileUnchanged() throws {
        let path = temporaryPath("cow.safetensors")
        try FileManager.default.copyItem(atPath: fixture, toPath: path)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let tensors = try SafeTensors.load(path)
        let weight = try XCTUnwrap(tensors["f32"])
        XCTAssertFalse(weight.storage.isReadOnly)
        XCTAssertTrue(weight.storage.owner is MappedFile)
        try weight.copy(from: Tensor.ones([2, 3]))
        XCTAssertEqual(weight.toFloatArray(), [1, 1, 1, 1, 1, 1])
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), before)
        XCTAssertNotEqual(try SafeTensors.load(path)["f32"]?.toFloatArray(), [1, 1, 1, 1, 1, 1])
    }

    func testMissingTensorNameThrowsNamingIt() throws {
        let file = try SafeTensorsFile(path: fixture)
        XCTAssertThrowsError(try file.tensor(named: "nope")) { error in
            XCTAssertTrue("\(error)".contains("'nope'"), "\(error)")
        }
    }

    func testMissingFileThrowsIOError() {
        XCTAssertThrowsError(try SafeTensorsFile(path: temporaryPath("absent.safetensors"))) { error in
            guard case TensorError.io(let message) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("absent.safetensors"), message)
        }
    }

    func testUnalignedTensorIsCopiedIntoAlignedMemory() throws {
        // One byte of U8 first puts the F32 tensor at an address that is not a multiple of 4.
        let header = #"{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"b":{"dtype":"F32","shape":[2],"data_offsets":[1,9]}}"#
        var data: [UInt8] = [7]
        for value in [Float(1.5), -2] { withUnsafeBytes(of: value) { data.append(contentsOf: $0) } }
        let padded = header + String(repeating: " ", count: (8 - header.utf8.count % 8) % 8)
        let path = try rawFile("unaligned.safetensors", header: padded, data: data)
        let file = try SafeTensorsFile(path: path)
        let b = try file.tensor(named: "b")
        XCTAssertNil(b.storage.owner)
        XCTAssertEqual(b.toFloatArray(), [1.5, -2])
        XCTAssertTrue(try file.tensor(named: "a").storage.owner === file.mapping)
    }

    func testBoolBytesOtherThanZeroAndOneReadAsTrue() throws {
        let header = #"{"m":{"dtype":"BOOL","shape":[3],"data_offsets":[0,3]}}"#
        let path = try rawFile("bools.safetensors", header: header, data: [0, 1, 2])
        XCTAssertEqual(try SafeTensorsFile(path: path).tensor(named: "m").toInt64Array(), [0, 1, 1])
    }

    func testEmptyHeaderObjectIsAFileWithNoTensors() throws {
        let path = try rawFile("empty.safetensors", header: "{}      ")
        let file = try SafeTensorsFile(path: path)
        XCTAssertEqual(file.names, [])
        XCTAssertEqual(file.metadata, [:])
    }

    // MARK: Corrupt files

    func testFileShorterThanTheLengthFieldIsCorrupt() throws {
        let path = temporaryPath("short.safetensors")
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: path))
        assertCorrupt(path, mentions: ["3 bytes", "8-byte header length"])
    }

    func testHeaderLengthBeyondTheFileIsCorrupt() throws {
        let path = try rawFile("length.safetensors", header: "{}", declaredLength: 1000)
        assertCorrupt(path, mentions: ["header length 1000", "past the end of the file (10 bytes)"])
    }

    func testHeaderThatIsNotJSONIsCorrupt() throws {
        let path = try rawFile("json.safetensors", header: #"{"a": [1, 2"#)
        assertCorrupt(path, mentions: ["not valid JSON"])
    }

    func testHeaderThatIsNotAnObjectIsCorrupt() throws {
        let path = try rawFile("array.safetensors", header: "[1, 2]  ")
        assertCorrupt(path, mentions: ["not a JSON object"])
    }

    func testUnknownDTypeIsCorruptAndNamed() throws {
        let header = #"{"w":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}"#
        let path = try rawFile("dtype.safetensors", header: header, data: Array(repeating: 0, count: 8))
        assertCorrupt(path, mentions: ["'w'", "'F64'"])
    }

    func testByteCountThatDisagreesWithShapeIsCorrupt() throws {
        let header = #"{"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}}"#
        let path = try rawFile("count.safetensors", header: header, data: Array(repeating: 0, count: 20))
        assertCorrupt(path, mentions: ["'w'", "[2, 3]", "F32", "needs 24 bytes", "span 20"])
    }

    func testTruncatedDataIsCorrupt() throws {
        let header = #"{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#
        let path = try rawFile("truncated.safetensors", header: header, data: Array(repeating: 0, count: 10))
        assertCorrupt(path, mentions: ["'w'", "beyond the end", "truncated"])
    }

    func testOverlappingTensorsAreCorrupt() throws {
        let header = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#
        let path = try rawFile("overlap.safetensors", header: header, data: Array(repeating: 0, count: 12))
        assertCorrupt(path, mentions: ["'a'", "'b'", "overlap"])
    }

    func testGapBetweenTensorsIsCorrupt() throws {
        let header = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#
        let path = try rawFile("gap.safetensors", header: header, data: Array(repeating: 0, count: 12))
        assertCorrupt(path, mentions: ["bytes 4..<8", "'a'", "no tensor"])
    }

    func testTrailingBytesAfterTheLastTensorAreCorrupt() throws {
        let header = #"{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}"#
        let path = try rawFile("trailing.safetensors", header: header, data: [1, 2, 3])
        assertCorrupt(path, mentions: ["3 bytes", "cover 2"])
    }

    func testNonIntegerShapeIsCorrupt() throws {
        let header = #"{"a":{"dtype":"U8","shape":[1.5],"data_offsets":[0,1]}}"#
        let path = try rawFile("shape.safetensors", header: header, data: [1])
        assertCorrupt(path, mentions: ["'a'", "shape"])
    }

    func testNonStringMetadataIsCorrupt() throws {
        let header = #"{"__metadata__":{"epoch":3}}"#
        let path = try rawFile("metadata.safetensors", header: header)
        assertCorrupt(path, mentions: ["__metadata__", "'epoch'"])
    }

    // MARK: Writing

    func testWriteThenReadRoundTripsEveryDType() throws {
        let tensors: [String: Tensor] = [
            "f32": try Tensor([1.5, -2, 3.25, 0, 1e-8, -7], shape: [2, 3]),
            "f16": try Tensor([0.5, -1.25, 65504], shape: [3]).to(.float16),
            "bf16": try Tensor([3.140625, -0.0078125], shape: [2]).to(.bfloat16),
            "i64": try Tensor(int64: [Int64.min, -1, Int64.max], shape: [3]),
            "i32": try Tensor(int64: [-5, 2_147_483_647], shape: [2]).to(.int32),
            "bool": try Tensor(int64: [1, 0, 1, 1], shape: [2, 2]).to(.bool),
            "u8": try Tensor(int64: [0, 200, 255], shape: [3]).to(.uint8),
            "scalar": Tensor(scalar: 4.5),
            "empty": Tensor.zeros([0, 4]),
        ]
        let path = temporaryPath("roundtrip.safetensors")
        try SafeTensors.write(tensors, metadata: ["format": "pt", "step": "12"], to: path)
        let file = try SafeTensorsFile(path: path)
        XCTAssertEqual(file.metadata, ["format": "pt", "step": "12"])
        XCTAssertEqual(Set(file.names), Set(tensors.keys))
        for (name, original) in tensors {
            let read = try file.tensor(named: name)
            XCTAssertEqual(read.dtype, original.dtype, name)
            XCTAssertEqual(read.shape, original.shape, name)
            XCTAssertEqual(rawBytes(read), rawBytes(original), name)
        }
    }

    func testNonContiguousTensorsAreWrittenDensely() throws {
        let base = try Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
        let transposed = base.T
        let strided = try base.slice(1, step: 2)
        let path = temporaryPath("strided.safetensors")
        try SafeTensors.write([("t", transposed), ("s", strided)], to: path)
        let file = try SafeTensorsFile(path: path)
        XCTAssertEqual(try file.tensor(named: "t").shape, [3, 2])
        XCTAssertEqual(try file.tensor(named: "t").toFloatArray(), [1, 4, 2, 5, 3, 6])
        XCTAssertEqual(try file.tensor(named: "s").toFloatArray(), [1, 3, 4, 6])
    }

    func testRewritingThePythonFixtureReproducesItsBytes() throws {
        let file = try SafeTensorsFile(path: fixture)
        let path = temporaryPath("rewritten.safetensors")
        try SafeTensors.write(try file.tensors(), metadata: file.metadata, to: path)
        let original = try Data(contentsOf: URL(fileURLWithPath: fixture))
        let rewritten = try Data(contentsOf: URL(fileURLWithPath: path))
        XCTAssertEqual(rewritten, original)
        XCTAssertEqual(try SafeTensors.serialize(
            file.names.map { ($0, try file.tensor(named: $0)) }, metadata: file.metadata), Array(original))
    }

    func testHeaderIsPaddedWithSpacesToAMultipleOfEight() throws {
        let bytes = try SafeTensors.serialize([("x", Tensor([1]))])
        let length = bytes[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        XCTAssertEqual(length % 8, 0)
        let header = String(decoding: bytes[8..<(8 + length)], as: UTF8.self)
        XCTAssertTrue(header.hasPrefix(#"{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#), header)
        XCTAssertTrue(header.drop(while: { $0 != "}" }).dropFirst(3).allSatisfy { $0 == " " }, header)
    }

    func testMetadataStringsAreEscapedAsJSON() throws {
        let metadata = ["note": "quote \" backslash \\ newline \n tab \t bell \u{07} é"]
        let path = temporaryPath("escaped.safetensors")
        try SafeTensors.write([("x", Tensor([1]))], metadata: metadata, to: path)
        XCTAssertEqual(try SafeTensorsFile(path: path).metadata, metadata)
    }

    func testDuplicateOrReservedNamesAreRejected() {
        XCTAssertThrowsError(try SafeTensors.serialize([("a", Tensor([1])), ("a", Tensor([2]))]))
        XCTAssertThrowsError(try SafeTensors.serialize([("__metadata__", Tensor([1]))]))
    }

    func testWriteReplacesAnExistingFile() throws {
        let path = temporaryPath("replace.safetensors")
        try SafeTensors.write(["a": Tensor([1, 2, 3])], to: path)
        try SafeTensors.write(["b": Tensor([4])], to: path)
        XCTAssertEqual(try SafeTensorsFile(path: path).names, ["b"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + ".tmp-\(getpid())"))
    }

    func testSavingOverTheFileTheTensorsAreMappedFromIsSafe() throws {
        // The old file stays mapped while the new one is written beside it and renamed over
        // it; truncating in place would pull the pages from under the tensors being written.
        let path = temporaryPath("resave.safetensors")
        try FileManager.default.copyItem(atPath: fixture, toPath: path)
        let tensors = try SafeTensors.load(path)
        let f32 = try XCTUnwrap(tensors["f32"])
        try f32.copy(from: Tensor.full([2, 3], 4))
        try SafeTensors.write(tensors, metadata: ["format": "pt"], to: path)
        let reread = try SafeTensorsFile(path: path)
        XCTAssertEqual(try reread.tensor(named: "f32").toFloatArray(), [4, 4, 4, 4, 4, 4])
        XCTAssertEqual(try reread.tensor(named: "i64").toInt64Array(), tensors["i64"]?.toInt64Array())
        XCTAssertEqual(reread.metadata, ["format": "pt"])
    }

    func testNullMetadataReadsAsEmpty() throws {
        let path = try rawFile("null-metadata.safetensors", header: #"{"__metadata__":null}   "#)
        XCTAssertEqual(try SafeTensorsFile(path: path).metadata, [:])
    }

    func testWriteIntoAMissingDirectoryThrowsIOError() {
        XCTAssertThrowsError(try SafeTensors.write(["a": Tensor([1])], to: "/nonexistent-dir/x.safetensors")) { error in
            guard case TensorError.io = error else { return XCTFail("\(error)") }
        }
    }

    private func rawBytes(_ tensor: Tensor) -> [UInt8] {
        let dense = tensor.contiguous()
        return withExtendedLifetime(dense) {
            Array(UnsafeRawBufferPointer(start: dense.storage.bytes + dense.offset * dense.dtype.itemSize,
                                         count: dense.count * dense.dtype.itemSize))
        }
    }
}
