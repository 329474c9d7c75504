import torch
import torch.nn.functional as F
x = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
print(x.mean(), x.mean(dim=1), -x, 1 - x)
(x.mean(dim=1) * torch.tensor([1.0, 2.0])).sum().backward()
print(x.grad)
x.grad = None
(x.mean() + (-x).sum() + (1 - x).sum() * 2).backward()
print(x.grad)
x.grad.zero_()
logits = x * 0.5
loss = F.cross_entropy(logits, torch.tensor([2, 0]))
loss.backward()
print(loss, x.grad)
w = torch.tensor([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], requires_grad=True)
h = F.gelu(F.linear(torch.tensor([[1.0, -1.0, 2.0]]), w))
out = F.layer_norm(h, (2,)).pow(2).sum()
out.backward()
print(h, out, w.grad)
lr = 0.1
params = torch.tensor([1.0, -1.0], requires_grad=True)
for step in range(3):
    loss = ((params - torch.tensor([0.5, 0.5])) ** 2).sum()
    loss.backward()
    with torch.no_grad():
        params -= lr * params.grad
    params.grad.zero_()
    print(step, round(loss.item(), 4), params)
x.requires_grad = False
print(x.requires_grad)
e = torch.tensor([1.0, 2.0], requires_grad=True)
print(torch.stack([e, e * 2]).sum(0), torch.cat([e, e]).max())
