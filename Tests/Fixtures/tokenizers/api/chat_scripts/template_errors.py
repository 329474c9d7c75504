from transformers import AutoTokenizer
tok = AutoTokenizer.from_pretrained("HuggingFaceTB/SmolLM2-135M-Instruct", gguf_file="SmolLM2-135M-Instruct.Q4_1.gguf")
messages = [{"role": "user", "content": "Hi"}]
custom = "{% for m in messages %}[{{ m.role | upper }}] {{ m.content }}{% if tools %} tools={{ tools | length }}{% endif %}\n{% endfor %}{{ greeting }}"
tools = [{"type": "function", "function": {"name": "get_time", "parameters": {}}}]
print(repr(tok.apply_chat_template(messages, chat_template=custom, tools=tools, tokenize=False, greeting="bye")))
for name, template in [("raises", "{{ raise_exception('Only user messages are allowed') }}")]:
    try:
        tok.apply_chat_template(messages, chat_template=template, tokenize=False)
    except Exception as e:
        print(name, type(e).__name__, e)
try:
    tok.apply_chat_template([], tokenize=False)
except ValueError as e:
    print("empty:", e)
try:
    tok.apply_chat_template(messages, add_generation_prompt=True, continue_final_message=True)
except ValueError as e:
    print("both:", str(e)[:60])
