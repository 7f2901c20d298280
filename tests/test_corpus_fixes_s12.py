"""Focused tests for what the session-12 corpus programs (Swin's window attention, a PixelCNN,
the UvA Transformer tutorial, torchvision's memory-efficient DenseNet ...) and the probes run
beside them needed that jitgrad lacked.

* A slice, concatenation or repetition of a shape is a ``torch.Size`` (``x.shape[1:]`` prints
  ``torch.Size([3, 4])``, not ``(3, 4)``); Numba still takes such a value as a tuple.
* An integer tensor to a negative Python-int power raises PyTorch's RuntimeError (numpy's
  answer, 0, was printed before).
* ``ReduceLROnPlateau.state_dict()`` lists its entries in PyTorch's order.
* ``adaptive_avg_pool2d/3d`` to a 1x1 output is a mean (``MeanBackward1``), as in PyTorch.
* ``checkpoint(..., use_reentrant=False)``: PyTorch keeps the segment's own nodes, so the
  output's ``grad_fn`` is e.g. ``ConvolutionBackward0``; jitgrad's one node now takes that name.

Expected texts are PyTorch 2.13's for the same calls.
"""

from __future__ import annotations

import numba
import pytest

import jitgrad as torch
from jitgrad import nn
from jitgrad.utils.checkpoint import checkpoint


def test_shape_slices_and_sums_are_sizes() -> None:
    s = torch.zeros(2, 3, 4).shape
    assert repr(s[1:]) == "jitgrad.Size([3, 4])"
    assert repr(s[::-1]) == "jitgrad.Size([4, 3, 2])"
    assert repr(s + (5,)) == "jitgrad.Size([2, 3, 4, 5])"
    assert repr((1,) + s) == "jitgrad.Size([1, 2, 3, 4])"
    assert repr(s * 2) == repr(2 * s) == "jitgrad.Size([2, 3, 4, 2, 3, 4])"
    assert type(s[0]) is int and s[-1] == 4
    assert s[1:] == (3, 4) and hash(s[1:]) == hash((3, 4))


def test_size_plus_a_list_is_refused_as_in_pytorch() -> None:
    msg = r"^can only concatenate tuple \(not list\) to jitgrad.Size$"
    with pytest.raises(TypeError, match=msg):
        torch.zeros(2).shape + [5]


def test_numba_takes_a_size_slice_as_a_tuple() -> None:
    """(a guard, passes on main too: there a slice was a plain tuple)"""

    @numba.njit
    def prod2(shape):
        return shape[0] * shape[1]

    assert prod2(torch.zeros(2, 3, 4).shape[1:]) == 12


@pytest.mark.parametrize("dtype", [torch.int64, torch.int32, torch.uint8, torch.bool])
def test_integer_tensor_to_a_negative_int_power_raises(dtype) -> None:
    t = torch.tensor([2, 3]).to(dtype)
    msg = "^Integers to negative integer powers are not allowed.$"
    with pytest.raises(RuntimeError, match=msg):
        t**-1
    with pytest.raises(RuntimeError, match=msg):
        t.pow(-2)
    with pytest.raises(RuntimeError, match=msg):
        t.clone().pow_(-1)


def test_negative_powers_pytorch_allows() -> None:
    assert (torch.tensor([2, 3]) ** -1.0).tolist() == pytest.approx([0.5, 1 / 3])
    assert (2 ** torch.tensor([-1, 2])).tolist() == [0, 4]
    assert (torch.tensor([2, 3]) ** torch.tensor([-1, 1])).tolist() == [0, 3]


def test_reduce_lr_on_plateau_state_dict_order() -> None:
    opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=0.01)
    sd = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, "min", patience=1).state_dict()
    assert list(sd) == [
        "factor", "default_min_lr", "min_lrs", "patience", "cooldown", "eps", "last_epoch",
        "_last_lr", "mode_worse", "mode", "threshold", "threshold_mode", "best",
        "cooldown_counter", "num_bad_epochs",
    ]  # fmt: skip


def test_non_reentrant_checkpoint_output_names_the_segment_node() -> None:
    x = torch.ones(2, requires_grad=True)
    y = checkpoint(lambda a: a.sin() * 2, x, use_reentrant=False)
    assert repr(y) == "tensor([1.6829, 1.6829], grad_fn=<MulBackward0>)"
    y.sum().backward()
    assert x.grad.tolist() == pytest.approx([2 * 0.5403023, 2 * 0.5403023])
    lin = nn.Linear(2, 1)
    assert checkpoint(lin, torch.ones(1, 2), use_reentrant=False).grad_fn.name() == "AddmmBackward0"
    conv = nn.Conv2d(1, 1, 3)
    out = checkpoint(conv, torch.ones(1, 1, 4, 4), use_reentrant=False)
    assert out.grad_fn.name() == "ConvolutionBackward0"
    out.sum().backward()
    assert conv.weight.grad.tolist() == [[[[4.0] * 3] * 3]]


def test_reentrant_checkpoint_keeps_its_own_node() -> None:
    y = checkpoint(lambda a: a.sin() * 2, torch.ones(2, requires_grad=True), use_reentrant=True)
    assert y.grad_fn.name() == "CheckpointFunctionBackward"


def test_adaptive_avg_pool_to_one_is_a_mean() -> None:
    """PyTorch computes a 1x1 (1x1x1) adaptive average pool as ``mean`` over the spatial dims
    (keepdim), so its node is ``MeanBackward1``; other sizes keep their pool node."""
    x = torch.randn(2, 3, 4, 5, requires_grad=True)
    F = torch.nn.functional
    outs = (
        F.adaptive_avg_pool2d(x, 1),
        nn.AdaptiveAvgPool2d((1, 1))(x),
        F.adaptive_avg_pool2d(x[0], 1),
    )
    for out in outs:
        assert out.grad_fn.name() == "MeanBackward1"
    assert F.adaptive_avg_pool2d(x, (1, 2)).grad_fn.name() == "AdaptiveAvgPool2DBackward0"
    assert F.adaptive_avg_pool1d(x[0], 1).grad_fn.name() == "SqueezeBackward1"
    assert F.adaptive_avg_pool3d(x[None], 1).grad_fn.name() == "MeanBackward1"
    out = F.adaptive_avg_pool2d(x, 1)
    assert out.shape == (2, 3, 1, 1)
    # float32 sums of 20 unseeded randn values in another order than NumPy's: an absolute
    # tolerance too (a mean near 0 differs by ~1e-8, past a relative 1e-6)
    want = x.detach().numpy().mean((-1, -2), keepdims=True)
    assert out.detach().numpy() == pytest.approx(want, rel=1e-6, abs=1e-6)
    out.sum().backward()
    assert x.grad.detach().numpy() == pytest.approx(1 / 20)
