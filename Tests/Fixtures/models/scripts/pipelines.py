# The quick tour's pipelines on the real models: embeddings with MiniLM, chat with SmolLM2.
from transformers import AutoModelForCausalLM, AutoTokenizer, pipeline

extractor = pipeline("feature-extraction", model="sentence-transformers/all-MiniLM-L6-v2")
features = extractor("Pipelines are easy to use.")
print(len(features), len(features[0]), len(features[0][0]))
print([round(v, 3) for v in features[0][0][:4]])
batch = extractor(["One sentence.", "And another, longer sentence."])
print([len(f[0]) for f in batch])

model_id, gguf = "HuggingFaceTB/SmolLM2-135M-Instruct", "SmolLM2-135M-Instruct.Q4_1.gguf"
chat = pipeline("text-generation", model=AutoModelForCausalLM.from_pretrained(model_id, gguf_file=gguf),
                tokenizer=AutoTokenizer.from_pretrained(model_id, gguf_file=gguf))
messages = [{"role": "user", "content": "Name a fruit that is yellow."}]
result = chat(messages, max_new_tokens=12, do_sample=False)
print(result[0]["generated_text"][-1])
print(chat("The sky is", max_new_tokens=8, do_sample=False, return_full_text=False))
