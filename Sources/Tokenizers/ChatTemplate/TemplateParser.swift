/// Builds the syntax tree from tokens with Jinja's grammar and operator precedence (loosest
/// first): conditional `a if c else b`, `or`, `and`, `not`, comparisons (`== != < <= > >= in
/// not in`), `+ -`, `~`, `* / // %`, `**`, unary `- +`, then primaries with attribute, item,
/// slice and call postfixes, filters (`|`) and tests (`is`).
struct TemplateParser {
    private let tokens: [TemplateToken]
    private var i = 0
    /// How deeply expressions and blocks nest; bounded so hostile input cannot exhaust the stack.
    private var depth = 0
    private static let maximumDepth = 1000
    /// Measured only once nesting grows: finding the stack bounds is slow on the main thread.
    private lazy var stack = StackGuard()

    static func parse(_ tokens: [TemplateToken]) throws -> [TemplateNode] {
        var parser = TemplateParser(tokens: tokens)
        let (nodes, end) = try parser.body(until: [], opener: nil)
        if let end { throw parser.fail("unexpected '\(end)'") }
        return nodes
    }

    private init(tokens: [TemplateToken]) { self.tokens = tokens }

    private var current: TemplateToken { tokens[min(i, tokens.count - 1)] }
    private var line: Int { current.line }

    private func fail(_ message: String, line: Int? = nil) -> ChatTemplateError {
        ChatTemplateError(kind: .syntax, message: message, line: line ?? self.line)
    }

    private func describe(_ kind: TemplateToken.Kind) -> String {
        switch kind {
        case .text: return "template text"
        case .blockBegin: return "'{%'"
        case .blockEnd: return "end of statement block"
        case .variableBegin: return "'{{'"
        case .variableEnd: return "end of print statement"
        case .name(let n): return "'\(n)'"
        case .string(let s): return "string '\(s)'"
        case .integer(let n): return "integer \(n)"
        case .float(let d): return "float \(d)"
        case .op(let o): return "'\(o)'"
        case .end: return "end of template"
        }
    }

    private mutating func next() -> TemplateToken {
        let t = current
        if i < tokens.count - 1 { i += 1 }
        return t
    }

    private func isOp(_ op: String) -> Bool { current.kind == .op(op) }
    private func isName(_ name: String) -> Bool { current.kind == .name(name) }

    private mutating func skipOp(_ op: String) -> Bool {
        if isOp(op) { i += 1; return true }
        return false
    }

    private mutating func skipName(_ name: String) -> Bool {
        if isName(name) { i += 1; return true }
        return false
    }

    private mutating func expectOp(_ op: String) throws {
        guard skipOp(op) else { throw fail("expected '\(op)', got \(describe(current.kind))") }
    }

    private mutating func expectName() throws -> String {
        guard case .name(let n) = current.kind else { throw fail("expected a name, got \(describe(current.kind))") }
        i += 1
        return n
    }

    private mutating func expectBlockEnd() throws {
        guard current.kind == .blockEnd else { throw fail("expected end of statement block, got \(describe(current.kind))") }
        i += 1
    }

    // MARK: statements

    /// Nodes up to a `{% name %}` whose name is in `until`; returns that name (the tag's
    /// `%}` not yet consumed) or nil at the end of the template.
    private mutating func body(until: Set<String>, opener: (String, Int)?) throws -> ([TemplateNode], String?) {
        var nodes: [TemplateNode] = []
        while true {
            let token = current
            switch token.kind {
            case .end:
                if let opener {
                    let wanted = until.sorted().map { "'\($0)'" }.joined(separator: " or ")
                    throw fail("unexpected end of template; looking for \(wanted) to close the '\(opener.0)' opened on line \(opener.1)")
                }
                return (nodes, nil)
            case .text(let s):
                i += 1
                nodes.append(.text(s))
            case .variableBegin:
                i += 1
                let e = try tupleExpression(withConditional: true)
                guard current.kind == .variableEnd else { throw fail("expected end of print statement, got \(describe(current.kind))") }
                i += 1
                nodes.append(.output(e))
            case .blockBegin:
                i += 1
                guard case .name(let tag) = current.kind else { throw fail("expected a statement name after '{%', got \(describe(current.kind))") }
                if until.contains(tag) { i += 1; return (nodes, tag) }
                i += 1
                nodes.append(try statement(tag, line: token.line))
            default:
                throw fail("unexpected \(describe(token.kind))")
            }
        }
    }

