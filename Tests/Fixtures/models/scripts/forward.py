import torch
from transformers import AutoModel, AutoModelForSequenceClassification, BertModel, BertForSequenceClassification

model = AutoModel.from_pretrained("Tests/Fixtures/models/tiny-bert", attn_implementation="eager")
print(type(model).__name__, model.training, model.num_parameters())
print(model.config.hidden_size, model.config.architectures)
input_ids = torch.tensor([[2, 17, 45, 8, 99, 3], [2, 5, 77, 3, 0, 0]])
attention_mask = (input_ids != 0).long()
with torch.no_grad():
    outputs = model(input_ids=input_ids, attention_mask=attention_mask)
print(type(outputs).__name__, list(outputs.keys()), len(outputs))
print(outputs.last_hidden_state.shape, outputs.pooler_output.shape)
print(outputs.last_hidden_state[0, :3, :4])
print(outputs["pooler_output"][:, :5])
print(outputs[0].shape, outputs[1].shape, len(outputs.to_tuple()))
print("last_hidden_state" in outputs, "attentions" in outputs, outputs.attentions, outputs.hidden_states)
with torch.no_grad():
    outputs = model(input_ids, attention_mask, output_attentions=True, output_hidden_states=True)
print(list(outputs.keys())[:4], len(outputs.hidden_states), len(outputs.attentions), outputs.attentions[1].shape)
print(outputs.attentions[0][1, 2, :, :].sum(-1))
print(outputs.attentions[0][1, 0, 0])
base = BertModel.from_pretrained("Tests/Fixtures/models/tiny-bert")
with torch.no_grad():
    same = base(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
print(torch.allclose(same, outputs.last_hidden_state))

classifier = AutoModelForSequenceClassification.from_pretrained("Tests/Fixtures/models/tiny-bert-cls")
print(type(classifier).__name__, classifier.config.id2label, classifier.num_parameters())
labels = torch.tensor([2, 0])
with torch.no_grad():
    outputs = classifier(input_ids=input_ids, attention_mask=attention_mask, labels=labels)
print(type(outputs).__name__, list(outputs.keys()))
print(outputs.loss, outputs[0])
print(outputs)
print(outputs.logits)
print(outputs.logits.argmax(-1).tolist(), [classifier.config.id2label[i] for i in outputs.logits.argmax(-1).tolist()])
tuple_out = classifier(input_ids=input_ids, attention_mask=attention_mask, return_dict=False)
print(type(tuple_out).__name__, len(tuple_out))
same_cls = BertForSequenceClassification.from_pretrained("Tests/Fixtures/models/tiny-bert-cls")
print(type(same_cls).__name__)
