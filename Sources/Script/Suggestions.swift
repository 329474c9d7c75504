/// "Did you mean: …?" hints for NameError and AttributeError, computed the way CPython's
/// traceback module does (a Levenshtein distance where case changes are cheap).
enum Suggestions {
    static let moveCost = 2, caseCost = 1, maxStringSize = 40, maxCandidates = 750

    /// CPython's builtins in their dictionary order, which decides ties.
    static let builtinOrder = ["__name__", "__doc__", "__package__", "__loader__", "__spec__", "__build_class__", "__import__",
        "abs", "all", "any", "ascii", "bin", "breakpoint", "callable", "chr", "compile", "delattr", "dir", "divmod", "eval", "exec",
        "format", "getattr", "globals", "hasattr", "hash", "hex", "id", "input", "isinstance", "issubclass", "iter", "aiter", "len",
        "locals", "max", "min", "next", "anext", "oct", "ord", "pow", "print", "repr", "round", "setattr", "sorted", "sum", "vars",
        "None", "Ellipsis", "NotImplemented", "False", "True", "bool", "memoryview", "bytearray", "bytes", "classmethod", "complex",
        "dict", "enumerate", "filter", "float", "frozenset", "property", "int", "list", "map", "object", "range", "reversed", "set",
        "slice", "staticmethod", "str", "super", "tuple", "type", "zip", "__debug__", "BaseException", "Exception", "TypeError",
        "StopAsyncIteration", "StopIteration", "GeneratorExit", "SystemExit", "KeyboardInterrupt", "ImportError",
        "ModuleNotFoundError", "OSError", "EnvironmentError", "IOError", "EOFError", "RuntimeError", "RecursionError",
        "NotImplementedError", "NameError", "UnboundLocalError", "AttributeError", "SyntaxError", "IndentationError", "TabError",
        "LookupError", "IndexError", "KeyError", "ValueError", "UnicodeError", "UnicodeEncodeError", "UnicodeDecodeError",
        "UnicodeTranslateError", "AssertionError", "ArithmeticError", "FloatingPointError", "OverflowError", "ZeroDivisionError",
        "SystemError", "ReferenceError", "MemoryError", "BufferError", "Warning", "UserWarning", "EncodingWarning",
        "DeprecationWarning", "PendingDeprecationWarning", "SyntaxWarning", "RuntimeWarning", "FutureWarning", "ImportWarning",
        "UnicodeWarning", "BytesWarning", "ResourceWarning", "ConnectionError", "BlockingIOError", "BrokenPipeError",
        "ChildProcessError", "ConnectionAbortedError", "ConnectionRefusedError", "ConnectionResetError", "FileExistsError",
        "FileNotFoundError", "IsADirectoryError", "NotADirectoryError", "InterruptedError", "PermissionError", "ProcessLookupError",
        "TimeoutError", "open", "quit", "exit", "copyright", "credits", "license", "help"]

    static func substitutionCost(_ a: Character, _ b: Character) -> Int {
        if a == b { return 0 }
        if a.lowercased() == b.lowercased() { return caseCost }
        return moveCost
    }

    static func distance(_ s1: String, _ s2: String, _ maxCost: Int) -> Int {
        if s1 == s2 { return 0 }
        var a = Array(s1), b = Array(s2)
        var pre = 0
        while pre < a.count && pre < b.count && a[pre] == b[pre] { pre += 1 }
        a = Array(a[pre...]); b = Array(b[pre...])
        while !a.isEmpty && !b.isEmpty && a.last == b.last { a.removeLast(); b.removeLast() }
        if a.isEmpty || b.isEmpty { return moveCost * (a.count + b.count) }
        if a.count > maxStringSize || b.count > maxStringSize { return maxCost + 1 }
        if b.count < a.count { swap(&a, &b) }
        if (b.count - a.count) * moveCost > maxCost { return maxCost + 1 }
        var row = Array(stride(from: moveCost, to: moveCost * (a.count + 1), by: moveCost))
        var result = 0
        for bi in 0..<b.count {
            let bc = b[bi]
            var dist = bi * moveCost
            result = dist
            var minimum = Int.max
            for i in 0..<a.count {
                let substitute = dist + substitutionCost(bc, a[i])
                dist = row[i]
                let insertDelete = min(result, dist) + moveCost
                result = min(insertDelete, substitute)
                row[i] = result
                if result < minimum { minimum = result }
            }
            if minimum > maxCost { return maxCost + 1 }
        }
        return result
    }

    static func suggest(_ wrong: String, _ candidates: [String]) -> String? {
        if candidates.count > maxCandidates || wrong.count > maxStringSize { return nil }
        var best = Int.max
        var suggestion: String? = nil
        for name in candidates where name != wrong {
            var maxDistance = (name.count + wrong.count + 3) * moveCost / 6
            maxDistance = min(maxDistance, best - 1)
            let d = distance(wrong, name, maxDistance)
            if d > maxDistance { continue }
            if suggestion == nil || d < best { suggestion = name; best = d }
        }
        return suggestion
    }

    /// The hint for an exception, if it is a NameError/AttributeError with a close match.
    static func hint(for e: PyInstance) -> String? {
        guard case .str(let name)? = e.attrs["name"] else { return nil }
        if e.cls.isSubclass(of: Builtins.exceptionClass("AttributeError")), let obj = e.attrs["obj"] {
            guard let names = try? Interp.toArray(Interp.call(Builtins.table["dir"]!, [obj])) else { return nil }
            return suggest(name, names.compactMap { if case .str(let s) = $0 { return s }; return nil })
        }
        if e.cls.isSubclass(of: Builtins.exceptionClass("NameError")) {
            // Locals, then globals, then builtins: the first list with a match wins.
            for key in ["__candidate_locals__", "__candidate_globals__"] {
                if case .obj(let o)? = e.attrs[key], let l = o as? PyList,
                   let s = suggest(name, l.items.compactMap { if case .str(let s) = $0 { return s }; return nil }) { return s }
            }
            return suggest(name, builtinOrder)
        }
        return nil
    }
}
