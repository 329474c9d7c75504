import Foundation

/// `AutoTokenizer.from_pretrained`: finds a tokenizer's files in a local directory or in the
/// Hugging Face cache (offline) and builds a `PreTrainedTokenizerFast` from them.
public enum AutoTokenizer {
    /// The hub cache directory: `$HF_HUB_CACHE`, else `$HF_HOME/hub`, else `~/.cache/huggingface/hub`.
    public static var hubCache: URL {
        let env = ProcessInfo.processInfo.environment
        if let c = env["HF_HUB_CACHE"], !c.isEmpty { return URL(fileURLWithPath: c) }
        if let h = env["HF_HOME"], !h.isEmpty { return URL(fileURLWithPath: h).appendingPathComponent("hub") }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/huggingface/hub")
    }

    /// The directory holding the files of `idOrPath`: the path itself when it is a directory,
    /// else the snapshot `refs/main` names in `models--ORG--NAME` of the hub cache.
    public static func resolveDirectory(_ idOrPath: String, cacheDirectory: URL? = nil) throws -> URL {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: idOrPath, isDirectory: &isDir), isDir.boolValue {
            return URL(fileURLWithPath: idOrPath)
        }
        let cache = cacheDirectory ?? hubCache
        let repo = cache.appendingPathComponent("models--" + idOrPath.replacingOccurrences(of: "/", with: "--"))
        let snapshots = repo.appendingPathComponent("snapshots")
        if let ref = try? String(contentsOf: repo.appendingPathComponent("refs/main"), encoding: .utf8) {
            let dir = snapshots.appendingPathComponent(ref.trimmingCharacters(in: .whitespacesAndNewlines))
            if FileManager.default.fileExists(atPath: dir.path) { return dir }
        }
        if let only = try? FileManager.default.contentsOfDirectory(atPath: snapshots.path), only.count == 1 {
            return snapshots.appendingPathComponent(only[0])
        }
        throw TransformersError.os("Can't load tokenizer for '\(idOrPath)'. It is not a local directory and the offline Hugging Face cache has no snapshot of it (looked in \(repo.path)). Make sure '\(idOrPath)' is the correct path to a directory containing the tokenizer files, or a model id present in the cache.")
    }

    /// Loads the tokenizer of `idOrPath` (a directory, or a model id in the hub cache).
    public static func fromPretrained(_ idOrPath: String, cacheDirectory: URL? = nil) throws -> PreTrainedTokenizerFast {
        let dir = try resolveDirectory(idOrPath, cacheDirectory: cacheDirectory)
        let config = try TokenizerConfig(configFile: dir.appendingPathComponent("tokenizer_config.json"),
                                         specialTokensMapFile: dir.appendingPathComponent("special_tokens_map.json"))
        let (tokenizer, json) = try makeTokenizer(in: dir, config: config)
        return PreTrainedTokenizerFast(tokenizer: tokenizer, config: config, nameOrPath: idOrPath, sourceJSON: json)
    }

    // MARK: Files to Tokenizer
    // The one place where a directory's files become a `Tokenizer`. Each other file format
    // (vocab.txt, vocab.json + merges.txt, SentencePiece, tiktoken, GGUF) adds its case here,
    // after tokenizer.json, which wins whenever it is present as in transformers.

    /// Builds the tokenizer from the files in `directory`; also returns tokenizer.json's
    /// contents when that is what it was built from (for saving it back).
    static func makeTokenizer(in directory: URL, config: TokenizerConfig) throws -> (Tokenizer, [String: Any]?) {
        let tokenizerJSON = directory.appendingPathComponent("tokenizer.json")
        if let data = FileManager.default.contents(atPath: tokenizerJSON.path) {
            do {
                let json = try JSONObject.parse(data, file: tokenizerJSON.path).values
                return (try Tokenizer(json: data, file: tokenizerJSON.path), json)
            } catch let e as TokenizerError {
                throw TransformersError.os("Unable to load tokenizer from \(tokenizerJSON.path): \(e.description)")
            }
        }
        let present = (try? FileManager.default.contentsOfDirectory(atPath: directory.path))?.sorted() ?? []
        throw TransformersError.os("Can't load tokenizer from '\(directory.path)': no tokenizer.json there (files: \(present.joined(separator: ", "))).")
    }
}
