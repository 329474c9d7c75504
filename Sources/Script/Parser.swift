/// Recursive-descent parser for the Apus subset of Python, building executable nodes and
/// recording scopes for the resolver. Errors carry the position CPython would report.
final class Parser {
    var toks: [Token]
    var p = 0
    let source: SourceFile
    var scope: Scope
    var loopDepth = 0
    var funcDepth = 0
    var classNames: [String] = []
    /// Number of yield expressions parsed so far, to mark statements that contain one.
    var yieldCount = 0
    var qualPrefix: [String] = []

    init(tokens: [Token], source: SourceFile, scope: Scope, lexError: SyntaxErrorInfo? = nil) {
        toks = tokens; self.source = source; self.scope = scope; self.lexError = lexError
    }

    static let keywords: Set<String> = ["False", "None", "True", "and", "as", "assert", "async", "await", "break",
        "class", "continue", "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if",
        "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield"]

    // MARK: token helpers
    var tok: Token { toks[p] }
    func peekTok(_ k: Int = 1) -> Token { toks[min(p + k, toks.count - 1)] }
    func isOp(_ s: String) -> Bool { tok.kind == .op && tok.text == s }
    func isKw(_ s: String) -> Bool { tok.kind == .name && tok.text == s }
    @discardableResult func advance() -> Token { let t = toks[p]; if p < toks.count - 1 { p += 1 }; return t }
    func accept(_ s: String) -> Bool { if isOp(s) || isKw(s) { advance(); return true }; return false }
    var prevEnd: SourcePos { p > 0 ? toks[p - 1].end : tok.start }

    /// The lexer's error, reported when parsing reaches the `.error` token.
    var lexError: SyntaxErrorInfo? = nil

    func fail(_ msg: String = "invalid syntax", at t: Token? = nil) -> SyntaxErrorInfo {
        if tok.kind == .error, let le = lexError, t == nil || t!.start.line > le.pos.line || (t!.start.line == le.pos.line && t!.start.col >= le.pos.col) { return le }
        let t = t ?? tok
        // A generic error past the line of a bracket that is never closed is reported as the
        // unclosed bracket, which is what CPython's parser ends up saying.
        if msg == "invalid syntax", let le = lexError, le.message.hasSuffix("was never closed"), t.start.line > le.pos.line { return le }
        if t.kind == .indent { return SyntaxErrorInfo(kind: "IndentationError", message: "unexpected indent", pos: t.start) }
        if t.kind == .eof && msg == "invalid syntax" {
            return SyntaxErrorInfo(message: "unexpected EOF while parsing", pos: t.start)
        }
        return SyntaxErrorInfo(message: msg, pos: t.start)
    }
    func expect(_ s: String, _ msg: String? = nil) throws {
        if !accept(s) { throw fail(msg ?? "invalid syntax") }
    }
    func expectName() throws -> Token {
        guard tok.kind == .name, !Parser.keywords.contains(tok.text) else { throw fail() }
        return advance()
    }
    func newName(_ t: Token) -> Name {
        let n = Name(t.text, t.start, t.end)
        scope.uses.append(n)
        return n
    }
    func bindingName(_ text: String, _ s: SourcePos, _ e: SourcePos) -> Name {
        let n = Name(text, s, e); scope.uses.append(n); scope.bind(text); return n
    }

    // MARK: module and blocks
    func parseModule() throws -> [Stmt] {
        var body: [Stmt] = []
        while tok.kind != .eof {
            if tok.kind == .error { throw fail() }
            if tok.kind == .newline { advance(); continue }
            body.append(contentsOf: try parseStatement())
        }
        return body
    }

    func parseBlock(_ what: String, _ headerLine: Int) throws -> [Stmt] {
        if !accept(":") { throw fail("expected ':'") }
        if tok.kind != .newline { return try parseSimpleStatements() }
        advance()
        guard tok.kind == .indent else {
            throw SyntaxErrorInfo(kind: "IndentationError", message: "expected an indented block after \(what) on line \(headerLine)", pos: tok.start)
        }
        advance()
        var body: [Stmt] = []
        while tok.kind != .dedent && tok.kind != .eof {
            if tok.kind == .error { throw fail() }
            if tok.kind == .newline { advance(); continue }
            body.append(contentsOf: try parseStatement())
        }
        if tok.kind == .dedent { advance() }
        return body
    }

    func parseStatement() throws -> [Stmt] {
        let before = yieldCount
        let stmts = try parseStatementUnmarked()
        if yieldCount > before { for s in stmts { s.hasYield = true } }
        return stmts
    }

    func parseStatementUnmarked() throws -> [Stmt] {
        if tok.kind == .indent { throw fail() }
        if tok.kind == .name {
            switch tok.text {
            case "if": return [try parseIf()]
            case "while": return [try parseWhile()]
            case "for": return [try parseFor()]
            case "try": return [try parseTry()]
            case "with": return [try parseWith()]
            case "def": return [try parseDef([])]
            case "class": return [try parseClass([])]
            default: break
            }
        }
        if isOp("@") { return [try parseDecorated()] }
        return try parseSimpleStatements()
    }

