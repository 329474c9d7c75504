# token-classification (ner) pipeline on a tiny random BERT tagger with a real WordPiece tokenizer.
from transformers import NerPipeline, TokenClassificationPipeline, pipeline
from transformers.pipelines import AggregationStrategy

ner = pipeline("ner", model="Tests/Fixtures/models/tiny-bert-pipeline-ner")


def show(result):
    # Scores as plain floats (transformers gives numpy float32 scalars); the test compares
    # printed numbers within 1e-4, as float32 sums in another order differ in the last digits.
    if isinstance(result, list):
        return [show(r) for r in result]
    return {k: float(v) if k == "score" else v for k, v in result.items()}


def attempt(call):
    try:
        print(show(call()))
    except Exception as e:
        print(type(e).__name__, e)


sentence = "my name is wolfgang and i live in reykjavik with the quick fox"
print(show(ner(sentence)))
for strategy in ["none", "simple", "first", "average", "max"]:
    print(strategy, show(ner(sentence, aggregation_strategy=strategy, ignore_labels=[])))
print(show(ner(sentence, aggregation_strategy="simple")))
print(show(ner(sentence, aggregation_strategy="first", ignore_labels=["O", "LOC"])))
print(show(ner(sentence, aggregation_strategy="Average", ignore_labels=["I-PER"])))
print(show(ner(["the fox", "a dog named sarah"])))
print(show(ner(["the", "quick", "fox"], is_split_into_words=True)))
print(show(ner([["the", "quick", "fox"], ["a", "dog"]], is_split_into_words=True, aggregation_strategy="first")))
print(show(ner("sarah|lives|in|berlin".split("|"), is_split_into_words=True, delimiter="_", aggregation_strategy="max")))
print(show(ner("the fox", offset_mapping=[(0, 0), (0, 3), (4, 7), (0, 0)])))
print(show(list(ner(text for text in ["the fox", "a dog named sarah"]))))
print(show(ner(sentence, aggregation_strategy=AggregationStrategy.FIRST)))
print(NerPipeline is TokenClassificationPipeline, isinstance(ner, TokenClassificationPipeline))

long = ("the quick brown fox jumps over the lazy dog while wolfgang and sarah walk from berlin to reykjavik "
        "and then back home again today before the night comes")
print(show(ner(long, aggregation_strategy="simple")))
print(show(ner(long, aggregation_strategy="simple", stride=8)))
print(show(ner(long, aggregation_strategy="max", stride=12)))
print(show(ner(long, stride=4, ignore_labels=["O", "I-LOC"])))
tagger = pipeline("token-classification", model="Tests/Fixtures/models/tiny-bert-pipeline-ner",
                  aggregation_strategy="average")
print(show(tagger("sarah walks to berlin")))
print(show(tagger("sarah walks to berlin", aggregation_strategy="none")))
print(type(tagger).__name__)

# Byte-level BPE pieces carry no continuation mark: words are told apart by the spaces around them.
bpe_ner = pipeline("ner", model="Tests/Fixtures/models/tiny-roberta-pipeline-ner")
text = "My name is Wolfgang and I live in Reykjavik, near the harbour (since 1999)."
for strategy in ["none", "simple", "first", "average", "max"]:
    print(strategy, show(bpe_ner(text, aggregation_strategy=strategy, ignore_labels=[])))
print(show(bpe_ner(text + " " + text, aggregation_strategy="first", stride=10)))

attempt(lambda: ner("the fox", aggregation_strategy="bogus"))
attempt(lambda: ner("the fox", aggregation_strategy="none", stride=4))
attempt(lambda: ner("the fox", aggregation_strategy="simple", stride=40))
attempt(lambda: ner([]))
attempt(lambda: ner(None))
attempt(lambda: ner(5))
attempt(lambda: ner(["the fox", "a dog"], offset_mapping=[(0, 0), (0, 3), (4, 7), (0, 0)]))
attempt(lambda: ner("the fox", is_split_into_words=True))
