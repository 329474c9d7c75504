import torch
a = torch.ones(2, 3)
b = torch.ones(2, 2)
try:
    a + b
except RuntimeError as e:
    print(type(e).__name__)
try:
    a @ b
except RuntimeError as e:
    print(type(e).__name__)
try:
    a.view(4)
except RuntimeError as e:
    print(type(e).__name__)
try:
    a[5]
except IndexError as e:
    print(type(e).__name__, e)
try:
    a.sum(dim=3)
except IndexError as e:
    print(type(e).__name__)
try:
    bool(a)
except RuntimeError as e:
    print(type(e).__name__, e)
try:
    a.item()
except RuntimeError as e:
    print(type(e).__name__, e)
try:
    torch.cat([a, b], dim=0)
except RuntimeError as e:
    print(type(e).__name__)
try:
    torch.zeros(2, dtype="float")
except TypeError as e:
    print(type(e).__name__)
try:
    a.softmax()
except TypeError as e:
    print(type(e).__name__)
try:
    torch.tensor([1, 2]).requires_grad_()
except RuntimeError as e:
    print(type(e).__name__)
try:
    torch.tensor([1.0]).backward()
except RuntimeError as e:
    print(type(e).__name__)
try:
    len(torch.tensor(1.0))
except TypeError as e:
    print(type(e).__name__, e)
print("done")
