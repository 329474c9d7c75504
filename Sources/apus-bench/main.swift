// apus-bench: times Apus's tensor engine and PyTorch on the same workloads, in the same run,
// on the same machine, and prints the ratios. Not a test: nothing here asserts on time.
//
//     swift run -c release apus-bench [--python PATH] [--threads N] [--rounds N]
//     swift run -c release apus-bench --tokenizers     (against HF tokenizers)
//     swift run -c release apus-bench --profile gelu   (one workload, for perf record; also
//                                                     minilm-sentence, minilm-batch)
//
// PATH is a Python with torch (default: $APUS_REFERENCE_PYTHON, else `python3`).
// Both sides run --rounds times (default 3), alternating; each keeps its best median.
import COpenBLAS
import Dispatch
import Foundation
import NN
import Tensors

struct Options {
    var python = ProcessInfo.processInfo.environment["APUS_REFERENCE_PYTHON"] ?? "python3"
    var threads = 2
    /// Rounds of both sides, alternated; each workload keeps its best round on each side,
    /// which is what survives the noise of a shared machine.
    var rounds = 3
    /// A workload to repeat for a profiler (`perf record`), with no reference run.
    var profile: String? = nil
    /// Time the tokenizers against HF `tokenizers` instead of the tensor workloads.
    var tokenizers = false

    init(_ arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--python": python = iterator.next() ?? python
            case "--threads": threads = Int(iterator.next() ?? "") ?? threads
            case "--rounds": rounds = max(1, Int(iterator.next() ?? "") ?? rounds)
            case "--profile": profile = iterator.next()
            case "--tokenizers": tokenizers = true
            default:
                FileHandle.standardError.write("unknown argument \(argument)\n".data(using: .utf8)!)
                exit(2)
            }
        }
    }
}

/// Median wall time of `body` over `repetitions` runs after `warmup` runs.
func timed(repetitions: Int, warmup: Int = 2, _ body: () throws -> Void) rethrows -> Double {
    for _ in 0..<warmup { try body() }
    var samples: [Double] = []
    for _ in 0..<repetitions {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    samples.sort()
    return samples[samples.count / 2]
}

/// Runs the PyTorch side and returns its {workload: seconds}.
func referenceTimings(_ options: Options) -> (version: String, results: [String: Double])? {
    let failure = "the PyTorch reference failed (is torch installed for \(options.python)?)"
    guard let json = runReference(options, script: "bench_reference.py", [String(options.threads)], failure: failure) else {
        return nil
    }
    guard let results = json["results"] as? [String: Double] else {
        print(failure)
        return nil
    }
    return (json["torch"] as? String ?? "?", results)
}

/// One round of the Apus side: {workload: median seconds}, and the direct cblas_sgemm time.
func measureApus() throws -> ([String: Double], Double) {
    manualSeed(0)
    var apus: [String: Double] = [:]

    let a = try Tensor.randn([1024, 1024]), b = try Tensor.randn([1024, 1024])
    apus["sgemm_1024"] = try timed(repetitions: 10) { _ = try a.matmul(b) }
    // OpenBLAS called directly on the same buffers: the ceiling for matmul.
    let c = Tensor.zeros([1024, 1024])
    let direct = withExtendedLifetime((a, b, c)) {
        timed(repetitions: 10) {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 1024, 1024, 1024, 1,
                        a.floatPointer, 1024, b.floatPointer, 1024, 0, c.floatPointer, 1024)
        }
    }

    let scores = try Tensor.randn([32, 12, 128, 128])
    apus["softmax_32x12x128x128"] = try timed(repetitions: 10) { _ = try scores.softmax(dim: -1) }

    let x = try Tensor.randn([4096, 768]), w = try Tensor.randn([768]), bias = try Tensor.randn([768])
    apus["layer_norm_4096x768"] = try timed(repetitions: 20) {
        _ = try x.layerNorm(normalizedShape: [768], weight: w, bias: bias, eps: 1e-5)
    }

    let big = try Tensor.randn([4 * 1024 * 1024])
    apus["gelu_4M"] = try timed(repetitions: 20) { _ = try big.gelu() }
    apus["exp_4M"] = try timed(repetitions: 20) { _ = try big.exp() }
    apus["add_4M"] = try timed(repetitions: 20) { _ = try big + big }
    apus["sum_4M"] = try timed(repetitions: 20) { _ = try big.sum() }

    let step = try mlpStep()
    apus["mlp_fwd_bwd_256"] = try timed(repetitions: 20) { try step() }

    return (apus, direct)
}

/// One training step of the benchmark's MLP (512 -> 1024 -> gelu -> 10, batch 256, cross
/// entropy, forward and backward), on its own inputs and weights.
func mlpStep() throws -> () throws -> Void {
    let inputs = try Tensor.randn([256, 512])
    let targets = try Tensor.randint(low: 0, high: 10, shape: [256])
    let w1 = try (Tensor.randn([1024, 512]) * 0.05).requiringGrad()
    let b1 = try Tensor.zeros([1024]).requiringGrad()
    let w2 = try (Tensor.randn([10, 1024]) * 0.05).requiringGrad()
    let b2 = try Tensor.zeros([10]).requiringGrad()
    return {
        for p in [w1, b1, w2, b2] { p.grad = nil }
        let hidden = try inputs.linear(weight: w1, bias: b1).gelu()
        let loss = try Tensor.crossEntropy(hidden.linear(weight: w2, bias: b2), targets)
        try loss.backward()
    }
}

