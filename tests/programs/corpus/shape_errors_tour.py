"""The errors a beginner meets (PyTorch forum FAQ, "Tensors" tutorial, broadcasting notes):
mismatched shapes in elementwise ops, matmul, cat/stack, view after transpose, bad indices,
dtype mismatches, and what each message says.

Model: https://pytorch.org/docs/stable/notes/broadcasting.html and the tensor tutorial
(pytorch/pytorch, pytorch/tutorials, BSD-3-Clause). Written for jitgrad's corpus, not copied.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F


def show(f):
    try:
        r = f()
        print("ok", tuple(r.shape) if isinstance(r, torch.Tensor) else r)
    except Exception as e:  # noqa: BLE001
        print(type(e).__name__ + ":", str(e).splitlines()[0][:150])


a, b = torch.ones(2, 3), torch.ones(4, 3)
show(lambda: a + b)
show(lambda: a @ b)
show(lambda: torch.mm(a, torch.ones(2, 2)))
show(lambda: torch.bmm(torch.ones(2, 2, 3), torch.ones(3, 3, 2)))
show(lambda: torch.matmul(torch.ones(3), torch.ones(4)))
show(lambda: torch.cat([a, torch.ones(2, 4)]))
show(lambda: torch.cat([a, torch.ones(2, 4)], dim=1))
show(lambda: torch.stack([a, b]))
show(lambda: a.t().view(6))
show(lambda: a.view(4, 2))
show(lambda: a.reshape(5, -1))
show(lambda: a.view(-1, -1))
show(lambda: a.expand(3, 3))
show(lambda: a[2])
show(lambda: a[:, 5])
show(lambda: a[torch.tensor([0, 2])])
show(lambda: a.sum(dim=2))
show(lambda: a.transpose(0, 3))
show(lambda: a.permute(0))
show(lambda: a.squeeze(4))
show(lambda: torch.ones(2, dtype=torch.float64) @ torch.ones(2))
show(lambda: torch.mm(torch.ones(2, 2, dtype=torch.float64), torch.ones(2, 2)))
show(lambda: nn.Linear(4, 2)(a))
show(lambda: nn.Conv2d(3, 4, 3)(torch.ones(1, 2, 5, 5)))
show(lambda: nn.Conv2d(3, 4, 3)(torch.ones(1, 3, 2, 2)))
show(lambda: F.cross_entropy(torch.randn(3, 5), torch.tensor([1, 7, 0])))
show(lambda: F.cross_entropy(torch.randn(3, 5), torch.tensor([1.0, 2.0, 0.0])))
show(lambda: F.nll_loss(torch.randn(3, 5), torch.tensor([1, 2])))
show(lambda: F.mse_loss(torch.ones(3), torch.ones(3, 1)).shape)
show(lambda: nn.Embedding(5, 2)(torch.tensor([5])))
show(lambda: nn.Embedding(5, 2)(torch.tensor([1.0])))
show(lambda: torch.zeros(3).index_select(0, torch.tensor([3])))
show(lambda: torch.zeros(2, 2).gather(1, torch.tensor([[2, 0], [0, 1]])))
show(lambda: torch.arange(6).view(2, 3).float().mean(dim=(0, 0)))
show(lambda: torch.ones(2, 3).split([1, 1], dim=1))
show(lambda: torch.ones(3).unflatten(0, (2, 2)))
show(lambda: torch.tensor([[1, 2], [3]]))
show(lambda: torch.ones(2, 2).numpy() if False else torch.ones(2, requires_grad=True).numpy())
show(lambda: torch.ones(2).item())
show(lambda: bool(torch.ones(2)))
show(lambda: int(torch.ones(2)))
show(lambda: torch.randn(2, 3).max(dim=3))
show(lambda: torch.ones(2, 3).masked_fill(torch.ones(3, 2, dtype=torch.bool), 0))
show(lambda: torch.where(torch.ones(2, dtype=torch.bool), torch.ones(3), 0.0))
show(lambda: torch.ones(4).view(2, 2).narrow(0, 1, 2))