    func parseSimpleStatements() throws -> [Stmt] {
        func marked() throws -> Stmt {
            let before = yieldCount
            let s = try parseSimple()
            if yieldCount > before { s.hasYield = true }
            return s
        }
        var out: [Stmt] = [try marked()]
        while accept(";") {
            if tok.kind == .newline { break }
            out.append(try marked())
        }
        if tok.kind != .newline && tok.kind != .eof {
            throw fail()
        }
        if tok.kind == .newline { advance() }
        return out
    }

    func parseSimple() throws -> Stmt {
        let t = tok
        let s = t.start
        if t.kind == .name {
            switch t.text {
            case "pass": advance(); return Pass(s, prevEnd)
            case "break":
                advance(); if loopDepth == 0 { throw fail("'break' outside loop", at: t) }; return Break(s, prevEnd)
            case "continue":
                advance(); if loopDepth == 0 { throw fail("'continue' not properly in loop", at: t) }; return Continue(s, prevEnd)
            case "return":
                advance()
                if funcDepth == 0 { throw fail("'return' outside function", at: t) }
                let v = atEndOfSimple ? nil : try parseTestListStar()
                return Return(v, s, prevEnd)
            case "raise":
                advance()
                var x: Expr? = nil, c: Expr? = nil
                if !atEndOfSimple { x = try parseTest(); if accept("from") { c = try parseTest() } }
                return Raise(x, c, s, prevEnd)
            case "global", "nonlocal":
                advance()
                var names: [String] = []
                repeat {
                    let n = try expectName()
                    names.append(n.text)
                    if t.text == "global" { scope.globals.insert(n.text) } else { scope.nonlocals.insert(n.text) }
                } while accept(",")
                return ScopeDecl(names, t.text == "global", s, prevEnd)
            case "del":
                advance()
                var targets: [Expr] = []
                repeat { let e = try parseBitOr(); try markStore(e, del: true); targets.append(e) } while accept(",") && !atEndOfSimple
                return Del(targets, s, prevEnd)
            case "assert":
                advance()
                let test = try parseTest()
                let msg = accept(",") ? try parseTest() : nil
                return Assert(test, msg, s, prevEnd)
            case "import": return try parseImport()
            case "from": return try parseFromImport()
            default: break
            }
        }
        let e = try parseTestListStar(allowYield: true)
        if isOp("=") {
            var targets: [Expr] = [e]
            var value: Expr = e
            while accept("=") {
                value = isKw("yield") ? try parseYield() : try parseTestListStar()
                targets.append(value)
            }
            targets.removeLast()
            for t in targets { try markStore(t) }
            return Assign(targets, value, s, prevEnd)
        }
        if tok.kind == .op, let op = Parser.augOps[tok.text] {
            let opTok = advance()
            if !(e is Name || e is Attribute || e is Subscript) {
                throw fail("'\(e.describe)' is an illegal expression for augmented assignment", at: Token(kind: .op, text: "", start: e.start, end: e.start))
            }
            _ = opTok
            let v = isKw("yield") ? try parseYield() : try parseTestListStar()
            try markStore(e)
            return AugAssign(e, op, v, s, prevEnd)
        }
        if isOp(":") {
            advance()
            _ = try parseTest()     // annotation: evaluated by nobody
            var v: Expr? = nil
            if accept("=") { v = try parseTestListStar() }
            try markStore(e)
            return AnnAssign(e, v, s, prevEnd)
        }
        return ExprStmt(e)
    }

    static let augOps: [String: BinOpKind] = ["+=": .add, "-=": .sub, "*=": .mul, "/=": .div, "//=": .floordiv, "%=": .mod,
        "**=": .pow, "@=": .matmul, "<<=": .lshift, ">>=": .rshift, "&=": .band, "|=": .bor, "^=": .bxor]

    var atEndOfSimple: Bool { tok.kind == .newline || tok.kind == .eof || isOp(";") }

    /// Records the names an assignment target binds, and rejects targets that cannot be assigned.
    func markStore(_ e: Expr, del: Bool = false) throws {
        switch e {
        case let n as Name:
            if ["None", "True", "False", "__debug__"].contains(n.name) { throw fail("cannot assign to \(n.name)", at: tokAt(e)) }
            scope.bind(n.name)
        case let t as TupleExpr: for x in t.elts { try markStore(x, del: del) }
        case let l as ListExpr: for x in l.elts { try markStore(x, del: del) }
        case let s as Starred: try markStore(s.value, del: del)
        case is Attribute, is Subscript: break
        case let c as Const where ["None", "True", "False"].contains(c.describe):
            throw fail("cannot assign to \(c.describe)", at: tokAt(e))
        default:
            let verb = del ? "delete" : "assign to"
            if del { throw fail("cannot \(verb) \(e.describe)", at: tokAt(e)) }
            throw fail("cannot \(verb) \(e.describe) here. Maybe you meant '==' instead of '='?", at: tokAt(e))
        }
    }
    func tokAt(_ e: Expr) -> Token { Token(kind: .op, text: "", start: e.start, end: e.start) }

    func parseImport() throws -> Stmt {
        let s = advance().start
        var names: [(String, Name)] = []
        repeat {
            let n0 = try expectName()
            var dotted = n0.text
            while accept(".") { dotted += "." + (try expectName()).text }
            if accept("as") {
                let a = try expectName()
                names.append((dotted, bindingName(a.text, a.start, a.end)))
            } else {
                let first = String(dotted.split(separator: ".")[0])
                names.append((dotted, bindingName(first, n0.start, n0.end)))
            }
        } while accept(",")
        return Import(names, s, prevEnd)
    }

