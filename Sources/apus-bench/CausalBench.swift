import COpenBLAS
import Foundation
import Models
import Tensors

/// `apus-bench --causal`: SmolLM2-135M-Instruct from its Q4_1 GGUF in Apus, in
/// transformers/PyTorch (float32, dequantized) and in llama.cpp (its quantized kernels), same
/// run, same token ids: a forward over 128 tokens (prefill, tokens/s) and greedy decoding of
/// 128 new tokens after a 16-token prompt with the key/value cache (decode tokens/s, prefill
/// excluded). Apus computes in float32 throughout; its decoding reads the weights from their
/// Q4_1 blocks (`BlockMatrix`), its prefill from the dequantized copy.
func benchCausal(_ options: Options) throws {
    setenv("OPENBLAS_NUM_THREADS", String(options.threads), 1)
    openblas_set_num_threads(Int32(options.threads))
    let id = "HuggingFaceTB/SmolLM2-135M-Instruct"
    let directory = try ModelLocation.resolve(id)
    let gguf = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".gguf") }.sorted()
    guard let ggufFile = gguf.first else { throw ModelError.notFound("no .gguf file in \(directory.path)") }
    let model = try AutoModel.fromPretrained(directory.path, task: .causalLM, ggufFile: ggufFile)

    let vocabulary = try model.config.vocabSize
    let prefillRow = (0..<128).map { 100 + ($0 * 7919) % (vocabulary - 200) }
    let promptRow = Array(prefillRow.prefix(16))
    let newTokens = 128
    func tensor(_ row: [Int]) throws -> Tensor { try Tensor(int64: row.map(Int64.init), shape: [1, row.count]) }
    let prefillIds = try tensor(prefillRow), promptIds = try tensor(promptRow)
    func generate(_ count: Int) throws {
        _ = try model.generate(inputIds: promptIds, options: [
            ("max_new_tokens", .int(count)), ("min_new_tokens", .int(count)), ("do_sample", .bool(false)),
            ("eos_token_id", .null), ("pad_token_id", .int(0)),
        ])
    }

    if options.profile == "split" {
        // Where prefill time goes: the whole forward, without the vocabulary product, and one
        // [128, 576] x [576, 1536] product, each the median of 5.
        var keepOne = ModelInputs(inputIds: prefillIds, useCache: false)
        keepOne.logitsToKeep = 1
        let all = try withNoGrad { try timed(repetitions: 5) { _ = try model.forward(ModelInputs(inputIds: prefillIds, useCache: false)) } }
        let body = try withNoGrad { try timed(repetitions: 5) { _ = try model.forward(keepOne) } }
        let x = try Tensor.randn([1, 128, 576]), w = try Tensor.randn([1536, 576])
        let product = try withNoGrad { try timed(repetitions: 20) { _ = try x.matmul(w.transpose(0, 1)) } }
        print(String(format: "forward %.1f ms, with logits_to_keep=1 %.1f ms, one 128x576x1536 product %.3f ms (%.1f GFLOP/s)",
                     all * 1e3, body * 1e3, product * 1e3, 2 * 128 * 576 * 1536 / product / 1e9))
        return
    }
    if let profile = options.profile {
        // Repeat one workload (prefill or decode) for about ten seconds for `perf record`.
        let start = Date()
        while Date().timeIntervalSince(start) < 10 {
            if profile == "prefill" { _ = try withNoGrad { try model.forward(ModelInputs(inputIds: prefillIds, useCache: false)) } }
            else { try generate(newTokens) }
        }
        return
    }

    let specFile = FileManager.default.temporaryDirectory.appendingPathComponent("apus-bench-causal-\(getpid()).json")
    let spec: [String: Any] = ["model": directory.path, "gguf_file": ggufFile, "prefill": prefillRow, "prompt": promptRow,
                               "new_tokens": newTokens]
    try JSONSerialization.data(withJSONObject: spec).write(to: specFile)
    defer { try? FileManager.default.removeItem(at: specFile) }

    var ours: [String: Double] = [:], theirs: [String: Double] = [:], llamaCpp: [String: Double] = [:]
    var torchVersion = "?", llamaCppVersion: String? = nil
    for _ in 0..<options.rounds {
        let prefill = try withNoGrad {
            try timed(repetitions: 5) { _ = try model.forward(ModelInputs(inputIds: prefillIds, useCache: false)) }
        }
        let one = try timed(repetitions: 3, warmup: 1) { try generate(1) }
        let many = try timed(repetitions: 3, warmup: 1) { try generate(newTokens + 1) }
        ours["prefill"] = Swift.min(ours["prefill"] ?? .infinity, prefill)
        ours["decode"] = Swift.min(ours["decode"] ?? .infinity, (many - one) / Double(newTokens))
        if let reference = runReference(options, script: "bench_causal.py", [specFile.path, String(options.threads)],
                                        environment: ["HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": String(options.threads)],
                                        failure: "the transformers reference failed (are torch, transformers and gguf installed for \(options.python)?)"),
           let results = reference["results"] as? [String: Double] {
            torchVersion = reference["torch"] as? String ?? "?"
            theirs.merge(results) { Swift.min($0, $1) }
        }
        if let reference = runReference(options, script: "bench_llama_cpp.py", [specFile.path, String(options.threads)],
                                        failure: "(no llama.cpp figures: is llama-cpp-python installed for \(options.python)?)"),
           let results = reference["results"] as? [String: Double] {
            llamaCppVersion = reference["llama_cpp"] as? String ?? "?"
            llamaCpp.merge(results) { Swift.min($0, $1) }
        }
    }

    print("Causal LM: SmolLM2-135M-Instruct, Q4_1 GGUF. PyTorch \(torchVersion) float32 (dequantized); Apus float32 arithmetic (decoding reads the Q4_1 blocks, prefill the dequantized weights); llama.cpp \(llamaCppVersion ?? "not installed") (quantized kernels, 8-bit activations). \(options.threads) threads each; best of \(options.rounds) rounds")
    print("workload                          Apus tok/s   PyTorch tok/s   speed-up   llama.cpp tok/s   Apus/llama.cpp")
    func column(_ value: Double?, _ tokens: Double, _ mine: Double, _ width: Int) -> String {
        func pad(_ text: String, _ n: Int) -> String { String(repeating: " ", count: Swift.max(0, n - text.count)) + text }
        guard let value else { return pad("-", width) + " " + pad("-", 10) }
        return pad(String(format: "%.1f", tokens / value), width) + " " + pad(String(format: "%.2fx", value / mine), 10)
    }
    for (name, label, tokens) in [("prefill", "forward over 128 tokens", 128.0), ("decode", "greedy decode, per new token", 1.0)] {
        guard let mine = ours[name] else { continue }
        let padded = label.padding(toLength: 32, withPad: " ", startingAt: 0)
        print(padded + String(format: " %11.1f ", tokens / mine) + column(theirs[name], tokens, mine, 15) + "  "
              + column(llamaCpp[name], tokens, mine, 16))
    }
}
