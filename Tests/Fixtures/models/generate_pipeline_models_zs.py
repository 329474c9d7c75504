"""Fixtures for the zero-shot and batched pipeline tests.

    HF_HUB_OFFLINE=1 python Tests/Fixtures/models/generate_pipeline_models_zs.py

Writes
- tiny-bert-pipeline-nli/: a tiny random BERT sequence classifier trained on nothing but shaped
  like an NLI model: three labels named "ENTAILMENT", "NEUTRAL", "CONTRADICTION" (entailment
  first, in capitals, so that the zero-shot pipeline has to find it by name and take the last
  label as contradiction), with the 900-token WordPiece tokenizer of
  Tests/Fixtures/tokenizers/bert_wordpiece.json, saved to also return token_type_ids (sentence
  pairs then differ by segment, and batching pads them).
- tiny-gen-tokenizer/: a 64-word word-level tokenizer ("<s>" prepended, "[PAD]" = 0) that fits
  the vocabulary of the tiny generation models in Tests/Fixtures/generation, for the batched
  text-generation pipeline; its padding side is "right", which the pipeline turns to "left".
"""
import os

import torch
from tokenizers import Tokenizer, models, pre_tokenizers, processors
from transformers import BertConfig, BertForSequenceClassification, PreTrainedTokenizerFast

HERE = os.path.dirname(os.path.abspath(__file__))
WORDPIECE = os.path.join(HERE, "..", "tokenizers", "bert_wordpiece.json")
torch.manual_seed(1)


def nli_model():
    tokenizer = PreTrainedTokenizerFast(tokenizer_file=WORDPIECE, unk_token="[UNK]", sep_token="[SEP]",
                                        pad_token="[PAD]", cls_token="[CLS]", mask_token="[MASK]",
                                        model_max_length=64,
                                        model_input_names=["input_ids", "token_type_ids", "attention_mask"])
    labels = ["ENTAILMENT", "NEUTRAL", "CONTRADICTION"]
    config = BertConfig(vocab_size=len(tokenizer), hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=24, max_position_embeddings=64, type_vocab_size=2,
                        pad_token_id=tokenizer.pad_token_id, num_labels=3,
                        id2label=dict(enumerate(labels)), label2id={name: i for i, name in enumerate(labels)})
    model = BertForSequenceClassification(config).eval()
    # Random heads give near-uniform scores; sharpen them so rankings are far from ties.
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "LayerNorm" in name:
                p.add_(torch.randn_like(p) * 0.1)
            # Strong attention, so that the [CLS] state the classifier reads depends on the words.
            if any(part in name for part in ("attention.self", "attention.output.dense")):
                p.mul_(15.0)
        model.bert.pooler.dense.weight.mul_(30.0)
        model.classifier.weight.mul_(60.0)
    directory = os.path.join(HERE, "tiny-bert-pipeline-nli")
    model.save_pretrained(directory, safe_serialization=True)
    tokenizer.save_pretrained(directory)


WORDS = ("the a cat dog sat ran on in under over mat box red blue big small and then it was is happy sad "
         "today night sun moon tree house door window book pen cup tea milk bread fish bird song day "
         "we they you see go come home far near old new hot cold good bad fast slow . ,").split()


def generation_tokenizer():
    vocab = {"[PAD]": 0, "<s>": 1, "</s>": 2, "[UNK]": 3}
    for word in WORDS:
        vocab[word] = len(vocab)
    assert len(vocab) == 64, len(vocab)
    backend = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    backend.post_processor = processors.TemplateProcessing(single="<s> $A", pair="<s> $A $B", special_tokens=[("<s>", 1)])
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=backend, bos_token="<s>", eos_token="</s>", pad_token="[PAD]",
                                        unk_token="[UNK]", padding_side="right", model_max_length=64)
    tokenizer.save_pretrained(os.path.join(HERE, "tiny-gen-tokenizer"))


nli_model()
generation_tokenizer()
print("wrote", HERE)
