from transformers import AutoTokenizer
try:
    AutoTokenizer.from_pretrained("no-such-org/no-such-model")
except OSError as e:
    print("OSError")
tokenizer = AutoTokenizer.from_pretrained("sentence-transformers/all-MiniLM-L6-v2")
try:
    tokenizer(["a", "b c d"], return_tensors="pt")
except ValueError as e:
    print("ValueError:", e)
try:
    tokenizer(["a", "b"], "not a list")
except TypeError as e:
    print("TypeError:", e)
try:
    tokenizer(["a", "b"], ["only one"])
except ValueError as e:
    print("ValueError:", e)
try:
    tokenizer(12)
except ValueError as e:
    print("ValueError:", e)
try:
    tokenizer("a", padding="sideways")
except ValueError as e:
    print("ValueError:", e)
try:
    tokenizer.pad({"attention_mask": [[1]]})
except ValueError as e:
    print("ValueError:", e)
inputs = tokenizer("x")
try:
    inputs.nothing
except AttributeError:
    print("AttributeError")
try:
    inputs["nothing"]
except KeyError as e:
    print("KeyError", e)
