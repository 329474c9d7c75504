/// The itertools functions scripts commonly use.
enum Itertools {
    static func iterator(_ name: String, _ items: [Value]) -> Value {
        var i = 0
        return .obj(PyIterator(name) { if i < items.count { i += 1; return items[i - 1] }; return nil })
    }
    static func make() -> PyModule {
        let fn = Modules.fn
        return PyModule("itertools", [
            "count": fn("count") { a, _ in
                var n = a.first ?? .int(0); let step = a.count > 1 ? a[1] : .int(1)
                return .obj(PyIterator("count") { let r = n; n = try Interp.binary(.add, n, step); return r })
            },
            "repeat": fn("repeat") { a, _ in
                let v = a[0]; var left = a.count > 1 ? try Builtins.intArg(a[1]) : -1
                return .obj(PyIterator("repeat") { if left == 0 { return nil }; if left > 0 { left -= 1 }; return v })
            },
            "cycle": fn("cycle") { a, _ in
                let items = try Interp.toArray(a[0]); var i = 0
                return .obj(PyIterator("cycle") { if items.isEmpty { return nil }; i += 1; return items[(i - 1) % items.count] })
            },
            "chain": fn("chain") { a, _ in
                var k = 0; var cur: Value? = nil
                return .obj(PyIterator("chain") {
                    while true {
                        if cur == nil { if k >= a.count { return nil }; cur = try Interp.iter(a[k]); k += 1 }
                        if let x = try Interp.next(cur!) { return x }
                        cur = nil
                    }
                })
            },
            "islice": fn("islice") { a, _ in
                let it = try Interp.iter(a[0])
                var start = 0, stop: Int? = nil, step = 1
                if a.count == 2 { stop = a[1].isNone ? nil : try Builtins.intArg(a[1]) }
                else if a.count >= 3 {
                    start = a[1].isNone ? 0 : try Builtins.intArg(a[1])
                    stop = a[2].isNone ? nil : try Builtins.intArg(a[2])
                    if a.count > 3 && !a[3].isNone { step = try Builtins.intArg(a[3]) }
                }
                var pos = 0, nextIdx = start
                return .obj(PyIterator("islice") {
                    while true {
                        if let s = stop, nextIdx >= s { return nil }
                        guard let x = try Interp.next(it) else { return nil }
                        pos += 1
                        if pos - 1 == nextIdx { nextIdx += step; return x }
                    }
                })
            },
            "product": fn("product") { a, kw in
                let rep = try Builtins.kwarg(kw, "repeat").map { try Builtins.intArg($0) } ?? 1
                var pools: [[Value]] = []
                let base = try a.map { try Interp.toArray($0) }
                for _ in 0..<rep { pools += base }
                var result: [[Value]] = [[]]
                for p in pools { result = result.flatMap { r in p.map { r + [$0] } } }
                return iterator("product", result.map { .tuple($0) })
            },
            "permutations": fn("permutations") { a, _ in
                let pool = try Interp.toArray(a[0])
                let r = a.count > 1 && !a[1].isNone ? try Builtins.intArg(a[1]) : pool.count
                var out: [Value] = []
                func rec(_ cur: [Int]) {
                    if cur.count == r { out.append(.tuple(cur.map { pool[$0] })); return }
                    for i in 0..<pool.count where !cur.contains(i) { rec(cur + [i]) }
                }
                if r <= pool.count { rec([]) }
                return iterator("permutations", out)
            },
            "combinations": fn("combinations") { a, _ in
                let pool = try Interp.toArray(a[0]); let r = try Builtins.intArg(a[1])
                var out: [Value] = []
                func rec(_ start: Int, _ cur: [Value]) {
                    if cur.count == r { out.append(.tuple(cur)); return }
                    if start >= pool.count { return }
                    for i in start..<pool.count { rec(i + 1, cur + [pool[i]]) }
                }
                rec(0, [])
                return iterator("combinations", out)
            },
            "combinations_with_replacement": fn("combinations_with_replacement") { a, _ in
                let pool = try Interp.toArray(a[0]); let r = try Builtins.intArg(a[1])
                var out: [Value] = []
                func rec(_ start: Int, _ cur: [Value]) {
                    if cur.count == r { out.append(.tuple(cur)); return }
                    if start >= pool.count { return }
                    for i in start..<pool.count { rec(i, cur + [pool[i]]) }
                }
                rec(0, [])
                return iterator("combinations_with_replacement", out)
            },
            "accumulate": fn("accumulate") { a, kw in
                let it = try Interp.iter(a[0])
                let f = a.count > 1 ? a[1] : Builtins.kwarg(kw, "func")
                var acc: Value? = Builtins.kwarg(kw, "initial")
                var emittedInitial = acc == nil
                return .obj(PyIterator("accumulate") {
                    if !emittedInitial { emittedInitial = true; return acc }
                    guard let x = try Interp.next(it) else { return nil }
                    if let cur = acc { acc = try f.map { try Interp.call($0, [cur, x]) } ?? Interp.binary(.add, cur, x) } else { acc = x }
                    return acc
                })
            },
            "groupby": fn("groupby") { a, kw in
                let items = try Interp.toArray(a[0])
                let key = a.count > 1 ? a[1] : Builtins.kwarg(kw, "key")
                var groups: [Value] = []
                var curKey: Value? = nil; var cur: [Value] = []
                for x in items {
                    let k = try key.flatMap { $0.isNone ? nil : $0 }.map { try Interp.call($0, [x]) } ?? x
                    if let ck = curKey, try Interp.equals(ck, k) { cur.append(x) } else {
                        if let ck = curKey { groups.append(.tuple([ck, iterator("_grouper", cur)])) }
                        curKey = k; cur = [x]
                    }
                }
                if let ck = curKey { groups.append(.tuple([ck, iterator("_grouper", cur)])) }
                return iterator("groupby", groups)
            },
            "zip_longest": fn("zip_longest") { a, kw in
                let fill = Builtins.kwarg(kw, "fillvalue") ?? Value.none
                let lists = try a.map { try Interp.toArray($0) }
                let n = lists.map(\.count).max() ?? 0
                return iterator("zip_longest", (0..<n).map { i in .tuple(lists.map { i < $0.count ? $0[i] : fill }) })
            },
            "starmap": fn("starmap") { a, _ in
                let f = a[0]; let it = try Interp.iter(a[1])
                return .obj(PyIterator("starmap") { guard let x = try Interp.next(it) else { return nil }; return try Interp.call(f, try Interp.toArray(x)) })
            },
            "takewhile": fn("takewhile") { a, _ in
                let f = a[0]; let it = try Interp.iter(a[1]); var done = false
                return .obj(PyIterator("takewhile") {
                    if done { return nil }
                    guard let x = try Interp.next(it) else { return nil }
                    if try Interp.truthy(try Interp.call(f, [x])) { return x }
                    done = true; return nil
                })
            },
            "dropwhile": fn("dropwhile") { a, _ in
                let f = a[0]; let it = try Interp.iter(a[1]); var dropping = true
                return .obj(PyIterator("dropwhile") {
                    while let x = try Interp.next(it) {
                        if dropping, try Interp.truthy(try Interp.call(f, [x])) { continue }
                        dropping = false; return x
                    }
                    return nil
                })
            },
        ])
    }
}
