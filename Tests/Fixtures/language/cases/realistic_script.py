import json, math, random, time, os, sys
from dataclasses import dataclass, field
from collections import defaultdict, Counter
from typing import List, Optional

@dataclass
class TrainingArguments:
    output_dir: str
    learning_rate: float = 5e-5
    num_train_epochs: int = 3
    per_device_train_batch_size: int = 8
    tags: List[str] = field(default_factory=list)

args = TrainingArguments(output_dir="out", num_train_epochs=2)
print(args)

class Tokenizer:
    def __init__(self, vocab):
        self.vocab = {w: i for i, w in enumerate(vocab)}
        self.inv = {i: w for w, i in self.vocab.items()}
    def __call__(self, text, padding=False, max_length=None, return_tensors=None):
        ids = [self.vocab.get(w, self.vocab["[UNK]"]) for w in text.lower().split()]
        if max_length is not None:
            ids = ids[:max_length]
            if padding == "max_length":
                ids += [self.vocab["[PAD]"]] * (max_length - len(ids))
        return {"input_ids": ids, "attention_mask": [int(i != 0) for i in ids]}
    def decode(self, ids, skip_special_tokens=True):
        words = [self.inv[i] for i in ids]
        if skip_special_tokens:
            words = [w for w in words if not w.startswith("[")]
        return " ".join(words)

tok = Tokenizer(["[PAD]", "[UNK]", "hello", "world", "the", "cat"])
enc = tok("Hello the big cat", padding="max_length", max_length=6)
print(enc)
print(tok.decode(enc["input_ids"]))

def batches(data, size):
    for i in range(0, len(data), size):
        yield data[i:i + size]

random.seed(0)
data = [random.random() for _ in range(10)]
history = defaultdict(list)
for epoch in range(args.num_train_epochs):
    for step, batch in enumerate(batches(data, 4)):
        loss = sum(batch) / len(batch) / (epoch + 1)
        history[epoch].append(round(loss, 4))
    print(f"epoch {epoch}: mean loss {sum(history[epoch]) / len(history[epoch]):.4f}")
print(json.dumps(dict(history), indent=2))
counts = Counter(w for s in ["a b a", "b c"] for w in s.split())
print(counts.most_common(), sorted(counts))
scores = {"acc": 0.91234, "f1": 0.8765}
print(", ".join(f"{k}={v:.3f}" for k, v in sorted(scores.items())))
def softmax(xs):
    m = max(xs)
    e = [math.exp(x - m) for x in xs]
    s = sum(e)
    return [x / s for x in e]
probs = softmax([1.0, 2.0, 3.0])
print([round(p, 4) for p in probs], probs.index(max(probs)))
label = {0: "NEGATIVE", 1: "POSITIVE"}
print([{"label": label[int(p > 0.5)], "score": round(p, 4)} for p in [0.2, 0.9]])
