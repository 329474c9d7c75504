/// Modules written in the scripting language itself and shipped inside the binary: the parts
/// of the library that users subclass or read (pipelines), where a script class is the natural
/// shape. Each runs once, on first import, in its own global namespace; its tracebacks name
/// the module's file so an error inside library code points at real lines.
enum SourceModules {
    /// Runs `source` as module `name` and returns the module with every global it defined.
    static func load(_ name: String, file: String, source: String) throws -> PyModule {
        let globals = Globals(moduleName: name)
        globals["__name__"] = .str(name)
        let code = try Engine.compile(source, name: file, globals: globals, display: nil)
        let frame = Frame(code: code, globals: globals)
        frame.cells = code.cellNames.map { _ in PyCell() }
        _ = try Interp.runFrame(frame)
        var attributes: [String: Value] = [:]
        for key in globals.definedNames { attributes[key] = globals[key] }
        let module = PyModule(name, attributes)
        if case .str(let doc)? = globals["__doc__"] { module.doc = doc }
        return module
    }
}

import Foundation

extension SourceModules {
    /// The library modules written in the scripting language (Sources/Script/Library), by
    /// import name, with their file names.
    static let library: [(module: String, file: String)] = [("transformers.pipelines", "Pipelines"),
                                                               ("transformers.pipelines.pt_utils", "PipelineData")]

    /// Registers every library module with `Modules`, loading its source on first import.
    static func registerLibrary() {
        for (module, file) in library {
            Modules.register(module) {
                guard let url = Bundle.module.url(forResource: file, withExtension: "py", subdirectory: "Library"),
                      let source = try? String(contentsOf: url, encoding: .utf8) else {
                    throw Interp.error("ImportError", "the library file \(file).py for \(module) is missing from the installation")
                }
                return try load(module, file: "<\(module)>", source: source)
            }
        }
    }
}