    private mutating func statement(_ tag: String, line: Int) throws -> TemplateNode {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth, depth < 16 || stack.hasRoom() else { throw fail("blocks nest too deeply", line: line) }
        switch tag {
        case "for": return try forStatement(line: line)
        case "if": return try ifStatement(line: line)
        case "set": return try setStatement(line: line)
        case "macro": return try macroStatement(line: line)
        case "call": return try callStatement(line: line)
        case "filter":
            let filters = try filterChain(first: true)
            try expectBlockEnd()
            let (nodes, _) = try body(until: ["endfilter"], opener: ("filter", line))
            try expectBlockEnd()
            return .filterBlock(filters: filters, body: nodes, line: line, frame: FrameInfo())
        case "with":
            var assignments: [(AssignTarget, TemplateExpression)] = []
            while current.kind != .blockEnd {
                if !assignments.isEmpty { try expectOp(",") }
                let target = try assignTarget(allowAttribute: false)
                try expectOp("=")
                assignments.append((target, try expression()))
            }
            try expectBlockEnd()
            let (nodes, _) = try body(until: ["endwith"], opener: ("with", line))
            try expectBlockEnd()
            return .with(assignments: assignments, body: nodes, line: line, frame: FrameInfo())
        case "break": try expectBlockEnd(); return .breakLoop
        case "continue": try expectBlockEnd(); return .continueLoop
        case "generation":
            try expectBlockEnd()
            let (nodes, _) = try body(until: ["endgeneration"], opener: ("generation", line))
            try expectBlockEnd()
            return .generation(nodes, frame: FrameInfo())
        default:
            throw fail("encountered unknown tag '\(tag)'", line: line)
        }
    }

    private mutating func forStatement(line: Int) throws -> TemplateNode {
        let target = try assignTarget(allowAttribute: false)
        guard skipName("in") else { throw fail("expected 'in' in a for loop, got \(describe(current.kind))") }
        let iterable = try tupleExpression(withConditional: false, extraEnds: ["recursive"])
        var condition: TemplateExpression?
        if skipName("if") { condition = try expression() }
        if skipName("recursive") { throw fail("recursive for loops are not supported") }
        try expectBlockEnd()
        let (loopBody, end) = try body(until: ["endfor", "else"], opener: ("for", line))
        var otherwise: [TemplateNode] = []
        if end == "else" {
            try expectBlockEnd()
            (otherwise, _) = try body(until: ["endfor"], opener: ("for", line))
        }
        try expectBlockEnd()
        return .forLoop(target: target, iterable: iterable, condition: condition, body: loopBody, otherwise: otherwise, line: line,
                        frame: FrameInfo(), elseFrame: FrameInfo())
    }

    private mutating func ifStatement(line: Int) throws -> TemplateNode {
        var branches: [(TemplateExpression, [TemplateNode])] = []
        var condition = try tupleExpression(withConditional: false)
        while true {
            try expectBlockEnd()
            let (nodes, end) = try body(until: ["elif", "else", "endif"], opener: ("if", line))
            branches.append((condition, nodes))
            if end == "elif" {
                condition = try tupleExpression(withConditional: false)
                continue
            }
            var otherwise: [TemplateNode] = []
            if end == "else" {
                try expectBlockEnd()
                (otherwise, _) = try body(until: ["endif"], opener: ("if", line))
            }
            try expectBlockEnd()
            return .conditional(branches: branches, otherwise: otherwise)
        }
    }

    private mutating func setStatement(line: Int) throws -> TemplateNode {
        let target = try assignTarget(allowAttribute: true)
        if skipOp("=") {
            let value = try tupleExpression(withConditional: true)
            try expectBlockEnd()
            return .set(target, value, line: line)
        }
        let filters = try filterChain(first: false)
        try expectBlockEnd()
        let (nodes, _) = try body(until: ["endset"], opener: ("set", line))
        try expectBlockEnd()
        return .setBlock(target, filters: filters, body: nodes, line: line, frame: FrameInfo())
    }

