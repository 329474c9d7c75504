"""Checks that transformers loads a directory written by Apus's save_pretrained and computes
the same outputs as the checkpoint it came from.

    HF_HUB_OFFLINE=1 /root/apus-ref/bin/python Tests/Fixtures/models/check_saved.py SAVED_DIR ORIGINAL_DIR

SAVED_DIR is what `model.save_pretrained(SAVED_DIR)` wrote in Apus (the Swift SavingTests leave
theirs in /tmp/apus-saved-<pid>-<name>, and print the command); ORIGINAL_DIR the checkpoint the
model was loaded from. The class comes from the saved config's `architectures`. Checks: the
safetensors metadata is {"format": "pt"}, transformers reports no missing or unexpected weights,
and the outputs of a padded batch agree within 1e-5.
"""
import json, os, sys

import torch
import transformers
from safetensors import safe_open


def main(saved, original):
    with safe_open(os.path.join(saved, "model.safetensors"), "pt") as f:
        assert f.metadata() == {"format": "pt"}, f.metadata()
    config = json.load(open(os.path.join(saved, "config.json")))
    cls = getattr(transformers, config["architectures"][0])
    model, info = cls.from_pretrained(saved, output_loading_info=True, attn_implementation="eager")
    reference = cls.from_pretrained(original, attn_implementation="eager")
    problems = {k: v for k, v in info.items() if v}
    assert not problems, problems
    input_ids = torch.tensor([[2, 17, 45, 8, 99, 3], [2, 5, 77, 3, 0, 0]])
    mask = (input_ids != 0).long()
    with torch.no_grad():
        got = model.eval()(input_ids=input_ids, attention_mask=mask).to_tuple()
        want = reference.eval()(input_ids=input_ids, attention_mask=mask).to_tuple()
    for g, w in zip(got, want):
        assert torch.allclose(g, w, atol=1e-5), (g, w)
    print(f"transformers loads {saved} as {cls.__name__}: no missing or unexpected weights, outputs match {original}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
