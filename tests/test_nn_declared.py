"""The nn ops declared with their derivative (jitgrad/frontend/declare.py): linear, layer_norm,
nll_loss, cross_entropy and batch_norm, differentiable at any order from one declaration.

An OpInfo-style table (``SAMPLES``): each row is one op with one set of arguments (shapes,
weight/bias absent, reductions, ignore_index, label_smoothing, train/eval). Every row is
checked with gradcheck and gradgradcheck in float64 (finite differences, so nothing here is
computed by the code under test), the create_graph gradient against the first-order one, and
the node names against PyTorch 2.13's (recorded by hand from
``torch.autograd.grad(..., create_graph=True)``; see the comments at ``SECOND_ORDER_NODES``).
The first-order values against PyTorch's own numbers are tests/test_parity.py's and
tests/test_nn*.py's.
"""

from __future__ import annotations

import numpy as np
import pytest

import jitgrad as jg
import jitgrad.nn.functional as F
from jitgrad.autograd.gradcheck import gradcheck, gradgradcheck

_RNG = np.random.default_rng(14)


def _t(*shape: int, grad: bool = True) -> jg.Tensor:
    return jg.tensor(_RNG.standard_normal(shape), dtype=jg.float64, requires_grad=grad)


def _targets(shape: tuple[int, ...], classes: int) -> jg.Tensor:
    return jg.tensor(_RNG.integers(0, classes, shape))


class Sample:
    """One row: ``fn(*inputs)`` with the differentiable ``inputs`` and a readable id."""

    def __init__(self, name: str, fn, inputs: tuple, first: str | None, second: str | None) -> None:
        self.name, self.fn, self.inputs = name, fn, inputs
        self.first, self.second = first, second  # node names of the output and of d(out)/dx

    def __repr__(self) -> str:
        return self.name


def _linear_samples() -> list[Sample]:
    w, b = _t(3, 4), _t(3)
    return [
        Sample("linear_2d_bias", F.linear, (_t(5, 4), w, b), "AddmmBackward0", "MmBackward0"),
        Sample("linear_2d_nobias", F.linear, (_t(5, 4), w), "MmBackward0", "MmBackward0"),
        Sample("linear_3d_bias", F.linear, (_t(2, 3, 4), w, b), "ViewBackward0", None),
        Sample("linear_1d_bias", F.linear, (_t(4), w, b), "ViewBackward0", None),
        Sample("linear_1d_nobias", F.linear, (_t(4), w), "SqueezeBackward4", None),
    ]


def _layer_norm_samples() -> list[Sample]:
    node = "NativeLayerNormBackward0"
    second = "NativeLayerNormBackwardBackward0"
    return [
        Sample("ln_affine", lambda x, w, b: F.layer_norm(x, (4,), w, b), (_t(3, 4), _t(4), _t(4)),
               node, second),
        Sample("ln_2dims", lambda x, w, b: F.layer_norm(x, (2, 3), w, b),
               (_t(2, 2, 3), _t(2, 3), _t(2, 3)), node, second),
        Sample("ln_plain", lambda x: F.layer_norm(x, (5,), eps=1e-3), (_t(2, 3, 5),), node,
               second),
        Sample("ln_weight_only", lambda x, w: F.layer_norm(x, (3,), w), (_t(4, 3), _t(3)), node,
               second),
        Sample("ln_bias_only", lambda x, b: F.layer_norm(x, (3,), None, b), (_t(3), _t(3)), node,
               second),
    ]  # fmt: skip


def _loss_samples() -> list[Sample]:
    rows = []
    t2, t4 = _targets((4,), 3), _targets((2, 2, 3), 3)
    t2[1] = 2  # the ignored class below
    for red in ("mean", "sum", "none"):
        for ls in (0.0, 0.25):

            def ce(x, red=red, ls=ls):
                return F.cross_entropy(x, t2, reduction=red, label_smoothing=ls, ignore_index=2)

            # with label smoothing PyTorch's output is an AddBackward0 (it composes the loss);
            # jitgrad's stays one fused NllLossBackward0 node, a difference not checked here
            first = None if ls else "NllLossBackward0"
            rows.append(Sample(f"ce_{red}_ls{ls}", ce, (_t(4, 3),), first,
                               "LogSoftmaxBackwardDataBackward0"))  # fmt: skip

        def nll(x, red=red):
            w = jg.tensor([0.5, 2.0, 1.5], dtype=jg.float64)
            return F.nll_loss(x, t2, w, reduction=red, ignore_index=1)

        rows.append(Sample(f"nll_{red}_weight", nll, (_t(4, 3),), "NllLossBackward0",
                           "NllLossBackwardBackward0"))  # fmt: skip
    rows.append(Sample(
        "ce_4d_none", lambda x: F.cross_entropy(x, t4, reduction="none", label_smoothing=0.1),
        (_t(2, 3, 2, 3),), None, "LogSoftmaxBackwardDataBackward0",
    ))  # fmt: skip
    rows.append(Sample(
        "ce_1d", lambda x: F.cross_entropy(x, jg.tensor(1)), (_t(3),), "NllLossBackward0",
        "LogSoftmaxBackwardDataBackward0",
    ))  # fmt: skip
    rows.append(Sample(
        # PyTorch takes (N, C, d) through nll_loss2d (NllLoss2DBackward0 and a ViewBackward0
        # in its gradient); jitgrad's node is NllLossBackward0: a difference not checked here
        "nll_3d_mean", lambda x: F.nll_loss(x, _T3), (_t(2, 3, 2),), None, None,
    ))  # fmt: skip
    return rows


