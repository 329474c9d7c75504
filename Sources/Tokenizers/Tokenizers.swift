/// Tokenizers identical to Hugging Face: tokenizer.json pipelines, SentencePiece, tiktoken, chat templates.
public enum TokenizersModule {}
