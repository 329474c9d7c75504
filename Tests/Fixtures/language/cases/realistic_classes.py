class PretrainedConfig:
    model_type = "base"
    def __init__(self, **kwargs):
        self.hidden_size = kwargs.pop("hidden_size", 768)
        self.num_labels = kwargs.pop("num_labels", 2)
        for k, v in kwargs.items():
            setattr(self, k, v)
    def to_dict(self):
        out = {"model_type": self.model_type}
        out.update({k: v for k, v in vars(self).items()})
        return out
    def __repr__(self):
        return f"{self.__class__.__name__} {self.to_dict()}"
class BertConfig(PretrainedConfig):
    model_type = "bert"
    def __init__(self, vocab_size=30522, **kwargs):
        super().__init__(**kwargs)
        self.vocab_size = vocab_size
cfg = BertConfig(hidden_size=128, dropout=0.1)
print(cfg)
print(cfg.to_dict()["hidden_size"], getattr(cfg, "dropout"), hasattr(cfg, "missing"))
class Pipeline:
    def __init__(self, task, model=None, **kwargs):
        self.task, self.model, self.kwargs = task, model, kwargs
    def preprocess(self, inputs):
        return [s.strip().lower() for s in (inputs if isinstance(inputs, (list, tuple)) else [inputs])]
    def _forward(self, batch):
        return [{"label": "POSITIVE" if "good" in s else "NEGATIVE", "score": min(0.99, 0.5 + len(s) / 100)} for s in batch]
    def __call__(self, inputs, **kwargs):
        single = isinstance(inputs, str)
        out = self._forward(self.preprocess(inputs))
        return out[0] if single else out
clf = Pipeline("sentiment-analysis", top_k=1)
print(clf("This is GOOD "), clf(["bad movie", "good film", "meh"]))
print(clf.kwargs, clf.task.replace("-", "_").upper())
def chunked(seq, n):
    it = iter(seq)
    while True:
        chunk = []
        try:
            for _ in range(n):
                chunk.append(next(it))
        except StopIteration:
            if chunk:
                yield chunk
            return
        yield chunk
print(list(chunked(range(7), 3)))
table = [("model", "params", "acc"), ("tiny", 1_200_000, 0.81), ("base", 110_000_000, 0.9123)]
for row in table:
    print("{:<8}{:>14}{:>8}".format(*[f"{c:,}" if isinstance(c, int) else (f"{c:.2%}" if isinstance(c, float) else c) for c in row]))
nested = {"a": [1, 2.5, {"b": (3, None)}], "c": {"d": [True, False]}, "e": "str'q"}
print(nested, len(str(nested)))
matrix = [[round(i * 0.1 + j, 2) for j in range(3)] for i in range(2)]
print(matrix, [sum(r) for r in matrix], list(map(list, zip(*matrix))))