/// `--profile mlp-parts`: the MLP step's large products one by one, each through the panel
/// product and through sgemm, best of 200; the forward product also right after a 64 MB pass
/// (caches emptied, as in a training step whose other work evicts the weight).
func mlpParts() throws {
    let x = try Tensor.randn([256, 512]), w1 = try Tensor.randn([1024, 512]), b1 = try Tensor.randn([1024])
    let g = try Tensor.randn([256, 1024]), flush = Tensor.zeros([16 * 1024 * 1024])
    let parts: [(String, before: (() throws -> Void)?, () throws -> Void)] = [
        ("forward linear (panel)", nil, { _ = try x.linear(weight: w1, bias: b1) }),
        ("forward linear, cold caches", { _ = try flush.sum() }, { _ = try x.linear(weight: w1, bias: b1) }),
        ("forward linear (sgemm)", nil, { _ = try x.matmul(w1.transpose(0, 1)) }),
        ("weight grad g^T x (panel)", nil, { _ = try Tensor.productWithTransposed(g.transpose(0, 1), x.transpose(0, 1)) }),
        ("weight grad g^T x (sgemm)", nil, { _ = try g.transpose(0, 1).matmul(x) }),
        ("input grad g w (panel)", nil, { _ = try Tensor.productWithTransposed(g, w1.transpose(0, 1)) }),
        ("input grad g w (sgemm)", nil, { _ = try g.matmul(w1) }),
        ("gelu 256x1024", nil, { _ = try g.gelu() }),
    ]
    for (name, before, part) in parts {
        var best = Double.infinity
        for _ in 0..<200 {
            try before?()
            let t0 = DispatchTime.now().uptimeNanoseconds
            try part()
            best = Swift.min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
        }
        print(String(format: "  %-30@ %7.3f ms", name as NSString, best))
    }
}

/// Repeats one workload for about five seconds so that a profiler sees only it.
func profile(_ name: String) throws {
    manualSeed(0)
    let big = try Tensor.randn([4 * 1024 * 1024])
    let scores = try Tensor.randn([32, 12, 128, 128])
    let body: () throws -> Void
    switch name {
    case "gelu": body = { _ = try big.gelu() }
    case "exp": body = { _ = try big.exp() }
    case "add": body = { _ = try big + big }
    case "sum": body = { _ = try big.sum() }
    case "softmax": body = { _ = try scores.softmax(dim: -1) }
    case "mlp":
        body = try mlpStep()
    case "mlp-parts":
        try mlpParts()
        return
    case "minilm-sentence", "minilm-batch":
        body = try modelWorkload(name)
    default:
        print("unknown workload \(name); one of gelu, exp, add, sum, softmax, mlp, mlp-parts, minilm-sentence, minilm-batch")
        exit(2)
    }
    let start = DispatchTime.now().uptimeNanoseconds
    var runs = 0
    while DispatchTime.now().uptimeNanoseconds - start < 5_000_000_000 { try body(); runs += 1 }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    print(String(format: "%@: %d runs, %.3f ms each", name, runs, seconds / Double(runs) * 1e3))
}

func run() throws {
    if CommandLine.arguments.contains("--causal") { return try benchCausal(Options(CommandLine.arguments.filter { $0 != "--causal" })) }  // SmolLM2 against transformers (CausalBench.swift)
    if CommandLine.arguments.contains("--models") && CommandLine.arguments.contains("--breakdown") {
        return try benchModelBreakdown(Options(CommandLine.arguments.filter { $0 != "--models" && $0 != "--breakdown" }))
    }
    if CommandLine.arguments.contains("--models") { return try benchModels(Options(CommandLine.arguments.filter { $0 != "--models" })) }  // MiniLM against transformers (ModelBench.swift)
    let options = Options(CommandLine.arguments)
    setenv("OPENBLAS_NUM_THREADS", String(options.threads), 1)
    openblas_set_num_threads(Int32(options.threads))
    if options.tokenizers {
        try benchTokenizers(options)
        return
    }
    if let name = options.profile {
        try profile(name)
        return
    }
    var apus: [String: Double] = [:]
    var direct = Double.infinity
    var reference: (version: String, results: [String: Double])? = nil
    for _ in 0..<options.rounds {
        let (round, sgemm) = try measureApus()
        apus.merge(round) { Swift.min($0, $1) }
        direct = Swift.min(direct, sgemm)
        if let theirs = referenceTimings(options) {
            reference = (theirs.version, (reference?.results ?? [:]).merging(theirs.results) { Swift.min($0, $1) })
        }
    }
    let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
        .split(separator: "\n").first { $0.hasPrefix("model name") }?
        .split(separator: ":").last?.trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
    print("Machine: \(cpu), \(ProcessInfo.processInfo.activeProcessorCount) cores; \(options.threads) threads each side; best of \(options.rounds) rounds")
    if let reference { print("Reference: PyTorch \(reference.version)") }
    print("")
    print("workload                    Apus ms    PyTorch ms   speed-up (PyTorch/Apus)")
    for name in apus.keys.sorted() {
        let ours = apus[name]! * 1e3
        let label = name.padding(toLength: 26, withPad: " ", startingAt: 0)
        if let theirs = reference?.results[name].map({ $0 * 1e3 }) {
            print(label + String(format: " %9.3f %12.3f %10.2fx", ours, theirs, theirs / ours))
        } else {
            print(label + String(format: " %9.3f %12s", ours, "-"))
        }
    }
    let flops = 2.0 * 1024 * 1024 * 1024
    print("")
    print(String(format: "SGEMM 1024^3: Apus matmul %.1f GFLOP/s, OpenBLAS cblas_sgemm %.1f GFLOP/s (%.0f%% of OpenBLAS)",
                 flops / apus["sgemm_1024"]! / 1e9, flops / direct / 1e9, direct / apus["sgemm_1024"]! * 100))
}

do { try run() } catch {
    print("apus-bench: \(error)")
    exit(1)
}
