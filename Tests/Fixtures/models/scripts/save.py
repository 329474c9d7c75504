import torch
from transformers import AutoConfig, AutoModelForSequenceClassification

model = AutoModelForSequenceClassification.from_pretrained("Tests/Fixtures/models/tiny-bert-cls")
model.config.id2label = {0: "bad", 1: "okay", 2: "good"}
model.config.label2id = {"bad": 0, "okay": 1, "good": 2}
model.save_pretrained("/tmp/apus-models-script-save")
again = AutoModelForSequenceClassification.from_pretrained("/tmp/apus-models-script-save")
input_ids = torch.tensor([[2, 17, 45, 8, 3]])
with torch.no_grad():
    print(torch.equal(model(input_ids=input_ids).logits, again(input_ids=input_ids).logits))
print(list(again.state_dict().keys()) == list(model.state_dict().keys()))
config = AutoConfig.from_pretrained("/tmp/apus-models-script-save")
print(config.architectures, config.id2label, config.hidden_size)
