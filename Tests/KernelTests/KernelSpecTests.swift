import XCTest
import Display
@testable import Kernel

/// kernelspec installation and the committed kernelspec/apus directory.
final class KernelSpecTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    func testInstallSpecWritesKernelJSONAndLogosUnderPrefix() throws {
        let prefix = FileManager.default.temporaryDirectory.appendingPathComponent("apus-spec-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: prefix) }
        let directory = try Kernel.installSpec(destination: .prefix(prefix), executablePath: "/opt/apus/bin/apus")
        XCTAssertEqual(directory, prefix + "/share/jupyter/kernels/apus")
        let json = try JSONValue.parse(XCTUnwrap(FileManager.default.contents(atPath: directory + "/kernel.json")))
        XCTAssertEqual(json["argv"], ["/opt/apus/bin/apus", "kernel", "-f", "{connection_file}"])
        XCTAssertEqual(json["display_name"], "Apus")
        XCTAssertEqual(json["language"], "apus")
        XCTAssertEqual(json["interrupt_mode"], "message")
        for size in [32, 64] {
            let png = try XCTUnwrap(FileManager.default.contents(atPath: directory + "/logo-\(size)x\(size).png"))
            let image = try RGBAImage(pngData: Array(png))
            XCTAssertEqual(image.width, size)
            XCTAssertEqual(image.height, size)
        }
    }

    func testKernelIsStartedThroughTheStarterBuiltNextToApus() throws {
        let bin = FileManager.default.temporaryDirectory.appendingPathComponent("apus-bin-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: bin) }
        XCTAssertEqual(KernelSpec.argv(executablePath: bin + "/apus"), [bin + "/apus", "kernel", "-f", "{connection_file}"])
        // A starter that is not executable is not used.
        FileManager.default.createFile(atPath: bin + "/apus-kernel", contents: Data("#!/bin/sh\n".utf8),
                                       attributes: [.posixPermissions: 0o644])
        XCTAssertEqual(KernelSpec.argv(executablePath: bin + "/apus"), [bin + "/apus", "kernel", "-f", "{connection_file}"])
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: bin + "/apus-kernel")
        XCTAssertEqual(KernelSpec.argv(executablePath: bin + "/apus"), [bin + "/apus-kernel", "-f", "{connection_file}"])
        let json = KernelSpec.json(executablePath: bin + "/apus")
        XCTAssertEqual(json["argv"], [.string(bin + "/apus-kernel"), "-f", "{connection_file}"])
    }

    func testUserDestinationFollowsJupyterDataDir() throws {
        XCTAssertEqual(try KernelSpec.kernelsDirectory(for: .user, environment: ["JUPYTER_DATA_DIR": "/d"]), "/d/kernels")
        #if os(Linux)
        XCTAssertEqual(try KernelSpec.kernelsDirectory(for: .user, environment: ["HOME": "/home/u"]),
                       "/home/u/.local/share/jupyter/kernels")
        #endif
    }

    func testSysPrefixNeedsAnActiveEnvironment() throws {
        XCTAssertEqual(try KernelSpec.kernelsDirectory(for: .sysPrefix, environment: ["VIRTUAL_ENV": "/venv"]),
                       "/venv/share/jupyter/kernels")
        XCTAssertThrowsError(try KernelSpec.kernelsDirectory(for: .sysPrefix, environment: [:]))
    }

    func testInstallOptionsParse() throws {
        XCTAssertEqual(try KernelSpecDestination(arguments: []), .user)
        XCTAssertEqual(try KernelSpecDestination(arguments: ["--sys-prefix"]), .sysPrefix)
        XCTAssertEqual(try KernelSpecDestination(arguments: ["--prefix", "/p"]), .prefix("/p"))
        XCTAssertEqual(try KernelSpecDestination(arguments: ["--prefix=/q"]), .prefix("/q"))
        XCTAssertThrowsError(try KernelSpecDestination(arguments: ["--prefix"]))
        XCTAssertThrowsError(try KernelSpecDestination(arguments: ["--system"]))
    }

    func testLanguageInfoNamesTheLanguage() {
        let info = LanguageInfo.apus(version: "1.0")
        XCTAssertEqual(info.json["name"], "apus")
        XCTAssertEqual(info.json["file_extension"], ".apus")
        XCTAssertEqual(info.json["pygments_lexer"], "python")
        XCTAssertEqual(info.json["codemirror_mode"], "python")
    }

    /// kernelspec/apus is what the installer writes for an `apus` found on PATH. To regenerate it,
    /// run this test with APUS_WRITE_KERNELSPEC=1.
    func testCommittedKernelSpecMatchesTheInstaller() throws {
        let committed = Self.repository.appendingPathComponent("kernelspec/apus")
        if ProcessInfo.processInfo.environment["APUS_WRITE_KERNELSPEC"] == "1" {
            try FileManager.default.createDirectory(at: committed, withIntermediateDirectories: true)
            try Data((KernelSpec.json(executablePath: "apus").serialized + "\n").utf8)
                .write(to: committed.appendingPathComponent("kernel.json"))
            for size in [32, 64] {
                try Data(KernelSpec.logo(size: size).pngData()).write(to: committed.appendingPathComponent("logo-\(size)x\(size).png"))
            }
        }
        let json = try JSONValue.parse(Data(contentsOf: committed.appendingPathComponent("kernel.json")))
        XCTAssertEqual(json, KernelSpec.json(executablePath: "apus"))
        for size in [32, 64] {
            let png = try Data(contentsOf: committed.appendingPathComponent("logo-\(size)x\(size).png"))
            XCTAssertEqual(try RGBAImage(pngData: Array(png)), KernelSpec.logo(size: size), "logo-\(size)x\(size).png")
        }
    }
}