    private mutating func parameters() throws -> [(String, TemplateExpression?)] {
        var params: [(String, TemplateExpression?)] = []
        try expectOp("(")
        while !skipOp(")") {
            if !params.isEmpty { try expectOp(",") }
            if skipOp(")") { break }
            let name = try expectName()
            params.append((name, skipOp("=") ? try expression() : nil))
        }
        return params
    }

    private mutating func macroStatement(line: Int) throws -> TemplateNode {
        let name = try expectName()
        let params = try parameters()
        try expectBlockEnd()
        let (nodes, _) = try body(until: ["endmacro"], opener: ("macro", line))
        if case .name = current.kind { i += 1 }  // `{% endmacro name %}`
        try expectBlockEnd()
        return .macro(name: name, parameters: params, body: nodes, frame: FrameInfo())
    }

    private mutating func callStatement(line: Int) throws -> TemplateNode {
        let params = isOp("(") ? try parameters() : []
        let call = try expression()
        guard case .call = call.kind else { throw fail("expected a call after 'call'", line: line) }
        try expectBlockEnd()
        let (nodes, _) = try body(until: ["endcall"], opener: ("call", line))
        try expectBlockEnd()
        return .callBlock(call: call, parameters: params, body: nodes, frame: FrameInfo())
    }

    /// `| name(args) | name2` after `set x` (first pipe optional for `{% filter %}`).
    private mutating func filterChain(first: Bool) throws -> [(String, [CallArgument])] {
        var filters: [(String, [CallArgument])] = []
        var needPipe = !first
        while current.kind != .blockEnd {
            if needPipe { try expectOp("|") }
            needPipe = true
            let name = try dottedName()
            filters.append((name, isOp("(") ? try callArguments() : []))
        }
        return filters
    }

    private mutating func assignTarget(allowAttribute: Bool) throws -> AssignTarget {
        let parenthesized = skipOp("(")
        let first = try expectName()
        if allowAttribute && !parenthesized && skipOp(".") {
            return .attribute(first, try expectName())
        }
        var names = [first]
        var isTuple = parenthesized
        while skipOp(",") {
            isTuple = true
            guard case .name(let n) = current.kind, n != "in" else { break }
            i += 1
            names.append(n)
        }
        if parenthesized { try expectOp(")") }
        return isTuple ? .tuple(names) : .name(first)
    }

    // MARK: expressions

    /// Expressions separated by commas make a tuple (`{{ a, b }}`, `for k, v in ...`).
    private mutating func tupleExpression(withConditional: Bool, extraEnds: Set<String> = []) throws -> TemplateExpression {
        let line = self.line
        var items: [TemplateExpression] = []
        var sawComma = false
        while true {
            if !items.isEmpty {
                guard skipOp(",") else { break }
                sawComma = true
                if isTupleEnd(extraEnds) { break }
            }
            items.append(withConditional ? try expression() : try orExpression())
        }
        if !sawComma { return items[0] }
        return TemplateExpression(kind: .tuple(items), line: line)
    }

    private func isTupleEnd(_ extraEnds: Set<String>) -> Bool {
        switch current.kind {
        case .variableEnd, .blockEnd, .end: return true
        case .op(let o): return o == ")" || o == "]"
        case .name(let n): return n == "in" || extraEnds.contains(n)
        default: return false
        }
    }

    mutating func expression() throws -> TemplateExpression {
        let line = self.line
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth, depth < 16 || stack.hasRoom() else { throw fail("expressions nest too deeply") }
        var e = try orExpression()
        while skipName("if") {
            let condition = try orExpression()
            let otherwise = skipName("else") ? try expression() : nil
            e = TemplateExpression(kind: .conditional(condition: condition, then: e, otherwise: otherwise), line: line)
        }
        return e
    }

    private mutating func orExpression() throws -> TemplateExpression {
        var e = try andExpression()
        while isName("or") {
            let line = next().line
            e = TemplateExpression(kind: .or(e, try andExpression()), line: line)
        }
        return e
    }

