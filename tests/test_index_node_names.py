"""The node a basic index records, as PyTorch 2.13 names it: in a tuple key the last item
that is not a whole-dim slice names the view (PyTorch's indexing returns the tensor itself
for ``:``, ``0:n``, ``0:big`` and ``::1``, so ``x[2, :]`` is a ``SelectBackward0`` and
``x[:, :]`` an ``AliasBackward0``); a key that is one slice, not a tuple, is always a
``SliceBackward0``. Names recorded with PyTorch 2.13 (CPU) on a (3, 4) tensor."""

import pytest

import jitgrad as torch

S = slice
PYTORCH_NAMES = [
    ((2, S(None)), "SelectBackward0"),
    ((S(None), 2), "SelectBackward0"),
    ((S(1, None), S(None)), "SliceBackward0"),
    ((S(None), S(None)), "AliasBackward0"),
    ((2,), "SelectBackward0"),
    ((S(1, None), 2), "SelectBackward0"),
    ((2, S(1, None)), "SliceBackward0"),
    ((S(0, 3),), "AliasBackward0"),
    ((S(0, 100),), "AliasBackward0"),
    ((S(None, None, 1),), "AliasBackward0"),
    ((S(-3, None),), "SliceBackward0"),
    ((S(None), S(0, 4)), "AliasBackward0"),
    ((Ellipsis,), "AliasBackward0"),
    ((Ellipsis, 2), "SelectBackward0"),
    ((2, Ellipsis), "SelectBackward0"),
    ((S(None),), "AliasBackward0"),
    ((None, S(None)), "UnsqueezeBackward0"),
    ((S(None), None), "UnsqueezeBackward0"),
    (S(0, 3), "SliceBackward0"),  # one slice, not a tuple: never skipped
    (S(None), "SliceBackward0"),
    (S(None, 100), "SliceBackward0"),
]


@pytest.mark.parametrize("key,name", PYTORCH_NAMES, ids=[str(k) for k, _ in PYTORCH_NAMES])
def test_basic_index_node_name_is_pytorchs(key, name):
    x = torch.randn(3, 4, requires_grad=True)
    y = x[key]
    assert y.grad_fn.name() == name
    y.sum().backward()  # the renamed view still carries the gradient to every element read
    expected = torch.zeros(3, 4)
    expected[key] = 1.0
    assert torch.equal(x.grad, expected)
