import Foundation

/// `apply_chat_template`: a conversation rendered with the model's Jinja chat template, then
/// (optionally) tokenized without adding special tokens, as transformers does.
extension PreTrainedTokenizerFast {
    /// The template text to use: `override` when given, else the tokenizer's own.
    public func chatTemplateSource(_ override: String? = nil) throws -> String {
        if let override { return override }
        guard let own = config.chatTemplate else {
            throw TransformersError.value("Cannot use chat template functions because tokenizer.chat_template is not set and no template argument was passed! For information about writing templates and setting the tokenizer.chat_template attribute, please see the documentation at https://huggingface.co/docs/transformers/main/en/chat_templating")
        }
        return own
    }

    /// The variables transformers passes to every template besides the conversation: the
    /// named special tokens (`bos_token`, `eos_token`...), overridden by `extra`.
    func chatTemplateContext(_ extra: [String: TemplateValue]) -> [String: TemplateValue] {
        var context: [String: TemplateValue] = [:]
        for (name, token) in specialTokensMap { context[name] = .string(token) }
        for (name, value) in extra { context[name] = value }
        return context
    }

    /// Renders each conversation into its prompt text.
    ///
    /// - Parameters:
    ///   - conversations: one or more conversations, each a list of messages.
    ///   - chatTemplate: a template to use instead of the tokenizer's own.
    ///   - extra: more template variables (transformers' `**kwargs`), e.g. `date_string`.
    public func renderChat(_ conversations: [[TemplateValue]], tools: [TemplateValue]? = nil,
                           documents: [TemplateValue]? = nil, chatTemplate: String? = nil,
                           addGenerationPrompt: Bool = false, continueFinalMessage: Bool = false,
                           extra: [String: TemplateValue] = [:]) throws -> [String] {
        guard !conversations.isEmpty, !conversations.contains(where: \.isEmpty) else {
            throw TransformersError.value("Cannot apply chat template to an empty conversation. Provide at least one message.")
        }
        let template = try compiledChatTemplate(try chatTemplateSource(chatTemplate))
        let context = chatTemplateContext(extra)
        return try conversations.map {
            try template.render(messages: $0, addGenerationPrompt: addGenerationPrompt,
                                continueFinalMessage: continueFinalMessage, tools: tools,
                                documents: documents, extraContext: context)
        }
    }

    /// Renders and tokenizes: the ids of each prompt (special tokens come from the template,
    /// so none are added), padded and truncated as `options` say.
    public func applyChatTemplate(_ conversations: [[TemplateValue]], tools: [TemplateValue]? = nil,
                                  documents: [TemplateValue]? = nil, chatTemplate: String? = nil,
                                  addGenerationPrompt: Bool = false, continueFinalMessage: Bool = false,
                                  extra: [String: TemplateValue] = [:], batched: Bool,
                                  options: TokenizerCallOptions = TokenizerCallOptions()) throws -> BatchEncoding {
        let prompts = try renderChat(conversations, tools: tools, documents: documents, chatTemplate: chatTemplate,
                                     addGenerationPrompt: addGenerationPrompt,
                                     continueFinalMessage: continueFinalMessage, extra: extra)
        var options = options
        options.addSpecialTokens = false
        return try self(prompts.map(TextInput.text), isBatched: batched, options: options)
    }

    /// Templates are compiled once per source text and kept (a chat loop renders every turn).
    func compiledChatTemplate(_ source: String) throws -> ChatTemplate {
        ChatTemplateCache.lock.lock()
        if let cached = ChatTemplateCache.templates[source] {
            ChatTemplateCache.lock.unlock()
            return cached
        }
        ChatTemplateCache.lock.unlock()
        let template = try ChatTemplate(source: source)
        ChatTemplateCache.lock.lock()
        if ChatTemplateCache.templates.count > 16 { ChatTemplateCache.templates.removeAll() }
        ChatTemplateCache.templates[source] = template
        ChatTemplateCache.lock.unlock()
        return template
    }
}

private enum ChatTemplateCache {
    static let lock = NSLock()
    nonisolated(unsafe) static var templates: [String: ChatTemplate] = [:]
}
