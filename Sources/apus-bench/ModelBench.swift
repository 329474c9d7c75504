import COpenBLAS
import Dispatch
import Foundation
import Models
import Tensors

/// `apus-bench --models`: all-MiniLM-L6-v2 (from the Hugging Face cache) forward in Apus and in
/// transformers/PyTorch, same inputs, same run: a batch of 32 x 128 tokens (throughput, in
/// sequences per second) and one short sentence (latency). Each side keeps its best median
/// over the alternating rounds.
func benchModels(_ options: Options) throws {
    setenv("OPENBLAS_NUM_THREADS", String(options.threads), 1)
    openblas_set_num_threads(Int32(options.threads))
    let directory = try ModelLocation.resolve("sentence-transformers/all-MiniLM-L6-v2")
    let model = try BertModel.fromPretrained(directory.path)

    // Fixed token ids spread over the vocabulary, framed by [CLS] (101) and [SEP] (102); the
    // short sentence is "The quick brown fox jumps over the lazy dog." as the tokenizer gives it.
    let batchRows = (0..<32).map { b in [101] + (1..<127).map { t in 1000 + (b * 131 + t * 17) % 28000 } + [102] }
    let shortRow = [101, 1996, 4248, 2829, 4419, 14523, 2058, 1996, 13971, 3899, 1012, 102]
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
