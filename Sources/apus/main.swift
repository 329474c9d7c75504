import Foundation
import Kernel
import Script
import REPL

/// The version `apus --version` and the kernel's language_info report.
let apusVersion = "0.1.0"

/// The `apus` command: `apus -c CODE`, `apus run FILE.apus [args…]`, `apus run NB.ipynb [-o OUT]`,
/// `apus kernel -f FILE`,
/// `apus kernel install [--user | --sys-prefix | --prefix P]`, and the REPL with no arguments.
func usage() -> Never {
    FileHandle.standardError.write("""
        usage: apus                      start the REPL
               apus -c CODE [args…]      run CODE
               apus run FILE [args…]     run a script
               apus run NB.ipynb [-o OUT | --inplace] [--allow-errors]
                                         run a notebook's code cells and store their outputs
               apus kernel -f CONNECTION_FILE [--listening shell=FD,iopub=FD,...]
               apus kernel install [--user | --sys-prefix | --prefix PATH]

        """.data(using: .utf8)!)
    exit(2)
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write("apus: \(message)\n".data(using: .utf8)!)
    exit(1)
}

/// `apus kernel ...`: serve a Jupyter client, or install the kernelspec.
func kernelCommand(_ arguments: [String]) -> Never {
    if arguments.first == "install" {
        do {
            let destination = try KernelSpecDestination(arguments: Array(arguments.dropFirst()))
            let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
            let directory = try installSpec(destination: destination,
                                            executablePath: Bundle.main.executablePath ?? executable)
            print("Installed the Apus kernelspec in \(directory)")
            exit(0)
        } catch { fail("\(error)") }
    }
    // `--listening shell=FD,...`: sockets `apus-kernel` opened before starting this process.
    guard arguments.count == 2 || (arguments.count == 4 && arguments[2] == "--listening"),
          arguments[0] == "-f" else { usage() }
    do {
        let listeners = arguments.count == 4 ? try InheritedListeners(parsing: arguments[3]) : InheritedListeners()
        _ = try KernelServer.serve(connectionFile: arguments[1], engine: ScriptKernelEngine(), listeners: listeners)
        exit(0)
    } catch { fail("kernel: \(error)") }
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
    // Not a terminal: run the whole of stdin as a program.
    let data = FileHandle.standardInput.readDataToEndOfFile()
    runAndExit(String(decoding: data, as: UTF8.self), name: "<stdin>", argv: [""], interactive: false)
}
switch first {
case "kernel":
    kernelCommand(Array(args.dropFirst()))
case "--version", "-V":
    print("Apus \(apusVersion)")
    exit(0)
case "-c":
    guard args.count >= 2 else { usage() }
    runAndExit(args[1], name: "<string>", argv: ["-c"] + args.dropFirst(2), interactive: true)
case "run":
    guard args.count >= 2 else { usage() }
    let path = args[1]
    if path.hasSuffix(".ipynb") { runNotebookCommand(Array(args.dropFirst(1))) }
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
