import COpenBLAS
import Dispatch
import Foundation
import Models
import NN
import Tensors

/// The benchmark's token ids: fixed ids spread over the vocabulary, framed by [CLS] (101) and
/// [SEP] (102); the short sentence is "The quick brown fox jumps over the lazy dog." as the
/// tokenizer gives it.
let batchRows = (0..<32).map { b in [101] + (1..<127).map { t in 1000 + (b * 131 + t * 17) % 28000 } + [102] }
let shortRow = [101, 1996, 4248, 2829, 4419, 14523, 2058, 1996, 13971, 3899, 1012, 102]

/// `--profile minilm-sentence` / `minilm-batch`: one MiniLM forward (no grad) to repeat under
/// `perf record`; the model is loaded once, before the clock starts.
func modelWorkload(_ name: String) throws -> () throws -> Void {
    let model = try BertModel.fromPretrained(try ModelLocation.resolve("sentence-transformers/all-MiniLM-L6-v2").path)
    let rows = name == "minilm-batch" ? batchRows : [shortRow]
    let ids = try Tensor(int64: rows.flatMap { $0.map(Int64.init) }, shape: [rows.count, rows[0].count])
    let mask = try Tensor(int64: [Int64](repeating: 1, count: ids.count), shape: ids.shape)
    return { _ = try withNoGrad { try model(inputIds: ids, attentionMask: mask) } }
}

/// `apus-bench --models`: all-MiniLM-L6-v2 (from the Hugging Face cache) forward in Apus and in
/// transformers/PyTorch, same inputs, same run: a batch of 32 x 128 tokens (throughput, in
/// sequences per second) and one short sentence (latency). Each side keeps its best median
/// over the alternating rounds.
func benchModels(_ options: Options) throws {
    setenv("OPENBLAS_NUM_THREADS", String(options.threads), 1)
    openblas_set_num_threads(Int32(options.threads))
    // APUS_PANEL_PRODUCTS=0: many-row linears through sgemm and separate passes, as before
    // the panel products, for a before/after comparison against the same reference.
    if ProcessInfo.processInfo.environment["APUS_PANEL_PRODUCTS"] == "0" { Tensor.usesPanelProducts = false }
    let directory = try ModelLocation.resolve("sentence-transformers/all-MiniLM-L6-v2")
    let model = try BertModel.fromPretrained(directory.path)

    let workloads: [(name: String, rows: [[Int]], repetitions: Int)] = [
        ("MiniLM batch 32x128", batchRows, 5),
        ("MiniLM one sentence (12 tokens)", [shortRow], 50),
    ]
    func tensor(_ rows: [[Int]]) throws -> Tensor {
        try Tensor(int64: rows.flatMap { $0.map(Int64.init) }, shape: [rows.count, rows[0].count])
    }
    let inputs = try workloads.map { w -> (Tensor, Tensor) in
        (try tensor(w.rows), try tensor(w.rows.map { $0.map { _ in 1 } }))
    }

    let specFile = FileManager.default.temporaryDirectory.appendingPathComponent("apus-bench-models-\(getpid()).json")
    let spec: [String: Any] = [
        "model": directory.path,
        "workloads": Dictionary(uniqueKeysWithValues: workloads.map { w in
            (w.name, ["input_ids": w.rows, "attention_mask": w.rows.map { $0.map { _ in 1 } }])
        }),
    ]
    try JSONSerialization.data(withJSONObject: spec).write(to: specFile)
    defer { try? FileManager.default.removeItem(at: specFile) }
    let repetitions = String(data: try JSONSerialization.data(withJSONObject: Dictionary(uniqueKeysWithValues: workloads.map { ($0.name, $0.repetitions) })), encoding: .utf8)!

    var ours: [String: Double] = [:], theirs: [String: Double] = [:]
    var torchVersion = "?"
    for _ in 0..<options.rounds {
        for (w, (ids, mask)) in zip(workloads, inputs) {
            let seconds = try withNoGrad {
                try timed(repetitions: w.repetitions) { _ = try model(inputIds: ids, attentionMask: mask) }
            }
            ours[w.name] = Swift.min(ours[w.name] ?? .infinity, seconds)
        }
        if let reference = runReference(options, script: "bench_models.py", [specFile.path, String(options.threads), repetitions],
                                        environment: ["HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": String(options.threads)],
                                        failure: "the transformers reference failed (are torch and transformers installed for \(options.python)?)"),
           let results = reference["results"] as? [String: Double] {
            torchVersion = reference["torch"] as? String ?? "?"
            theirs.merge(results) { Swift.min($0, $1) }
        }
    }

    print("Models: all-MiniLM-L6-v2 forward; PyTorch \(torchVersion); \(options.threads) threads each side; best of \(options.rounds) rounds")
    print("workload                           Apus ms   PyTorch ms   speed-up   Apus seq/s   PyTorch seq/s")
    for w in workloads {
        guard let mine = ours[w.name] else { continue }
        let label = w.name.padding(toLength: 33, withPad: " ", startingAt: 0)
        let count = Double(w.rows.count)
        if let other = theirs[w.name] {
            print(label + String(format: " %8.2f %12.2f %9.2fx %12.1f %15.1f", mine * 1e3, other * 1e3, other / mine, count / mine, count / other))
        } else {
            print(label + String(format: " %8.2f %12s %10s %12.1f", mine * 1e3, "-", "-", count / mine))
        }
    }
}

