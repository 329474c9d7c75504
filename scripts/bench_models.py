#!/usr/bin/env python3
"""The reference side of `apus-bench --models`: transformers/PyTorch running the same model on
the same inputs. Prints JSON {"torch": version, "results": {workload: seconds}}.

    python bench_models.py INPUTS_JSON THREADS REPETITIONS

INPUTS_JSON: {"model": DIR, "workloads": {name: {"input_ids": [[...]], "attention_mask": [[...]]}}}.
Each workload: 2 warm-up forwards, then the median of REPETITIONS forwards under
torch.inference_mode(), with the model in eval mode and its default attention implementation.
"""
import json, statistics, sys, time

def main():
    import torch
    from transformers import AutoModel
    spec = json.load(open(sys.argv[1]))
    torch.set_num_threads(int(sys.argv[2]))
    repetitions = json.loads(sys.argv[3])
    model = AutoModel.from_pretrained(spec["model"]).eval()
    results = {}
    with torch.inference_mode():
        for name, inputs in spec["workloads"].items():
            ids = torch.tensor(inputs["input_ids"])
            mask = torch.tensor(inputs["attention_mask"])
            for _ in range(2):
                model(input_ids=ids, attention_mask=mask)
            times = []
            for _ in range(repetitions[name]):
                start = time.perf_counter()
                model(input_ids=ids, attention_mask=mask)
                times.append(time.perf_counter() - start)
            results[name] = statistics.median(times)
    print(json.dumps({"torch": torch.__version__, "results": results}))

if __name__ == "__main__":
    main()
