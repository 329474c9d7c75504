from transformers import AutoConfig

config = AutoConfig.from_pretrained("Tests/Fixtures/models/tiny-bert")
print(type(config).__name__, config.model_type)
print(config.hidden_size, config.num_attention_heads, config.num_hidden_layers, config.vocab_size)
print(config.hidden_act, config.layer_norm_eps, config.hidden_dropout_prob)
print(config.id2label)
print(config.label2id)
print(config.num_labels)
print(config.output_attentions, config.output_hidden_states)
print(config)
config = AutoConfig.from_pretrained("Tests/Fixtures/models/tiny-bert", num_labels=5, output_attentions=True)
print(config.num_labels, config.id2label[4], config.label2id["LABEL_0"], config.output_attentions)
config, unused = AutoConfig.from_pretrained("Tests/Fixtures/models/tiny-bert", hidden_dropout_prob=0.25, n_heads=12, return_unused_kwargs=True)
print(config.hidden_dropout_prob, unused)
config.num_labels = 2
print(config.id2label, config.num_labels)
config.id2label = {0: "NEG", 1: "POS"}
print(config.id2label, config.label2id)
d = config.to_dict()
print(d["hidden_size"], d["model_type"], d["id2label"])
print("hidden_size" in config.to_json_string())
