import Foundation

/// Mersenne Twister seeded exactly as CPython's `random` module, so seeded scripts print the
/// same numbers as Python.
final class MersenneTwister {
    var mt = [UInt32](repeating: 0, count: 624)
    var index = 625
    init(seed: Int) { self.seed(seed) }
    func initGenrand(_ s: UInt32) {
        mt[0] = s
        for i in 1..<624 { mt[i] = 1812433253 &* (mt[i - 1] ^ (mt[i - 1] >> 30)) &+ UInt32(i) }
        index = 624
    }
    func seed(_ n: Int) {
        var key: [UInt32] = []
        var m = n.magnitude
        if m == 0 { key = [0] }
        while m > 0 { key.append(UInt32(truncatingIfNeeded: m)); m >>= 32 }
        initGenrand(19650218)
        var i = 1, j = 0
        for _ in 0..<max(624, key.count) {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) &* 1664525)) &+ key[j] &+ UInt32(j)
            i += 1; j += 1
            if i >= 624 { mt[0] = mt[623]; i = 1 }
            if j >= key.count { j = 0 }
        }
        for _ in 0..<623 {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) &* 1566083941)) &- UInt32(i)
            i += 1
            if i >= 624 { mt[0] = mt[623]; i = 1 }
        }
        mt[0] = 0x80000000
        index = 624
    }
    func next32() -> UInt32 {
        if index >= 624 {
            for k in 0..<624 {
                let y = (mt[k] & 0x80000000) | (mt[(k + 1) % 624] & 0x7fffffff)
                mt[k] = mt[(k + 397) % 624] ^ (y >> 1) ^ ((y & 1) != 0 ? 0x9908b0df : 0)
            }
            index = 0
        }
        var y = mt[index]; index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9d2c5680
        y ^= (y << 15) & 0xefc60000
        y ^= y >> 18
        return y
    }
    func random() -> Double {
        let a = Double(next32() >> 5), b = Double(next32() >> 6)
        return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0)
    }
    func getrandbits(_ k: Int) -> Int {
        if k <= 32 { return Int(next32() >> (32 - UInt32(k))) }
        var r = 0, shift = 0, left = k
        while left > 0 {
            var w = next32()
            if left < 32 { w >>= (32 - UInt32(left)) }
            r |= Int(w) << shift
            shift += 32; left -= 32
        }
        return r
    }
    func randbelow(_ n: Int) -> Int {
        if n <= 0 { return 0 }
        let k = Int.bitWidth - n.leadingZeroBitCount
        var r = getrandbits(k)
        while r >= n { r = getrandbits(k) }
        return r
    }
}

extension Modules {
    static func makeRandom() -> PyModule {
        let gen = MersenneTwister(seed: Int(Date().timeIntervalSince1970 * 1000))
        var gaussNext: Double? = nil
        return PyModule("random", [
            "seed": fn("seed") { a, _ in
                gaussNext = nil
                if let v = a.first { if case .int(let i) = v { gen.seed(i) } else { var h = Hasher(); hashValue(v, into: &h); gen.seed(abs(h.finalize())) } }
                else { gen.seed(Int(Date().timeIntervalSince1970)) }
                return Value.none
            },
            "random": fn("random") { _, _ in .float(gen.random()) },
            "uniform": fn("uniform") { a, _ in let x = try num(a[0]), y = try num(a[1]); return .float(x + (y - x) * gen.random()) },
            "randint": fn("randint") { a, _ in
                let lo = try Builtins.intArg(a[0]), hi = try Builtins.intArg(a[1])
                if hi < lo { throw Interp.valueError("empty range for randrange() (\(lo), \(hi + 1), \(hi + 1 - lo))") }
                return .int(lo + gen.randbelow(hi - lo + 1))
            },
            "randrange": fn("randrange") { a, _ in
                let n = try a.map { try Builtins.intArg($0) }
                let start = n.count == 1 ? 0 : n[0], stop = n.count == 1 ? n[0] : n[1], step = n.count > 2 ? n[2] : 1
                let width = stop - start
                if step == 1 {
                    if width <= 0 { throw Interp.valueError("empty range for randrange() (\(start), \(stop), \(width))") }
                    return .int(start + gen.randbelow(width))
                }
                let count = step > 0 ? (width + step - 1) / step : (width + step + 1) / step
                if count <= 0 { throw Interp.valueError("empty range for randrange()") }
                return .int(start + step * gen.randbelow(count))
            },
            "choice": fn("choice") { a, _ in
                let items = try Interp.toArray(a[0])
                if items.isEmpty { throw Interp.error("IndexError", "Cannot choose from an empty sequence") }
                return items[gen.randbelow(items.count)]
            },
            "shuffle": fn("shuffle") { a, _ in
                guard case .obj(let o) = a[0], let l = o as? PyList else { throw Interp.typeError("shuffle() needs a list") }
                var i = l.items.count - 1
                while i > 0 { let j = gen.randbelow(i + 1); l.items.swapAt(i, j); i -= 1 }
                return Value.none
            },
            "sample": fn("sample") { a, kw in
                var pool = try Interp.toArray(a[0])
                let k = try Builtins.intArg(Builtins.arg(a, 1, kw, "k") ?? .int(0))
                let n = pool.count
                if k < 0 || k > n { throw Interp.valueError("Sample larger than population or is negative") }
                var out: [Value] = []
                // CPython's pool-based branch (used for small k relative to n is the set branch;
                // the pool branch gives the same results whenever it is the one CPython picks).
                var setsize = 21
                if k > 5 { setsize += Int(pow(4.0, ceil(log(Double(k * 3)) / log(4.0)))) }
                if n <= setsize {
                    for i in 0..<k { let j = gen.randbelow(n - i); out.append(pool[j]); pool[j] = pool[n - i - 1] }
                } else {
                    var selected = Set<Int>()
                    for _ in 0..<k {
                        var j = gen.randbelow(n)
                        while selected.contains(j) { j = gen.randbelow(n) }
                        selected.insert(j); out.append(pool[j])
                    }
                }
                return .list(out)
            },
            "choices": fn("choices") { a, kw in
                let pop = try Interp.toArray(a[0])
                let k = try Builtins.kwarg(kw, "k").map { try Builtins.intArg($0) } ?? 1
                if let w = Builtins.kwarg(kw, "weights") ?? (a.count > 1 ? a[1] : nil), !w.isNone {
                    var cum: [Double] = []; var acc = 0.0
                    for x in try Interp.toArray(w) { acc += try num(x); cum.append(acc) }
                    return .list((0..<k).map { _ in
                        let r = gen.random() * acc
                        var lo = 0, hi = cum.count
                        while lo < hi { let m = (lo + hi) / 2; if r < cum[m] { hi = m } else { lo = m + 1 } }
                        return pop[min(lo, pop.count - 1)]
                    })
                }
                return .list((0..<k).map { _ in pop[Int(gen.random() * Double(pop.count))] })
            },
            "gauss": fn("gauss") { a, _ in
                let mu = try a.first.map(num) ?? 0, sigma = try a.count > 1 ? num(a[1]) : 1
                var z: Double
                if let g = gaussNext { z = g; gaussNext = nil } else {
                    let x2pi = gen.random() * 2 * Double.pi
                    let g2rad = (-2.0 * log(1.0 - gen.random())).squareRoot()
                    z = cos(x2pi) * g2rad
                    gaussNext = sin(x2pi) * g2rad
                }
                return .float(mu + z * sigma)
            },
            "getrandbits": fn("getrandbits") { a, _ in .int(gen.getrandbits(try Builtins.intArg(a[0]))) },
        ])
    }
}
