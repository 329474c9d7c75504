# generate() on the tiny random Llama: greedy, beam search with scores, and option errors.
import torch
from transformers import AutoModelForCausalLM, GenerationConfig

model = AutoModelForCausalLM.from_pretrained("Tests/Fixtures/generation/tiny-llama-gen")
ids = torch.tensor([[5, 9, 13, 7]])
print(model.generate(ids, max_new_tokens=6, do_sample=False, pad_token_id=0).tolist())
out = model.generate(ids, max_new_tokens=5, num_beams=3, num_return_sequences=2, return_dict_in_generate=True,
                     output_scores=True, do_sample=False, pad_token_id=0)
print(type(out).__name__)
print(out.sequences.tolist())
print([round(s, 3) for s in out.sequences_scores.tolist()])
print(len(out.scores), tuple(out.scores[0].shape))
config = GenerationConfig(max_new_tokens=3, do_sample=False, pad_token_id=0)
print(model.generate(ids, generation_config=config).tolist())
try:
    model.generate(ids, max_new_tokens=3, num_beam=2)
except ValueError as e:
    print("ValueError:", e)
try:
    model.generate(ids, do_sample=True, temperature=0.0)
except ValueError as e:
    print("ValueError:", str(e)[:60])
