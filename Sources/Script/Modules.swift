import Foundation

/// The modules scripts can import. Each is built on first import; other front-ends register
/// more (e.g. `torch`) with `Modules.register`.
public enum Modules {
    nonisolated(unsafe) static var factories: [String: () throws -> PyModule] = builtinFactories()
    nonisolated(unsafe) static var cache: [String: PyModule] = [:]

    /// Makes `import name` produce the module built by `factory`.
    public static func register(_ name: String, _ factory: @escaping () throws -> PyModule) {
        factories[name] = factory
        cache.removeValue(forKey: name)
    }

    static func importModule(_ name: String) throws -> Value {
        if let m = cache[name] { return .obj(m) }
        guard let f = factories[name] else {
            throw Interp.error("ModuleNotFoundError", "No module named '\(name)'")
        }
        let m = try f()
        cache[name] = m
        return .obj(m)
    }

    static func fn(_ name: String, _ f: @escaping NativeFn) -> Value { .obj(PyBuiltin(name, f)) }
    static func num(_ v: Value) throws -> Double {
        if let d = numericValue(v) { return d }
        if Interp.isInstanceLike(v) { return try Builtins.toFloat(v) }
        throw Interp.typeError("must be real number, not \(Interp.typeName(v))")
    }

    static func builtinFactories() -> [String: () throws -> PyModule] {
        var f: [String: () throws -> PyModule] = [:]
        f["math"] = makeMath
        f["random"] = makeRandom
        f["json"] = { JSONModule.make() }
        f["time"] = makeTime
        f["os"] = makeOS
        f["os.path"] = makeOSPath
        f["sys"] = makeSys
        f["dataclasses"] = makeDataclasses
        f["collections"] = makeCollections
        f["itertools"] = { Itertools.make() }
        f["functools"] = makeFunctools
        f["threading"] = { Threading.make() }
        f["typing"] = { PyModule("typing", ["Any": .none, "List": .obj(Builtins.listClass), "Dict": .obj(Builtins.dictClass),
                                             "Optional": .none, "Tuple": .obj(Builtins.tupleClass), "Union": .none, "Callable": .none,
                                             "Iterable": .none, "Iterator": .none, "Set": .obj(Builtins.setClass)]) }
        f["string"] = { PyModule("string", ["ascii_lowercase": .str("abcdefghijklmnopqrstuvwxyz"), "ascii_uppercase": .str("ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
                                             "ascii_letters": .str("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"), "digits": .str("0123456789"),
                                             "punctuation": .str("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")]) }
        return f
    }

    static func makeMath() -> PyModule {
        var a: [String: Value] = ["pi": .float(Double.pi), "e": .float(M_E), "tau": .float(2 * Double.pi), "inf": .float(.infinity), "nan": .float(.nan)]
        let unary: [(String, (Double) -> Double)] = [("sqrt", { $0.squareRoot() }), ("exp", Foundation.exp), ("sin", Foundation.sin),
            ("cos", Foundation.cos), ("tan", Foundation.tan), ("asin", Foundation.asin), ("acos", Foundation.acos), ("atan", Foundation.atan),
            ("sinh", Foundation.sinh), ("cosh", Foundation.cosh), ("tanh", Foundation.tanh), ("log2", Foundation.log2), ("log10", Foundation.log10),
            ("fabs", Swift.abs), ("erf", Foundation.erf), ("erfc", Foundation.erfc), ("expm1", Foundation.expm1), ("log1p", Foundation.log1p),
            ("degrees", { $0 * 180 / Double.pi }), ("radians", { $0 * Double.pi / 180 }), ("gamma", Foundation.tgamma), ("lgamma", Foundation.lgamma)]
        for (n, op) in unary {
            a[n] = fn(n) { args, _ in
                try Builtins.want(n, args, 1, 1)
                let x = try num(args[0])
                if (n == "sqrt" && x < 0) || ((n == "log2" || n == "log10") && x <= 0) || ((n == "asin" || n == "acos") && abs(x) > 1) {
                    throw Interp.valueError("math domain error")
                }
                let r = op(x)
                if r.isInfinite && x.isFinite && n == "exp" { throw Interp.error("OverflowError", "math range error") }
                return .float(r)
            }
        }
        a["log"] = fn("log") { args, _ in
            let x = try num(args[0])
            if x <= 0 { throw Interp.valueError("math domain error") }
            if args.count > 1 { return .float(Foundation.log(x) / Foundation.log(try num(args[1]))) }
            return .float(Foundation.log(x))
        }
        a["pow"] = fn("pow") { args, _ in .float(Foundation.pow(try num(args[0]), try num(args[1]))) }
        a["atan2"] = fn("atan2") { args, _ in .float(Foundation.atan2(try num(args[0]), try num(args[1]))) }
        a["hypot"] = fn("hypot") { args, _ in .float(Foundation.sqrt(try args.reduce(0.0) { $0 + (try num($1)) * (try num($1)) })) }
        a["fmod"] = fn("fmod") { args, _ in .float(Foundation.fmod(try num(args[0]), try num(args[1]))) }
        a["copysign"] = fn("copysign") { args, _ in .float(Foundation.copysign(try num(args[0]), try num(args[1]))) }
        for n in ["floor", "ceil", "trunc"] {
            a[n] = fn(n) { args, _ in
                try Builtins.want(n, args, 1, 1)
                if case .int = args[0] { return args[0] }
                let x = try num(args[0])
                if x.isNaN { throw Interp.valueError("cannot convert float NaN to integer") }
                if x.isInfinite { throw Interp.error("OverflowError", "cannot convert float infinity to integer") }
                guard let r = Int(exactly: n == "floor" ? Foundation.floor(x) : n == "ceil" ? Foundation.ceil(x) : Foundation.trunc(x)) else { throw Interp.overflow() }
                return .int(r)
            }
        }
        a["isnan"] = fn("isnan") { args, _ in .bool(try num(args[0]).isNaN) }
        a["isinf"] = fn("isinf") { args, _ in .bool(try num(args[0]).isInfinite) }
        a["isfinite"] = fn("isfinite") { args, _ in .bool(try num(args[0]).isFinite) }
        a["isclose"] = fn("isclose") { args, kw in
            let x = try num(args[0]), y = try num(args[1])
            let rt = try Builtins.kwarg(kw, "rel_tol").map(num) ?? 1e-9, at = try Builtins.kwarg(kw, "abs_tol").map(num) ?? 0
            if x == y { return .bool(true) }
            return .bool(abs(x - y) <= max(rt * max(abs(x), abs(y)), at))
        }
        a["factorial"] = fn("factorial") { args, _ in
            let n = try Builtins.intArg(args[0])
            if n < 0 { throw Interp.valueError("factorial() not defined for negative values") }
            var r = 1
            for k in stride(from: 2, through: n, by: 1) { let (p, o) = r.multipliedReportingOverflow(by: k); if o { throw Interp.overflow() }; r = p }
            return .int(r)
        }
        a["gcd"] = fn("gcd") { args, _ in
            var g = 0
            for v in args { var x = abs(try Builtins.intArg(v)); var y = g; while y != 0 { (x, y) = (y, x % y) }; g = x }
            return .int(g)
        }
        a["lcm"] = fn("lcm") { args, _ in
            var l = 1
            for v in args { let x = abs(try Builtins.intArg(v)); if x == 0 { return .int(0) }; var p = l, q = x; while q != 0 { (p, q) = (q, p % q) }; l = l / p * x }
            return .int(l)
        }
        a["comb"] = fn("comb") { args, _ in
            let n = try Builtins.intArg(args[0]); var k = try Builtins.intArg(args[1])
            if k < 0 || k > n { return .int(0) }
            k = min(k, n - k); var r = 1
            for i in 0..<k { r = r * (n - i) / (i + 1) }
            return .int(r)
        }
        a["perm"] = fn("perm") { args, _ in
            let n = try Builtins.intArg(args[0]); let k = args.count > 1 ? try Builtins.intArg(args[1]) : n
            if k > n { return .int(0) }
            var r = 1; for i in 0..<k { r *= (n - i) }; return .int(r)
        }
        a["prod"] = fn("prod") { args, kw in
            var acc: Value = Builtins.kwarg(kw, "start") ?? .int(1)
            try Interp.forEach(args[0]) { acc = try Interp.binary(.mul, acc, $0); return true }
            return acc
        }
        a["fsum"] = fn("fsum") { args, _ in
            var s = 0.0, c = 0.0
            try Interp.forEach(args[0]) { v in let y = try num(v) - c; let t = s + y; c = (t - s) - y; s = t; return true }
            return .float(s)
        }
        a["isqrt"] = fn("isqrt") { args, _ in
            let n = try Builtins.intArg(args[0])
            if n < 0 { throw Interp.valueError("isqrt() argument must be nonnegative") }
            var r = Int(Double(n).squareRoot())
            while r * r > n { r -= 1 }
            while (r + 1) * (r + 1) <= n { r += 1 }
            return .int(r)
        }
        return PyModule("math", a, doc: "Mathematical functions.")
    }

    static func makeTime() -> PyModule {
        let start = Date()
        return PyModule("time", [
            "time": fn("time") { _, _ in .float(Date().timeIntervalSince1970) },
            "perf_counter": fn("perf_counter") { _, _ in .float(Date().timeIntervalSince(start)) },
            "monotonic": fn("monotonic") { _, _ in .float(ProcessInfo.processInfo.systemUptime) },
            "process_time": fn("process_time") { _, _ in .float(Double(clock()) / Double(CLOCKS_PER_SEC)) },
            "sleep": fn("sleep") { a, _ in
                var left = try num(a[0])
                while left > 0 { try checkInterrupt(); let s = min(left, 0.05); Thread.sleep(forTimeInterval: s); left -= s }
                return Value.none
            },
            "perf_counter_ns": fn("perf_counter_ns") { _, _ in .int(Int(Date().timeIntervalSince(start) * 1e9)) },
            "time_ns": fn("time_ns") { _, _ in .int(Int(Date().timeIntervalSince1970 * 1e9)) },
            "strftime": fn("strftime") { a, _ in
                guard case .str(let f) = a[0] else { return .str("") }
                var t = time(nil); var tmv = tm(); localtime_r(&t, &tmv)
                var buf = [Int8](repeating: 0, count: 256)
                let n = strftime(&buf, 256, f, &tmv)
                return .str(String(cString: Array(buf[0..<n]) + [0]))
            },
        ])
    }

    static func osError(_ path: String, _ err: Int32) -> PyError {
        let name: String
        switch err {
        case ENOENT: name = "FileNotFoundError"
        case EEXIST: name = "FileExistsError"
        case EACCES, EPERM: name = "PermissionError"
        case EISDIR: name = "IsADirectoryError"
        case ENOTDIR: name = "NotADirectoryError"
        default: name = "OSError"
        }
        return Interp.error(name, args: [.int(Int(err)), .str(String(cString: strerror(err))), .str(path)])
    }

    static func pathArg(_ v: Value) throws -> String {
        guard case .str(let s) = v else { throw Interp.typeError("expected str, bytes or os.PathLike object, not \(Interp.typeName(v))") }
        return s
    }

    static func makeOSPath() -> PyModule {
        let fm = FileManager.default
        return PyModule("os.path", [
            "join": fn("join") { a, _ in
                var out = ""
                for v in a { let s = try pathArg(v); if s.hasPrefix("/") { out = s } else if out.isEmpty || out.hasSuffix("/") { out += s } else { out += "/" + s } }
                return .str(out)
            },
            "exists": fn("exists") { a, _ in .bool(fm.fileExists(atPath: try pathArg(a[0]))) },
            "isfile": fn("isfile") { a, _ in var d: ObjCBool = false; return .bool(fm.fileExists(atPath: try pathArg(a[0]), isDirectory: &d) && !d.boolValue) },
            "isdir": fn("isdir") { a, _ in var d: ObjCBool = false; return .bool(fm.fileExists(atPath: try pathArg(a[0]), isDirectory: &d) && d.boolValue) },
            "basename": fn("basename") { a, _ in let s = try pathArg(a[0]); return .str(s.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? "") },
            "dirname": fn("dirname") { a, _ in
                let s = try pathArg(a[0])
                guard let i = s.lastIndex(of: "/") else { return .str("") }
                let d = String(s[..<i]); return .str(d.isEmpty ? "/" : d)
            },
            "split": fn("split") { a, _ in
                let s = try pathArg(a[0])
                guard let i = s.lastIndex(of: "/") else { return .tuple([.str(""), .str(s)]) }
                let d = String(s[..<i]); return .tuple([.str(d.isEmpty ? "/" : d), .str(String(s[s.index(after: i)...]))])
            },
            "splitext": fn("splitext") { a, _ in
                let s = try pathArg(a[0])
                let base = s.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? s
                guard let i = base.lastIndex(of: "."), i != base.startIndex, base[..<i].contains(where: { $0 != "." }) else { return .tuple([.str(s), .str("")]) }
                let ext = String(base[i...])
                return .tuple([.str(String(s.dropLast(ext.count))), .str(ext)])
            },
            "abspath": fn("abspath") { a, _ in
                let s = try pathArg(a[0])
                return .str(s.hasPrefix("/") ? (s as NSString).standardizingPath : (fm.currentDirectoryPath + "/" + s as NSString).standardizingPath)
            },
            "expanduser": fn("expanduser") { a, _ in .str((try pathArg(a[0]) as NSString).expandingTildeInPath) },
            "getsize": fn("getsize") { a, _ in
                let p = try pathArg(a[0])
                guard let attrs = try? fm.attributesOfItem(atPath: p) else { throw osError(p, ENOENT) }
                return .int((attrs[.size] as? Int) ?? 0)
            },
            "sep": .str("/"),
        ])
    }

    static func makeOS() throws -> PyModule {
        let fm = FileManager.default
        let env = PyDict()
        for (k, v) in ProcessInfo.processInfo.environment.sorted(by: { $0.key < $1.key }) { env.set(.str(k), .str(v)) }
        guard case .obj(let po) = try importModule("os.path") else { throw Interp.error("ImportError", "os.path") }
        return PyModule("os", [
            "path": .obj(po),
            "environ": .obj(env),
            "sep": .str("/"), "linesep": .str("\n"), "name": .str("posix"),
            "getcwd": fn("getcwd") { _, _ in .str(fm.currentDirectoryPath) },
            "listdir": fn("listdir") { a, _ in
                let p = a.isEmpty ? "." : try pathArg(a[0])
                guard let items = try? fm.contentsOfDirectory(atPath: p) else { throw osError(p, ENOENT) }
                return .list(items.map { .str($0) })
            },
            "makedirs": fn("makedirs") { a, kw in
                let p = try pathArg(a[0])
                let existOk = try Builtins.kwarg(kw, "exist_ok").map(Interp.truthy) ?? false
                if fm.fileExists(atPath: p) && !existOk { throw osError(p, EEXIST) }
                try? fm.createDirectory(atPath: p, withIntermediateDirectories: true)
                return Value.none
            },
            "mkdir": fn("mkdir") { a, _ in
                let p = try pathArg(a[0])
                if mkdir(p, 0o777) != 0 { throw osError(p, errno) }
                return Value.none
            },
            "remove": fn("remove") { a, _ in let p = try pathArg(a[0]); if unlink(p) != 0 { throw osError(p, errno) }; return Value.none },
            "rmdir": fn("rmdir") { a, _ in let p = try pathArg(a[0]); if rmdir(p) != 0 { throw osError(p, errno) }; return Value.none },
            "rename": fn("rename") { a, _ in let p = try pathArg(a[0]); if rename(p, try pathArg(a[1])) != 0 { throw osError(p, errno) }; return Value.none },
            "getenv": fn("getenv") { a, _ in
                let k = try pathArg(a[0])
                return ProcessInfo.processInfo.environment[k].map { .str($0) } ?? (a.count > 1 ? a[1] : .none)
            },
            "getpid": fn("getpid") { _, _ in .int(Int(getpid())) },
            "cpu_count": fn("cpu_count") { _, _ in .int(ProcessInfo.processInfo.activeProcessorCount) },
        ])
    }

    /// sys.stdout / sys.stderr: write() and flush() go to the session's output sink.
    final class StreamObject: NativeObject {
        let kind: StreamKind
        init(_ k: StreamKind) { kind = k }
        var typeName: String { "TextIOWrapper" }
        func getAttribute(_ name: String) throws -> Value? {
            switch name {
            case "write": return .obj(PyBuiltin("write") { [kind] a, _ in
                guard let v = a.first, case .str(let s) = v else { throw Interp.typeError("write() argument must be str") }
                Runtime.sink.write(s, to: kind); return .int(s.unicodeScalars.count) })
            case "flush": return .obj(PyBuiltin("flush") { _, _ in Runtime.sink.flush(); return Value.none })
            case "isatty": return .obj(PyBuiltin("isatty") { _, _ in .bool(false) })
            default: return nil
            }
        }
        func repr() throws -> String { "<_io.TextIOWrapper name='<\(kind == .stdout ? "stdout" : "stderr")>' mode='w' encoding='utf-8'>" }
    }

    static func makeSys() -> PyModule {
        PyModule("sys", [
            "argv": .list(Runtime.argv.map { .str($0) }),
            "stdout": .obj(PyNative(StreamObject(.stdout))),
            "stderr": .obj(PyNative(StreamObject(.stderr))),
            "version": .str("3.11.0 (apus)"),
            "version_info": .tuple([.int(3), .int(11), .int(0)]),
            "platform": .str("linux"),
            "maxsize": .int(Int.max),
            "path": .list([]),
            "modules": .obj(PyDict()),
            "exit": fn("exit") { a, _ in throw Interp.error("SystemExit", args: a) },
            "getrecursionlimit": fn("getrecursionlimit") { _, _ in .int(Interp.recursionLimit) },
            "setrecursionlimit": fn("setrecursionlimit") { a, _ in
                // Capped so deep recursion raises RecursionError instead of exhausting the native stack.
                Interp.recursionLimit = max(50, min(try Builtins.intArg(a[0]), 8000)); return Value.none },
        ])
    }

    static func makeFunctools() -> PyModule {
        PyModule("functools", [
            "partial": fn("partial") { a, kw in
                guard let f = a.first else { throw Interp.typeError("type 'partial' takes at least one argument") }
                let bound = Array(a.dropFirst())
                let p = PyBuiltin("partial") { b, kw2 in
                    var merged = kw
                    for (k, v) in kw2 { merged.removeAll { $0.0 == k }; merged.append((k, v)) }
                    return try Interp.call(f, bound + b, merged)
                }
                return .obj(p)
            },
            "reduce": fn("reduce") { a, _ in
                let f = a[0]
                var acc: Value? = a.count > 2 ? a[2] : nil
                try Interp.forEach(a[1]) { x in acc = try acc.map { try Interp.call(f, [$0, x]) } ?? x; return true }
                guard let r = acc else { throw Interp.typeError("reduce() of empty iterable with no initial value") }
                return r
            },
            "wraps": fn("wraps") { a, _ in
                let wrapped = a[0]
                return .obj(PyBuiltin("wraps") { b, _ in
                    if case .obj(let o) = b[0], let f = o as? PyFunction, case .obj(let wo) = wrapped, let w = wo as? PyFunction {
                        f.name = w.name; f.qualname = w.qualname
                    }
                    return b[0]
                })
            },
            "lru_cache": fn("lru_cache") { a, _ in
                func wrap(_ f: Value) -> Value {
                    let cache = PyDict()
                    return .obj(PyBuiltin("lru_cache") { args, _ in
                        let key = Value.tuple(args)
                        if let v = cache.get(key) { return v }
                        let v = try Interp.call(f, args); cache.set(key, v); return v
                    })
                }
                if let f = a.first, case .obj(let o) = f, o is PyFunction { return wrap(f) }
                return .obj(PyBuiltin("decorator") { b, _ in wrap(b[0]) })
            },
            "cmp_to_key": fn("cmp_to_key") { a, _ in
                let cmp = a[0]
                let cls = PyClass(name: "K", base: Builtins.objectClass)
                cls.dict["__lt__"] = .obj(PyBuiltin("__lt__") { b, _ in
                    guard case .obj(let x) = b[0], let xi = x as? PyInstance, case .obj(let y) = b[1], let yi = y as? PyInstance else { return .bool(false) }
                    let r = try Interp.call(cmp, [xi.attrs["obj"]!, yi.attrs["obj"]!])
                    return .bool(try Interp.truthy(try Interp.compare(.lt, r, .int(0))))
                })
                return .obj(PyBuiltin("cmp_to_key") { b, _ in let i = PyInstance(cls); i.attrs["obj"] = b[0]; return .obj(i) })
            },
        ])
    }

    static func makeCollections() -> PyModule {
        PyModule("collections", [
            "defaultdict": .obj(Builtins.defaultdictClass),
            "Counter": .obj(Builtins.counterClass),
            "OrderedDict": .obj(Builtins.orderedDictClass),
            "namedtuple": fn("namedtuple") { a, _ in
                guard case .str(let name) = a[0] else { throw Interp.typeError("namedtuple() name must be str") }
                var fields: [String] = []
                if case .str(let s) = a[1] { fields = s.replacingOccurrences(of: ",", with: " ").split(separator: " ").map(String.init) }
                else { fields = try Interp.toArray(a[1]).map { try Interp.str($0) } }
                return .obj(Dataclasses.namedTuple(name, fields))
            },
            "deque": fn("deque") { a, _ in .list(a.isEmpty ? [] : try Interp.toArray(a[0])) },
        ])
    }

    static func makeDataclasses() -> PyModule {
        PyModule("dataclasses", [
            "dataclass": fn("dataclass") { a, kw in
                if let c = a.first, case .obj(let o) = c, let cls = o as? PyClass { return try Dataclasses.apply(cls, kw) }
                return .obj(PyBuiltin("dataclass") { b, _ in
                    guard case .obj(let o) = b[0], let cls = o as? PyClass else { throw Interp.typeError("dataclass() should be called on a class") }
                    return try Dataclasses.apply(cls, kw)
                })
            },
            "field": fn("field") { _, kw in
                let i = PyInstance(Dataclasses.fieldClass)
                for (k, v) in kw { i.attrs[k] = v }
                return .obj(i)
            },
            "asdict": fn("asdict") { a, _ in try Dataclasses.asdict(a[0]) },
            "fields": fn("fields") { a, _ in
                guard case .obj(let o) = a[0] else { return .tuple([]) }
                let cls = (o as? PyClass) ?? (o as? PyInstance)?.cls
                return .tuple((cls?.dataclassFields ?? []).map { n in let f = PyInstance(Dataclasses.fieldClass); f.attrs["name"] = .str(n); return .obj(f) })
            },
            "FrozenInstanceError": .obj(Builtins.exceptionClass("FrozenInstanceError")),
        ])
    }
}
