# text-classification and fill-mask pipelines on tiny random BERTs with a real WordPiece tokenizer.
from transformers import pipeline

classify = pipeline("text-classification", model="Tests/Fixtures/models/tiny-bert-pipeline-cls")


def show(result):
    # Scores to 4 places: float32 sums in another order differ in the last digits.
    if isinstance(result, list):
        return [show(r) for r in result]
    if isinstance(result, dict):
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in result.items()}
    return result


print(show(classify("the movie was good")))
print(show(classify(["the movie was good", "what a day"])))
print(show(classify("the movie was good", top_k=2)))
print(show(classify("the movie was good", top_k=None)))
print(show(classify("the movie was good", function_to_apply="sigmoid", top_k=None)))
print(show(classify({"text": "is it good", "text_pair": "yes it is"})))
sentiment = pipeline("sentiment-analysis", model="Tests/Fixtures/models/tiny-bert-pipeline-cls", top_k=1)
print(show(sentiment("not bad at all")))

fill = pipeline("fill-mask", model="Tests/Fixtures/models/tiny-bert-pipeline-mlm")
print(show(fill("the movie was [MASK] .")))
print(show(fill("the [MASK] was good .", top_k=2)))
print(show(fill("the movie was [MASK] .", targets=["good", "bad"])))
print(show(fill("the [MASK] was [MASK] .", top_k=1)))
try:
    fill("no mask here")
except Exception as e:
    print(type(e).__name__)
try:
    pipeline("translate-klingon", model="Tests/Fixtures/models/tiny-bert-pipeline-mlm")
except KeyError as e:
    print("KeyError", "translate-klingon" in str(e))
