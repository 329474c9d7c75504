from transformers import AutoTokenizer
tokenizer = AutoTokenizer.from_pretrained("sentence-transformers/all-MiniLM-L6-v2")
texts = ["A short one.", "A rather longer sentence, with punctuation!", "Three"]
batch = tokenizer(texts, padding=True, truncation=True, max_length=8, return_tensors="pt")
print(batch["input_ids"])
print(batch["attention_mask"])
print(batch.input_ids.shape)

def model(input_ids=None, token_type_ids=None, attention_mask=None):
    return tuple(input_ids.shape), int(attention_mask.sum())

print(model(**batch))
print({**batch}.keys())
left = tokenizer(texts, padding="longest", padding_side="left")
print(left["input_ids"])
print(left.attention_mask)
fixed = tokenizer(texts, padding="max_length", max_length=12, pad_to_multiple_of=None)
print(fixed["input_ids"][2])
pairs = tokenizer(["What is it?", "Who?"], ["It is a test.", "Me, of course."], padding=True)
print(pairs["token_type_ids"])
print(pairs.sequence_ids(0))
offsets = tokenizer("Offsets: naïve café", return_offsets_mapping=True, return_special_tokens_mask=True)
print(offsets["offset_mapping"])
print(offsets["special_tokens_mask"])
print(offsets.word_ids())
print(offsets.char_to_token(10), offsets.char_to_token(0, 3), tuple(offsets.token_to_chars(2)))
long = tokenizer("one two three four five six seven eight nine ten eleven twelve", truncation=True, max_length=6,
                 stride=2, return_overflowing_tokens=True)
print(long["input_ids"])
print(long["overflow_to_sample_mapping"])
for key, value in tokenizer(["x y", "z"], truncation="only_first", max_length=4).items():
    print(key, value)
words = tokenizer(["Hello", "wonderful", "world"], is_split_into_words=True)
print(words.word_ids(), words.tokens())
print(tokenizer.decode([[101, 7592, 102], [101, 2088, 102]], skip_special_tokens=True))
print(tokenizer.batch_decode(batch["input_ids"], skip_special_tokens=True))
print(tokenizer.decode(batch["input_ids"][1], clean_up_tokenization_spaces=True))
print(list(dict(batch).keys()), [k for k in batch], isinstance(batch, dict))
print(batch.to("cpu").input_ids.shape, batch.get("nope", 5))
batch["labels"] = batch["input_ids"]
print(list(batch.keys()), type(batch).__name__)
