import Foundation
import Tensors
import XCTest
@testable import Tokenizers

/// Tokenizers that arrive without a tokenizer.json (vocab.txt, vocab.json + merges.txt,
/// SentencePiece models, tiktoken files, GGUF vocabularies) against what transformers' fast
/// tokenizer gives for the same files (generate_formats.py): ids, tokens, offsets and decoded
/// text on the corpus must all be identical.
final class FormatLoadingTests: XCTestCase {
    static func formats(_ name: String) -> URL { Fixtures.url("tokenizers/formats/\(name)") }

    /// Compares every recorded case; returns readable differences.
    static func compare(_ tokenizer: Tokenizer, with name: String) throws -> [String] {
        let fixture = try Fixtures.json("tokenizers/formats/\(name).expected.json")
        var out: [String] = []
        func check<T: Equatable>(_ label: String, _ expected: T?, _ got: T) {
            if expected != got, out.count < 12 { out.append("\(label): expected \(String(describing: expected)) got \(got)") }
        }
        check("vocab_size", fixture["vocab_size"] as? Int, tokenizer.vocabularySize)
        for c in fixture["cases"] as? [[String: Any]] ?? [] {
            let text = c["text"] as? String ?? ""
            let label = text.debugDescription.prefix(40)
            let e = try tokenizer.encode(text)
            check("\(label) ids", c["ids"] as? [Int], e.ids)
            check("\(label) tokens", c["tokens"] as? [String], e.tokens)
            check("\(label) id_tokens", (c["id_tokens"] ?? c["tokens"]) as? [String], e.ids.map { tokenizer.idToToken($0) ?? "" })
            check("\(label) offsets", (c["offsets"] as? [[Int]])?.map { Offset($0[0], $0[1]) }, e.offsets)
            check("\(label) ids_no_special", (c["ids_no_special"] ?? c["ids"]) as? [Int], try tokenizer.encode(text, addSpecialTokens: false).ids)
            let ids = c["ids"] as? [Int] ?? []
            check("\(label) decoded", c["decoded"] as? String, try tokenizer.decode(ids))
            check("\(label) decoded_skip", (c["decoded_skip"] ?? c["decoded"]) as? String, try tokenizer.decode(ids, skipSpecialTokens: true))
        }
        let pair = fixture["pair"] as! [String: Any]
        check("pair ids", pair["ids"] as? [Int], try tokenizer.encode(pair["a"] as! String, pair: pair["b"] as? String).ids)
        return out
    }

    func assertIdentical(_ tokenizer: Tokenizer, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let diffs = try Self.compare(tokenizer, with: name)
        XCTAssertTrue(diffs.isEmpty, "\(name):\n" + diffs.joined(separator: "\n"), file: file, line: line)
    }

    func testBertVocabTxtWithLowerCasing() throws {
        try assertIdentical(try Tokenizer(files: TokenizerFiles(directory: Self.formats("bert"))), "bert")
    }

    func testBertVocabTxtCasedFromDoLowerCaseFalse() throws {
        try assertIdentical(try Tokenizer(files: TokenizerFiles(directory: Self.formats("bert_cased"))), "bert_cased")
    }

    func testGPT2VocabJSONAndMerges() throws {
        try assertIdentical(try Tokenizer(files: TokenizerFiles(directory: Self.formats("gpt2"))), "gpt2")
    }

    func testRobertaVocabJSONAndMerges() throws {
        try assertIdentical(try Tokenizer(files: TokenizerFiles(directory: Self.formats("roberta"))), "roberta")
    }

    func testLlamaSentencePieceModel() throws {
        try assertIdentical(try Tokenizer(files: TokenizerFiles(directory: Self.formats("llama"))), "llama")
    }

    func testLlamaSentencePieceModelWithBosEosLegacyAndUserDefinedPieces() throws {
        try assertIdentical(try Tokenizer(files: TokenizerFiles(directory: Self.formats("llama_legacy"))), "llama_legacy")
    }

    func testT5SentencePieceModelWithExtraIds() throws {
        try assertIdentical(try Tokenizer(files: TokenizerFiles(directory: Self.formats("t5"))), "t5")
    }

    func testTiktokenFileWithDefaultPattern() throws {
        try assertIdentical(try Tokenizer(files: TokenizerFiles(directory: Self.formats("tiktoken"))), "tiktoken")
    }

    func testTiktokenFileWithO200kPattern() throws {
        let expected = try Fixtures.json("tokenizers/formats/tiktoken_o200k.expected.json")
        let files = TokenizerFiles(directory: Self.formats("tiktoken"))
        var config = try TokenizerConfiguration(files: files)
        config.raw["pattern"] = expected["pattern"]
        let (tokenizer, _) = try TiktokenFile.load(files.tiktokenFiles[0], configuration: config)
        try assertIdentical(tokenizer, "tiktoken_o200k")
    }

    func testLlamaStyleGGUFVocabulary() throws {
        let files = TokenizerFiles(directory: Self.formats("llama_gguf"))
        let (tokenizer, config) = try Tokenizer.load(files: files, ggufFile: "tiny-llama.gguf")
        try assertIdentical(tokenizer, "llama_gguf")
        let expected = try Fixtures.json("tokenizers/formats/llama_gguf.expected.json")
        XCTAssertEqual(config.chatTemplate, expected["chat_template"] as? String)
        XCTAssertEqual(config.addBosToken, expected["add_bos_token"] as? Bool)
        XCTAssertEqual(config.bosToken, expected["bos_token"] as? String)
        XCTAssertEqual(config.eosToken, expected["eos_token"] as? String)
    }

    func testByteLevelGGUFWithLlama3PreTokenizerAndUserDefinedToken() throws {
        let files = TokenizerFiles(directory: Self.formats("gpt2_gguf"))
        let (tokenizer, config) = try Tokenizer.load(files: files, ggufFile: "tiny-gpt2.gguf")
        try assertIdentical(tokenizer, "gpt2_gguf")
        XCTAssertEqual(config.addBosToken, true)
    }

    func testT5StyleGGUFWithSentinelPlaceholders() throws {
        let files = TokenizerFiles(directory: Self.formats("t5_gguf"))
        try assertIdentical(try Tokenizer(files: files, ggufFile: "tiny-t5.gguf"), "t5_gguf")
    }

    func testSmolLM2GGUFVocabularyMatchesTransformers() throws {
        let files = try TokenizerFiles.resolve("HuggingFaceTB/SmolLM2-135M-Instruct")
        let (tokenizer, config) = try Tokenizer.load(files: files, ggufFile: "SmolLM2-135M-Instruct.Q4_1.gguf")
        try assertIdentical(tokenizer, "smollm2_gguf")
        let expected = try Fixtures.json("tokenizers/formats/smollm2_gguf.expected.json")
        XCTAssertEqual(config.chatTemplate, expected["chat_template"] as? String)
        XCTAssertEqual(config.addBosToken, expected["add_bos_token"] as? Bool)
        for key in ["bos_token", "eos_token", "unk_token", "pad_token"] {
            let got = [config.bosToken, config.eosToken, config.unkToken, config.padToken][["bos_token", "eos_token", "unk_token", "pad_token"].firstIndex(of: key)!]
            XCTAssertEqual(got, expected[key] as? String, key)
        }
    }
}
