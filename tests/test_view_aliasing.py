"""Every view op returns a view: writing through it changes its base, as in PyTorch.

Each case adds 1 in place through the op's result on a 3x3 tensor of zeros; the base's sum
afterwards is what PyTorch 2.13 printed for the same program (``x = torch.zeros(3, 3);
f(x).add_(1); x.sum()``). A copy where PyTorch returns a view would leave the sum at 0: a
silent wrong value in programs like ``x.diagonal().fill_(1)``.
"""

from __future__ import annotations

import numpy as np
import pytest

import jitgrad as torch

#: (name, view op, the base's sum after ``.add_(1)`` in PyTorch 2.13)
CASES = [
    ("diagonal", lambda x: x.diagonal(), 3.0),
    ("diagonal_offset", lambda x: x.diagonal(1), 2.0),
    ("diagonal_negative", lambda x: x.diagonal(-2), 1.0),
    ("torch.diagonal", lambda x: torch.diagonal(x, 0, 0, 1), 3.0),
    ("narrow", lambda x: x.narrow(1, 0, 2), 6.0),
    ("select", lambda x: x.select(0, 1), 3.0),
    ("unbind", lambda x: x.unbind(0)[1], 3.0),
    ("split", lambda x: x.split(1, 0)[1], 3.0),
    ("chunk", lambda x: x.chunk(2, 1)[0], 6.0),
    ("tensor_split", lambda x: torch.tensor_split(x, 2, 1)[0], 6.0),
    ("unfold", lambda x: x.unfold(1, 2, 1), 12.0),
    ("movedim", lambda x: x.movedim(0, 1), 9.0),
    ("swapaxes", lambda x: x.swapaxes(0, 1), 9.0),
    ("mT", lambda x: x.mT, 9.0),
    ("T", lambda x: x.T, 9.0),
    ("flatten", lambda x: x.flatten(), 9.0),
    ("view_as", lambda x: x.view_as(x), 9.0),
    ("reshape", lambda x: x.reshape(9), 9.0),
    ("unflatten", lambda x: x.flatten().unflatten(0, (3, 3)), 9.0),
    ("as_strided", lambda x: x.as_strided((3,), (4,)), 3.0),
    ("detach", lambda x: x.detach(), 9.0),
    ("step_slice", lambda x: x[::2, 1:], 4.0),
    ("ellipsis", lambda x: x[..., 1], 3.0),
    ("none", lambda x: x[None], 9.0),
    ("squeeze", lambda x: x[None].squeeze(0), 9.0),
    ("hsplit", lambda x: torch.hsplit(x, 3)[0], 3.0),
    ("vsplit", lambda x: torch.vsplit(x, 3)[0], 3.0),
    ("ravel", lambda x: x.ravel(), 9.0),
]


@pytest.mark.parametrize("name,view,expected", CASES, ids=[c[0] for c in CASES])
def test_write_through_view_reaches_base(name, view, expected) -> None:
    x = torch.zeros(3, 3)
    view(x).add_(1)
    assert float(x.sum()) == expected


def test_diagonal_view_shares_version_and_base() -> None:
    x = torch.arange(9.0).reshape(3, 3)
    d = x.diagonal()
    assert d._base is x._base and d.stride() == (4,)
    before = x._version
    d.fill_(0)
    assert x._version == before + 1 == d._version
    np.testing.assert_array_equal(x.numpy(), [[0, 1, 2], [3, 0, 5], [6, 7, 0]])


def test_inplace_through_diagonal_of_tensor_with_history() -> None:
    # y = x * 1; y's diagonal doubled in place: dy/dx is 2 on the diagonal, 1 elsewhere
    x = torch.randn(3, 3, dtype=torch.float64, requires_grad=True)
    y = x * 1
    y.diagonal().mul_(2)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.ones((3, 3)) + np.eye(3))
    assert y.grad_fn.name() == "torch::autograd::CopySlices"


def test_diagonal_gradcheck() -> None:
    x = torch.randn(2, 3, 4, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda t: t.diagonal(1, 0, 2) * 3, (x,))
    assert torch.autograd.gradgradcheck(lambda t: t.diagonal(-1, 2, 1) ** 2, (x,))
