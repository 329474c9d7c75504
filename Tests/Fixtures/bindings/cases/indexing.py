import torch
t = torch.arange(24).reshape(2, 3, 4)
print(t[0])
print(t[-1, -1])
print(t[1, 2, 3], t[1, 2, 3].item())
print(t[:, 1])
print(t[..., 0])
print(t[0, ::2])
print(t[0, :, 1:3])
print(t[0, :, ::-1] if False else t[0, :, 3::-2] if False else t[:, None, 0].shape)
print(t[None].shape, t[..., None].shape)
print(t[0][1][2])
x = torch.tensor([5.0, -1.0, 3.0, -7.0])
print(x[x > 0])
print(x[[0, 2]])
print(x[torch.tensor([3, 1])])
m = torch.tensor([[1, 2], [3, 4], [5, 6]])
print(m[[2, 0]])
print(m[:, [1]])
print(m[m % 2 == 0] if False else m[m > 2])
z = torch.zeros(3, 4)
z[0] = 5
z[:, 1] = torch.tensor([1.0, 2.0, 3.0])
z[2, 2:] = 9
z[1, -1] = -1
print(z)
w = torch.tensor([1.0, -2.0, 3.0, -4.0])
w[w < 0] = 0
print(w)
v = torch.zeros(4, dtype=torch.int64)
v[[1, 3]] = 7
print(v)
row = z[1]
row[0] = 42
print(z[1])
print(len(m), [r.tolist() for r in m])
