/// A compiled chat template: the Jinja program in a model's `tokenizer_config.json`,
/// `chat_template.jinja` or GGUF metadata that turns a conversation into the prompt text.
/// Rendering matches transformers' `apply_chat_template(..., tokenize=False)`: the same Jinja
/// settings (`trim_blocks`, `lstrip_blocks`, loop controls), the same globals
/// (`raise_exception`, `strftime_now`, `namespace`), its `tojson`, and its handling of the
/// conversation (keys whose value is null dropped, reasoning fields aliased,
/// `continue_final_message`).
public struct ChatTemplate: @unchecked Sendable {
    // The syntax tree is never mutated after parsing; every render builds its own scopes,
    // so sharing a template across threads is safe.

    /// The template text as given.
    public let source: String
    private let nodes: [TemplateNode]
    private let frame = FrameInfo()

    /// Compiles `source`; a syntax error names the line and what was wrong.
    public init(source: String) throws {
        self.source = source
        nodes = try TemplateParser.parse(try TemplateLexer.tokenize(source))
        FrameAnalysis.analyze(nodes, frame: frame)
    }

    /// Renders the template with exactly these variables (no conversation processing).
    public func render(context: [String: TemplateValue]) throws -> String {
        var jinjaContext: [String: JinjaValue] = [:]
        for (k, v) in context { jinjaContext[k] = JinjaValue(v) }
        return try render(jinjaContext)
    }

    private func render(_ context: [String: JinjaValue]) throws -> String {
        let renderer = TemplateRenderer()
        let arguments = TemplateScope(root: renderer.builtins)
        arguments.variables = context
        let top = TemplateScope(parent: arguments, frame: frame)
        var out = ""
        _ = try renderer.render(nodes, top, &out)
        return out
    }

    /// Renders a conversation the way transformers' `apply_chat_template(tokenize=False)` does.
    ///
    /// - Parameters:
    ///   - messages: the conversation, one object per message (`role`, `content`, `tool_calls`...).
    ///   - addGenerationPrompt: append the header that starts the assistant's reply.
    ///   - continueFinalMessage: end the prompt inside the last message (its `content`), so the
    ///     model continues it; incompatible with `addGenerationPrompt`.
    ///   - tools: tool schemas, passed as `tools` (null when absent, as transformers passes None).
    ///   - documents: retrieval documents, passed as `documents`.
    ///   - extraContext: further variables, including the special tokens (`bos_token`,
    ///     `eos_token`...) that transformers passes from the tokenizer's special tokens map.
    public func render(messages: [TemplateValue], addGenerationPrompt: Bool = false, continueFinalMessage: Bool? = nil,
                       tools: [TemplateValue]? = nil, documents: [TemplateValue]? = nil,
                       extraContext: [String: TemplateValue] = [:]) throws -> String {
        let continuing = continueFinalMessage ?? false
        func inputError(_ message: String) -> ChatTemplateError { ChatTemplateError(kind: .input, message: message, line: nil) }
        if continuing && addGenerationPrompt {
            throw inputError("continue_final_message and add_generation_prompt are not compatible. Use continue_final_message when you want the model to continue the final message, and add_generation_prompt when you want to add a header that will prompt it to start a new assistant message instead.")
        }
        guard !messages.isEmpty else { throw inputError("Cannot apply chat template to an empty conversation. Provide at least one message.") }
        for reserved in ["messages", "tools", "documents", "add_generation_prompt"] where extraContext[reserved] != nil {
            throw inputError("extraContext cannot set '\(reserved)'; pass it as its own argument")
        }

        var chat: [TemplateObject] = []
        for message in messages {
            guard case .object(let object) = message else {
                throw inputError("Chat messages should be dicts, but got \(message).")
            }
            chat.append(Self.aliasReasoning(Self.droppingNulls(object)))
        }

        // transformers tags the end of the final message, renders, then cuts the prompt at the tag.
        let tag = "CONTINUE_FINAL_MESSAGE_TAG "
        var finalText = ""
        if continuing {
            guard var last = chat.last, let content = last["content"] else {
                throw inputError("continue_final_message is set but the final message has no \"content\" to continue!")
            }
            guard source.contains("content") else {
                throw inputError("continue_final_message is set to \"content\" but this is not an accepted field in the chat_template")
            }
            switch content {
            case .string(let s):
                finalText = s
                last["content"] = .string(s + tag)
            case .array(var blocks):
                guard let index = blocks.lastIndex(where: { $0["text"] != nil }), case .object(var block) = blocks[index],
                      case .string(let text)? = block["text"] else {
                    throw inputError("continue_final_message is set but we could not find any text to continue in the final message!")
                }
                finalText = text
                block["text"] = .string(text + tag)
                blocks[index] = .object(block)
                last["content"] = .array(blocks)
            default:
                throw inputError("continue_final_message needs the final message's content to be text")
            }
            chat[chat.count - 1] = last
        }

        var context: [String: JinjaValue] = [
            "messages": .list(chat.map { JinjaValue(.object($0)) }),
            "tools": tools.map { JinjaValue(.array($0)) } ?? .none,
            "documents": documents.map { JinjaValue(.array($0)) } ?? .none,
            "add_generation_prompt": .bool(addGenerationPrompt),
        ]
        for (k, v) in extraContext { context[k] = JinjaValue(v) }
        var rendered = try render(context)

        if continuing {
            let strippedFinal = TemplateMethods.strip(finalText, nil, leading: true, trailing: true)
            let strippedTag = TemplateMethods.strip(tag, nil, leading: true, trailing: true)
            guard rendered.contains(strippedFinal), let tagRange = rendered.range(of: strippedTag, options: .backwards) else {
                throw inputError("continue_final_message is set but the final message does not appear in the chat after applying the chat template! This can happen if the chat template deletes portions of the final message. Please verify the chat template and final message in your chat to ensure they are compatible.")
            }
            if rendered[tagRange.lowerBound...].hasPrefix(tag) {
                rendered = String(rendered[..<tagRange.lowerBound])
            } else {
                rendered = TemplateMethods.strip(String(rendered[..<tagRange.lowerBound]), nil, leading: false, trailing: true)
            }
        }
        return rendered
    }

    /// transformers drops message keys whose value is None: templates handle a missing key
    /// better than a null one.
    static func droppingNulls(_ message: TemplateObject) -> TemplateObject {
        var out = TemplateObject()
        for (key, value) in message.entries where value != .null { out[key] = value }
        return out
    }

    /// transformers copies a message's reasoning (`reasoning_content`, `thinking` or
    /// `reasoning`) to both `thinking` (first) and `reasoning_content`, for templates that read
    /// either name.
    static func aliasReasoning(_ message: TemplateObject) -> TemplateObject {
        guard let reasoning = ["reasoning_content", "thinking", "reasoning"].lazy.compactMap({ message[$0] }).first else {
            return message
        }
        var out = TemplateObject()
        out["thinking"] = reasoning
        for (key, value) in message.entries where key != "thinking" { out[key] = value }
        if message["thinking"] != nil { out["thinking"] = message["thinking"] }
        out["reasoning_content"] = reasoning
        return out
    }
}
