import Foundation
import Tensors
import Tokenizers

/// A loaded tokenizer as scripts see it: callable, with transformers' methods and attributes.
final class TokenizerObject: NativeObject, ScriptClassProviding {
    let tokenizer: PreTrainedTokenizerFast
    init(_ t: PreTrainedTokenizerFast) { tokenizer = t }

    var typeName: String { tokenizer.className }
    var scriptClass: PyClass { Self.binding.scriptClass }
    func getAttribute(_ name: String) throws -> Value? { try Self.binding.attribute(name, of: self) }
    func setAttribute(_ name: String, _ value: Value) throws -> Bool { try Self.binding.setAttribute(name, value, of: self) }
    var doc: String? { Self.binding.doc + "\n\n__call__(" + Self.callSignature.text + ")" }
    var attributeNames: [String] { Self.binding.attributeNames }

    static let callSignature = Signature("text=None, text_pair=None, add_special_tokens=True, padding=False, truncation=None, max_length=None, stride=0, is_split_into_words=False, pad_to_multiple_of=None, padding_side=None, return_tensors=None, return_token_type_ids=None, return_attention_mask=None, return_overflowing_tokens=False, return_special_tokens_mask=False, return_offsets_mapping=False, return_length=False, verbose=True")

    func call(_ args: [Value], _ kwargs: [(String, Value)]) throws -> Value {
        let a = try Self.callSignature.bind(args, kwargs, function: "__call__")
        if a.isNone("text") { throw ScriptBridge.error("ValueError", "You need to specify either `text` or `text_target`.") }
        return try ScriptBridge.wrap(BatchEncodingObject(encode(a)))
    }

    /// The shared body of `__call__` and `encode`.
    func encode(_ a: Arguments) throws -> BatchEncoding {
        var o = TokenizerCallOptions()
        o.addSpecialTokens = try a.bool("add_special_tokens")
        o.padding = try TransformersTokenizers.padding(a["padding"])
        o.truncation = try TransformersTokenizers.truncation(a["truncation"])
        o.maxLength = try a.optionalInt("max_length")
        o.stride = try a.int("stride")
        o.isSplitIntoWords = try a.bool("is_split_into_words")
        o.padToMultipleOf = try a.optionalInt("pad_to_multiple_of")
        o.paddingSide = try TransformersTokenizers.optionalString(a, "padding_side")
        o.returnTensors = try TransformersTokenizers.returnTensors(a["return_tensors"])
        o.returnTokenTypeIds = try TransformersTokenizers.optionalBool(a, "return_token_type_ids")
        o.returnAttentionMask = try TransformersTokenizers.optionalBool(a, "return_attention_mask")
        o.returnOverflowingTokens = try a.bool("return_overflowing_tokens")
        o.returnSpecialTokensMask = try a.bool("return_special_tokens_mask")
        o.returnOffsetsMapping = try a.bool("return_offsets_mapping")
        o.returnLength = try a.bool("return_length")
        guard let (texts, batched) = try TransformersTokenizers.textInputs(a["text"], splitIntoWords: o.isSplitIntoWords) else {
            throw ScriptBridge.error("ValueError", TransformersTokenizers.invalidText)
        }
        var pairs: [TextInput]?
        if !a.isNone("text_pair") {
            if batched, case .str = a["text_pair"] {
                throw ScriptBridge.error("TypeError", "when tokenizing batches of text, `text_pair` must be a list or tuple with the same length as `text`.")
            }
            guard let (p, _) = try TransformersTokenizers.textInputs(a["text_pair"], splitIntoWords: o.isSplitIntoWords) else {
                throw ScriptBridge.error("ValueError", TransformersTokenizers.invalidText)
            }
            pairs = p
        }
        return try TransformersTokenizers.translating { try tokenizer(texts, pairs: pairs, isBatched: batched, options: o) }
    }