    func parseFromImport() throws -> Stmt {
        let s = advance().start
        var mod = ""
        while isOp(".") || isOp("...") { mod += advance().text }
        if !isKw("import") {
            mod += (try expectName()).text
            while accept(".") { mod += "." + (try expectName()).text }
        }
        if !accept("import") { throw fail() }
        var names: [(String, Name?)] = []
        if accept("*") { return ImportFrom(mod, [("*", nil)], s, prevEnd) }
        let paren = accept("(")
        repeat {
            if paren && isOp(")") { break }
            let n = try expectName()
            if accept("as") { let a = try expectName(); names.append((n.text, bindingName(a.text, a.start, a.end))) }
            else { names.append((n.text, bindingName(n.text, n.start, n.end))) }
        } while accept(",")
        if paren { try expect(")") }
        return ImportFrom(mod, names, s, prevEnd)
    }

    // MARK: compound statements
    func parseIf() throws -> Stmt {
        let before = yieldCount
        let t = advance()
        let cond = try parseNamedTest()
        let body = try parseBlock("'\(t.text)' statement", t.start.line)
        var orelse: [Stmt] = []
        if isKw("elif") { orelse = [try parseIf()] }
        else if isKw("else") { let e = advance(); orelse = try parseBlock("'else' statement", e.start.line) }
        let node = If(cond, body, orelse, t.start, prevEnd)
        node.hasYield = yieldCount > before
        return node
    }

    func parseWhile() throws -> Stmt {
        let t = advance()
        let cond = try parseNamedTest()
        loopDepth += 1
        let body = try parseBlock("'while' statement", t.start.line)
        loopDepth -= 1
        var orelse: [Stmt] = []
        if isKw("else") { let e = advance(); orelse = try parseBlock("'else' statement", e.start.line) }
        return While(cond, body, orelse, t.start, prevEnd)
    }

    func parseFor() throws -> Stmt {
        let t = advance()
        let target = try parseTargetList()
        try markStore(target)
        if !accept("in") { throw fail() }
        let iter = try parseTestListStar()
        loopDepth += 1
        let body = try parseBlock("'for' statement", t.start.line)
        loopDepth -= 1
        var orelse: [Stmt] = []
        if isKw("else") { let e = advance(); orelse = try parseBlock("'else' statement", e.start.line) }
        return For(target, iter, body, orelse, t.start, prevEnd)
    }

    /// Targets of for loops and comprehensions: expressions up to `in`.
    func parseTargetList() throws -> Expr {
        let s = tok.start
        var elts: [Expr] = []
        var trailingComma = false
        repeat {
            if isKw("in") { break }
            if isOp("*") { let st = advance().start; let v = try parseBitOr(); elts.append(Starred(v, st, prevEnd)) }
            else { elts.append(try parseBitOr()) }
            trailingComma = isOp(",")
        } while accept(",")
        if elts.count == 1 && !trailingComma { return elts[0] }
        return TupleExpr(elts, s, prevEnd)
    }

    func parseTry() throws -> Stmt {
        let t = advance()
        let body = try parseBlock("'try' statement", t.start.line)
        var handlers: [Handler] = []
        var orelse: [Stmt] = [], fin: [Stmt] = []
        while isKw("except") {
            let e = advance()
            var type: Expr? = nil, name: Expr? = nil
            if !isOp(":") {
                type = try parseTest()
                if isOp(",") {
                    var elts = [type!]
                    while accept(",") { elts.append(try parseTest()) }
                    type = TupleExpr(elts, type!.start, prevEnd)
                }
                if accept("as") { let n = try expectName(); name = bindingName(n.text, n.start, n.end) }
            }
            let hb = try parseBlock("'except' statement", e.start.line)
            handlers.append(Handler(type: type, name: name, body: hb, line: e.start.line))
        }
        if isKw("else") { let e = advance(); orelse = try parseBlock("'else' statement", e.start.line) }
        if isKw("finally") { let e = advance(); fin = try parseBlock("'finally' statement", e.start.line) }
        if handlers.isEmpty && fin.isEmpty { throw fail("expected 'except' or 'finally' block") }
        return Try(body, handlers, orelse, fin, t.start, prevEnd)
    }

    func parseWith() throws -> Stmt {
        let t = advance()
        var items: [(Expr, Expr?)] = []
        let paren = isOp("(") && withHasParenItems()
        if paren { advance() }
        repeat {
            if paren && isOp(")") { break }
            let cm = try parseTest()
            var target: Expr? = nil
            if accept("as") { target = try parseBitOr(); try markStore(target!) }
            items.append((cm, target))
        } while accept(",")
        if paren { try expect(")") }
        let body = try parseBlock("'with' statement", t.start.line)
        return WithStmt(items, body, t.start, prevEnd)
    }
    func withHasParenItems() -> Bool {
        // `with (a as b, c):` — look for `as` at depth 1 before the matching paren.
        var depth = 0; var k = p
        while k < toks.count {
            let t = toks[k]
            if t.kind == .op && "([{".contains(t.text) { depth += 1 }
            if t.kind == .op && ")]}".contains(t.text) { depth -= 1; if depth == 0 { return toks[k + 1].kind == .op && toks[k + 1].text == ":" && false || hasAsInside(p, k) } }
            k += 1
        }
        return false
    }
    func hasAsInside(_ a: Int, _ b: Int) -> Bool { toks[a...b].contains { $0.kind == .name && $0.text == "as" } }
    func parseTargetAtom() throws -> Expr {
        if isOp("(") || isOp("[") { return try parseAtomExpr() }
        return try parseTargetList()
    }

