"""Strides of empty tensors: PyTorch 2.13's contiguous strides, where a size-0 dimension
counts as 1 (numpy allocates zero-size arrays with all-zero strides). Expected values were
read from PyTorch 2.13 (``t.stride()`` of the same expressions)."""

import pytest

import jitgrad as torch

CASES = [
    ("empty(0)", lambda: torch.empty(0), (1,)),
    ("zeros(3, 0)", lambda: torch.zeros(3, 0), (1, 1)),
    ("zeros(0, 3)", lambda: torch.zeros(0, 3), (3, 1)),
    ("zeros(2, 0, 3)", lambda: torch.zeros(2, 0, 3), (3, 3, 1)),
    ("zeros(2, 0, 3, 0)", lambda: torch.zeros(2, 0, 3, 0), (3, 3, 1, 1)),
    ("zeros(0, 1, 2)", lambda: torch.zeros(0, 1, 2), (2, 2, 1)),
    ("ones(0, 0)", lambda: torch.ones(0, 0), (1, 1)),
    ("randn(0, 5)", lambda: torch.randn(0, 5), (5, 1)),
    ("arange(0)", lambda: torch.arange(0), (1,)),
    ("tensor([])", lambda: torch.tensor([]), (1,)),
    ("tensor([[], []])", lambda: torch.tensor([[], []]), (1, 1)),
    ("empty_like", lambda: torch.empty_like(torch.zeros(3, 0)), (1, 1)),
    ("new_zeros", lambda: torch.zeros(1).new_zeros(0, 2), (2, 1)),
    ("add", lambda: torch.zeros(3, 0) + 1, (1, 1)),
    ("add broadcast", lambda: torch.zeros(0, 3) + torch.zeros(3), (3, 1)),
    ("relu", lambda: torch.relu(torch.zeros(0, 4)), (4, 1)),
    ("exp of t()", lambda: torch.zeros(3, 0).t().exp(), (3, 1)),
    ("mm", lambda: torch.zeros(0, 3) @ torch.zeros(3, 4), (4, 1)),
    ("cat", lambda: torch.cat([torch.zeros(0, 3), torch.zeros(0, 3)]), (3, 1)),
    ("clone", lambda: torch.zeros(2, 0, 3).clone(), (3, 3, 1)),
    # views of non-empty tensors keep their real strides
    ("slice rows", lambda: torch.zeros(4, 3)[2:2], (3, 1)),
    ("slice cols", lambda: torch.zeros(4, 3)[:, 1:1], (3, 1)),
    ("sum(1)", lambda: torch.zeros(0, 3).sum(1), (1,)),
    ("view", lambda: torch.zeros(0, 3).view(3, 0), (1, 1)),
]


@pytest.mark.parametrize(("make", "want"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_empty_tensor_strides(make, want):
    t = make()
    assert t.numel() == 0
    assert t.stride() == want
    assert t.stride(-1) == want[-1]
    assert t.is_contiguous()
