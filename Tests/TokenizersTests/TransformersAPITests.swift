import Foundation
import XCTest
import Tensors
@testable import Tokenizers

/// The transformers-level API (`PreTrainedTokenizerFast`, `BatchEncoding`, `AutoTokenizer`)
/// against Tests/Fixtures/tokenizers/api/cases.json, recorded from transformers by
/// generate_api.py: every call, decode, vocabulary and padding case must match exactly.
final class TransformersAPITests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/tokenizers")

    struct Fixture { let tokenizers: [String: [String: Any]]; let cases: [[String: Any]] }

    static let fixture: Fixture = {
        let data = try! Data(contentsOf: fixtures.appendingPathComponent("api/cases.json"))
        let root = try! JSONSerialization.jsonObject(with: data) as! [String: Any]
        return Fixture(tokenizers: root["tokenizers"] as! [String: [String: Any]], cases: root["cases"] as! [[String: Any]])
    }()

    /// A directory laid out as transformers saves one: tokenizer.json and the two config files.
    static func directory(for name: String) throws -> URL {
        let spec = fixture.tokenizers[name]!
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("apus-api-\(getpid())/\(name)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let target = dir.appendingPathComponent("tokenizer.json")
        if !FileManager.default.fileExists(atPath: target.path) {
            try FileManager.default.copyItem(at: fixtures.appendingPathComponent(spec["tokenizer_json"] as! String), to: target)
        }
        try JSONSerialization.data(withJSONObject: spec["config"]!).write(to: dir.appendingPathComponent("tokenizer_config.json"))
        try JSONSerialization.data(withJSONObject: spec["special_tokens_map"]!).write(to: dir.appendingPathComponent("special_tokens_map.json"))
        return dir
    }

    // MARK: Python values -> Swift arguments

    static func options(_ kw: [String: Any]) throws -> TokenizerCallOptions {
        var o = TokenizerCallOptions()
        for (k, v) in kw {
            switch k {
            case "text", "text_pair": break
            case "add_special_tokens": o.addSpecialTokens = v as! Bool
            case "padding":
                if let b = v as? Bool { o.padding = b ? .longest : .doNotPad } else { o.padding = PaddingStrategy(rawValue: v as! String)! }
            case "truncation":
                if let b = v as? Bool { o.truncation = b ? .longestFirst : .doNotTruncate } else { o.truncation = TruncationChoice(rawValue: v as! String)! }
            case "max_length": o.maxLength = v as? Int
            case "stride": o.stride = v as! Int
            case "is_split_into_words": o.isSplitIntoWords = v as! Bool
            case "pad_to_multiple_of": o.padToMultipleOf = v as? Int
            case "padding_side": o.paddingSide = v as? String
            case "return_tensors": o.returnTensors = ReturnTensors(rawValue: v as! String)
            case "return_token_type_ids": o.returnTokenTypeIds = v as? Bool
            case "return_attention_mask": o.returnAttentionMask = v as? Bool
            case "return_overflowing_tokens": o.returnOverflowingTokens = v as! Bool
            case "return_special_tokens_mask": o.returnSpecialTokensMask = v as! Bool
            case "return_offsets_mapping": o.returnOffsetsMapping = v as! Bool
            case "return_length": o.returnLength = v as! Bool
            default: XCTFail("unknown kwarg \(k)")
            }
        }
        return o
    }

    /// `text` / `text_pair` as transformers reads them: a string, a batch, or words.
    static func call(_ tok: PreTrainedTokenizerFast, _ kw: [String: Any]) throws -> BatchEncoding {
        let o = try options(kw)
        func inputs(_ v: Any) -> ([TextInput], Bool) {
            if let s = v as? String { return ([.text(s)], false) }
            if o.isSplitIntoWords {
                if let rows = v as? [[String]] { return (rows.map { .words($0) }, true) }
                return ([.words(v as! [String])], false)
            }
            return ((v as! [String]).map { .text($0) }, true)
        }
        let (texts, batched) = inputs(kw["text"]!)
        var pairs: [TextInput]?
        if let p = kw["text_pair"] {
            if batched, p is String {
                throw TransformersError("TypeError", "when tokenizing batches of text, `text_pair` must be a list or tuple with the same length as `text`.")
            }
            pairs = inputs(p).0
        }
        return try tok(texts, pairs: pairs, isBatched: batched, options: o)
    }

    // MARK: Swift results -> JSON values

    static func json(_ v: EncodedValue) -> Any {
        switch v {
        case .ints(let a): return a
        case .batch(let a): return a
        case .offsets(let o): return o.map { [$0.start, $0.end] }
        case .batchOffsets(let o): return o.map { $0.map { [$0.start, $0.end] } }
        case .tensor(let t):
            let flat = t.toInt64Array().map(Int.init)
            func nest(_ dims: ArraySlice<Int>, _ start: Int) -> Any {
                guard let d = dims.first else { return flat[start] }
                let inner = dims.dropFirst().reduce(1, *)
                return (0..<d).map { nest(dims.dropFirst(), start + $0 * inner) }
            }
            return ["tensor": nest(t.shape[...], 0), "shape": t.shape, "dtype": "torch.int64"]
        }
    }

    static func describe(_ e: BatchEncoding, tensors: ReturnTensors?) throws -> [String: Any] {
        var values: [String: Any] = [:]
        for (k, v) in e.items {
            var j = json(v)
            if tensors == .numpy, var d = j as? [String: Any] {
                d["array"] = d.removeValue(forKey: "tensor"); d["dtype"] = "int64"; j = d
            }
            values[k] = j
        }
        var out: [String: Any] = ["keys": e.keys, "values": values]
        if let encs = e.encodings {
            out["tokens"] = encs.map(\.tokens)
            out["word_ids"] = encs.map { $0.wordIds.map { $0 as Any? ?? NSNull() } }
            out["sequence_ids"] = encs.map { $0.sequenceIds.map { $0 as Any? ?? NSNull() } }
            var probes: [Any] = []
            for b in encs.indices { for c in stride(from: 0, to: 14, by: 3) { probes.append([b, c, try e.charToToken(b, c) as Any? ?? NSNull()]) } }
            out["char_to_token"] = probes
        }
        return out
    }

    /// Deep equality of JSON values (numbers, bools, strings, nulls, arrays, objects).
    static func same(_ a: Any?, _ b: Any?) -> Bool {
        switch (a, b) {
        case (nil, nil), (nil, is NSNull), (is NSNull, nil), (is NSNull, is NSNull): return true
        case (let x as [String: Any], let y as [String: Any]):
            return Set(x.keys) == Set(y.keys) && x.keys.allSatisfy { same(x[$0], y[$0]) }
        case (let x as [Any], let y as [Any]): return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
        case (let x as String, let y as String): return x == y
        case (let x as NSNumber, let y as NSNumber): return x == y
        case (let x as Int, let y as NSNumber): return NSNumber(value: x) == y
        case (let x as NSNumber, let y as Int): return x == NSNumber(value: y)
        case (let x as Bool, let y as NSNumber): return NSNumber(value: x) == y
        default:
            if let x = a as? NSNumber, let y = b as? NSNumber { return x == y }
            return false
        }
    }

    static func optional(_ v: Any?) -> Any { v ?? NSNull() }

    // MARK: Running one case

    static func setUp(_ tok: PreTrainedTokenizerFast, _ steps: [[Any]]) throws {
        for step in steps {
            switch step[0] as! String {
            case "add_tokens":
                let n = try tok.addTokens(step[1] as! [String], special: step[2] as! Bool)
                XCTAssertEqual(n, step[3] as? Int, "add_tokens count")
            case "add_special_tokens":
                // The fixture's dict order: pad_token first, then the additional list.
                let d = step[1] as! [String: Any]
                var entries: [(name: String, tokens: [String])] = []
                if let p = d["pad_token"] as? String { entries.append(("pad_token", [p])) }
                if let a = d["additional_special_tokens"] as? [String] { entries.append(("additional_special_tokens", a)) }
                let n = try tok.addSpecialTokens(entries)
                XCTAssertEqual(n, step[2] as? Int, "add_special_tokens count")
            case "set":
                let name = step[1] as! String, value = step[2] as! String
                switch name {
                case "padding_side": tok.config.paddingSide = value
                case "truncation_side": tok.config.truncationSide = value
                default: try tok.setSpecialToken(name, value)
                }
            default: XCTFail("unknown setup step \(step)")
            }
        }
    }

    static func run(_ tok: PreTrainedTokenizerFast, _ c: [String: Any]) throws -> Any {
        let kw = c["kwargs"] as? [String: Any] ?? [:]
        switch c["op"] as! String {
        case "call":
            return try describe(try call(tok, kw), tensors: (kw["return_tensors"] as? String).flatMap(ReturnTensors.init))
        case "decode":
            return try tok.decode(c["ids"] as! [Int], skipSpecialTokens: kw["skip_special_tokens"] as? Bool ?? false,
                                  cleanUpTokenizationSpaces: kw["clean_up_tokenization_spaces"] as? Bool)
        case "batch_decode":
            return try tok.batchDecode(c["ids"] as! [[Int]], skipSpecialTokens: kw["skip_special_tokens"] as? Bool ?? false)
        case "decode_roundtrip":
            let ids = try tok.encode(c["text"] as! String)
            return [try tok.decode(ids), try tok.decode(ids, skipSpecialTokens: true)]
        case "tokenize":
            return try tok.tokenize(c["text"] as! String, pair: kw["pair"] as? String, addSpecialTokens: kw["add_special_tokens"] as? Bool ?? false)
        case "encode":
            var o = try options(kw)
            if kw["truncation"] == nil { o.truncation = nil }
            return try tok.encode(c["text"] as! String, pair: kw["text_pair"] as? String, options: o)
        case "convert_tokens_to_ids":
            let tokens = c["tokens"] as! [String]
            return [tok.convertTokensToIds(tokens).map(optional), optional(tok.convertTokenToId(tokens[0]))]
        case "convert_ids_to_tokens":
            let ids = c["ids"] as! [Int]
            return [tok.convertIdsToTokens(ids, skipSpecialTokens: kw["skip_special_tokens"] as? Bool ?? false).map(optional),
                    optional(tok.convertIdsToTokens([ids[1]]).first ?? nil)]
        case "attributes":
            var out: [String: Any] = [:]
            for n in TokenizerConfig.specialTokenNames {
                out[n] = optional(tok.specialToken(n)); out[n + "_id"] = optional(tok.specialTokenId(n))
            }
            out["all_special_tokens"] = tok.allSpecialTokens
            out["all_special_ids"] = tok.allSpecialIds
            out["special_tokens_map"] = Dictionary(uniqueKeysWithValues: tok.specialTokensMap)
            out["model_max_length"] = tok.config.modelMaxLength.map { $0 as Any } ?? Double(1e30)
            out["padding_side"] = tok.config.paddingSide
            out["truncation_side"] = tok.config.truncationSide
            out["vocab_size"] = tok.vocabSize
            out["len"] = tok.count
            out["model_input_names"] = tok.config.modelInputNames
            out["clean_up_tokenization_spaces"] = tok.config.cleanUpTokenizationSpaces
            return out
        case "pad":
            var features = BatchEncoding()
            if let list = c["features"] as? [[String: Any]] {
                for k in list[0].keys.sorted(by: { $0 == "input_ids" || $1 != "input_ids" && $0 < $1 }) {
                    features[k] = .batch(list.map { $0[k] as! [Int] })
                }
            } else {
                let d = c["features"] as! [String: Any]
                for k in d.keys.sorted(by: { $0 == "input_ids" || $1 != "input_ids" && $0 < $1 }) {
                    if let rows = d[k] as? [[Int]] { features[k] = .batch(rows) } else { features[k] = .ints(d[k] as! [Int]) }
                }
            }
            var padding = PaddingStrategy.longest
            if let p = kw["padding"] as? String { padding = PaddingStrategy(rawValue: p)! }
            let tensors = (kw["return_tensors"] as? String).flatMap(ReturnTensors.init)
            let out = try tok.pad(features, padding: padding, maxLength: kw["max_length"] as? Int, padToMultipleOf: kw["pad_to_multiple_of"] as? Int,
                                  paddingSide: kw["padding_side"] as? String, returnAttentionMask: kw["return_attention_mask"] as? Bool,
                                  returnTensors: tensors)
            return try describe(out, tensors: tensors)
        default:
            throw TransformersError("ValueError", "unknown op")
        }
    }

    func testEveryRecordedCallMatchesTransformers() throws {
        var checked = 0
        // Cases without setup steps share one loaded tokenizer per fixture (a call leaves no state behind).
        var shared: [String: PreTrainedTokenizerFast] = [:]
        for (i, c) in Self.fixture.cases.enumerated() {
            let name = c["tokenizer"] as! String
            let fresh = { try AutoTokenizer.fromPretrained(try Self.directory(for: name).path) }
            let tok: PreTrainedTokenizerFast
            if c["setup"] != nil { tok = try fresh() } else if let t = shared[name] { tok = t } else { tok = try fresh(); shared[name] = tok }
            let label = "case \(i) (\(name) \(c["op"]!) \(c["kwargs"] ?? ""))"
            do {
                try Self.setUp(tok, c["setup"] as? [[Any]] ?? [])
                let got = try Self.run(tok, c)
                if let err = c["error"] as? [String: Any] {
                    XCTFail("\(label): expected \(err["type"]!): \(err["message"]!), got \(got)")
                } else if !Self.same(got, c["expected"]) {
                    XCTFail("\(label):\n got      \(got)\n expected \(c["expected"]!)")
                }
            } catch let e as TransformersError {
                guard let err = c["error"] as? [String: String] else { XCTFail("\(label): unexpected error \(e)"); continue }
                if err["type"] == "PanicException" {
                    XCTAssertTrue(e.message.contains("stride"), label)   // a panic in Rust, a clear error here
                } else {
                    XCTAssertEqual(e.pythonType, err["type"], label)
                    XCTAssertEqual(e.message, err["message"], label)
                }
            }
            checked += 1
        }
        XCTAssertEqual(checked, Self.fixture.cases.count)
    }
}