    func parseDecorated() throws -> Stmt {
        var decs: [Expr] = []
        while accept("@") {
            decs.append(try parseNamedTest())
            guard tok.kind == .newline else { throw fail() }
            advance()
        }
        if isKw("def") { return try parseDef(decs) }
        if isKw("class") { return try parseClass(decs) }
        throw fail()
    }

    struct ParamSpec { var code: FunctionCode; var defaults: [Expr]; var kwDefaults: [(String, Expr)] }

    /// Parses a parameter list up to `close` (")" for def, ":" for lambda), in the enclosing scope.
    func parseParams(_ code: FunctionCode, close: String, allowAnnotations: Bool) throws -> ParamSpec {
        var defaults: [Expr] = [], kwd: [(String, Expr)] = []
        var seenStar = false
        var seen: Set<String> = []
        func checkDup(_ t: Token) throws {
            if seen.contains(t.text) { throw fail("duplicate argument '\(t.text)' in function definition", at: t) }
            seen.insert(t.text)
        }
        while !isOp(close) {
            if accept("/") { code.posOnlyCount = code.params.count }
            else if accept("**") {
                let n = try expectName(); try checkDup(n); code.varKw = n.text
                if allowAnnotations && accept(":") { _ = try parseTest() }
            } else if accept("*") {
                seenStar = true
                if tok.kind == .name { let n = try expectName(); try checkDup(n); code.varArgs = n.text
                    if allowAnnotations && accept(":") { _ = try parseTest() } }
            } else {
                let n = try expectName(); try checkDup(n)
                if allowAnnotations && accept(":") { _ = try parseTest() }
                if accept("=") {
                    let d = try parseTest()
                    if seenStar { kwd.append((n.text, d)) } else { defaults.append(d) }
                } else if !seenStar && !defaults.isEmpty {
                    throw fail("non-default argument follows default argument", at: n)
                }
                if seenStar { code.kwOnly.append(n.text) } else { code.params.append(n.text) }
            }
            if !accept(",") { break }
        }
        return ParamSpec(code: code, defaults: defaults, kwDefaults: kwd)
    }

    func qualname(_ name: String) -> String { (qualPrefix + [name]).joined(separator: ".") }

    func parseDef(_ decs: [Expr]) throws -> Stmt {
        let t = advance()
        let nt = try expectName()
        let code = FunctionCode(name: nt.text, qualname: qualname(nt.text), source: source, firstLine: t.start.line)
        try expect("(", "expected '('")
        let spec = try parseParams(code, close: ")", allowAnnotations: true)
        try expect(")")
        if accept("->") { _ = try parseTest() }
        let target = bindingName(nt.text, nt.start, nt.end)
        let fscope = Scope(.function, parent: scope, code: code)
        for n in code.params + code.kwOnly { fscope.bind(n) }
        if let v = code.varArgs { fscope.bind(v) }
        if let v = code.varKw { fscope.bind(v) }
        let saved = (scope, loopDepth, funcDepth)
        scope = fscope; loopDepth = 0; funcDepth += 1
        qualPrefix.append(nt.text); qualPrefix.append("<locals>")
        defer { qualPrefix.removeLast(2) }
        let body = try parseBlock("function definition", t.start.line)
        (scope, loopDepth, funcDepth) = saved
        code.body = body
        code.isGenerator = fscope.hasYield
        code.doc = docstring(body)
        return FunctionDef(code, spec.defaults, spec.kwDefaults, decs, target, decs.isEmpty ? t.start : decs[0].start, prevEnd)
    }

    func docstring(_ body: [Stmt]) -> String? {
        if let e = body.first as? ExprStmt, let c = e.value as? Const, case .str(let s) = c.value { return s }
        return nil
    }

    func parseClass(_ decs: [Expr]) throws -> Stmt {
        let t = advance()
        let nt = try expectName()
        var bases: [Expr] = [], kws: [(String, Expr)] = []
        if accept("(") {
            while !isOp(")") {
                if tok.kind == .name && peekTok().kind == .op && peekTok().text == "=" {
                    let k = advance(); advance(); kws.append((k.text, try parseTest()))
                } else { bases.append(try parseTest()) }
                if !accept(",") { break }
            }
            try expect(")")
        }
        let target = bindingName(nt.text, nt.start, nt.end)
        let code = FunctionCode(name: nt.text, qualname: qualname(nt.text), source: source, firstLine: t.start.line)
        let cscope = Scope(.classBody, parent: scope, code: code)
        let saved = (scope, loopDepth, funcDepth)
        scope = cscope; loopDepth = 0
        qualPrefix.append(nt.text)
        defer { qualPrefix.removeLast() }
        let body = try parseBlock("class definition", t.start.line)
        (scope, loopDepth, funcDepth) = saved
        code.body = body
        code.doc = docstring(body)
        return ClassDef(nt.text, bases, kws, body, decs, code, target, decs.isEmpty ? t.start : decs[0].start, prevEnd)
    }

