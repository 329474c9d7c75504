import torch
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = (x * x).sum()
print(y)
y.backward()
print(x.grad)
w = torch.tensor([[0.5, -1.0], [2.0, 1.0]], requires_grad=True)
b = torch.tensor([0.1, 0.2], requires_grad=True)
inp = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
out = inp @ w + b
print(out)
loss = out.softmax(dim=-1)[:, 0].sum()
loss.backward()
print(w.grad)
print(b.grad)
print(x.requires_grad, inp.requires_grad, out.requires_grad, x.is_leaf, out.is_leaf)
with torch.no_grad():
    z = x * 2
print(z, z.requires_grad)
print(torch.is_grad_enabled())
x.grad = None
(x ** 3).sum().backward()
print(x.grad)
(x ** 3).sum().backward()
print(x.grad)
d = x.detach()
print(d, d.requires_grad)
p = torch.ones(2, requires_grad=True)
with torch.no_grad():
    p -= 0.5 * torch.tensor([1.0, 2.0])
print(p, p.requires_grad, p.is_leaf)
q = torch.zeros(2).requires_grad_()
print(q)

@torch.no_grad()
def double(t):
    return t * 2
print(double(x).requires_grad)
print(x.exp().grad_fn is not None, x.grad_fn)
