from transformers import PreTrainedTokenizerFast
tok = PreTrainedTokenizerFast(tokenizer_file="Tests/Fixtures/tokenizers/all-MiniLM-L6-v2.json", pad_token="[PAD]", cls_token="[CLS]", sep_token="[SEP]")
print(tok.pad_token_id, tok.cls_token, tok.model_max_length > 10**15, tok.model_input_names)
out = tok(["hello there", "hi"], padding=True, return_tensors="np")
print(out["input_ids"].tolist(), tuple(out["input_ids"].shape))
print(tok.decode(out["input_ids"][1]))
print(tok.convert_tokens_to_string(["hello", "##there", "!"]))
