from transformers import AutoTokenizer
tok = AutoTokenizer.from_pretrained("HuggingFaceTB/SmolLM2-135M-Instruct", gguf_file="SmolLM2-135M-Instruct.Q4_1.gguf")
messages = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "What is the capital of France?"},
]
prompt = tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
print(prompt)
ids = tok.apply_chat_template(messages, add_generation_prompt=True, return_dict=False)
print(ids)
inputs = tok.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt")
print(inputs["input_ids"].shape, inputs["attention_mask"].sum().item())
print(tok.decode(ids[-6:]))
batch = tok.apply_chat_template([messages, messages[1:]], tokenize=False)
print(len(batch), repr(batch[1]))
reply = [{"role": "user", "content": "Name a colour."}, {"role": "assistant", "content": "Blue, like the"}]
print(repr(tok.apply_chat_template(reply, tokenize=False, continue_final_message=True)))
print(tok.eos_token, tok.bos_token, tok.convert_tokens_to_ids("<|im_end|>"))
