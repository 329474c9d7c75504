"""Tiny random BERT checkpoints for the token-classification and question-answering pipeline tests.

    HF_HUB_OFFLINE=1 python Tests/Fixtures/models/generate_pipeline_models_tqa.py

Writes tiny-bert-pipeline-ner/ (a token classifier with B-/I- labels for PER and LOC, and O) and
tiny-bert-pipeline-qa/ (start and end scores per token), each with the 900-token WordPiece
tokenizer of Tests/Fixtures/tokenizers/bert_wordpiece.json. Both tokenizers say
model_max_length=32, so a sentence of forty-odd tokens needs several `stride` chunks and a
context of sixty words several `doc_stride` windows.
"""
import os

import torch
from transformers import BertConfig, BertForQuestionAnswering, BertForTokenClassification, PreTrainedTokenizerFast

HERE = os.path.dirname(os.path.abspath(__file__))
TOKENIZER = os.path.join(HERE, "..", "tokenizers", "bert_wordpiece.json")
torch.manual_seed(0)

tokenizer = PreTrainedTokenizerFast(tokenizer_file=TOKENIZER, unk_token="[UNK]", sep_token="[SEP]", pad_token="[PAD]",
                                    cls_token="[CLS]", mask_token="[MASK]", model_max_length=32)
config = dict(vocab_size=len(tokenizer), hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
              intermediate_size=24, max_position_embeddings=64, pad_token_id=tokenizer.pad_token_id)


def sharpen(model, head, scale):
    # Random heads give near-uniform scores; scale them so rankings are far from ties.
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "LayerNorm" in name:
                p.add_(torch.randn_like(p) * 0.1)
        head.mul_(scale)
    return model


labels = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]
tagger = BertForTokenClassification(BertConfig(
    **config, num_labels=len(labels), id2label=dict(enumerate(labels)),
    label2id={label: i for i, label in enumerate(labels)})).eval()
sharpen(tagger, tagger.classifier.weight, 40.0)
reader = BertForQuestionAnswering(BertConfig(**config)).eval()
sharpen(reader, reader.qa_outputs.weight, 20.0)

for name, model in (("tiny-bert-pipeline-ner", tagger), ("tiny-bert-pipeline-qa", reader)):
    directory = os.path.join(HERE, name)
    model.save_pretrained(directory, safe_serialization=True)
    tokenizer.save_pretrained(directory)
print("wrote", HERE)
