"""Reference checkpoints and outputs for Apus's Models module, from transformers.

    HF_HUB_OFFLINE=1 HF_HOME=/path/with/hub/cache python Tests/Fixtures/models/generate.py

Writes next to this file:
- tiny-bert/            a tiny random BertModel (save_pretrained, safetensors, no prefix)
- tiny-bert-cls/        the same weights as BertForSequenceClassification (keys under `bert.`),
                        3 labels with names
- tiny-bert-fp16/       the same base model saved in float16, sharded (index + several files)
- tiny-bert.reference.safetensors   inputs and outputs for a padded batch: last_hidden_state,
                        pooler_output, hidden_states.N, attentions.N, classifier logits and loss,
                        and the float16 checkpoint's last_hidden_state (computed in float32 from
                        the float16 weights)
- minilm.reference.safetensors      all-MiniLM-L6-v2: input_ids, attention_mask and the
                        mean-pooled sentence embeddings of SENTENCES (needs the model in $HF_HOME)
- minilm.sentences.json             the sentences, in order
"""
import json
import os

import torch
from safetensors.torch import save_file
from transformers import AutoModel, AutoTokenizer, BertConfig, BertForSequenceClassification, BertModel

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(0)

config = BertConfig(vocab_size=100, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                    intermediate_size=37, max_position_embeddings=64, type_vocab_size=2,
                    hidden_act="gelu", layer_norm_eps=1e-12, pad_token_id=0, num_labels=3,
                    id2label={0: "negative", 1: "neutral", 2: "positive"},
                    label2id={"negative": 0, "neutral": 1, "positive": 2},
                    attn_implementation="eager")
classifier = BertForSequenceClassification(config).eval()
# Random init gives LayerNorms weight 1 and bias 0; perturb them so the test checks they are read.
with torch.no_grad():
    for name, p in classifier.named_parameters():
        if "LayerNorm" in name:
            p.add_(torch.randn_like(p) * 0.1)
base = classifier.bert
base.config.architectures = ["BertModel"]

classifier.save_pretrained(os.path.join(HERE, "tiny-bert-cls"), safe_serialization=True)
base.save_pretrained(os.path.join(HERE, "tiny-bert"), safe_serialization=True)
half = BertModel(config).eval()
half.load_state_dict(base.state_dict())
half = half.half()
half.save_pretrained(os.path.join(HERE, "tiny-bert-fp16"), safe_serialization=True, max_shard_size="20KB")

# A padded batch: lengths 9, 6 and 3, a second segment in the first row.
input_ids = torch.tensor([[2, 17, 45, 8, 99, 3, 21, 60, 3],
                          [2, 5, 77, 31, 12, 3, 0, 0, 0],
                          [2, 64, 3, 0, 0, 0, 0, 0, 0]])
attention_mask = (input_ids != 0).long()
token_type_ids = torch.tensor([[0, 0, 0, 0, 0, 0, 1, 1, 1]] + [[0] * 9] * 2)
labels = torch.tensor([2, 0, 1])

reference = {"input_ids": input_ids, "attention_mask": attention_mask, "token_type_ids": token_type_ids,
             "labels": labels}
with torch.no_grad():
    out = base(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids,
               output_hidden_states=True, output_attentions=True)
    reference["last_hidden_state"] = out.last_hidden_state
    reference["pooler_output"] = out.pooler_output
    for i, h in enumerate(out.hidden_states):
        reference[f"hidden_states.{i}"] = h
    for i, a in enumerate(out.attentions):
        reference[f"attentions.{i}"] = a
    # Without a mask or token types (all ones / all zeros by default).
    reference["unmasked.last_hidden_state"] = base(input_ids=input_ids).last_hidden_state
    cls = classifier(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids,
                     labels=labels)
    reference["classifier.logits"] = cls.logits
    reference["classifier.loss"] = cls.loss.reshape(1)
    upcast = BertModel.from_pretrained(os.path.join(HERE, "tiny-bert-fp16"), torch_dtype=torch.float32,
                                       attn_implementation="eager").eval()
    reference["fp16.last_hidden_state"] = upcast(input_ids=input_ids, attention_mask=attention_mask,
                                                 token_type_ids=token_type_ids).last_hidden_state
save_file({k: v.clone().contiguous() for k, v in reference.items()}, os.path.join(HERE, "tiny-bert.reference.safetensors"))

SENTENCES = [
    "This framework generates embeddings for each input sentence.",
    "Sentences are passed as a list of strings.",
    "The quick brown fox jumps over the lazy dog.",
    "A man is eating food.",
    "A man is eating a piece of bread.",
    "The girl is carrying a baby.",
    "A man is riding a horse.",
    "A woman is playing violin.",
    "Two men pushed carts through the woods.",
    "A man is riding a white horse on an enclosed ground.",
    "A monkey is playing drums.",
    "Someone in a gorilla costume is playing a set of drums.",
    "The new movie is awesome!",
    "The cat sits outside.",
    "Do you like pizza?",
    "I love pasta, especially with a lot of cheese and fresh basil from the garden behind the house.",
    "Hello",
    "Café au lait costs €3.50 in Zürich — naïve pricing?",
    "GPUs and CPUs compute matrix multiplications; OpenBLAS is fast on x86-64.",
    "The weather today is sunny with a chance of rain in the evening.",
    "Paris is the capital of France.",
    "What is the capital of France?",
    "Machine learning models need data.",
    "日本語の文も少し入れておきます。",
]
with open(os.path.join(HERE, "minilm.sentences.json"), "w") as f:
    json.dump(SENTENCES, f, ensure_ascii=False, indent=1)
    f.write("\n")

model_id = "sentence-transformers/all-MiniLM-L6-v2"
tokenizer = AutoTokenizer.from_pretrained(model_id)
model = AutoModel.from_pretrained(model_id).eval()
batch = tokenizer(SENTENCES, padding=True, return_tensors="pt")
with torch.no_grad():
    hidden = model(**batch).last_hidden_state
mask = batch["attention_mask"].unsqueeze(-1).float()
embeddings = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
save_file({"input_ids": batch["input_ids"].contiguous(), "attention_mask": batch["attention_mask"].contiguous(),
           "token_type_ids": batch["token_type_ids"].contiguous(), "embeddings": embeddings.contiguous()},
          os.path.join(HERE, "minilm.reference.safetensors"))
print("wrote fixtures to", HERE)