    // MARK: expressions
    /// A comma-separated list that becomes a tuple when there is a comma (starred items allowed).
    func parseTestListStar(allowYield: Bool = false) throws -> Expr {
        if allowYield && isKw("yield") { return try parseYield() }
        let s = tok.start
        let first = try parseStarOrNamed()
        if !isOp(",") { return first }
        var elts = [first]
        while accept(",") {
            if atExprEnd { break }
            elts.append(try parseStarOrNamed())
        }
        return TupleExpr(elts, s, prevEnd)
    }
    var atExprEnd: Bool {
        if tok.kind == .newline || tok.kind == .eof { return true }
        if tok.kind == .op { return ["=", ")", "]", "}", ":", ";"].contains(tok.text) || Parser.augOps[tok.text] != nil }
        return tok.kind == .name && (tok.text == "in")
    }
    func parseStarOrNamed() throws -> Expr {
        if isOp("*") { let s = advance().start; let v = try parseBitOr(); return Starred(v, s, prevEnd) }
        return try parseNamedTest()
    }

    func parseYield() throws -> Expr {
        let t = advance()
        markYield(t)
        if accept("from") { let v = try parseTest(); return YieldFrom(v, t.start, prevEnd) }
        if atExprEnd { return Yield(nil, t.start, prevEnd) }
        let v = try parseTestListStar()
        return Yield(v, t.start, prevEnd)
    }
    func markYield(_ t: Token) {
        yieldCount += 1
        var s: Scope? = scope
        while let sc = s, sc.kind == .inline { s = sc.parent }
        s?.hasYield = true
    }

    func parseNamedTest() throws -> Expr {
        if tok.kind == .name && peekTok().kind == .op && peekTok().text == ":=" {
            let n = advance(); advance()
            let v = try parseTest()
            // The walrus binds in the enclosing function, not the comprehension.
            var s = scope
            while s.kind == .inline, let pr = s.parent { s = pr }
            let target = Name(n.text, n.start, n.end)
            s.uses.append(target); s.bind(n.text)
            return NamedExpr(target, v, n.start, prevEnd)
        }
        return try parseTest()
    }

    func parseTest() throws -> Expr {
        if isKw("lambda") { return try parseLambda() }
        let s = tok.start
        let a = try parseOr()
        if isKw("if") {
            advance()
            let c = try parseOr()
            if !accept("else") { throw fail("expected 'else' after 'if' expression", at: tokAt(a)) }
            let b = try parseTest()
            return IfExp(c, a, b, s, prevEnd)
        }
        return a
    }
    func parseTestNoCond() throws -> Expr { isKw("lambda") ? try parseLambda() : try parseOr() }

    func parseLambda() throws -> Expr {
        let t = advance()
        let code = FunctionCode(name: "<lambda>", qualname: qualname("<lambda>"), source: source, firstLine: t.start.line)
        let spec = try parseParams(code, close: ":", allowAnnotations: false)
        try expect(":")
        let fscope = Scope(.function, parent: scope, code: code)
        for n in code.params + code.kwOnly { fscope.bind(n) }
        if let v = code.varArgs { fscope.bind(v) }
        if let v = code.varKw { fscope.bind(v) }
        let saved = (scope, funcDepth)
        scope = fscope; funcDepth += 1
        let body = try parseTest()
        (scope, funcDepth) = saved
        code.body = [Return(body, body.start, prevEnd)]
        code.isGenerator = fscope.hasYield
        return Lambda(code, spec.defaults, spec.kwDefaults, t.start, prevEnd)
    }

