"""The rest of PyTorch 2.13's ``nn.functional``: ``rms_norm``, ``channel_shuffle``, the alpha
dropouts, ``conv_transpose1d``, ``pdist``, ``gumbel_softmax``, two losses, the in-place
activations and the deprecated ``upsample_*`` (the unpooling and ``lp_pool`` functions live in
``_functional_unpool`` and are re-exported here).

Most are compositions of existing Tensor ops, as PyTorch's own Python definitions are (their
graphs show the same nodes and they are differentiable to any order); where PyTorch runs a
fused kernel with its own node, :func:`named` records the composition as one node of that
name.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ..autograd.api import grad as torch_grad
from ..engine.grad_mode import STATE, enable_grad, no_grad
from ..frontend.creation import generator, tensor, zeros_like
from ..frontend.recording import record, renamed
from ..frontend.tensor import Tensor, _make
from ..helpers import warn as warn_user
from ..typeinfo import finfo
from ._conv_complex import complex_convolution
from ._functional_activation import celu, pairwise_distance, selu
from ._functional_conv_transpose import conv_transpose2d
from ._functional_loss import _reduce
from ._functional_norm import rearranged, rrelu
from ._functional_unpool import *  # noqa: F403
from ._functional_unpool import __all__ as _unpool_names
from ._functional_unpool import _first
from .ctc import ctc_loss
from .upsample import interpolate


def named(name: str, fn: Callable[..., Tensor], *inputs: Tensor | None) -> Tensor:
    """``fn(*inputs)`` as one node called ``name`` (PyTorch's fused kernels show one node where
    the composition here would show its last step). The backward recomputes the composition
    and differentiates it, so it stays differentiable under ``create_graph``."""
    with no_grad():
        value = fn(*inputs)
    live = [t for t in inputs if t is not None and t.requires_grad]
    wanted = [any(t is v for v in live) for t in inputs]

    def backward(g: Tensor) -> tuple:
        with enable_grad():
            out = fn(*inputs)
        found = torch_grad(out, live, g, create_graph=STATE.enabled, allow_unused=True)
        # an input the result does not depend on (grid_sample's grid in nearest mode) gets
        # zeros, as PyTorch's fused kernels give
        grads = iter(zeros_like(t) if d is None else d for t, d in zip(live, found, strict=True))
        return tuple(next(grads) if w else None for w in wanted)

    return record(name, value._value, value._dtype, inputs, backward)


def rms_norm(
    input: Tensor,  # noqa: A002
    normalized_shape: Any,
    weight: Tensor | None = None,
    eps: float | None = None,
) -> Tensor:
    """``x / sqrt(mean(x**2) + eps) * weight`` over the last ``len(normalized_shape)`` dims;
    ``eps`` defaults to the dtype's machine epsilon, as PyTorch's."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if tuple(input.shape[input.dim() - len(shape) :]) != shape:
        raise RuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape "
            f"[*{', '.join(str(s) for s in shape)}], but got input of size{list(input.shape)}"
        )
    dims = tuple(range(-len(shape), 0))
    e = finfo(input.dtype).eps if eps is None else eps
    out = input * (input.pow(2).mean(dims, keepdim=True) + e).rsqrt()
    return out if weight is None else out * weight


