import torch
import torch.nn.functional as F
def show(f):
    try:
        print("ok", f())
    except Exception as e:
        print(type(e).__name__ + ":", e)
a = torch.ones(2, 3)
show(lambda: torch.zeros("a"))
show(lambda: torch.zeros(2, "b"))
show(lambda: torch.tensor("x"))
show(lambda: torch.arange(3).mean())
show(lambda: a[2])
show(lambda: a[0, -4])
show(lambda: a[0, 0, 0])
show(lambda: bool(torch.ones(0)))
show(lambda: bool(a))
show(lambda: a.item())
show(lambda: len(torch.tensor(2.0)))
show(lambda: torch.ones(2, requires_grad=True).numpy())
show(lambda: F.softmax(a).shape)
show(lambda: torch.tensor([True]).float() + 1)
w = torch.ones(2, requires_grad=True)
holder = [w]
def inplace():
    v = holder[0]
    v += 1
show(inplace)
show(lambda: (w * 2).requires_grad_(False) if False else torch.ones(1, requires_grad=True).sum().requires_grad)