    func parseOr() throws -> Expr {
        let s = tok.start
        let a = try parseAnd()
        if !isKw("or") { return a }
        var v = [a]
        while accept("or") { v.append(try parseAnd()) }
        return BoolOp(false, v, s, prevEnd)
    }
    func parseAnd() throws -> Expr {
        let s = tok.start
        let a = try parseNot()
        if !isKw("and") { return a }
        var v = [a]
        while accept("and") { v.append(try parseNot()) }
        return BoolOp(true, v, s, prevEnd)
    }
    func parseNot() throws -> Expr {
        if isKw("not") { let s = advance().start; let x = try parseNot(); return UnaryOp(.not, x, s, prevEnd) }
        return try parseComparison()
    }
    func parseComparison() throws -> Expr {
        let s = tok.start
        let a = try parseBitOr()
        var ops: [CmpOp] = [], rest: [Expr] = []
        while true {
            var op: CmpOp? = nil
            if tok.kind == .op, let o = CmpOp(rawValue: tok.text), ["<", ">", "==", ">=", "<=", "!="].contains(tok.text) { op = o; advance() }
            else if isKw("in") { advance(); op = .isIn }
            else if isKw("not") && peekTok().kind == .name && peekTok().text == "in" { advance(); advance(); op = .notIn }
            else if isKw("is") { advance(); op = accept("not") ? .isNot : .is_ }
            guard let o = op else { break }
            ops.append(o); rest.append(try parseBitOr())
        }
        return ops.isEmpty ? a : Compare(a, ops, rest, s, prevEnd)
    }
    func parseBinary(_ ops: [String: BinOpKind], _ next: () throws -> Expr) throws -> Expr {
        let s = tok.start
        var a = try next()
        while tok.kind == .op, let op = ops[tok.text] {
            advance()
            let b = try next()
            a = BinOp(op, a, b, s, prevEnd)
        }
        return a
    }
    func parseBitOr() throws -> Expr { try parseBinary(["|": .bor]) { try parseXor() } }
    func parseXor() throws -> Expr { try parseBinary(["^": .bxor]) { try parseBitAnd() } }
    func parseBitAnd() throws -> Expr { try parseBinary(["&": .band]) { try parseShift() } }
    func parseShift() throws -> Expr { try parseBinary(["<<": .lshift, ">>": .rshift]) { try parseArith() } }
    func parseArith() throws -> Expr { try parseBinary(["+": .add, "-": .sub]) { try parseTerm() } }
    func parseTerm() throws -> Expr { try parseBinary(["*": .mul, "/": .div, "//": .floordiv, "%": .mod, "@": .matmul]) { try parseFactor() } }
    func parseFactor() throws -> Expr {
        if tok.kind == .op, ["-", "+", "~"].contains(tok.text) {
            let t = advance()
            let x = try parseFactor()
            if t.text == "-", let c = x as? Const {
                if case .int(let i) = c.value { return Const(.int(-i), t.start, prevEnd) }
                if case .float(let d) = c.value { return Const(.float(-d), t.start, prevEnd) }
            }
            return UnaryOp(t.text == "-" ? .neg : t.text == "+" ? .pos : .invert, x, t.start, prevEnd)
        }
        return try parsePower()
    }
    func parsePower() throws -> Expr {
        let s = tok.start
        let a = try parseAtomExpr()
        if accept("**") { let b = try parseFactor(); return BinOp(.pow, a, b, s, prevEnd) }
        return a
    }

    func parseAtomExpr() throws -> Expr {
        let s = tok.start
        var e = try parseAtom()
        while true {
            if isOp("(") {
                advance()
                let args = try parseCallArgs()
                try expect(")")
                if let a = e as? Attribute { e = MethodCall(a.obj, a.name, args, s, prevEnd) }
                else { e = Call(e, args, s, prevEnd) }
            } else if isOp("[") {
                advance()
                let idx = try parseSubscriptList()
                try expect("]")
                e = Subscript(e, idx, s, prevEnd)
            } else if isOp(".") {
                advance()
                let n = try expectName()
                e = Attribute(e, n.text, s, prevEnd)
            } else { break }
        }
        return e
    }

    func parseCallArgs() throws -> [CallArg] {
        var args: [CallArg] = []
        var sawKw = false
        while !isOp(")") {
            if accept("*") { args.append(.star(try parseTest())) }
            else if accept("**") { args.append(.starstar(try parseTest())); sawKw = true }
            else if tok.kind == .name && peekTok().kind == .op && peekTok().text == "=" {
                let n = advance(); advance()
                args.append(.kw(n.text, try parseTest())); sawKw = true
            } else {
                let mark = beginCompMark()
                let startTok = tok
                let e = try parseNamedTest()
                if isKw("for") {
                    args.append(.pos(try parseComprehension(.gen, e, nil, mark, startTok.start)))
                    if args.count > 1 || isOp(",") && !(peekTok().kind == .op && peekTok().text == ")") {
                        throw fail("Generator expression must be parenthesized", at: startTok)
                    }
                } else {
                    if sawKw {
                        throw fail("positional argument follows keyword argument", at: startTok)
                    }
                    args.append(.pos(e))
                }
            }
            if !accept(",") { break }
        }
        return args
    }

    func parseSubscriptList() throws -> Expr {
        let s = tok.start
        let first = try parseSubscriptItem()
        if !isOp(",") { return first }
        var elts = [first]
        while accept(",") { if isOp("]") { break }; elts.append(try parseSubscriptItem()) }
        return TupleExpr(elts, s, prevEnd)
    }
    func parseSubscriptItem() throws -> Expr {
        let s = tok.start
        var lo: Expr? = nil
        if !isOp(":") {
            if isOp("*") { let st = advance().start; return Starred(try parseBitOr(), st, prevEnd) }
            lo = try parseNamedTest()
            if !isOp(":") { return lo! }
        }
        advance()
        var hi: Expr? = nil, step: Expr? = nil
        if !isOp(":") && !isOp("]") && !isOp(",") { hi = try parseTest() }
        if accept(":") { if !isOp("]") && !isOp(",") { step = try parseTest() } }
        return SliceExpr(lo, hi, step, s, prevEnd)
    }

    struct CompMark { var uses: Int; var children: Int }
    func beginCompMark() -> CompMark { CompMark(uses: scope.uses.count, children: scope.children.count) }

    enum CompKind { case list, set, dict, gen }

