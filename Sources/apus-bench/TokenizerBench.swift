import Dispatch
import Foundation
import Tokenizers

/// `apus-bench --tokenizers`: Apus's tokenizers against HF `tokenizers` (Rust) on the real
/// all-MiniLM-L6-v2 (tokenizer.json) and SmolLM2-135M-Instruct (vocabulary from its GGUF file)
/// tokenizers, same sentences, same run: one encode per sentence on one thread, and a batch
/// encode of all of them on every core. Padding and truncation are off on both sides.
func benchTokenizers(_ options: Options) throws {
    // The fixture corpus (English, Chinese, Japanese, accents, emoji, code, whitespace runs)
    // repeated to 5000 sentences.
    let corpus = try String(contentsOf: repositoryRoot.appendingPathComponent("Tests/Fixtures/tokenizers/corpus.txt"), encoding: .utf8)
        .split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    let sentences = (0..<5000).map { corpus[$0 % corpus.count] }
    let sentenceFile = FileManager.default.temporaryDirectory.appendingPathComponent("apus-bench-sentences-\(getpid()).txt")
    try sentences.joined(separator: "\n").write(to: sentenceFile, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: sentenceFile) }

    let minilm = try TokenizerFiles.resolve("sentence-transformers/all-MiniLM-L6-v2")
    let smol = try TokenizerFiles.resolve("HuggingFaceTB/SmolLM2-135M-Instruct")
    let ggufName = "SmolLM2-135M-Instruct.Q4_1.gguf"
    guard let minilmJSON = minilm.tokenizerJSON else { throw TokenizerError.fileNotFound(path: minilm.directory.path + "/tokenizer.json") }
    let ours: [(String, Tokenizer)] = [
        ("all-MiniLM-L6-v2", try Tokenizer(contentsOf: minilmJSON)),
        ("SmolLM2-135M (GGUF)", try Tokenizer.load(files: smol, ggufFile: ggufName).0),
    ]
    for (_, t) in ours { t.padding = nil; t.truncation = nil }

    func best(_ body: () throws -> Void) rethrows -> Double {
        try body()
        var times: [Double] = []
        for _ in 0..<5 {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return times.min()!
    }
    var apus: [String: (single: Double, batch: Double, tokens: Int)] = [:]
    for (name, t) in ours {
        let single = try best { for s in sentences { _ = try t.encode(s) } }
        let batch = try best { _ = try t.encodeBatch(sentences) }
        let tokens = try t.encodeBatch(sentences).reduce(0) { $0 + $1.ids.count }
        apus[name] = (single, batch, tokens)
    }

    // The reference, on the same files and sentences.
    let reference = runReference(options, script: "bench_tokenizers.py",
        [sentenceFile.path, "all-MiniLM-L6-v2=\(minilmJSON.path)", "--gguf", "SmolLM2-135M (GGUF)=\(smol.directory.path):\(ggufName)"],
        environment: ["HF_HUB_OFFLINE": "1", "RAYON_NUM_THREADS": String(options.threads)],
        failure: "the HF tokenizers reference failed (is `tokenizers` installed for \(options.python)?)")
    let theirs = reference?["results"] as? [String: [String: Double]] ?? [:]

    print("Tokenizers: \(sentences.count) sentences; HF tokenizers \(reference?["tokenizers"] as? String ?? "?"), batch on \(options.threads) threads")
    print("tokenizer               mode     Apus sent/s    HF sent/s   speed-up   tokens (Apus / HF)")
    for (name, _) in ours {
        guard let mine = apus[name] else { continue }
        for (mode, seconds) in [("single", mine.single), ("batch", mine.batch)] {
            let label = name.padding(toLength: 22, withPad: " ", startingAt: 0)
            let rate = Double(sentences.count) / seconds
            if let other = theirs[name]?[mode] {
                let tokens = Int(theirs[name]?["tokens"] ?? -1)
                print(label + " " + mode.padding(toLength: 7, withPad: " ", startingAt: 0)
                      + String(format: " %11.0f %12.0f %9.2fx   %d / %d", rate, Double(sentences.count) / other, other / seconds, mine.tokens, tokens))
            } else {
                print(label + " " + mode + String(format: " %11.0f", rate))
            }
        }
    }
}
