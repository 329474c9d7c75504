# zero-shot-classification, and batch_size on every pipeline (lists, generators, datasets), on
# the tiny random models: batched results equal the one-at-a-time ones.
from transformers import AutoModelForCausalLM, AutoTokenizer, Pipeline, pipeline
from transformers.pipelines.pt_utils import KeyDataset, KeyPairDataset

NLI = "Tests/Fixtures/models/tiny-bert-pipeline-nli"
CLS = "Tests/Fixtures/models/tiny-bert-pipeline-cls"
MLM = "Tests/Fixtures/models/tiny-bert-pipeline-mlm"


def close(a, b):
    # The same structure, with floats within 1e-4 (a batch sums in another order).
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) < 1e-4
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(close(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a.keys()) == list(b.keys()) and all(close(a[k], b[k]) for k in a)
    return a == b


def error(call, length=110):
    try:
        call()
    except Exception as e:
        print(type(e).__name__ + ":", str(e)[:length])


# Zero-shot: the entailment label is found by name; single- and multi-label scores.
zs = pipeline("zero-shot-classification", model=NLI)
print(type(zs).__name__, zs.entailment_id)
labels = ["animals", "sports", "politics", "food"]
print(zs("the cat sat on the mat", candidate_labels=labels))
print(zs("the cat sat on the mat", candidate_labels="animals, sports,politics ,, food"))
print(zs("what a day", ["animals", "sports"]))
print(zs("the cat sat on the mat", candidate_labels=labels, multi_label=True))
print(zs("good", candidate_labels=["animals"]))
print(zs("the dog ran", candidate_labels=labels, hypothesis_template="The topic is {} ."))
print(zs(["the cat sat on the mat", "what a day", "good"], candidate_labels=labels))
long_text = " ".join(["the cat sat on the mat and the dog ran"] * 8)
print(zs(long_text, candidate_labels=["animals", "sports"]))

# Zero-shot batched: hypotheses of one text, and of several texts, share batches.
single = zs("the cat sat on the mat", candidate_labels=labels)
print(close(zs("the cat sat on the mat", candidate_labels=labels, batch_size=3), single))
sequences = ["the cat sat on the mat", "what a day", "good", "a big red box"]
one_by_one = zs(sequences, candidate_labels=labels, multi_label=True)
batched = zs(sequences, candidate_labels=labels, multi_label=True, batch_size=3)
print(close(batched, one_by_one), batched[1])
zs_batched = pipeline("zero-shot-classification", model=NLI, batch_size=5)
print(close(zs_batched(sequences, candidate_labels=labels), zs(sequences, candidate_labels=labels)))

# A model whose labels name no entailment: the last label stands for it.
no_entailment = pipeline("zero-shot-classification", model=CLS)
print(no_entailment.entailment_id, no_entailment("the movie was good", candidate_labels=["good", "bad"]))

# Zero-shot errors.
error(lambda: zs("the cat", candidate_labels=[]))
error(lambda: zs("", candidate_labels=["animals"]))
error(lambda: zs("the cat", candidate_labels=["animals"], hypothesis_template="No placeholder here."))
error(lambda: zs("the cat", ["animals"], ["sports"]))
error(lambda: zs("the cat"), 0)
error(lambda: zs("the cat", candidate_labels=["animals"], batch_size=0))

# text-classification: batched lists, dataset columns and text pairs.
classify = pipeline("text-classification", model=CLS)
texts = ["the movie was good", "what a day", "not bad at all , really not bad", "good", "the cat sat on the mat"]
one_by_one = classify(texts)
print(one_by_one)
print(close(classify(texts, batch_size=2), one_by_one), close(classify(texts, batch_size=8), one_by_one))
print(close(classify(texts, batch_size=3, top_k=None), classify(texts, top_k=None)))
rows = [{"text": t, "other": t.upper()} for t in texts]
streamed = classify(KeyDataset(rows, "text"), batch_size=2)
print(close(list(streamed), one_by_one))
pairs = [{"question": "is it good", "answer": "yes it is"}, {"question": "what", "answer": "a day , a big day"}]
print(classify(KeyPairDataset(pairs, "question", "answer"), batch_size=2) is not None,
      close(list(classify(KeyPairDataset(pairs, "question", "answer"), batch_size=2)),
            list(classify(KeyPairDataset(pairs, "question", "answer")))))
batched_classifier = pipeline("text-classification", model=CLS, batch_size=4)
print(close(batched_classifier(texts), one_by_one))


# A generator is read batch_size items at a time, its results given as they come.
def reading(items):
    for item in items:
        print("read", item)
        yield item


for result in classify(reading(texts[:3]), batch_size=2):
    print("result", result)

# fill-mask batched: padding is dropped from the filled-in sequences.
fill = pipeline("fill-mask", model=MLM)
masked = ["the movie was [MASK] .", "[MASK] day", "the cat sat on the [MASK] and the dog ran"]
one_by_one = fill(masked, top_k=3)
print(one_by_one[1])
print(close(fill(masked, top_k=3, batch_size=3), one_by_one))
print(close(fill(masked, targets=["good", "bad"], batch_size=2), fill(masked, targets=["good", "bad"])))

# feature-extraction batched: each item is split from the padded batch, so it keeps the batch's
# padded length; its own positions hold its own features.
extract = pipeline("feature-extraction", model=CLS)
short, longer = "a day", "the cat sat on the mat and the dog ran"
alone = extract([short, longer])
together = extract([short, longer], batch_size=2)
print([len(f[0]) for f in alone], [len(f[0]) for f in together])
print(close(together[0][0][:len(alone[0][0])], alone[0][0]), close(together[1], alone[1]))
print([round(v, 4) for v in together[0][0][-1][:4]])
tensors = extract([short, longer], batch_size=2, return_tensors=True)
print([tuple(t.shape) for t in tensors])

# text-generation batched: prompts padded on the left; the pipeline turns the tokenizer's side.
gen_tokenizer = AutoTokenizer.from_pretrained("Tests/Fixtures/models/tiny-gen-tokenizer")
print(gen_tokenizer.padding_side)
generate = pipeline("text-generation", model="Tests/Fixtures/generation/tiny-llama-gen", tokenizer=gen_tokenizer)
print(generate.tokenizer.padding_side)
prompts = ["the cat sat on the", "a dog", "we see the big red", "it was"]
one_by_one = generate(prompts, max_new_tokens=6, do_sample=False)
print(one_by_one)
print(generate(prompts, max_new_tokens=6, do_sample=False, batch_size=3))
print(generate(prompts, max_new_tokens=4, do_sample=False, batch_size=4, return_full_text=False))
print(generate(prompts[:2], max_new_tokens=3, do_sample=False, batch_size=2, return_tensors=True))
print(generate(prompts[:3], max_new_tokens=4, num_beams=2, num_return_sequences=2, do_sample=False, batch_size=2))
gpt2 = pipeline("text-generation", model=AutoModelForCausalLM.from_pretrained("Tests/Fixtures/generation/tiny-gpt2-gen"),
                tokenizer=AutoTokenizer.from_pretrained("Tests/Fixtures/models/tiny-gen-tokenizer"), batch_size=2)
print(gpt2(prompts, max_new_tokens=5, do_sample=False))


# A pipeline written in the script: extra keys of its preprocess are kept per item in a batch.
class LengthPipeline(Pipeline):
    def _sanitize_parameters(self, **kwargs):
        return {}, {}, {}

    def preprocess(self, text):
        inputs = self.tokenizer(text, return_tensors="pt")
        return {"text": text, "input_ids": inputs["input_ids"], "attention_mask": inputs["attention_mask"]}

    def _forward(self, model_inputs):
        outputs = self.model(input_ids=model_inputs["input_ids"], attention_mask=model_inputs["attention_mask"])
        return {"text": model_inputs["text"], "mask": model_inputs["attention_mask"], "logits": outputs.logits}

    def postprocess(self, outputs):
        return {"text": outputs["text"], "tokens": int(outputs["mask"].sum()), "shape": list(outputs["logits"].shape)}


lengths = LengthPipeline(model=classify.model, tokenizer=classify.tokenizer)
print(lengths(texts[:3], batch_size=2))


class MixedPipeline(LengthPipeline):
    def preprocess(self, text):
        inputs = super().preprocess(text)
        if len(text) < 6:
            inputs["extra"] = 1
        return inputs


error(lambda: MixedPipeline(model=classify.model, tokenizer=classify.tokenizer)(["long enough", "short"], batch_size=2), 68)
