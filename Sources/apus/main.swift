import Foundation
import Script
import REPL

/// The `apus` command: `apus -c CODE`, `apus run FILE.apus [args…]`.
func usage() -> Never {
    FileHandle.standardError.write("usage: apus -c CODE [args…] | apus run FILE [args…]\n".data(using: .utf8)!)
    exit(2)
}

func runAndExit(_ code: String, name: String, argv: [String], interactive: Bool, file: String? = nil) -> Never {
    let engine = Engine(argv: argv)
    if let f = file { engine.globals["__file__"] = .str(f) }
    signal(SIGINT) { _ in interruptRequested = true }
    let r = engine.execute(code, cellName: name, displayAllExpressions: interactive)
    if let c = r.exitCode { exit(c) }
    if let tb = r.traceback {
        FileHandle.standardError.write(tb.data(using: .utf8)!)
        exit(1)
    }
    exit(0)
}

let args = Array(CommandLine.arguments.dropFirst())
guard let first = args.first else {
    if isatty(0) != 0 { exit(runREPL()) }
    // The interactive REPL goes here (line editing through CEditLine); until then read a
    // whole program from stdin.
    let data = FileHandle.standardInput.readDataToEndOfFile()
    runAndExit(String(decoding: data, as: UTF8.self), name: "<stdin>", argv: [""], interactive: false)
}
switch first {
case "-c":
    guard args.count >= 2 else { usage() }
    runAndExit(args[1], name: "<string>", argv: ["-c"] + args.dropFirst(2), interactive: true)
case "run":
    guard args.count >= 2 else { usage() }
    let path = args[1]
    guard let data = FileManager.default.contents(atPath: path) else {
        FileHandle.standardError.write("apus: can't open file '\(path)': [Errno 2] No such file or directory\n".data(using: .utf8)!)
        exit(2)
    }
    runAndExit(String(decoding: data, as: UTF8.self), name: path, argv: Array(args.dropFirst(1)), interactive: false, file: path)
default:
    if first.hasSuffix(".py") || first.hasSuffix(".apus"), let data = FileManager.default.contents(atPath: first) {
        runAndExit(String(decoding: data, as: UTF8.self), name: first, argv: args, interactive: false, file: first)
    }
    usage()
}
