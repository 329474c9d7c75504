import Foundation
import XCTest
@testable import Tensors

/// Files written by Swift are read by the reference Python library and the other way round.
///
/// The interpreter comes from the environment variable APUS_PYTHON (CI points it at a venv with
/// `safetensors` and `numpy`; torch is not needed). Without it these tests fail rather than
/// skip, so a CI that lost its Python cannot pass silently.
final class SafeTensorsPythonInteropTests: XCTestCase {
    private func python() throws -> String {
        guard let path = ProcessInfo.processInfo.environment["APUS_PYTHON"], !path.isEmpty else {
            let message = "APUS_PYTHON is not set: set it to a Python interpreter that has the `safetensors` and `numpy` packages (for example a venv's bin/python) to run the safetensors interoperability tests"
            throw TensorError.io(message)
        }
        return path
    }

    /// Runs `script` with the interpreter and returns its standard output parsed as JSON.
    private func runPython(_ script: String, _ arguments: [String]) throws -> [String: Any] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try python())
        process.arguments = ["-c", script] + arguments
        let output = Pipe()
        // Standard error goes to a file: reading one pipe to its end while the other fills
        // could block both processes.
        let errorPath = temporaryPath("python-stderr-\(UUID().uuidString).txt")
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errorPath) }
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
            XCTFail("python exited with status \(process.terminationStatus):\n\(message)")
            throw TensorError.io("python failed")
        }
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    private func temporaryPath(_ name: String) -> String {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("apus-interop-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent(name).path
    }

    /// Prints {"metadata", "tensors": {name: {dtype, shape, values}}} for a file.
    ///
    /// numpy has no bfloat16, so `safe_open(..., framework="numpy")` refuses BF16 tensors with a
    /// TypeError; those are read as raw little-endian uint16 from the offsets in the header and
    /// reported as bit patterns, which the test compares with Swift's bits exactly.
    private let readerScript = """
    import json, struct, sys
    import numpy as np
    from safetensors import safe_open
    path = sys.argv[1]
    with open(path, "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    out = {"tensors": {}}
    with safe_open(path, framework="numpy") as f:
        out["metadata"] = f.metadata() or {}
        for name in f.keys():
            entry = header[name]
            if entry["dtype"] == "BF16":
                begin, end = entry["data_offsets"]
                values = np.frombuffer(raw[8 + n + begin:8 + n + end], dtype="<u2").tolist()
            else:
                array = f.get_tensor(name)
                assert list(array.shape) == entry["shape"], name
                values = array.reshape(-1).tolist()
            out["tensors"][name] = {"dtype": entry["dtype"], "shape": entry["shape"], "values": values}
    print(json.dumps(out))
    """

    /// Writes a file with safetensors.numpy and prints what it wrote.
    private let writerScript = """
    import json, sys
    import numpy as np
    from safetensors.numpy import save_file
    arrays = {
        "f32": (np.arange(12, dtype=np.float32).reshape(3, 4) / np.float32(7)).astype(np.float32),
        "f16": (np.arange(5) / 3).astype(np.float16),
        "i64": np.array([-2**63, 2**63 - 1, 0], dtype=np.int64),
        "i32": np.array([-7, 9], dtype=np.int32),
        "bool": np.array([[True, False], [False, True]]),
        "u8": np.arange(0, 256, 51, dtype=np.uint8),
        "scalar": np.array(1.25, dtype=np.float32),
        "empty": np.zeros((2, 0), dtype=np.float32),
    }
    save_file(arrays, sys.argv[1], metadata={"writer": "python"})
    print(json.dumps({"metadata": {"writer": "python"}, "tensors": {
        name: {"shape": list(a.shape), "values": a.reshape(-1).tolist()} for name, a in arrays.items()}}))
    """

    func testPythonReadsEveryDTypeWrittenBySwift() throws {
        let tensors: [String: Tensor] = [
            "f32": try Tensor([0.1, -2.5, 3e-7, 1e20, 0, -0.75], shape: [3, 2]),
            "f16": try Tensor([0.333, -1.5, 60000], shape: [3]).to(.float16),
            "bf16": try Tensor([3.14159, -0.001, 1e30, 7], shape: [2, 2]).to(.bfloat16),
            "i64": try Tensor(int64: [Int64.min, -1, 0, Int64.max], shape: [4]),
            "i32": try Tensor(int64: [-2_147_483_648, 12], shape: [1, 2]).to(.int32),
            "bool": try Tensor(int64: [1, 0, 0], shape: [3]).to(.bool),
            "u8": try Tensor(int64: [255, 0, 17], shape: [3]).to(.uint8),
            "transposed": try Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3]).T,
            "scalar": Tensor(scalar: -9.5),
        ]
        let metadata = ["format": "pt", "written by": "apus"]
        let path = temporaryPath("from-swift.safetensors")
        try SafeTensors.write(tensors, metadata: metadata, to: path)

        let seen = try runPython(readerScript, [path])
        XCTAssertEqual(seen["metadata"] as? [String: String], metadata)
        let described = try XCTUnwrap(seen["tensors"] as? [String: [String: Any]])
        XCTAssertEqual(Set(described.keys), Set(tensors.keys))
        for (name, tensor) in tensors {
            let entry = try XCTUnwrap(described[name], name)
            XCTAssertEqual(entry["dtype"] as? String, tensor.dtype.safetensorsName, name)
            XCTAssertEqual(entry["shape"] as? [Int], tensor.shape, name)
            let values = try XCTUnwrap(entry["values"] as? [Any], name)
            switch tensor.dtype {
            case .float32, .float16:
                XCTAssertEqual(values.map { Float(($0 as? Double) ?? .nan) }, tensor.toFloatArray(), name)
            case .bfloat16:
                let bits = tensor.contiguous()
                let swiftBits = withExtendedLifetime(bits) {
                    Array(UnsafeBufferPointer(start: bits.pointer(as: UInt16.self), count: bits.count))
                }
                XCTAssertEqual(values.map { UInt16(($0 as? Int) ?? -1) }, swiftBits, name)
            case .bool:
                XCTAssertEqual(values.map { ($0 as? Bool) == true ? Int64(1) : 0 }, tensor.toInt64Array(), name)
            default:
                XCTAssertEqual(values.map { Int64(($0 as? Int) ?? 12345) }, tensor.toInt64Array(), name)
            }
        }
    }

    func testSwiftReadsAFileWrittenByPython() throws {
        let path = temporaryPath("from-python.safetensors")
        let written = try runPython(writerScript, [path])
        let file = try SafeTensorsFile(path: path)
        XCTAssertEqual(file.metadata, written["metadata"] as? [String: String])
        let described = try XCTUnwrap(written["tensors"] as? [String: [String: Any]])
        XCTAssertEqual(Set(file.names), Set(described.keys))
        for (name, entry) in described {
            let tensor = try file.tensor(named: name)
            XCTAssertTrue(tensor.storage.owner === file.mapping, name)
            XCTAssertEqual(tensor.shape, entry["shape"] as? [Int], name)
            let values = try XCTUnwrap(entry["values"] as? [Any], name)
            if tensor.dtype.isFloatingPoint {
                XCTAssertEqual(tensor.toFloatArray(), values.map { Float(($0 as? Double) ?? .nan) }, name)
            } else if tensor.dtype == .bool {
                XCTAssertEqual(tensor.toInt64Array(), values.map { ($0 as? Bool) == true ? Int64(1) : 0 }, name)
            } else {
                XCTAssertEqual(tensor.toInt64Array(), values.map { Int64(($0 as? Int) ?? 12345) }, name)
            }
        }
    }

    func testSwiftRewritesAPythonFileByteForByte() throws {
        let path = temporaryPath("python-original.safetensors")
        _ = try runPython(writerScript, [path])
        let file = try SafeTensorsFile(path: path)
        let copy = temporaryPath("swift-copy.safetensors")
        try SafeTensors.write(try file.tensors(), metadata: file.metadata, to: copy)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: copy)),
                       try Data(contentsOf: URL(fileURLWithPath: path)))
    }
}