    /// Parses `for ... in ... [if ...]` clauses after the element expression(s) were parsed in
    /// the current scope; moves their name uses into the new comprehension scope.
    func parseComprehension(_ kind: CompKind, _ elt: Expr, _ value: Expr?, _ mark: CompMark, _ start: SourcePos) throws -> Expr {
        let outer = scope
        let code: FunctionCode? = kind == .gen ? FunctionCode(name: "<genexpr>", qualname: qualname("<genexpr>"), source: source, firstLine: start.line) : nil
        let cs = Scope(kind == .gen ? .genexp : .inline, parent: outer, code: code)
        // Move uses and child scopes created while parsing the element into the new scope.
        cs.uses = Array(outer.uses[mark.uses...]); outer.uses.removeSubrange(mark.uses...)
        let movedChildren = Array(outer.children[mark.children..<(outer.children.count - 1)])
        outer.children.removeSubrange(mark.children..<(outer.children.count - 1))
        for c in movedChildren { c.parent = cs }
        cs.children = movedChildren
        var clauses: [CompClause] = []
        var first = true
        while isKw("for") {
            advance()
            scope = cs
            let target = try parseTargetList()
            try markStore(target)
            if !accept("in") { scope = outer; throw fail() }
            // The first iterable is evaluated in the enclosing scope.
            scope = first ? outer : cs
            let iter = try parseOr()
            scope = cs
            var conds: [Expr] = []
            while isKw("if") { advance(); conds.append(try parseTestNoCond()) }
            clauses.append(CompClause(target: target, iter: iter, conds: conds))
            first = false
        }
        scope = outer
        let end = prevEnd
        switch kind {
        case .list: return Comprehension(.list, elt, nil, clauses, start, end)
        case .set: return Comprehension(.set, elt, nil, clauses, start, end)
        case .dict: return Comprehension(.dict, elt, value, clauses, start, end)
        case .gen:
            let g = GeneratorExp(elt, clauses, start, end)
            g.code = code
            return g
        }
    }

    func parseAtom() throws -> Expr {
        let t = tok
        switch t.kind {
        case .int: advance(); return Const(.int(t.intValue), t.start, t.end)
        case .float: advance(); return Const(.float(t.floatValue), t.start, t.end)
        case .string, .fstring: return try parseStrings()
        case .name:
            switch t.text {
            case "None": advance(); return Const(.none, t.start, t.end)
            case "True": advance(); return Const(.bool(true), t.start, t.end)
            case "False": advance(); return Const(.bool(false), t.start, t.end)
            case "yield": throw fail("'yield' outside of parentheses is not allowed here")
            default:
                if Parser.keywords.contains(t.text) { throw fail() }
                advance()
                return newName(t)
            }
        case .op:
            switch t.text {
            case "(":
                advance()
                if accept(")") { return TupleExpr([], t.start, prevEnd) }
                if isKw("yield") { let y = try parseYield(); try expect(")"); return y }
                let mark = beginCompMark()
                let first = try parseStarOrNamed()
                if isKw("for") {
                    let g = try parseComprehension(.gen, first, nil, mark, t.start)
                    try expect(")")
                    return g
                }
                if accept(")") {
                    if first is Starred { throw fail("cannot use starred expression here", at: t) }
                    return first
                }
                var elts = [first]
                while accept(",") {
                    if isOp(")") { break }
                    elts.append(try parseStarOrNamed())
                }
                try expect(")")
                return TupleExpr(elts, t.start, prevEnd)
            case "[":
                advance()
                if accept("]") { return ListExpr([], t.start, prevEnd) }
                let mark = beginCompMark()
                let first = try parseStarOrNamed()
                if isKw("for") {
                    let c = try parseComprehension(.list, first, nil, mark, t.start)
                    try expect("]")
                    return c
                }
                var elts = [first]
                while accept(",") { if isOp("]") { break }; elts.append(try parseStarOrNamed()) }
                try expect("]")
                return ListExpr(elts, t.start, prevEnd)
            case "{":
                advance()
                if accept("}") { return DictExpr([], [], t.start, prevEnd) }
                let mark = beginCompMark()
                if accept("**") {
                    var keys: [Expr?] = [nil], vals: [Expr] = [try parseBitOr()]
                    try parseDictRest(&keys, &vals)
                    return DictExpr(keys, vals, t.start, prevEnd)
                }
                let first = try parseStarOrNamed()
                if accept(":") {
                    let v = try parseTest()
                    if isKw("for") {
                        let c = try parseComprehension(.dict, first, v, mark, t.start)
                        try expect("}")
                        return c
                    }
                    var keys: [Expr?] = [first], vals = [v]
                    try parseDictRest(&keys, &vals)
                    return DictExpr(keys, vals, t.start, prevEnd)
                }
                if isKw("for") {
                    let c = try parseComprehension(.set, first, nil, mark, t.start)
                    try expect("}")
                    return c
                }
                var elts = [first]
                while accept(",") { if isOp("}") { break }; elts.append(try parseStarOrNamed()) }
                try expect("}")
                return SetExpr(elts, t.start, prevEnd)
            case "...":
                advance(); return Const(.obj(Builtins.ellipsis), t.start, t.end)
            default: break
            }
        default: break
        }
        throw fail()
    }

    func parseDictRest(_ keys: inout [Expr?], _ vals: inout [Expr]) throws {
        while accept(",") {
            if isOp("}") { break }
            if accept("**") { keys.append(nil); vals.append(try parseBitOr()); continue }
            keys.append(try parseTest())
            try expect(":", "':' expected after dictionary key")
            vals.append(try parseTest())
        }
        try expect("}")
    }

