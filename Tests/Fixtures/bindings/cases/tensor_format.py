# Tensors in f-strings, format() and str.format(): a 0-d tensor formats as its value
# (with or without a spec), any other tensor as str(tensor) with an empty spec only.
import torch

s = torch.tensor(3.25)
print(f"{s}", format(s), "{}".format(s))
print(f"{s:.1f}|{s:>8}|{s:+.3e}")
print(f"{torch.tensor(7)}|{torch.tensor(7):>4}|{torch.tensor(True)}")
t = torch.tensor([[1.5, 2.0], [3.0, 4.25]])
print(f"{t}")
print("{}".format(t))
print(f"{t!r}")
print(f"{[s, t[0]]}")
print(f"{t.sum()} {t.mean():.3f} {t[1, 1]}")
print(f"{t.shape} {t.dtype}")
for spec in [">5", ".2f", "s"]:
    try:
        print(format(t, spec))
    except TypeError as e:
        print("TypeError:", e)
try:
    print(f"{torch.tensor([2.5]):.1f}")
except TypeError as e:
    print("TypeError:", e)