/// `apus-bench --models --breakdown`: where one encoder layer of all-MiniLM-L6-v2 spends its
/// time, op by op (the unfused ops the layer is made of), at batch 32 x 128 and for one
/// 12-token sentence: the composed ops transformers' eager BERT is made of, then the fused ones
/// the inference path runs, next to a whole forward pass. No reference run: this is for
/// finding what to speed up, not for the ratios.
func benchModelBreakdown(_ options: Options) throws {
    setenv("OPENBLAS_NUM_THREADS", String(options.threads), 1)
    openblas_set_num_threads(Int32(options.threads))
    let directory = try ModelLocation.resolve("sentence-transformers/all-MiniLM-L6-v2")
    let model = try BertModel.fromPretrained(directory.path)
    let layer = model.encoder.layer[0]
    let attention = layer.attention.`self`
    let heads = 12, headSize = 32, hidden = 384
    manualSeed(0)
    for (batch, length, repetitions) in [(32, 128, 5), (1, 12, 200)] {
        let x = try Tensor.randn([batch, length, hidden])
        let ids = try Tensor(int64: (0..<(batch * length)).map { Int64(1000 + $0 % 20000) }, shape: [batch, length])
        var rows: [(String, Double)] = []
        func time(_ name: String, _ body: () throws -> Void) throws {
            rows.append((name, try withNoGrad { try timed(repetitions: repetitions, body) }))
        }
        func split(_ t: Tensor) throws -> Tensor { try t.view([batch, length, heads, headSize]).permute([0, 2, 1, 3]) }
        let q = try split(attention.query(x)), k = try split(attention.key(x)), v = try split(attention.value(x))
        let scores = try q.matmul(k.transpose(-1, -2))
        let probabilities = try scores.softmax(dim: -1)
        let context = try probabilities.matmul(v)
        let merged = try context.permute([0, 2, 1, 3]).reshape([batch, length, hidden])
        let inner = try layer.intermediate.dense(x)
        try time("query linear") { _ = try attention.query(x) }
        try time("key linear") { _ = try attention.key(x) }
        try time("value linear") { _ = try attention.value(x) }
        try time("scale queries") { _ = try attention.query(x) * 0.17 }
        try time("q k^T (batched)") { _ = try q.matmul(k.transpose(-1, -2)) }
        try time("softmax") { _ = try scores.softmax(dim: -1) }
        try time("p v (batched)") { _ = try probabilities.matmul(v) }
        try time("merge heads (copy)") { _ = try context.permute([0, 2, 1, 3]).reshape([batch, length, hidden]) }
        try time("attention out linear") { _ = try layer.attention.output.dense(merged) }
        try time("residual add") { _ = try merged + x }
        try time("layer norm") { _ = try layer.attention.output.LayerNorm(x) }
        try time("intermediate linear") { _ = try layer.intermediate.dense(x) }
        try time("gelu") { _ = try inner.gelu() }
        try time("output linear") { _ = try layer.output.dense(inner) }
        // The fused inference path the layer takes (Bert.swift), op by op.
        guard let packed = withNoGrad({ Linear.packedParameters([attention.query, attention.key, attention.value]) }) else {
            print("the projections are not packed"); return
        }
        let qkv = try withNoGrad { try x.linear(weight: packed.weight, bias: packed.bias, activation: nil) }
        let (qs, ks, vs) = (try qkv.slice(-1, start: 0, end: hidden), try qkv.slice(-1, start: hidden, end: 2 * hidden),
                            try qkv.slice(-1, start: 2 * hidden, end: 3 * hidden))
        let attentionOutput = layer.attention.output, output = layer.output
        // The layer's four fused linears, as Bert.swift runs them; timed below as they are, then
        // against the sgemm path, then over the panel product's block sizes.
        let fusedLinears: [(name: String, run: () throws -> Void)] = [
            ("packed qkv linear", { _ = try x.linear(weight: packed.weight, bias: packed.bias, activation: nil) }),
            ("out linear+add+norm", {
                _ = try merged.linearAddLayerNorm(weight: attentionOutput.dense.weight, bias: attentionOutput.dense.bias, residual: x,
                                                  normWeight: attentionOutput.LayerNorm.weight, normBias: attentionOutput.LayerNorm.bias, eps: 1e-12)
            }),
            ("intermediate+gelu", {
                _ = try x.linear(weight: layer.intermediate.dense.weight, bias: layer.intermediate.dense.bias, activation: .gelu)
            }),
            ("output linear+add+norm", {
                _ = try inner.linearAddLayerNorm(weight: output.dense.weight, bias: output.dense.bias, residual: x,
                                                 normWeight: output.LayerNorm.weight, normBias: output.LayerNorm.bias, eps: 1e-12)
            }),
        ]
        /// Median wall seconds per call, and the process's CPU seconds per call (less disturbed
        /// by other processes taking the cores).
        func wallAndCPU(_ body: () throws -> Void) throws -> (wall: Double, cpu: Double) {
            var before = timespec(), after = timespec()
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &before)
            let wall = try withNoGrad { try timed(repetitions: repetitions, body) }
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &after)
            let cpu = Double(after.tv_sec - before.tv_sec) + Double(after.tv_nsec - before.tv_nsec) / 1e9
            return (wall, cpu / Double(repetitions + 2))
        }
        try time("fused: \(fusedLinears[0].name)", fusedLinears[0].run)
        try time("fused: attention") {
            _ = try Tensor.multiHeadAttention(query: qs, key: ks, value: vs, heads: heads, scale: 0.17, keyMask: nil, keepProbabilities: false)
        }
        for op in fusedLinears.dropFirst() { try time("fused: \(op.name)", op.run) }
        // The fused linears once more with sgemm and separate finishing passes, alternating
        // with the panel products round by round (best median each), to compare under load.
        // Caution: OpenBLAS's threads keep spinning for a while after an sgemm call, so panel
        // rows measured right after sgemm rows can find one core taken (wall time near CPU
        // time); `--models` with APUS_PANEL_PRODUCTS=0 and =1 in separate runs is the fair
        // comparison.
        if batch > 1 {
            let compared = fusedLinears + [(name: "whole forward", run: { _ = try model(inputIds: ids) })]
            var best: [String: Double] = [:]
            func keepBest(_ key: String, _ seconds: Double) { best[key] = Swift.min(best[key] ?? .infinity, seconds) }
            for round in 0..<3 {
                for panels in (round % 2 == 0 ? [true, false] : [false, true]) {
                    Tensor.usesPanelProducts = panels
                    let tag = panels ? "panel" : "sgemm"
                    for op in compared {
                        let (wall, cpu) = try wallAndCPU(op.run)
                        keepBest("\(tag): \(op.name)", wall)
                        keepBest("\(tag) cpu: \(op.name)", cpu)
                    }
                }
            }
            Tensor.usesPanelProducts = true
            // Block sizes of the panel product, CPU time per call.
            let depths = [128, 192, 256, 384], blockRowCounts = [96, 192]
            for _ in 0..<2 {
                for depth in depths {
                    for blockRows in blockRowCounts {
                        PanelProductTuning.depthBlock = depth
                        PanelProductTuning.maximumBlockRows = blockRows
                        for op in fusedLinears { keepBest("cpu \(depth)/\(blockRows): \(op.name)", try wallAndCPU(op.run).cpu) }
                    }
                }
            }
            PanelProductTuning.depthBlock = 384
            PanelProductTuning.maximumBlockRows = 192
            for depth in depths {
                for blockRows in blockRowCounts {
                    for op in fusedLinears {
                        let key = "cpu \(depth)/\(blockRows): \(op.name)"
                        rows.append((key, best[key] ?? 0))
                    }
                }
            }
            for op in compared {
                for tag in ["sgemm", "panel", "sgemm cpu", "panel cpu"] { rows.append(("\(tag): \(op.name)", best["\(tag): \(op.name)"] ?? 0)) }
            }
        }
        try time("embeddings") { _ = try model.embeddings.word_embeddings(ids) }
        try time("whole forward (6 layers)") { _ = try model(inputIds: ids) }
        if batch == 1 {
            Tensor.smallProductThreads = 1
            try time("whole forward, 1-core products") { _ = try model(inputIds: ids) }
            Tensor.smallProductThreads = Int.max
        }
        print("MiniLM layer 0 at \(batch) x \(length), median of \(repetitions):")
        var composed = 0.0, fused = 0.0
        for (name, seconds) in rows {
            if name.hasPrefix("fused") { fused += seconds } else if !name.hasPrefix("whole") && !name.hasPrefix("embeddings") && !name.contains(": ") { composed += seconds }
            print("  " + name.padding(toLength: 30, withPad: " ", startingAt: 0) + String(format: "%9.3f ms", seconds * 1e3))
        }
        print("  " + "sum of composed ops (x6)".padding(toLength: 30, withPad: " ", startingAt: 0) + String(format: "%9.3f ms", composed * 6e3))
        print("  " + "sum of fused ops (x6)".padding(toLength: 30, withPad: " ", startingAt: 0) + String(format: "%9.3f ms", fused * 6e3))
    }
}