    func repr() throws -> String {
        let t = tokenizer
        let special = t.specialTokensMap.map { "'\($0.0)': '\($0.1)'" }.joined(separator: ", ")
        let added = t.addedTokensDecoder.map {
            "\($0.id): AddedToken(\"\($0.content)\", rstrip=\($0.rstrip ? "True" : "False"), lstrip=\($0.lstrip ? "True" : "False"), single_word=\($0.singleWord ? "True" : "False"), normalized=\($0.normalized ? "True" : "False"), special=\($0.special ? "True" : "False")),"
        }
        let addedText = added.isEmpty ? "" : "\n\t" + added.joined(separator: "\n\t") + "\n"
        let maxLength = t.config.modelMaxLength.map(String.init) ?? PreTrainedTokenizerFast.veryLargeIntegerText
        return "\(t.className)(name_or_path='\(t.nameOrPath)', vocab_size=\(t.vocabSize), model_max_length=\(maxLength), padding_side='\(t.config.paddingSide)', truncation_side='\(t.config.truncationSide)', special_tokens={\(special)}, added_tokens_decoder={\(addedText)})"
    }

    static let binding: NativeTypeBinding<TokenizerObject> = make()

    static func make() -> NativeTypeBinding<TokenizerObject> {
        let b = NativeTypeBinding<TokenizerObject>(typeName: "PreTrainedTokenizerFast", module: "transformers",
            doc: "A tokenizer: call it on a text, a list of texts or pairs to get a BatchEncoding (input_ids, attention_mask...), decode ids back to text.")
        let tr = TransformersTokenizers.self

        b.method("encode", "text, text_pair=None, add_special_tokens=True, padding=False, truncation=None, max_length=None, stride=0, padding_side=None, return_tensors=None",
                 doc: "The input ids of one text (or pair), special tokens included.") { t, a in
            var values: [Value] = [a["text"], a["text_pair"], a["add_special_tokens"], a["padding"], a["truncation"], a["max_length"], a["stride"]]
            values += [.bool(false), .none, a["padding_side"], a["return_tensors"]]
            let bound = try callSignature.bind(values, [], function: "encode")
            let out = BatchEncodingObject(try t.encode(bound))
            return try out.item(.str("input_ids"))
        }
        b.method("decode", "token_ids, skip_special_tokens=False, clean_up_tokenization_spaces=None",
                 doc: "The text of ids (a list, a tensor, or a batch of them: then a list of texts).") { t, a in
            let (rows, batched) = try tr.idRows(a["token_ids"], "decode")
            let clean = try tr.optionalBool(a, "clean_up_tokenization_spaces")
            let texts = try tr.translating { try t.tokenizer.batchDecode(rows, skipSpecialTokens: try a.bool("skip_special_tokens"), cleanUpTokenizationSpaces: clean) }
            return batched ? .list(texts.map(Value.str)) : .str(texts.first ?? "")
        }
        b.method("batch_decode", "sequences, skip_special_tokens=False, clean_up_tokenization_spaces=None",
                 doc: "The texts of a batch of id sequences.") { t, a in
            let (rows, _) = try tr.idRows(a["sequences"], "batch_decode")
            let clean = try tr.optionalBool(a, "clean_up_tokenization_spaces")
            return .list(try tr.translating { try t.tokenizer.batchDecode(rows, skipSpecialTokens: try a.bool("skip_special_tokens"), cleanUpTokenizationSpaces: clean) }.map(Value.str))
        }
        b.method("tokenize", "text, pair=None, add_special_tokens=False", doc: "The token strings of a text.") { t, a in
            let pair = a.isNone("pair") ? nil : try a.string("pair")
            return .list(try tr.translating { try t.tokenizer.tokenize(try a.string("text"), pair: pair, addSpecialTokens: try a.bool("add_special_tokens")) }.map(Value.str))
        }
        b.method("convert_tokens_to_ids", "tokens", doc: "The id of a token, or ids of a list of tokens (the unknown token's id for unknown ones).") { t, a in
            if case .str(let s) = a["tokens"] { return tr.value(t.tokenizer.convertTokenToId(s)) }
            return .list(try ScriptBridge.array(a["tokens"]).map { tr.value(t.tokenizer.convertTokenToId(try ScriptBridge.string($0))) })
        }
        b.method("convert_ids_to_tokens", "ids, skip_special_tokens=False", doc: "The token of an id, or tokens of a list of ids.") { t, a in
            if case .int(let i) = a["ids"] { return tr.value(t.tokenizer.idToToken(i)) }
            let (rows, _) = try tr.idRows(a["ids"], "convert_ids_to_tokens")
            return .list(t.tokenizer.convertIdsToTokens(rows.first ?? [], skipSpecialTokens: try a.bool("skip_special_tokens")).map(tr.value))
        }
        b.method("convert_tokens_to_string", "tokens", doc: "Tokens joined into text by the decoder.") { t, a in
            .str(try tr.translating { try t.tokenizer.convertTokensToString(try ScriptBridge.array(a["tokens"]).map(ScriptBridge.string)) })
        }
        b.method("add_tokens", "new_tokens, special_tokens=False", doc: "Adds tokens to the vocabulary; returns how many were added.") { t, a in
            let tokens: [String]
            if case .str(let s) = a["new_tokens"] { tokens = [s] } else { tokens = try ScriptBridge.array(a["new_tokens"]).map(ScriptBridge.string) }
            return .int(try tr.translating { try t.tokenizer.addTokens(tokens, special: try a.bool("special_tokens")) })
        }
        b.method("add_special_tokens", "special_tokens_dict, replace_extra_special_tokens=True",
                 doc: "Sets special tokens ({'pad_token': '[PAD]', 'additional_special_tokens': [...]}) and adds them; returns how many were added.") { t, a in
            guard let items = try Interp.mappingItems(a["special_tokens_dict"]) else { throw a.mismatch("special_tokens_dict", "dict") }
            var entries: [(name: String, tokens: [String])] = []
            for (k, v) in items {
                let name = try ScriptBridge.string(k)
                if case .str(let s) = v { entries.append((name, [s])) } else { entries.append((name, try ScriptBridge.array(v).map(ScriptBridge.string))) }
            }
            return .int(try tr.translating { try t.tokenizer.addSpecialTokens(entries) })
        }
        b.method("pad", "encoded_inputs, padding=True, max_length=None, pad_to_multiple_of=None, padding_side=None, return_attention_mask=None, return_tensors=None, verbose=True",
                 doc: "Pads tokenized examples (a BatchEncoding, a dict of lists or a list of dicts) to one length.") { t, a in
            let features = try BatchEncodingObject.features(a["encoded_inputs"])
            let out = try tr.translating {
                try t.tokenizer.pad(features, padding: try tr.padding(a["padding"]), maxLength: try a.optionalInt("max_length"),
                                    padToMultipleOf: try a.optionalInt("pad_to_multiple_of"), paddingSide: try tr.optionalString(a, "padding_side"),
                                    returnAttentionMask: try tr.optionalBool(a, "return_attention_mask"), returnTensors: try tr.returnTensors(a["return_tensors"]))
            }
            return ScriptBridge.wrap(BatchEncodingObject(out))
        }
        b.method("save_pretrained", "save_directory, legacy_format=None, filename_prefix=None, push_to_hub=False",
                 doc: "Writes tokenizer_config.json, special_tokens_map.json and tokenizer.json into a directory; returns their paths.") { t, a in
            let dir = try a.string("save_directory")
            let files = try tr.translating { try t.tokenizer.savePretrained(URL(fileURLWithPath: dir)) }
            return .tuple(files.map { .str(dir.hasSuffix("/") ? dir + $0.lastPathComponent : dir + "/" + $0.lastPathComponent) })
        }
        b.method("get_vocab", "", doc: "The vocabulary: token -> id, added tokens included.") { t, _ in
            let d = PyDict()
            let tok = t.tokenizer.tokenizer
            for id in 0..<tok.vocabularySize { if let s = tok.idToToken(id) { d.set(.str(s), .int(id)) } }
            return .obj(d)
        }
        b.method("__len__", "", doc: "The vocabulary size with added tokens.") { t, _ in .int(t.tokenizer.count) }
        b.method("num_special_tokens_to_add", "pair=False", doc: "How many special tokens a call adds to one text (or a pair).") { t, a in
            .int(t.tokenizer.tokenizer.postProcessor?.addedTokens(isPair: try a.bool("pair")) ?? 0)
        }

        for name in TokenizerConfig.specialTokenNames {
            b.property(name, doc: "The \(name.replacingOccurrences(of: "_", with: " ")), or None.", get: { tr.value($0.tokenizer.specialToken(name)) },
                       set: { t, v in try t.tokenizer.setSpecialToken(name, v.isNone ? nil : try ScriptBridge.string(v)) })
            b.property(name + "_id", doc: "The id of the \(name.replacingOccurrences(of: "_", with: " ")), or None.", get: { tr.value($0.tokenizer.specialTokenId(name)) })
        }
        b.property("extra_special_tokens", doc: "Special tokens beyond the named ones.", get: { .list($0.tokenizer.config.additionalSpecialTokens.map(Value.str)) })
        b.property("all_special_tokens", doc: "Every special token once.", get: { .list($0.tokenizer.allSpecialTokens.map(Value.str)) })
        b.property("all_special_ids", doc: "Ids of all_special_tokens.", get: { .list($0.tokenizer.allSpecialIds.map(Value.int)) })
        b.property("special_tokens_map", doc: "The set special tokens by attribute name.", get: { ScriptBridge.dict($0.tokenizer.specialTokensMap.map { ($0.0, .str($0.1)) }) })
        b.property("model_max_length", doc: "The longest input the model takes.", get: { t in
            t.tokenizer.config.modelMaxLength.map(Value.int) ?? .float(1e30)
        }, set: { t, v in t.tokenizer.config.modelMaxLength = try ScriptBridge.int(v) })
        b.property("padding_side", doc: "'right' or 'left': where padding goes.", get: { .str($0.tokenizer.config.paddingSide) }, set: { t, v in
            let s = try ScriptBridge.string(v)
            guard s == "left" || s == "right" else { throw ScriptBridge.error("ValueError", "Padding side should be selected between 'right' and 'left', current value: \(s)") }
            t.tokenizer.config.paddingSide = s
        })
        b.property("truncation_side", doc: "'right' or 'left': which end truncation cuts.", get: { .str($0.tokenizer.config.truncationSide) }, set: { t, v in
            let s = try ScriptBridge.string(v)
            guard s == "left" || s == "right" else { throw ScriptBridge.error("ValueError", "Truncation side should be selected between 'right' and 'left', current value: \(s)") }
            t.tokenizer.config.truncationSide = s
        })
        b.property("clean_up_tokenization_spaces", doc: "Whether decode removes spaces before punctuation.", get: { .bool($0.tokenizer.config.cleanUpTokenizationSpaces) },
                   set: { t, v in t.tokenizer.config.cleanUpTokenizationSpaces = try ScriptBridge.int(v) != 0 })
        b.method("apply_chat_template", "conversation, tools=None, documents=None, chat_template=None, add_generation_prompt=False, continue_final_message=False, tokenize=True, padding=False, truncation=False, max_length=None, return_tensors=None, return_dict=True, tokenizer_kwargs=None, **kwargs",
                 doc: "Renders a conversation (a list of {'role': ..., 'content': ...} dicts, or a batch of them) with the model's Jinja chat template, then tokenizes it without adding special tokens. tokenize=False returns the prompt text; return_dict=False returns only the input ids. Extra keyword arguments become template variables.") { t, a in
            let first = try ScriptBridge.array(a["conversation"]).first
            let batched = first.map { Interp.typeName($0) == "list" || Interp.typeName($0) == "tuple" } ?? false
            let rows = batched ? try ScriptBridge.array(a["conversation"]) : [a["conversation"]]
            let conversations = try rows.map { try ScriptBridge.array($0).map { try tr.templateValue($0, "apply_chat_template") } }
            let tools = a.isNone("tools") ? nil : try ScriptBridge.array(a["tools"]).map { try tr.templateValue($0, "tools") }
            let documents = a.isNone("documents") ? nil : try ScriptBridge.array(a["documents"]).map { try tr.templateValue($0, "documents") }
            var extra: [String: TemplateValue] = [:]
            for (k, v) in try Interp.mappingItems(a["kwargs"]) ?? [] { extra[try ScriptBridge.string(k)] = try tr.templateValue(v, "apply_chat_template") }
            let template = try tr.optionalString(a, "chat_template")
            let generationPrompt = try a.bool("add_generation_prompt"), continuing = try a.bool("continue_final_message")
            if generationPrompt && continuing {
                throw ScriptBridge.error("ValueError", "continue_final_message and add_generation_prompt are not compatible. Use continue_final_message when you want the model to continue the final message, and add_generation_prompt when you want to add a header that will prompt it to start a new assistant message instead.")
            }
            let prompts = try tr.templating {
                try t.tokenizer.renderChat(conversations, tools: tools, documents: documents, chatTemplate: template,
                                           addGenerationPrompt: generationPrompt,
                                           continueFinalMessage: continuing, extra: extra)
            }
            guard try a.bool("tokenize") else { return batched ? .list(prompts.map(Value.str)) : .str(prompts[0]) }
            var kwargs: [(String, Value)] = [("padding", a["padding"]), ("truncation", a["truncation"]),
                                             ("max_length", a["max_length"]), ("add_special_tokens", .bool(false)),
                                             ("return_tensors", a["return_tensors"])]
            for (k, v) in try Interp.mappingItems(a["tokenizer_kwargs"]) ?? [] { kwargs.append((try ScriptBridge.string(k), v)) }
            let text: Value = batched ? .list(prompts.map(Value.str)) : .str(prompts[0])
            let encoded = try t.encode(try TokenizerObject.callSignature.bind([text], kwargs, function: "apply_chat_template"))
            if try a.bool("return_dict") { return ScriptBridge.wrap(BatchEncodingObject(encoded)) }
            return BatchEncodingObject(encoded).data.get(.str("input_ids")) ?? .none
        }
        b.property("chat_template", doc: "The Jinja chat template, or None.", get: { tr.value($0.tokenizer.config.chatTemplate) },
                   set: { t, v in t.tokenizer.config.chatTemplate = v.isNone ? nil : try ScriptBridge.string(v) })
        b.property("model_input_names", doc: "The inputs the model takes.", get: { .list($0.tokenizer.config.modelInputNames.map(Value.str)) })
        b.property("vocab_size", doc: "The model's vocabulary size, without added tokens.", get: { .int($0.tokenizer.vocabSize) })
        b.property("name_or_path", doc: "Where the tokenizer was loaded from.", get: { .str($0.tokenizer.nameOrPath) })
        b.property("is_fast", doc: "Always True: the tokenizer.json pipeline.", get: { _ in .bool(true) })
        b.property("_continuing_subword_prefix", doc: "The prefix (like '##') the model puts on word pieces after the first, or None: how the token-classification pipeline tells word pieces from words.", get: { t in
            let model = t.tokenizer.tokenizer.model
            return tr.value((model as? WordPieceModel)?.continuingSubwordPrefix ?? (model as? BPEModel)?.continuingSubwordPrefix)
        })
        b.property("added_tokens_encoder", doc: "Added tokens: content -> id.", get: { t in
            ScriptBridge.dict(t.tokenizer.addedTokensDecoder.map { ($0.content, .int($0.id)) })
        })
        return b
    }
}

extension PreTrainedTokenizerFast {
    /// transformers' `int(1e30)`, the `model_max_length` of an unbounded tokenizer.
    static let veryLargeIntegerText = "1000000000000000019884624838656"
}
