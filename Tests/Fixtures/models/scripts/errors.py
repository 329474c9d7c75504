import torch
from transformers import AutoConfig, AutoModel, AutoModelForSequenceClassification

try:
    AutoModel.from_pretrained("no-such-org/no-such-model")
except OSError:
    print("OSError")
try:
    AutoConfig.from_pretrained("no-such-org/no-such-model")
except OSError:
    print("OSError")
try:
    AutoModel.from_pretrained("Tests/Fixtures/models/unknown-type")
except ValueError:
    print("ValueError")
try:
    AutoConfig.from_pretrained("Tests/Fixtures/models/unknown-type")
except ValueError:
    print("ValueError")
try:
    AutoModel.from_pretrained("Tests/Fixtures/models/tiny-bert", not_a_config_key=1)
except TypeError as e:
    print("TypeError:", e)
try:
    AutoModel()
except OSError:
    print("OSError")
model = AutoModel.from_pretrained("Tests/Fixtures/models/tiny-bert")
with torch.no_grad():
    outputs = model(input_ids=torch.tensor([[2, 5, 3]]))
try:
    outputs["loss"]
except KeyError as e:
    print("KeyError", e)
try:
    outputs[5]
except IndexError:
    print("IndexError")
print(outputs.get("loss"), outputs.attentions)
try:
    model.config.no_such_attribute
except AttributeError:
    print("AttributeError")
