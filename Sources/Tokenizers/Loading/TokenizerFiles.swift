import Foundation

/// The tokenizer files found for a model: a local directory, or a snapshot in the Hugging Face
/// cache layout (`$HF_HOME/hub/models--ORG--NAME/snapshots/<revision>/`), found offline.
///
///     let files = try TokenizerFiles.resolve("HuggingFaceTB/SmolLM2-135M-Instruct")
///     let tokenizer = try Tokenizer(files: files, ggufFile: files.ggufFiles.first?.lastPathComponent)
public struct TokenizerFiles: Equatable, Sendable {
    /// The directory the files were found in.
    public let directory: URL
    public var tokenizerJSON: URL?
    public var tokenizerConfig: URL?
    public var specialTokensMap: URL?
    /// BERT WordPiece vocabulary, one token per line.
    public var vocabTxt: URL?
    /// Byte-level BPE vocabulary (`{"token": id}`), used with `merges`.
    public var vocabJSON: URL?
    public var merges: URL?
    /// A SentencePiece model (`tokenizer.model`, or another `*.model` such as `spiece.model`).
    public var sentencePieceModel: URL?
    /// tiktoken rank files (`*.tiktoken`).
    public var tiktokenFiles: [URL] = []
    public var chatTemplate: URL?
    /// GGUF files in the directory, sorted by name.
    public var ggufFiles: [URL] = []

    /// The file names present, for messages and listings.
    public var names: [String] {
        ([tokenizerJSON, tokenizerConfig, specialTokensMap, vocabTxt, vocabJSON, merges, sentencePieceModel, chatTemplate]
            .compactMap { $0 } + tiktokenFiles + ggufFiles).map(\.lastPathComponent)
    }

    /// Lists the tokenizer files in `directory`.
    public init(directory: URL) {
        self.directory = directory
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path))?.sorted() ?? []
        func file(_ name: String) -> URL? { names.contains(name) ? directory.appendingPathComponent(name) : nil }
        tokenizerJSON = file("tokenizer.json")
        tokenizerConfig = file("tokenizer_config.json")
        specialTokensMap = file("special_tokens_map.json")
        vocabTxt = file("vocab.txt")
        vocabJSON = file("vocab.json")
        merges = file("merges.txt")
        // The name transformers' Llama/T5 tokenizers look for first, then the older T5 one.
        sentencePieceModel = file("tokenizer.model") ?? file("spiece.model") ?? file("sentencepiece.bpe.model")
        tiktokenFiles = names.filter { $0.hasSuffix(".tiktoken") }.map { directory.appendingPathComponent($0) }
        chatTemplate = file("chat_template.jinja")
        ggufFiles = names.filter { $0.hasSuffix(".gguf") }.map { directory.appendingPathComponent($0) }
    }

    /// Finds the files for `idOrPath`: an existing directory is used as is; otherwise the id
    /// (`org/name`) is looked up in the Hugging Face cache under `$HF_HOME/hub` (default
    /// `~/.cache/huggingface`, or `$HF_HUB_CACHE` when set), at `revision` (a branch or tag
    /// name under `refs/`, or a commit hash; `main` by default). Nothing is downloaded. The error
    /// for a model that is not there says every place that was looked in.
    public static func resolve(_ idOrPath: String, revision: String? = nil,
                               environment: [String: String] = ProcessInfo.processInfo.environment) throws -> TokenizerFiles {
        var isDirectory: ObjCBool = false
        let expanded = (idOrPath as NSString).expandingTildeInPath
        if FileManager.default.fileExists(atPath: expanded, isDirectory: &isDirectory), isDirectory.boolValue {
            return TokenizerFiles(directory: URL(fileURLWithPath: expanded))
        }
        let hubCache: String
        if let cache = environment["HF_HUB_CACHE"] ?? environment["HUGGINGFACE_HUB_CACHE"] {
            hubCache = cache
        } else {
            let home = environment["HF_HOME"] ?? ((environment["XDG_CACHE_HOME"] ?? (NSHomeDirectory() + "/.cache")) + "/huggingface")
            hubCache = home + "/hub"
        }
        var looked = ["a local directory named '\(idOrPath)'"]
        let parts = idOrPath.split(separator: "/", omittingEmptySubsequences: false)
        guard !idOrPath.isEmpty, parts.count <= 2, !parts.contains(where: \.isEmpty), !idOrPath.hasPrefix(".") else {
            throw TokenizerError.notFound(idOrPath: idOrPath, lookedIn: looked)
        }
        let repo = hubCache + "/models--" + parts.joined(separator: "--")
        let rev = revision ?? "main"
        var commit = rev
        let ref = repo + "/refs/" + rev
        if let text = try? String(contentsOfFile: ref, encoding: .utf8) {
            commit = text.trimmingCharacters(in: .whitespacesAndNewlines)
        } else {
            looked.append(ref)
        }
        let snapshot = repo + "/snapshots/" + commit
        if FileManager.default.fileExists(atPath: snapshot, isDirectory: &isDirectory), isDirectory.boolValue {
            return TokenizerFiles(directory: URL(fileURLWithPath: snapshot))
        }
        looked.append(snapshot)
        throw TokenizerError.notFound(idOrPath: idOrPath, lookedIn: looked)
    }
}
