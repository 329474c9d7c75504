import torch
import torch.nn.functional as F
from transformers import AutoModel, AutoTokenizer

model_id = "sentence-transformers/all-MiniLM-L6-v2"
tokenizer = AutoTokenizer.from_pretrained(model_id)
model = AutoModel.from_pretrained(model_id, attn_implementation="eager")
print(type(model).__name__, model.config.model_type, model.config.hidden_size, model.config.num_hidden_layers)
print(model.num_parameters())
sentences = ["A man is eating food.", "A man is eating a piece of bread.", "The girl is carrying a baby.", "A man is riding a horse."]
inputs = tokenizer(sentences, padding=True, return_tensors="pt")
with torch.no_grad():
    outputs = model(**inputs)
print(type(outputs).__name__, list(outputs.keys()))
print(outputs.last_hidden_state.shape, outputs.pooler_output.shape)
mask = inputs["attention_mask"].unsqueeze(-1).float()
embeddings = (outputs.last_hidden_state * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
embeddings = F.normalize(embeddings, p=2, dim=1)
print(embeddings.shape)
print(embeddings[:, :4])
similarity = embeddings @ embeddings.T
print(similarity)
print(embeddings[0] @ embeddings[1])
with torch.no_grad():
    outputs = model(**inputs, output_attentions=True, output_hidden_states=True)
print(len(outputs.attentions), outputs.attentions[0].shape, len(outputs.hidden_states))
print(outputs.attentions[0][0, 0].sum(-1))
