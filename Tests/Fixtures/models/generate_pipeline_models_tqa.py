"""Tiny random BERT checkpoints for the token-classification and question-answering pipeline tests.

    HF_HUB_OFFLINE=1 python Tests/Fixtures/models/generate_pipeline_models_tqa.py

Writes tiny-bert-pipeline-ner/ (a token classifier with B-/I- labels for PER and LOC, and O) and
tiny-bert-pipeline-qa/ (start and end scores per token), each with the 900-token WordPiece
tokenizer of Tests/Fixtures/tokenizers/bert_wordpiece.json, and the same two heads on RoBERTa
with the byte-level BPE tokenizer of Tests/Fixtures/tokenizers/roberta.json
(tiny-roberta-pipeline-ner/, tiny-roberta-pipeline-qa/): its pieces carry no continuation mark,
so the pipelines tell words apart from the text instead. Every tokenizer says
model_max_length=32, so a sentence of forty-odd tokens needs several `stride` chunks and a
context of sixty words several `doc_stride` windows.
"""
import os

import torch
from transformers import (BertConfig, BertForQuestionAnswering, BertForTokenClassification, PreTrainedTokenizerFast,
                          RobertaConfig, RobertaForQuestionAnswering, RobertaForTokenClassification)

HERE = os.path.dirname(os.path.abspath(__file__))
TOKENIZER = os.path.join(HERE, "..", "tokenizers", "bert_wordpiece.json")
BPE_TOKENIZER = os.path.join(HERE, "..", "tokenizers", "roberta.json")
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

bpe = PreTrainedTokenizerFast(tokenizer_file=BPE_TOKENIZER, bos_token="<s>", eos_token="</s>", sep_token="</s>",
                              cls_token="<s>", pad_token="<pad>", mask_token="<mask>", model_max_length=32,
                              model_input_names=["input_ids", "attention_mask"])
# RoBERTa counts positions from after the padding id, so the table must reach past it.
roberta = dict(vocab_size=len(bpe), hidden_size=16, num_hidden_layers=2, num_attention_heads=2, intermediate_size=24,
               max_position_embeddings=bpe.pad_token_id + 2 + 32, type_vocab_size=1, pad_token_id=bpe.pad_token_id,
               bos_token_id=bpe.bos_token_id, eos_token_id=bpe.eos_token_id)
bpe_tagger = RobertaForTokenClassification(RobertaConfig(
    **roberta, num_labels=len(labels), id2label=dict(enumerate(labels)),
    label2id={label: i for i, label in enumerate(labels)})).eval()
sharpen(bpe_tagger, bpe_tagger.classifier.weight, 40.0)
bpe_reader = RobertaForQuestionAnswering(RobertaConfig(**roberta)).eval()
sharpen(bpe_reader, bpe_reader.qa_outputs.weight, 20.0)

for name, model, tok in (("tiny-bert-pipeline-ner", tagger, tokenizer), ("tiny-bert-pipeline-qa", reader, tokenizer),
                         ("tiny-roberta-pipeline-ner", bpe_tagger, bpe), ("tiny-roberta-pipeline-qa", bpe_reader, bpe)):
    directory = os.path.join(HERE, name)
    model.save_pretrained(directory, safe_serialization=True)
    tok.save_pretrained(directory)
print("wrote", HERE)
