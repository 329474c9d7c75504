# text-generation's generation parameters as transformers applies them: those given at pipeline()
# time apply to every call, a call's own override them, a call's generation_config replaces them,
# and the pipeline's defaults (256 new tokens, sampling at temperature 0.7, the tokenizer's pad
# token) fill only what neither the user nor the model's generation config sets. Sampled tokens
# are not compared (the random streams differ); their count, and the first step's scores (which
# show the sampling warpers), are.
from transformers import AutoModelForCausalLM, AutoTokenizer, GenerationConfig, pipeline

LLAMA = "Tests/Fixtures/generation/tiny-llama-gen"
GPT2 = "Tests/Fixtures/generation/tiny-gpt2-gen"
TOKENIZER = "Tests/Fixtures/models/tiny-gen-tokenizer"


def diff(config):
    # to_diff_dict without transformers' bookkeeping keys (its version, _from_model_config).
    return {k: v for k, v in config.to_diff_dict().items() if not k.startswith("_") and k != "transformers_version"}


def prepared(pipe, **kwargs):
    out = pipe._prepare_generate_kwargs(kwargs)
    config = out.pop("generation_config", None)
    print(sorted(out.items()), None if config is None else diff(config))


# GenerationConfig.to_diff_dict: the options set, in declaration order.
print(diff(GenerationConfig()))
print(diff(GenerationConfig(max_new_tokens=256, do_sample=True, temperature=0.7)))
print(diff(GenerationConfig(eos_token_id=[2, 3], temperature=1.0, max_length=20, top_k=5)))
config = GenerationConfig(top_k=5)
print(config.update(max_length=9, not_an_option=1), diff(config))

llama = AutoModelForCausalLM.from_pretrained(LLAMA)
gpt2 = AutoModelForCausalLM.from_pretrained(GPT2)
print(diff(llama.generation_config), diff(gpt2.generation_config))

# What the pipeline sets aside at construction.
gen = pipeline("text-generation", model=llama, tokenizer=AutoTokenizer.from_pretrained(TOKENIZER))
print(gen._generate_kwargs, gen._generation_defaults)
fixed = pipeline("text-generation", model=llama, tokenizer=AutoTokenizer.from_pretrained(TOKENIZER),
                 max_new_tokens=5, do_sample=False, return_full_text=False)
print(sorted(fixed._generate_kwargs.items()), "return_type" in fixed._postprocess_params)  # a set orders them in transformers
long = pipeline("text-generation", model=llama, tokenizer=AutoTokenizer.from_pretrained(TOKENIZER), max_length=12)
print(long._generate_kwargs, long._preprocess_params)
gpt2_gen = pipeline("text-generation", model=gpt2, tokenizer=AutoTokenizer.from_pretrained(TOKENIZER))

# The generate() kwargs of a call.
prepared(gen)
prepared(gen, do_sample=False)
prepared(gen, max_length=30)
prepared(gen, temperature=1.3, top_k=4)
prepared(gen, do_sample=False, temperature=1.3)
user_config = GenerationConfig(max_new_tokens=5)
prepared(gen, generation_config=user_config)
print(diff(user_config))
prepared(gen, generation_config=GenerationConfig(max_length=9, do_sample=False))
prepared(fixed)
prepared(fixed, max_new_tokens=7, top_p=0.5)
prepared(fixed, do_sample=True)
prepared(fixed, generation_config=GenerationConfig(top_k=3))
prepared(long)
prepared(long, max_new_tokens=3)
prepared(gpt2_gen)
prepared(gpt2_gen, pad_token_id=5, do_sample=False)

# Calls: the pipeline()-time parameters apply, the call's override them.
print(fixed("hello world"))
print(fixed("hello world", max_new_tokens=2))
print(fixed(["hello world", "the cat"], batch_size=2))
print(fixed("hello world", generation_config=GenerationConfig(max_new_tokens=3, do_sample=False)))
print(gen("hello world", max_new_tokens=4, do_sample=False))
print(long("hello world", do_sample=False))
print(gen("world", prefix="hello ", max_length=8, do_sample=False))
print(gpt2_gen("hello world", max_new_tokens=4, do_sample=False))

# A call's generation_config takes what it leaves unset from the model's generation config
# (here an end-of-sequence token the greedy continuation reaches), as generate() does.
stopping = AutoModelForCausalLM.from_pretrained(LLAMA)
stopping.generation_config.eos_token_id = 16
stop_gen = pipeline("text-generation", model=stopping, tokenizer=AutoTokenizer.from_pretrained(TOKENIZER))
prepared(stop_gen, generation_config=GenerationConfig(max_new_tokens=8, do_sample=False))
print(stop_gen("hello world", generation_config=GenerationConfig(max_new_tokens=8, do_sample=False)))
print(stop_gen("hello world", max_new_tokens=8, do_sample=False))
print(stopping.generate(gen.tokenizer("hello world", return_tensors="pt")["input_ids"],
                        generation_config=GenerationConfig(max_new_tokens=8, do_sample=False)).tolist())

# No parameters: sampling, up to 256 new tokens (a minimum as large holds end-of-sequence back,
# so that the count does not depend on the draws).
prompt = gen.tokenizer("hello world")["input_ids"]
sampled = gen("hello world", min_new_tokens=300, return_tensors=True)[0]["generated_token_ids"]
print(len(sampled) - len(prompt), sampled[:len(prompt)] == prompt)
sampled = gen("hello world", min_length=60, max_length=40, return_tensors=True)[0]["generated_token_ids"]
print(len(sampled))

# return_dict_in_generate: the extra outputs ride along in each record.
record = gen("hello world", return_dict_in_generate=True, output_scores=True, min_new_tokens=300)[0]
first = record["scores"][0]
print(sorted(record), len(record["scores"]), len(first), sum(1 for v in first if v == float("-inf")))
print([v for v in first if v != float("-inf")])
print(gen("hello world", return_dict_in_generate=True, output_scores=True, output_logits=True, max_new_tokens=2,
          do_sample=False))
print(fixed(["hello world", "the cat"], batch_size=2, return_dict_in_generate=True, output_scores=True,
            max_new_tokens=2))
beams = gen("the cat", return_dict_in_generate=True, output_scores=True, max_new_tokens=2, do_sample=False,
            num_beams=2, num_return_sequences=2)
print([sorted(r) for r in beams], [r["generated_text"] for r in beams], [r["sequences_scores"] for r in beams])
print(gen("hello world", return_dict_in_generate=True, max_new_tokens=2, do_sample=False))
print(gen("hello world", return_dict_in_generate=True, output_scores=True, max_new_tokens=2, do_sample=False,
          return_tensors=True))
