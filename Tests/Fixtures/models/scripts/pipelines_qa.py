# question-answering pipeline on a tiny random BERT reader with a real WordPiece tokenizer.
# Recorded with transformers 5.2.0, the last release with this pipeline (see generate_scripts.py).
# The test compares printed scores within 1e-4: float32 sums in another order differ in the last digits.
from transformers import pipeline

qa = pipeline("question-answering", model="Tests/Fixtures/models/tiny-bert-pipeline-qa")


def attempt(call):
    try:
        print(call())
    except Exception as e:
        print(type(e).__name__, e)


context = ("the quick brown fox lives in reykjavik with a dog named wolfgang . every morning the fox walks to the cafe "
           "near the harbour and orders a coffee with almost no milk . the dog prefers to stay home today , reading "
           "the email from sarah who moved to berlin in 1999 and works there as a tokenizer of words and spaces .")
print(len(qa.tokenizer(context)["input_ids"]), qa.tokenizer.model_max_length)

# The windows' word alignment, which widens answers to whole words.
windows = qa.tokenizer("who lives here ?", context[:120], truncation="only_second", max_length=20, stride=5,
                       return_overflowing_tokens=True, return_offsets_mapping=True)
window = windows[1]
print(len(windows["input_ids"]), [window.token_to_word(i) for i in range(len(window))])
print([window.token_to_sequence(i) for i in range(len(window))])
print([window.token_to_chars(i) for i in (0, 1, 6, 19)])
print([window.word_to_tokens(w, sequence_index=1) for w in (0, 8, 9, 30)], window.word_to_tokens(1))
print([window.word_to_chars(w, sequence_index=1) for w in (0, 8, 9, 30)], window.word_to_chars(2, sequence_index=0))
print(qa(question="where does the fox live ?", context=context))
print(qa(question="where does the fox live ?", context=context, top_k=3))
print(qa(question="who is the dog ?", context=context, doc_stride=4))
print(qa(question="who is the dog ?", context=context, doc_stride=4, top_k=4))
print(qa(question="who is the dog ?", context=context, handle_impossible_answer=True, top_k=2))
print(qa(question="what is it ?", context="the fox .", handle_impossible_answer=True, top_k=3))
print(qa(question="what is it ?", context="the fox .", top_k=5))
print(qa(question=["where does the fox live ?", "what does the fox order ?"], context=context))
print(qa(question=["where ?", "when ?"], context=["the fox lives in berlin .", "it moved there in 1999 ."]))
print(qa(question="what does the fox order ?", context=context, max_answer_len=2, top_k=3))
print(qa(question="what does the fox order ?", context=context, max_answer_len=1))
print(qa(question="what does the fox order ?", context=context, align_to_words=False, top_k=3))
print(qa(question="what does the fox order ?", context=context, align_to_words=False))
print(qa(question="what does the fox order ?", context=context, max_seq_len=24, doc_stride=6))
print(qa(question="what does the fox order every morning ?", context=context,
              max_question_len=4, doc_stride=4, top_k=2))
reader = pipeline("question-answering", model="Tests/Fixtures/models/tiny-bert-pipeline-qa", top_k=2, doc_stride=8)
print(reader(question="who moved to berlin ?", context=context))
print(reader(question="who moved to berlin ?", context=context, top_k=1))
print(type(reader).__name__)

# RoBERTa: no token type ids, a byte-level BPE tokenizer, capitals and punctuation in the context.
bpe_qa = pipeline("question-answering", model="Tests/Fixtures/models/tiny-roberta-pipeline-qa")
story = ("My name is Wolfgang and I live in Reykjavik, near the harbour. Every morning (before 8am) I walk to "
         "the cafe and order a coffee with almost no milk; then I read the email from Sarah, who moved to Berlin.")
print(bpe_qa(question="Where do I live?", context=story))
print(bpe_qa(question="Where do I live?", context=story, top_k=3, doc_stride=5))
print(bpe_qa(question="Who moved?", context=story, align_to_words=False, top_k=2, handle_impossible_answer=True))

attempt(lambda: qa(question="where ?"))
attempt(lambda: qa(question="where ?", context=""))
attempt(lambda: qa(question=None, context="the fox"))
attempt(lambda: qa(question=["a ?", "b ?"], context=["the fox"]))
attempt(lambda: qa(question=5, context="the fox"))
attempt(lambda: qa(question="where ?", context=context, top_k=0))
attempt(lambda: qa(question="where ?", context=context, max_answer_len=0))
attempt(lambda: qa(question="where ?", context=context, doc_stride=40))
