import numpy as np
import torch
a = np.array([1.0, 3.0, 2.0, 0.5])
print(np.argmax(a), np.argmax([[1, 9], [3, 4]]))
print(np.mean(a), np.sum(a), np.mean([1, 2, 3, 4]))
print(np.sum([[1, 2], [3, 4]], axis=0).tolist(), np.mean(np.array([[1.0, 2.0], [3.0, 5.0]]), axis=1).tolist())
print(np.round(np.array([0.5, 1.5, 2.25])).tolist(), np.round(3.14159, 2))
print(np.exp(np.array([0.0])).tolist(), round(float(np.exp(1.0)), 6))
print(np.zeros(3).tolist(), tuple(np.zeros((2, 2)).shape))
print(np.arange(5).tolist(), np.arange(1, 7, 2).tolist())
logits = torch.tensor([[0.5, 2.0, -1.0]])
print(np.argmax(logits.detach().numpy(), axis=-1).tolist())
probs = torch.softmax(torch.tensor([1.0, 1.0]), dim=0).numpy()
print(probs.tolist())