    /// Adjacent string literals concatenate; any f-string among them makes the whole an f-string.
    func parseStrings() throws -> Expr {
        let s = tok.start
        var parts: [FPart] = []
        var isF = false
        while tok.kind == .string || tok.kind == .fstring {
            let t = advance()
            if t.kind == .string { parts.append(.text(t.text)) }
            else { isF = true; parts.append(contentsOf: try parseFString(t)) }
        }
        if !isF {
            var text = ""
            for case .text(let x) in parts { text += x }
            return Const(.str(text), s, prevEnd)
        }
        return FString(parts, s, prevEnd)
    }

    func parseFString(_ t: Token) throws -> [FPart] {
        let body = Array(t.rawBody.unicodeScalars)
        var k = 0
        return try parseFParts(body, &k, t, inSpec: false)
    }

    func parseFParts(_ body: [Unicode.Scalar], _ k: inout Int, _ t: Token, inSpec: Bool) throws -> [FPart] {
        var parts: [FPart] = []
        var lit: [Unicode.Scalar] = []
        func flush() throws {
            if !lit.isEmpty {
                parts.append(.text(t.isRaw ? String(String.UnicodeScalarView(lit)) : try Lexer.unescape(lit, at: t.start)))
                lit = []
            }
        }
        while k < body.count {
            let c = body[k]
            if c == "{" {
                if !inSpec && k + 1 < body.count && body[k + 1] == "{" { lit.append("{"); k += 2; continue }
                try flush()
                k += 1
                parts.append(try parseFField(body, &k, t))
                continue
            }
            if c == "}" {
                if inSpec { break }
                if k + 1 < body.count && body[k + 1] == "}" { lit.append("}"); k += 2; continue }
                throw SyntaxErrorInfo(message: "f-string: single '}' is not allowed", pos: t.start)
            }
            if c == "\\" && !t.isRaw && k + 1 < body.count { lit.append(c); lit.append(body[k + 1]); k += 2; continue }
            lit.append(c); k += 1
        }
        try flush()
        return parts
    }

    func parseFField(_ body: [Unicode.Scalar], _ k: inout Int, _ t: Token) throws -> FPart {
        let start = k
        var depth = 0
        var quote: Unicode.Scalar? = nil
        while k < body.count {
            let c = body[k]
            if let q = quote { if c == q { quote = nil }; k += 1; continue }
            if c == "'" || c == "\"" { quote = c; k += 1; continue }
            if c == "(" || c == "[" || c == "{" { depth += 1 }
            else if c == ")" || c == "]" || c == "}" {
                if depth == 0 { break }
                depth -= 1
            } else if depth == 0 && c == "!" && k + 1 < body.count && body[k + 1] != "=" { break }
            else if depth == 0 && c == ":" { break }
            else if depth == 0 && c == "=" && k > start && !"=!<>".unicodeScalars.contains(body[k - 1]) && k + 1 < body.count && body[k + 1] != "=" {
                var m = k + 1
                while m < body.count && body[m] == " " { m += 1 }
                if m < body.count && (body[m] == "}" || body[m] == "!" || body[m] == ":") { break }
            }
            k += 1
        }
        let exprText = String(String.UnicodeScalarView(body[start..<k]))
        if exprText.trimmingCharacters(in: .whitespaces).isEmpty {
            throw SyntaxErrorInfo(message: "f-string: empty expression not allowed", pos: t.end)
        }
        var debugText: String? = nil
        if k < body.count && body[k] == "=" {
            k += 1
            var ws = ""
            while k < body.count && body[k] == " " { ws += " "; k += 1 }
            debugText = exprText + "=" + ws
        }
        var conv: Character? = nil
        if k < body.count && body[k] == "!" {
            k += 1
            guard k < body.count, "rsa".unicodeScalars.contains(body[k]) else {
                throw SyntaxErrorInfo(message: "f-string: invalid conversion character: expected 's', 'r', or 'a'", pos: t.start)
            }
            conv = Character(body[k]); k += 1
        }
        var spec: [FPart]? = nil
        if k < body.count && body[k] == ":" {
            k += 1
            spec = try parseFParts(body, &k, t, inSpec: true)
        }
        guard k < body.count, body[k] == "}" else {
            throw SyntaxErrorInfo(message: "f-string: expecting '}'", pos: t.start)
        }
        k += 1
        // Parse the embedded expression with the same scope so names resolve normally.
        var lx = Lexer("(" + exprText + ")")
        lx.line = t.bodyStart.line
        var sub = try lx.tokenize()
        if var e = lx.lexError { e.message = "f-string: " + e.message; throw e }
        sub.removeAll { $0.kind == .newline }
        let sp = Parser(tokens: sub, source: source, scope: scope)
        sp.funcDepth = funcDepth; sp.loopDepth = loopDepth; sp.qualPrefix = qualPrefix
        let e: Expr
        do { e = try sp.parseTestListStar() } catch var err as SyntaxErrorInfo {
            err.message = "f-string: " + err.message; throw err
        }
        if sp.tok.kind != .eof { throw SyntaxErrorInfo(message: "f-string: invalid syntax", pos: t.start) }
        return .expr(e, conv: conv, spec: spec, debugText: debugText)
    }
}

import Foundation
