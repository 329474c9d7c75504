import Foundation

/// The repository root (for the reference scripts under scripts/).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

/// Runs `scripts/SCRIPT` under the reference Python with `arguments` and returns the JSON
/// object it prints, or nil (with `failure` printed) when it cannot start, fails or prints
/// something else. Every benchmark's reference side goes through here.
func runReference(_ options: Options, script: String, _ arguments: [String],
                  environment extra: [String: String] = [:], failure: String) -> [String: Any]? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [options.python, repositoryRoot.appendingPathComponent("scripts/\(script)").path] + arguments
    process.environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }
    let pipe = Pipe()
    process.standardOutput = pipe
    do { try process.run() } catch {
        print("could not start \(options.python): \(error)")
        return nil
    }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0,
          let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
        print(failure)
        return nil
    }
    return json
}
