"""Node names PyTorch 2.13 prints for C++-defined nodes and in-place shape changes.

Expected names were read from PyTorch 2.13 (``/tmp/torchenv``): ``name()`` of AccumulateGrad,
CopyBackwards and CopySlices carries the ``torch::autograd::`` namespace while ``repr`` and
the tensor's ``grad_fn=<...>`` show the bare class name; in-place shape methods number their
nodes after the out-of-place forms.
"""

from __future__ import annotations

import warnings

import pytest

import jitgrad as torch


def test_cpp_nodes_are_namespaced_in_name_only() -> None:
    x = torch.ones(2, requires_grad=True)
    acc = (x * 2).grad_fn.next_functions[0][0]
    assert acc.name() == "torch::autograd::AccumulateGrad"
    assert repr(acc).startswith("<AccumulateGrad object at 0x")
    y = torch.zeros(2)
    y.copy_(x * 2)
    assert y.grad_fn.name() == "torch::autograd::CopyBackwards"
    assert repr(y) == "tensor([2., 2.], grad_fn=<CopyBackwards>)"
    z = torch.zeros(3)
    z[0:2] = x * 2
    assert z.grad_fn.name() == "torch::autograd::CopySlices"
    assert type(z.grad_fn).__name__ == "CopySlices"


def test_create_graph_backward_stores_a_copy_then_adds() -> None:
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        (x**3).sum().backward(create_graph=True)
        first = x.grad
        assert repr(first) == "tensor([ 3., 12.], grad_fn=<CopyBackwards>)"
        assert first.grad_fn.name() == "torch::autograd::CopyBackwards"
        (x**2).sum().backward(create_graph=True)
    assert x.grad.grad_fn.name() == "AddBackward0"
    assert x.grad.tolist() == [5.0, 16.0]
    x.grad = None
    first.sum().backward()  # d/dx sum(3x^2) = 6x, through the copy
    assert x.grad.tolist() == [6.0, 12.0]


@pytest.mark.parametrize(
    "shape, call, name",
    [
        ((2, 2), lambda t: t.transpose_(0, 1), "TransposeBackward1"),
        ((2, 2), lambda t: t.swapaxes_(0, 1), "TransposeBackward1"),
        ((2, 2), lambda t: t.swapdims_(0, 1), "TransposeBackward1"),
        ((2, 2), lambda t: t.t_(), "TBackward1"),
        ((1, 2, 2), lambda t: t.squeeze_(), "SqueezeBackward3"),
        ((1, 2, 2), lambda t: t.squeeze_(0), "SqueezeBackward4"),
        ((1, 2, 2), lambda t: t.squeeze_((0,)), "SqueezeBackward5"),
        ((2, 2), lambda t: t.unsqueeze_(0), "UnsqueezeBackward1"),
    ],
)
def test_inplace_shape_node_names(shape, call, name) -> None:
    x = torch.arange(4.0).reshape(shape).requires_grad_()
    y = x.clone()
    assert call(y) is y
    assert y.grad_fn.name() == name
    (y * torch.arange(4.0).reshape(y.shape)).sum().backward()
    # each view's gradient puts the weights back where the element came from
    want = torch.arange(4.0).reshape(y.shape)
    assert x.grad.reshape(-1).tolist() == _undo(call, shape, want)


def _undo(call, shape, weights):
    probe = torch.arange(4.0).reshape(shape).clone()
    moved = call(probe).reshape(-1).tolist()
    out = [0.0] * 4
    for w, src in zip(weights.reshape(-1).tolist(), moved, strict=True):
        out[int(src)] = w
    return out


def test_out_of_place_shape_names_unchanged() -> None:
    x = torch.ones(2, 2, requires_grad=True)
    assert x.t().grad_fn.name() == "TBackward0"
    assert x.unsqueeze(0).grad_fn.name() == "UnsqueezeBackward0"