def channel_shuffle(input: Tensor, groups: int) -> Tensor:  # noqa: A002
    """Interleave the channels of ``groups`` groups: ``(N, g, C/g, ...) -> (N, C/g, g, ...)``."""
    if input.dim() <= 2:
        raise RuntimeError(
            "channel_shuffle expects input with > 2 dims, but got input with sizes "
            f"{list(input.shape)}"
        )
    if groups <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of "
                           f"groups:{groups}")  # fmt: skip
    n, c = input.shape[:2]
    if c % groups:
        raise RuntimeError(
            f"Number of channels must be divisible by groups. Got {c} channels and {groups} groups."
        )
    rest = tuple(input.shape[2:])
    order = [0, 2, 1, *range(3, input.dim() + 1)]
    out = rearranged(input, (n, groups, c // groups, *rest), order, (n, c, *rest))
    return renamed(out, "ChannelShuffleBackward0")


native_channel_shuffle = channel_shuffle

_SELU_ALPHA = 1.7580993408473766  # -scale * alpha of SELU: where SELU saturates


def _alpha_dropout(input: Tensor, p: float, training: bool, feature: bool) -> Tensor:  # noqa: A002
    """SELU-preserving dropout: dropped units become SELU's saturation value and the result is
    rescaled so that zero mean, unit variance inputs keep their mean and variance."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    if feature and input.dim() < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    if p == 1.0:
        return input * tensor(0.0, dtype=input.dtype)
    shape = input.shape[:2] + (1,) * (input.dim() - 2) if feature else input.shape
    keep = (generator().random(tuple(shape)) >= p).astype(input._dtype.np)
    a = 1.0 / math.sqrt((_SELU_ALPHA**2 * p + 1) * (1 - p))
    b = (keep - 1) * (_SELU_ALPHA * a) + _SELU_ALPHA * a * p
    return input * _make(keep * a, input._dtype) + _make(b, input._dtype)


def alpha_dropout(
    input: Tensor,  # noqa: A002
    p: float = 0.5,
    training: bool = False,
    inplace: bool = False,
) -> Tensor:
    out = _alpha_dropout(input, p, training, False)
    return input.copy_(out) if inplace and out is not input else out


def feature_alpha_dropout(
    input: Tensor,  # noqa: A002
    p: float = 0.5,
    training: bool = False,
    inplace: bool = False,
) -> Tensor:
    """``alpha_dropout`` of whole channels."""
    out = _alpha_dropout(input, p, training, True)
    return input.copy_(out) if inplace and out is not input else out


def conv_transpose1d(
    input: Tensor,  # noqa: A002
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
) -> Tensor:
    """``conv_transpose2d`` over a height-1 image: ``(N, C_in, L)`` or ``(C_in, L)``."""
    if input.dim() not in (2, 3):
        raise RuntimeError(
            "Expected 2D (unbatched) or 3D (batched) input to conv_transpose1d, but got input "
            f"of size: {list(input.shape)}"
        )
    if input._dtype.is_complex:  # three real ones, as PyTorch (AddBackward0)
        args = (stride, padding, output_padding, groups, dilation)
        return complex_convolution(
            lambda x, w, b: conv_transpose1d(x, w, b, *args), input, weight, bias
        )
    geometry = [(1, _first(v)) for v in (stride, padding, output_padding, dilation)]
    geometry[1:3] = [(0, geometry[1][1]), (0, geometry[2][1])]
    s, p, op, d = geometry

    def conv(x: Tensor, w: Tensor, b: Tensor | None) -> Tensor:
        return conv_transpose2d(x.unsqueeze(-2), w.unsqueeze(-2), b, s, p, op, groups, d)

    return named("ConvolutionBackward0", lambda *a: conv(*a).squeeze(-2), input, weight, bias)


def pdist(input: Tensor, p: float = 2) -> Tensor:  # noqa: A002
    """The ``p``-norm distances between every pair of rows ``i < j``, row-major."""
    if input.dim() != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.dim()}D")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    i, j = (tensor(v) for v in np.triu_indices(input.shape[0], 1))
    dist = lambda x: (x.index_select(0, i) - x.index_select(0, j)).norm(p, dim=1)  # noqa: E731
    return named("PdistBackward0", dist, input)


def gumbel_softmax(
    logits: Tensor,
    tau: float = 1,
    hard: bool = False,
    eps: float = 1e-10,
    dim: int = -1,
) -> Tensor:
    """A sample of the Gumbel-softmax distribution: ``softmax((logits + g) / tau)`` with
    ``g = -log(Exponential(1))``; ``hard`` returns the one-hot argmax with the soft sample's
    gradient (straight-through)."""
    draw = generator().exponential(size=tuple(logits.shape)).astype(logits._dtype.np)
    gumbels = (logits + _make(-np.log(draw), logits._dtype)) / tau
    y_soft = gumbels.softmax(dim)
    if not hard:
        return y_soft
    index = y_soft.max(dim, keepdim=True)[1]
    y_hard = zeros_like(logits).scatter_(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft


def multilabel_margin_loss(
    input: Tensor,  # noqa: A002
    target: Tensor,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """``sum_{j in y} sum_{i not in y} max(0, 1 - (x[y_j] - x[i])) / C`` per sample, where
    ``y`` is the target's leading labels before the first ``-1``."""
    x = input if input.dim() == 2 else input.reshape(1, -1)
    t = target._value.reshape(x.shape).astype(np.int64)
    if input.dim() > 2 or tuple(target.shape) != tuple(input.shape):
        raise RuntimeError(
            "inconsistent target size: " + str(list(target.shape)) + " for input of size: "
            + str(list(input.shape))
        )  # fmt: skip
    n, c = x.shape
    if t.size and (t.max() >= c or t.min() < -1):
        raise RuntimeError("multilabel_margin_loss: target out of range")
    pairs = np.zeros((n, c, c), x._dtype.np)  # [sample, target label j, other label i]
    for r in range(n):
        labels = []
        for v in t[r]:
            if v < 0:
                break
            labels.append(int(v))
        others = np.ones(c, bool)
        others[labels] = False
        for j in labels:
            pairs[r, j, others] += 1
    weight = _make(pairs, x._dtype)

    def losses(a: Tensor) -> Tensor:
        b = a if a.dim() == 2 else a.reshape(1, -1)
        margins = (1 - b.unsqueeze(2) + b.unsqueeze(1)).relu()  # [r, j, i] = 1 - (x_j - x_i)
        loss = (margins * weight).sum((1, 2)) / c
        return _reduce(loss if a.dim() == 2 else loss.reshape(()), reduction)

    return named("MultilabelMarginLossBackward0", losses, input)


def triplet_margin_with_distance_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    *,
    distance_function: Callable[[Tensor, Tensor], Tensor] | None = None,
    margin: float = 1.0,
    swap: bool = False,
    reduction: str = "mean",
) -> Tensor:
    """``max(d(a, p) - d(a, n) + margin, 0)`` with any distance ``d`` (pairwise L2 by
    default); ``swap`` uses ``min(d(a, n), d(p, n))`` as the negative distance."""
    if margin <= 0:
        raise ValueError(f"TripletMarginWithDistanceLoss: expected margin to be greater than 0, "
                         f"got {margin} instead")  # fmt: skip
    dims = (anchor.dim(), positive.dim(), negative.dim())
    if len(set(dims)) != 1:
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number of "
            f"dimensions, but got: anchor {dims[0]}D, positive {dims[1]}D, and negative "
            f"{dims[2]}D inputs"
        )
    dist = pairwise_distance if distance_function is None else distance_function
    d_pos = dist(anchor, positive)
    d_neg = dist(anchor, negative)
    if swap:
        d_neg = d_neg.minimum(dist(positive, negative))
    loss = (margin + d_pos - d_neg).clamp_min(0)
    return _reduce(loss, reduction)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:  # noqa: A002
    return celu(input, alpha, inplace=True)


