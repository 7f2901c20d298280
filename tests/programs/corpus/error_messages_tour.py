"""The errors beginners hit, printed the way debugging blog posts and forum answers quote them:
matmul shape mismatch, Linear input size mismatch, view on a non-contiguous tensor, cat with
mismatched sizes, broadcasting failure, index out of range, cross_entropy with float targets of
the wrong shape, in-place on a leaf that requires grad, numpy() of a tensor that requires grad,
item() of a multi-element tensor, and a wrong dtype into an Embedding.

Models: the errors discussed in https://pytorch.org/docs/stable/notes/autograd.html and the
tensor tutorial (BSD-3-Clause). Written for jitgrad's corpus, not copied.
"""
# ruff: noqa: E501  (one-line printouts, as tutorials write them)

import torch
import torch.nn as nn
import torch.nn.functional as F


def attempt(label, fn):
    try:
        fn()
        print(label, "ok")
    except Exception as e:  # noqa: BLE001 - the message is what is printed
        print(label, type(e).__name__, "|", str(e).splitlines()[0])


a = torch.ones(2, 3)
attempt("mm", lambda: a @ torch.ones(2, 3))
attempt("matmul", lambda: torch.matmul(torch.ones(4), torch.ones(3)))
attempt("linear", lambda: nn.Linear(4, 2)(a))
attempt("view", lambda: a.t().view(6))
attempt("reshape", lambda: a.t().reshape(6).shape)
attempt("view size", lambda: a.view(4, 2))
attempt("cat", lambda: torch.cat([a, torch.ones(2, 4)]))
attempt("stack", lambda: torch.stack([a, torch.ones(3, 2)]))
attempt("broadcast", lambda: a + torch.ones(3, 2))
attempt("index", lambda: a[2])
attempt("index dim", lambda: a[0, 0, 0])
attempt("dim", lambda: a.sum(dim=2))
attempt("transpose", lambda: a.transpose(0, 3))
attempt("ce float target", lambda: F.cross_entropy(torch.randn(3, 5), torch.tensor([1.0, 2.0, 3.0])))
attempt("ce out of bounds", lambda: F.cross_entropy(torch.randn(3, 5), torch.tensor([1, 7, 0])))
attempt("nll dims", lambda: F.nll_loss(torch.randn(3, 5), torch.tensor([[1], [2], [3]])))
attempt("mse shapes", lambda: F.mse_loss(torch.ones(3), torch.ones(3)).item())
w = torch.ones(3, requires_grad=True)


def leaf_inplace():
    w.add_(1)


attempt("leaf inplace", leaf_inplace)
attempt("numpy grad", lambda: w.numpy())
attempt("item", lambda: a.item())
attempt("embedding float", lambda: nn.Embedding(10, 3)(torch.tensor([1.0, 2.0])))
attempt("embedding range", lambda: nn.Embedding(10, 3)(torch.tensor([1, 12])))
attempt("conv channels", lambda: nn.Conv2d(3, 8, 3)(torch.randn(1, 1, 8, 8)))
attempt("conv small", lambda: nn.Conv2d(1, 1, 5)(torch.randn(1, 1, 3, 3)))
attempt("bool grad", lambda: torch.tensor([True], requires_grad=True))
attempt("int grad", lambda: torch.tensor([1, 2], requires_grad=True))
attempt("grad none", lambda: (w * 2).grad.sum())
attempt("backward twice", lambda: [y.backward() for y in [(w * w).sum()] * 2])
attempt("no grad", lambda: torch.ones(2).mul(2).sum().backward())
attempt("squeeze", lambda: torch.ones(2, 1).squeeze(3))
attempt("expand", lambda: torch.ones(3).expand(2, 4))
attempt("gather", lambda: torch.gather(a, 1, torch.tensor([[0.0]])))
attempt("arange", lambda: torch.arange(0, 10, 0))
attempt("randint", lambda: torch.randint(5, 2, (3,)))
attempt("softmax dim", lambda: F.softmax(a, dim=3))
