import Foundation

/// Keyword-argument completion: with the cursor on an argument inside `f(...`, the names `f`
/// accepts as keywords (`sep=`, `dtype=`), taken from the script function's parameters or
/// the native function's signature line. The kernel's and the REPL's completion both use it.
extension Engine {
    /// `name=` suggestions for the argument being typed at the end of `before` (the code up to
    /// the cursor), or [] when the cursor is not on a bare name directly inside a call's
    /// parentheses. Keywords the call already passes are left out.
    func keywordArgumentCompletions(before: [Unicode.Scalar]) -> [String] {
        guard let call = OpenCall.find(in: before) else { return [] }
        let current = String(String.UnicodeScalarView(before[call.currentArgumentStart...]))
            .trimmingCharacters(in: .whitespacesAndNewlines)
        // Only a bare identifier (or nothing yet) can become a keyword argument.
        guard current.unicodeScalars.allSatisfy(Lexer.isIdentChar),
              current.unicodeScalars.first.map({ !("0"..."9").contains($0) }) ?? true else { return [] }
        guard let callee = evaluateQuietly(call.callee) else { return [] }
        let given = Set(call.earlierArguments.compactMap(OpenCall.keywordName))
        return Engine.keywordParameters(of: callee)
            .filter { $0.hasPrefix(current) && !given.contains($0) }
            .map { $0 + "=" }
    }

    /// The parameter names `callee` accepts as keyword arguments, in declaration order.
    static func keywordParameters(of callee: Value) -> [String] {
        guard case .obj(let o) = callee else { return [] }
        switch o {
        case let f as PyFunction:
            let c = f.code
            return Array(c.params.dropFirst(c.posOnlyCount)) + c.kwOnly
        case let m as PyBoundMethod:
            // The first parameter is already bound to the instance (or the class).
            let names = keywordParameters(of: m.function)
            if case .obj(let fo) = m.function, let f = fo as? PyFunction, f.code.posOnlyCount == 0,
               let first = f.code.params.first, names.first == first {
                return Array(names.dropFirst())
            }
            return names
        case let c as PyClass:
            // Constructing a class passes the arguments on to __init__ after `self`; a
            // dataclass's generated __init__ takes its fields.
            guard let initializer = c.lookup("__init__"), case .obj(let io) = initializer else { return [] }
            if let f = io as? PyFunction { return Array(keywordParameters(of: initializer).drop { $0 == f.code.params.first }) }
            return c.dataclassFields ?? []
        case let b as PyBuiltin:
            if let line = b.doc.flatMap(signatureLine) {
                return Signature(line).parameters.filter { !$0.variadic }.map(\.name)
            }
            if case .obj(let builtin)? = Builtins.table[b.name], builtin === b {
                return builtinKeywordParameters[b.name] ?? []
            }
            return []
        case let i as PyInstance:
            guard let call = i.cls.lookup("__call__"), case .obj(let co) = call, let f = co as? PyFunction else { return [] }
            return Array(keywordParameters(of: call).drop { $0 == f.code.params.first })
        default:
            return []
        }
    }

    /// Keyword parameters of the builtins whose help text has no signature line (CPython's
    /// names, each one the builtin here accepts).
    static let builtinKeywordParameters: [String: [String]] = [
        "sorted": ["key", "reverse"],
        "min": ["key", "default"],
        "max": ["key", "default"],
        "enumerate": ["iterable", "start"],
        "sum": ["start"],
        "round": ["number", "ndigits"],
        "zip": ["strict"],
        "open": ["file", "mode", "encoding", "newline"],
    ]

    /// The parameter list of a native function's help text when it starts with its call
    /// form, as the bindings write it (`zeros(*size, dtype=None, …)` or
    /// `Tensor.sum(dim=None, …)`): the text between the first line's outer parentheses.
    static func signatureLine(_ doc: String) -> String? {
        let firstLine = doc.prefix { $0 != "\n" }
        guard let open = firstLine.firstIndex(of: "("), firstLine.hasSuffix(")") else { return nil }
        let name = firstLine[..<open]
        guard !name.isEmpty, name.unicodeScalars.allSatisfy({ Lexer.isIdentChar($0) || $0 == "." }) else { return nil }
        return String(firstLine[firstLine.index(after: open)..<firstLine.index(before: firstLine.endIndex)])
    }
}

/// The innermost call whose parentheses are still open at the end of some code: the dotted
/// name being called and where each of its arguments starts.
struct OpenCall {
    /// The called expression, a dotted name such as `torch.zeros`.
    let callee: String
    /// The arguments before the one being typed, as written.
    let earlierArguments: [String]
    /// Where the argument being typed starts.
    let currentArgumentStart: Int

    /// Finds the innermost open `(` in `code` (skipping strings and comments) that follows a
    /// dotted name; nil when the innermost open bracket is not such a call.
    static func find(in code: [Unicode.Scalar]) -> OpenCall? {
        struct Bracket { let scalar: Unicode.Scalar; let position: Int; var argumentStarts: [Int] }
        var stack: [Bracket] = []
        var i = 0
        while i < code.count {
            let c = code[i]
            switch c {
            case "#":
                while i < code.count, code[i] != "\n" { i += 1 }
                continue
            case "\"", "'":
                guard let end = stringEnd(code, from: i) else { return nil }  // inside a string
                i = end
                continue
            case "(", "[", "{":
                stack.append(Bracket(scalar: c, position: i, argumentStarts: [i + 1]))
            case ")", "]", "}":
                if !stack.isEmpty { stack.removeLast() }
            case ",":
                if !stack.isEmpty { stack[stack.count - 1].argumentStarts.append(i + 1) }
            default:
                break
            }
            i += 1
        }
        guard let open = stack.last, open.scalar == "(" else { return nil }
        var end = open.position
        while end > 0, code[end - 1] == " " || code[end - 1] == "\t" { end -= 1 }
        var start = end
        while start > 0, Lexer.isIdentChar(code[start - 1]) || code[start - 1] == "." { start -= 1 }
        let callee = String(String.UnicodeScalarView(code[start..<end]))
        guard let first = callee.unicodeScalars.first, !("0"..."9").contains(first), first != ".",
              !Parser.keywords.contains(callee) else { return nil }
        let starts = open.argumentStarts
        let earlier = zip(starts, starts.dropFirst()).map { String(String.UnicodeScalarView(code[$0..<($1 - 1)])) }
        return OpenCall(callee: callee, earlierArguments: earlier, currentArgumentStart: starts[starts.count - 1])
    }

    /// The index just past the string literal opening at `start`, or nil when it does not
    /// close before the end of `code`.
    static func stringEnd(_ code: [Unicode.Scalar], from start: Int) -> Int? {
        let quote = code[start]
        let triple = start + 2 < code.count && code[start + 1] == quote && code[start + 2] == quote
        var i = start + (triple ? 3 : 1)
        while i < code.count {
            if code[i] == "\\" { i += 2; continue }
            if code[i] == quote {
                if !triple { return i + 1 }
                if i + 2 < code.count, code[i + 1] == quote, code[i + 2] == quote { return i + 3 }
            }
            if code[i] == "\n" && !triple { return i }  // an unclosed one-line string ends here
            i += 1
        }
        return nil
    }

    /// `name` when an argument is written `name=value`.
    static func keywordName(_ argument: String) -> String? {
        let text = argument.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let equals = text.firstIndex(of: "=") else { return nil }
        let after = text.index(after: equals)
        if after < text.endIndex, text[after] == "=" { return nil }
        let name = text[..<equals].trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.unicodeScalars.allSatisfy(Lexer.isIdentChar) else { return nil }
        return name
    }
}
