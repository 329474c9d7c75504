import torch
from transformers import AutoConfig, AutoModel, AutoModelForSequenceClassification

model = AutoModelForSequenceClassification.from_pretrained("Tests/Fixtures/models/tiny-bert-cls")
state = model.state_dict()
names = list(state.keys())
print(len(names), names[:3], names[-2:])
print(state["classifier.weight"].shape, state["bert.embeddings.word_embeddings.weight"].shape)
params = list(model.parameters())
print(len(params), sum(p.numel() for p in params), model.num_parameters(), model.num_parameters(only_trainable=True))
named = list(model.named_parameters())
print(named[0][0], named[0][1].shape, named[-1][0])
print(model.training)
print(model.train() is model, model.training)
print(model.eval() is model, model.training)
print(model.train(False).training)
fresh = AutoModelForSequenceClassification.from_pretrained("Tests/Fixtures/models/tiny-bert-cls")
print(fresh.load_state_dict(model.state_dict()))
result = fresh.load_state_dict({"classifier.bias": torch.zeros(3)}, strict=False)
print(len(result.missing_keys), result.unexpected_keys)
print(fresh.state_dict()["classifier.bias"])
try:
    fresh.load_state_dict({"classifier.bias": torch.zeros(3)})
except RuntimeError:
    print("RuntimeError")
try:
    fresh.load_state_dict({"classifier.bias": torch.zeros(4)}, strict=False)
except RuntimeError:
    print("RuntimeError")
head = AutoModelForSequenceClassification.from_pretrained("Tests/Fixtures/models/tiny-bert", num_labels=4)
print(head.config.num_labels, head.classifier.weight.shape if hasattr(head, "classifier") else head.state_dict()["classifier.weight"].shape)
config = AutoConfig.from_pretrained("Tests/Fixtures/models/tiny-bert", num_labels=2)
random_model = AutoModelForSequenceClassification.from_config(config)
print(type(random_model).__name__, random_model.training, random_model.state_dict()["classifier.weight"].shape)
base = AutoModel.from_config(config)
print(type(base).__name__, base.num_parameters() == AutoModel.from_pretrained("Tests/Fixtures/models/tiny-bert").num_parameters())
given = AutoConfig.from_pretrained("Tests/Fixtures/models/tiny-bert", num_labels=2)
with_config = AutoModelForSequenceClassification.from_pretrained("Tests/Fixtures/models/tiny-bert", config=given)
print(with_config.config.num_labels, with_config.state_dict()["classifier.bias"].shape)