    private mutating func andExpression() throws -> TemplateExpression {
        var e = try notExpression()
        while isName("and") {
            let line = next().line
            e = TemplateExpression(kind: .and(e, try notExpression()), line: line)
        }
        return e
    }

    private mutating func notExpression() throws -> TemplateExpression {
        if isName("not") {
            let line = next().line
            return TemplateExpression(kind: .not(try notExpression()), line: line)
        }
        return try comparison()
    }

    private mutating func comparison() throws -> TemplateExpression {
        let line = self.line
        let first = try sum()
        var rest: [(String, TemplateExpression)] = []
        while true {
            if case .op(let o) = current.kind, ["==", "!=", "<", "<=", ">", ">="].contains(o) {
                i += 1
                rest.append((o, try sum()))
            } else if skipName("in") {
                rest.append(("in", try sum()))
            } else if isName("not"), i + 1 < tokens.count, tokens[i + 1].kind == .name("in") {
                i += 2
                rest.append(("not in", try sum()))
            } else {
                break
            }
        }
        return rest.isEmpty ? first : TemplateExpression(kind: .compare(first, rest), line: line)
    }

    private mutating func binaryLevel(_ ops: [String], _ operand: (inout TemplateParser) throws -> TemplateExpression) throws -> TemplateExpression {
        var e = try operand(&self)
        while case .op(let o) = current.kind, ops.contains(o) {
            let line = next().line
            e = TemplateExpression(kind: .binary(o, e, try operand(&self)), line: line)
        }
        return e
    }

    private mutating func sum() throws -> TemplateExpression { try binaryLevel(["+", "-"]) { try $0.concatenation() } }
    private mutating func concatenation() throws -> TemplateExpression { try binaryLevel(["~"]) { try $0.product() } }
    private mutating func product() throws -> TemplateExpression { try binaryLevel(["*", "/", "//", "%"]) { try $0.power() } }
    private mutating func power() throws -> TemplateExpression { try binaryLevel(["**"]) { try $0.unary(withFilters: true) } }

    private mutating func unary(withFilters: Bool) throws -> TemplateExpression {
        let line = self.line
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth, depth < 16 || stack.hasRoom() else { throw fail("expressions nest too deeply") }
        var e: TemplateExpression
        if isOp("-") || isOp("+") {
            guard case .op(let o) = next().kind else { fatalError("unreachable") }
            e = TemplateExpression(kind: .unary(o, try unary(withFilters: false)), line: line)
        } else {
            e = try primary()
        }
        e = try postfix(e)
        if withFilters { e = try filtersAndTests(e) }
        return e
    }

    private mutating func primary() throws -> TemplateExpression {
        let token = next()
        let line = token.line
        switch token.kind {
        case .name(let n):
            switch n {
            case "true", "True": return TemplateExpression(kind: .literal(.bool(true)), line: line)
            case "false", "False": return TemplateExpression(kind: .literal(.bool(false)), line: line)
            case "none", "None": return TemplateExpression(kind: .literal(.none), line: line)
            default: return TemplateExpression(kind: .name(n), line: line)
            }
        case .string(var s):
            while case .string(let more) = current.kind { s += more; i += 1 }
            return TemplateExpression(kind: .literal(.string(s)), line: line)
        case .integer(let n): return TemplateExpression(kind: .literal(.int(n)), line: line)
        case .float(let d): return TemplateExpression(kind: .literal(.double(d)), line: line)
        case .op("("):
            if skipOp(")") { return TemplateExpression(kind: .tuple([]), line: line) }
            var items: [TemplateExpression] = [try expression()]
            var isTuple = false
            while skipOp(",") {
                isTuple = true
                if isOp(")") { break }
                items.append(try expression())
            }
            try expectOp(")")
            return isTuple ? TemplateExpression(kind: .tuple(items), line: line) : items[0]
        case .op("["):
            var items: [TemplateExpression] = []
            while !skipOp("]") {
                if !items.isEmpty { try expectOp(","); if skipOp("]") { break } }
                items.append(try expression())
            }
            return TemplateExpression(kind: .list(items), line: line)
        case .op("{"):
            var pairs: [(TemplateExpression, TemplateExpression)] = []
            while !skipOp("}") {
                if !pairs.isEmpty { try expectOp(","); if skipOp("}") { break } }
                let key = try expression()
                try expectOp(":")
                pairs.append((key, try expression()))
            }
            return TemplateExpression(kind: .dict(pairs), line: line)
        default:
            throw fail("unexpected \(describe(token.kind))", line: line)
        }
    }

