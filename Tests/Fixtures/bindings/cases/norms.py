# Vector norms and cosine similarity, as sentence-embedding code uses them.
import torch
import torch.nn.functional as F

torch.manual_seed(0)
x = torch.tensor([[3.0, -4.0, 0.0], [1.0, 2.0, -2.0]])
print(x.norm())
print(x.norm(dim=1))
print(x.norm(p=1, dim=0))
print(x.norm(p=float("inf"), dim=1, keepdim=True))
print(x.norm(p=float("-inf")))
print(x.norm(p=0, dim=1))
print(x.norm(p=3, dim=1))
print(torch.norm(x, dim=0))
print(x.norm(dim=(0, 1)), x.norm(p="fro"))

a = torch.tensor([[1.0, 0.0, 1.0], [0.5, -0.5, 2.0]])
b = torch.tensor([[1.0, 1.0, 0.0], [1.0, -1.0, 4.0]])
print(F.cosine_similarity(a, b))
print(F.cosine_similarity(a, b, dim=0))
print(F.cosine_similarity(a[0:1], b))
print(torch.cosine_similarity(a, torch.zeros(2, 3)))
e = F.normalize(torch.tensor([[2.0, 0.0], [1.0, 1.0]]), p=2, dim=1)
print(e @ e.T)

w = torch.tensor([1.0, -2.0, 2.0], requires_grad=True)
w.norm().backward()
print(w.grad)
u = torch.tensor([[1.0, 2.0]], requires_grad=True)
F.cosine_similarity(u, torch.tensor([[2.0, 1.0]])).sum().backward()
print(u.grad)
print(torch.tensor([1, 2]).norm())
