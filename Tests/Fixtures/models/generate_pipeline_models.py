"""Tiny random BERT checkpoints with a real (small) WordPiece tokenizer, for the pipeline tests.

    HF_HUB_OFFLINE=1 python Tests/Fixtures/models/generate_pipeline_models.py

Writes tiny-bert-pipeline-cls/ (a 3-label sequence classifier with label names) and
tiny-bert-pipeline-mlm/ (a masked LM), each with the 900-token WordPiece tokenizer of
Tests/Fixtures/tokenizers/bert_wordpiece.json saved by transformers (tokenizer.json and
tokenizer_config.json), so that `pipeline(task, model=DIR)` loads both halves from one folder.
"""
import os

import torch
from transformers import BertConfig, BertForMaskedLM, BertForSequenceClassification, PreTrainedTokenizerFast

HERE = os.path.dirname(os.path.abspath(__file__))
TOKENIZER = os.path.join(HERE, "..", "tokenizers", "bert_wordpiece.json")
torch.manual_seed(0)

tokenizer = PreTrainedTokenizerFast(tokenizer_file=TOKENIZER, unk_token="[UNK]", sep_token="[SEP]", pad_token="[PAD]",
                                    cls_token="[CLS]", mask_token="[MASK]", model_max_length=64)
config = dict(vocab_size=len(tokenizer), hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
              intermediate_size=24, max_position_embeddings=64, pad_token_id=tokenizer.pad_token_id)


def sharpen(model, head):
    # Random heads give near-uniform scores; scale them so rankings are far from ties.
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "LayerNorm" in name:
                p.add_(torch.randn_like(p) * 0.1)
        head.mul_(6.0)
    return model


classifier = BertForSequenceClassification(BertConfig(
    **config, num_labels=3, id2label={0: "negative", 1: "neutral", 2: "positive"},
    label2id={"negative": 0, "neutral": 1, "positive": 2})).eval()
sharpen(classifier, classifier.classifier.weight)
with torch.no_grad():
    classifier.classifier.weight.mul_(20.0)
masked = BertForMaskedLM(BertConfig(**config)).eval()
# The decoder is tied to the (small) word embeddings: scale the head's LayerNorm instead.
sharpen(masked, masked.cls.predictions.transform.LayerNorm.weight)
with torch.no_grad():
    masked.cls.predictions.transform.LayerNorm.weight.mul_(40.0)

for name, model in (("tiny-bert-pipeline-cls", classifier), ("tiny-bert-pipeline-mlm", masked)):
    directory = os.path.join(HERE, name)
    model.save_pretrained(directory, safe_serialization=True)
    tokenizer.save_pretrained(directory)
print("wrote", HERE)