_T3 = _targets((2, 2), 3)


def _batch_norm_samples() -> list[Sample]:
    rows = []
    for training in (True, False):
        for affine in (True, False):

            def bn(x, *wb, training=training):
                rm = jg.tensor([0.1, -0.2, 0.3], dtype=jg.float64)
                rv = jg.tensor([1.5, 0.5, 2.0], dtype=jg.float64)
                return F.batch_norm(x, rm, rv, *wb, training=training)

            params = (_t(3), _t(3)) if affine else ()
            rows.append(Sample(
                f"bn_{'train' if training else 'eval'}_{'affine' if affine else 'plain'}", bn,
                (_t(4, 3, 2), *params), "NativeBatchNormBackward0",
                "NativeBatchNormBackwardBackward0",
            ))  # fmt: skip
    rows.append(Sample(
        "bn_train_weight_only", lambda x, w: F.batch_norm(x, None, None, w, None, True),
        (_t(5, 3), _t(3)), "NativeBatchNormBackward0", "NativeBatchNormBackwardBackward0",
    ))  # fmt: skip
    return rows


SAMPLES = _linear_samples() + _layer_norm_samples() + _loss_samples() + _batch_norm_samples()


def _scalar(y: jg.Tensor) -> jg.Tensor:
    return (y * y).sum() if y.dim() else y * y


@pytest.mark.parametrize("sample", SAMPLES, ids=repr)
def test_gradcheck(sample):
    assert gradcheck(sample.fn, sample.inputs)


@pytest.mark.parametrize("sample", SAMPLES, ids=repr)
def test_gradgradcheck(sample):
    assert gradgradcheck(sample.fn, sample.inputs)


@pytest.mark.parametrize("sample", SAMPLES, ids=repr)
def test_create_graph_gradient_equals_first_order(sample):
    """The same declaration gives the gradient with and without a graph of it."""
    plain = jg.autograd.grad(_scalar(sample.fn(*sample.inputs)), sample.inputs)
    graphed = jg.autograd.grad(_scalar(sample.fn(*sample.inputs)), sample.inputs,
                               create_graph=True)  # fmt: skip
    for p, g in zip(plain, graphed, strict=True):
        assert p.grad_fn is None
        np.testing.assert_allclose(g.detach().numpy(), p.numpy(), rtol=1e-12, atol=1e-12)


# PyTorch 2.13 (CPU, float64): ``y.grad_fn.name()`` and, for ``gx = grad(y.sum(), x,
# create_graph=True)``, ``gx.grad_fn.name()`` (linear: mm(grad, weight); layer_norm and
# batch_norm: their backward's own node; nll_loss: NllLossBackwardBackward0; cross_entropy:
# the log_softmax backward its gradient ends in).
@pytest.mark.parametrize("sample", [s for s in SAMPLES if s.first or s.second], ids=repr)
def test_node_names(sample):
    y = sample.fn(*sample.inputs)
    if sample.first is not None:
        assert y.grad_fn.name() == sample.first
    if sample.second is not None:
        (gx,) = jg.autograd.grad(y.sum(), sample.inputs[:1], create_graph=True)
        assert gx.grad_fn.name() == sample.second


@pytest.mark.parametrize(
    "name", ["ln_affine", "ce_mean_ls0.25", "bn_train_affine", "linear_3d_bias", "nll_sum_weight"]
)
def test_third_order(name):
    """gradgradcheck of the first derivative: the backward op's derivative is itself
    differentiable (the statistics recomputed from the input in Tensor ops)."""
    sample = next(s for s in SAMPLES if s.name == name)

    def first(*inputs):
        y = _scalar(sample.fn(*inputs))
        return jg.autograd.grad(y, inputs[0], create_graph=True)[0]

    assert gradgradcheck(first, sample.inputs)


def test_first_order_records_no_graph_of_the_gradient():
    x, w, b = _t(3, 4), _t(4), _t(4)
    y = F.layer_norm(x, (4,), w, b)
    (y * y).sum().backward()
    assert x.grad.grad_fn is None and w.grad.grad_fn is None and not x.grad.requires_grad


def test_nll_loss_second_derivative_in_the_input_is_zero():
    """nll_loss's gradient is constant in its input: PyTorch's ``zeros_like`` there."""
    x = _t(4, 3)
    (gx,) = jg.autograd.grad(F.nll_loss(x, _targets((4,), 3)), x, create_graph=True)
    assert gx.requires_grad
    (ggx,) = jg.autograd.grad(gx.sum(), x)
    assert np.array_equal(ggx.numpy(), np.zeros((4, 3)))


def test_modified_input_detected_at_double_backward():
    x, w = _t(3, 4), _t(4)
    y = F.layer_norm(x, (4,), w)
    (gx,) = jg.autograd.grad((y * y).sum(), x, create_graph=True)
    with jg.no_grad():
        w.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        gx.sum().backward()
