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

    /// Loads the tokenizer of `idOrPath` (a directory, or a model id in the hub cache, at
    /// `revision` when given). With `ggufFile` (a file name inside that directory, or a path)
    /// the vocabulary, special tokens and chat template come from the GGUF metadata, as
    /// transformers' `from_pretrained(..., gguf_file=)` does.
    public static func fromPretrained(_ idOrPath: String, revision: String? = nil, ggufFile: String? = nil,
                                      cacheDirectory: URL? = nil) throws -> PreTrainedTokenizerFast {
        let dir: URL
        if let revision {
            var environment = ProcessInfo.processInfo.environment
            if let cacheDirectory { environment["HF_HUB_CACHE"] = cacheDirectory.path }
            do { dir = try TokenizerFiles.resolve(idOrPath, revision: revision, environment: environment).directory }
            catch let e as TokenizerError { throw TransformersError.os(e.description) }
        } else {
            dir = try resolveDirectory(idOrPath, cacheDirectory: cacheDirectory)
        }
        var config = try TokenizerConfig(configFile: dir.appendingPathComponent("tokenizer_config.json"),
                                         specialTokensMapFile: dir.appendingPathComponent("special_tokens_map.json"))
        // A chat_template.jinja file next to the config takes precedence, as in transformers 5.
        let templateFile = dir.appendingPathComponent("chat_template.jinja")
        if let data = FileManager.default.contents(atPath: templateFile.path) {
            guard let text = String(data: data, encoding: .utf8) else {
                throw TransformersError.os("\(templateFile.path) is not UTF-8 text")
            }
            config.chatTemplate = text
        }
        let (tokenizer, json) = try makeTokenizer(in: dir, config: &config, ggufFile: ggufFile)
        return PreTrainedTokenizerFast(tokenizer: tokenizer, config: config, nameOrPath: idOrPath, sourceJSON: json)
    }

    // MARK: Files to Tokenizer
    // The one place where a directory's files become a `Tokenizer`. Each other file format
    // (vocab.txt, vocab.json + merges.txt, SentencePiece, tiktoken, GGUF) adds its case here,
    // after tokenizer.json, which wins whenever it is present as in transformers.

    /// Builds the tokenizer from the files in `directory`; also returns tokenizer.json's
    /// contents when that is what it was built from (for saving it back). Formats other than
    /// tokenizer.json (a GGUF file, vocab.txt, vocab.json + merges.txt, SentencePiece,
    /// tiktoken) go through `Tokenizer.load`, and what their metadata says about special
    /// tokens and the chat template fills what the config files left unset.
    static func makeTokenizer(in directory: URL, config: inout TokenizerConfig, ggufFile: String? = nil) throws -> (Tokenizer, [String: Any]?) {
        let tokenizerJSON = directory.appendingPathComponent("tokenizer.json")
        if ggufFile == nil, let data = FileManager.default.contents(atPath: tokenizerJSON.path) {
            do {
                let json = try JSONObject.parse(data, file: tokenizerJSON.path).values
                return (try Tokenizer(json: data, file: tokenizerJSON.path), json)
            } catch let e as TokenizerError {
                throw TransformersError.os("Unable to load tokenizer from \(tokenizerJSON.path): \(e.description)")
            }
        }
        let files = TokenizerFiles(directory: directory)
        let hasVocabulary = files.vocabTxt != nil || files.vocabJSON != nil || files.sentencePieceModel != nil
            || !files.tiktokenFiles.isEmpty || !files.ggufFiles.isEmpty
        guard ggufFile != nil || hasVocabulary else {
            let present = (try? FileManager.default.contentsOfDirectory(atPath: directory.path))?.sorted() ?? []
            throw TransformersError.os("Can't load tokenizer from '\(directory.path)': no tokenizer.json there, nor vocabulary files (vocab.txt, vocab.json + merges.txt, tokenizer.model, *.tiktoken, *.gguf); files: \(present.joined(separator: ", ")).")
        }
        let tokenizer: Tokenizer, loaded: TokenizerConfiguration
        do { (tokenizer, loaded) = try Tokenizer.load(files: files, ggufFile: ggufFile) }
        catch let e as TokenizerError { throw TransformersError.os("Unable to load tokenizer from \(directory.path): \(e.description)") }
        let named: [(String, String?)] = [("bos_token", loaded.bosToken), ("eos_token", loaded.eosToken),
                                          ("unk_token", loaded.unkToken), ("sep_token", loaded.sepToken),
                                          ("pad_token", loaded.padToken), ("cls_token", loaded.clsToken),
                                          ("mask_token", loaded.maskToken)]
        for case let (name, token?) in named where config.specialTokens[name] == nil { config.specialTokens[name] = token }
        if config.additionalSpecialTokens.isEmpty { config.additionalSpecialTokens = loaded.extraSpecialTokens }
        if config.chatTemplate == nil { config.chatTemplate = loaded.chatTemplate }
        if config.addBosToken == nil { config.addBosToken = loaded.addBosToken }
        if config.addEosToken == nil { config.addEosToken = loaded.addEosToken }
        if let cls = loaded.tokenizerClass, config.tokenizerClass == "PreTrainedTokenizerFast" { config.tokenizerClass = cls }
        return (tokenizer, nil)
    }
}
