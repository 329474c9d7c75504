import Foundation
import Tensors

extension Tokenizer {
    /// Loads the tokenizer described by `files`, choosing the format as transformers does:
    /// the GGUF file named by `ggufFile` when given, else `tokenizer.json`, else the vocabulary
    /// files the configuration's `tokenizer_class` (or what is present) calls for: `vocab.txt`
    /// (BERT), `vocab.json` + `merges.txt` (GPT-2, RoBERTa), a SentencePiece model (Llama, T5),
    /// a `.tiktoken` file, or a lone GGUF file.
    public convenience init(files: TokenizerFiles, ggufFile: String? = nil) throws {
        let (t, _) = try Tokenizer.load(files: files, ggufFile: ggufFile)
        try self.init(model: t.model, normalizer: t.normalizer, preTokenizer: t.preTokenizer, postProcessor: t.postProcessor,
                      decoder: t.decoder, addedTokens: t.addedTokens, truncation: t.truncation, padding: t.padding)
    }

    /// Loads a model id (from the Hugging Face cache, offline) or a directory.
    public convenience init(pretrained idOrPath: String, revision: String? = nil, ggufFile: String? = nil) throws {
        try self.init(files: try TokenizerFiles.resolve(idOrPath, revision: revision), ggufFile: ggufFile)
    }

    /// Loads the tokenizer for `files` together with its configuration (special tokens,
    /// add_bos_token, chat template...) from tokenizer_config.json or the GGUF metadata.
    public static func load(files: TokenizerFiles, ggufFile: String? = nil) throws -> (Tokenizer, TokenizerConfiguration) {
        if let ggufFile {
            let url = ggufFile.hasPrefix("/") ? URL(fileURLWithPath: ggufFile) : files.directory.appendingPathComponent(ggufFile)
            guard FileManager.default.fileExists(atPath: url.path) else { throw TokenizerError.fileNotFound(path: url.path) }
            return try fromGGUF(try GGUFFile(path: url.path))
        }
        let config = try TokenizerConfiguration(files: files)
        if let url = files.tokenizerJSON { return (try Tokenizer(contentsOf: url), config) }
        let cls = (config.tokenizerClass ?? "").lowercased()
        if let vocab = files.vocabTxt, files.vocabJSON == nil || cls.contains("bert") && !cls.contains("roberta") {
            return try VocabularyFiles.wordPiece(vocabTxt: vocab, configuration: config)
        }
        if let vocab = files.vocabJSON, let merges = files.merges {
            return try VocabularyFiles.byteLevelBPE(vocabJSON: vocab, merges: merges, roberta: cls.contains("roberta"), configuration: config)
        }
        if let model = files.sentencePieceModel {
            if cls.hasPrefix("t5") || cls.hasPrefix("mt5") || cls.hasPrefix("umt5") { return try SentencePieceFiles.t5(model, configuration: config) }
            return try SentencePieceFiles.llama(model, configuration: config)
        }
        if let ranks = files.tiktokenFiles.first { return try TiktokenFile.load(ranks, configuration: config) }
        if files.ggufFiles.count == 1 { return try fromGGUF(try GGUFFile(path: files.ggufFiles[0].path)) }
        let present = files.names.isEmpty ? "no tokenizer files" : "only " + files.names.joined(separator: ", ")
        throw TokenizerError.malformed(file: files.directory.path,
                                       detail: "no tokenizer found: \(present) (looked for tokenizer.json, vocab.txt, vocab.json + merges.txt, tokenizer.model, *.tiktoken, or one *.gguf)")
    }

    /// The vocabulary embedded in a GGUF file, with the configuration its metadata gives.
    public static func fromGGUF(_ file: GGUFFile) throws -> (Tokenizer, TokenizerConfiguration) {
        try GGUFTokenizer.load(file)
    }
}