def selu_(input: Tensor) -> Tensor:  # noqa: A002
    return selu(input, inplace=True)


def rrelu_(
    input: Tensor,  # noqa: A002
    lower: float = 1.0 / 8,
    upper: float = 1.0 / 3,
    training: bool = False,
) -> Tensor:
    return rrelu(input, lower, upper, training, inplace=True)


def _deprecated_upsample(name: str) -> None:
    warn_user(
        f"`nn.functional.{name}` is deprecated. Use `nn.functional.interpolate` instead.",
        UserWarning,
        stacklevel=3,
    )


def upsample_nearest(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:  # noqa: A002
    """Deprecated: ``interpolate(mode="nearest")``."""
    _deprecated_upsample("upsample_nearest")
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:  # noqa: A002
    """Deprecated: ``interpolate(mode="bilinear", align_corners=True)``."""
    _deprecated_upsample("upsample_bilinear")
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


__all__ = [
    *_unpool_names,
    "ctc_loss",
    "celu_",
    "rrelu_",
    "selu_",
    "upsample_bilinear",
    "upsample_nearest",
    "alpha_dropout",
    "channel_shuffle",
    "conv_transpose1d",
    "feature_alpha_dropout",
    "gumbel_softmax",
    "multilabel_margin_loss",
    "native_channel_shuffle",
    "pdist",
    "rms_norm",
    "triplet_margin_with_distance_loss",
]
