# Streaming a chat answer from the real SmolLM2 GGUF with TextStreamer.
from transformers import AutoModelForCausalLM, AutoTokenizer, TextStreamer

model_id = "HuggingFaceTB/SmolLM2-135M-Instruct"
gguf = "SmolLM2-135M-Instruct.Q4_1.gguf"
tokenizer = AutoTokenizer.from_pretrained(model_id, gguf_file=gguf)
model = AutoModelForCausalLM.from_pretrained(model_id, gguf_file=gguf)
messages = [{"role": "user", "content": "What is the capital of France?"}]
inputs = tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt", return_dict=True)
streamer = TextStreamer(tokenizer, skip_prompt=True, skip_special_tokens=True)
out = model.generate(**inputs, max_new_tokens=20, do_sample=False, streamer=streamer)
print("tokens:", out.shape[1] - inputs["input_ids"].shape[1])