    private mutating func postfix(_ base: TemplateExpression) throws -> TemplateExpression {
        var e = base
        while true {
            let line = self.line
            if skipOp(".") {
                switch next().kind {
                case .name(let n): e = TemplateExpression(kind: .attribute(e, n), line: line)
                case .integer(let n): e = TemplateExpression(kind: .item(e, TemplateExpression(kind: .literal(.int(n)), line: line)), line: line)
                default: throw fail("expected an attribute name after '.'")
                }
            } else if skipOp("[") {
                e = try subscripted(e, line: line)
            } else if isOp("(") {
                e = TemplateExpression(kind: .call(e, try callArguments()), line: line)
            } else {
                return e
            }
        }
    }

    private mutating func subscripted(_ base: TemplateExpression, line: Int) throws -> TemplateExpression {
        func sliceEnd(_ p: TemplateParser) -> Bool { p.isOp(":") || p.isOp("]") }
        var start: TemplateExpression?
        if !isOp(":") { start = try expression() }
        if let start, skipOp("]") {
            return TemplateExpression(kind: .item(base, start), line: line)
        }
        if let start, isOp(",") {
            var items = [start]
            while skipOp(",") { if isOp("]") { break }; items.append(try expression()) }
            try expectOp("]")
            return TemplateExpression(kind: .item(base, TemplateExpression(kind: .tuple(items), line: line)), line: line)
        }
        try expectOp(":")
        let stop: TemplateExpression? = sliceEnd(self) ? nil : try expression()
        var step: TemplateExpression?
        if skipOp(":") { step = isOp("]") ? nil : try expression() }
        try expectOp("]")
        return TemplateExpression(kind: .slice(base, start, stop, step), line: line)
    }

    private mutating func callArguments() throws -> [CallArgument] {
        try expectOp("(")
        var args: [CallArgument] = []
        while !skipOp(")") {
            if !args.isEmpty { try expectOp(","); if skipOp(")") { break } }
            if skipOp("**") {
                args.append(CallArgument(style: .spreadDict, value: try expression()))
            } else if skipOp("*") {
                args.append(CallArgument(style: .spreadList, value: try expression()))
            } else if case .name(let n) = current.kind, i + 1 < tokens.count, tokens[i + 1].kind == .op("=") {
                i += 2
                args.append(CallArgument(style: .keyword(n), value: try expression()))
            } else {
                args.append(CallArgument(style: .positional, value: try expression()))
            }
        }
        return args
    }

    private mutating func dottedName() throws -> String {
        var name = try expectName()
        while skipOp(".") { name += "." + (try expectName()) }
        return name
    }

    private mutating func filtersAndTests(_ base: TemplateExpression) throws -> TemplateExpression {
        var e = base
        while true {
            let line = self.line
            if skipOp("|") {
                let name = try dottedName()
                let args = isOp("(") ? try callArguments() : []
                e = TemplateExpression(kind: .filter(e, name, args), line: line)
            } else if skipName("is") {
                let negated = skipName("not")
                let name = try dottedName()
                var args: [CallArgument] = []
                if isOp("(") {
                    args = try callArguments()
                } else if startsTestArgument() {
                    let argument = try postfix(try primary())
                    args = [CallArgument(style: .positional, value: argument)]
                }
                e = TemplateExpression(kind: .test(e, name, args, negated: negated), line: line)
            } else if isOp("(") {
                e = TemplateExpression(kind: .call(e, try callArguments()), line: line)
            } else {
                return e
            }
        }
    }

    /// Whether the token after a test name is an argument written without parentheses
    /// (`is divisibleby 3`, `is sameas false`).
    private func startsTestArgument() -> Bool {
        switch current.kind {
        case .name(let n): return !["else", "or", "and", "if", "is", "in", "not"].contains(n)
        case .string, .integer, .float: return true
        case .op(let o): return o == "[" || o == "{"
        default: return false
        }
    }
}
