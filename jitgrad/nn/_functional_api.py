"""The rest of PyTorch 2.13's ``nn.functional``: ``rms_norm``, ``channel_shuffle``, the alpha
dropouts, ``conv_transpose1d``, ``max_unpool1d/2d``, the ``*_with_indices`` pools, ``lp_pool``,
``pdist``, ``gumbel_softmax`` and two losses.

Most are compositions of existing Tensor ops, as PyTorch's own Python definitions are (their
graphs show the same nodes and they are differentiable to any order); ``max_unpool2d`` is one
recorded scatter whose backward is a ``gather``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ..autograd.api import grad as torch_grad
from ..autograd.grad_mode import STATE, enable_grad, no_grad
from ..autograd.recording import record
from ..creation import generator, tensor, zeros_like
from ..tensor import Tensor, _make
from ..typeinfo import finfo
from ._functional_activation import pairwise_distance
from ._functional_conv import conv_transpose2d
from ._functional_loss import _reduce
from ._functional_more import adaptive_max_pool1d, adaptive_max_pool2d
from ._functional_pool import avg_pool1d, avg_pool2d, max_pool1d, max_pool2d


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
            "Number of channels must be divisible by groups. Got "
            f"{c} channels and {groups} groups."
        )
    rest = tuple(input.shape[2:])
    x = input._value.reshape(n, groups, c // groups, *rest).swapaxes(1, 2)
    out = np.ascontiguousarray(x).reshape(n, c, *rest)
    back = lambda g: (channel_shuffle(g, c // groups),)  # noqa: E731 - the inverse shuffle
    return record("ChannelShuffleBackward0", out, input._dtype, (input,), back)


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
    geometry = [(1, _first(v)) for v in (stride, padding, output_padding, dilation)]
    geometry[1:3] = [(0, geometry[1][1]), (0, geometry[2][1])]
    s, p, op, d = geometry

    def conv(x: Tensor, w: Tensor, b: Tensor | None) -> Tensor:
        return conv_transpose2d(x.unsqueeze(-2), w.unsqueeze(-2), b, s, p, op, groups, d)

    return named("ConvolutionBackward0", lambda *a: conv(*a).squeeze(-2), input, weight, bias)


def _first(v: Any) -> int:
    return int(v[0]) if isinstance(v, list | tuple) else int(v)


def _unpool_size(
    x: Tensor, k: tuple, s: tuple, p: tuple, output_size: Any, nd: int
) -> tuple[int, ...]:
    """PyTorch's ``_unpool_output_size``: the default size, or a checked ``output_size``."""
    default = tuple((x.shape[-nd + i] - 1) * s[i] - 2 * p[i] + k[i] for i in range(nd))
    if output_size is None:
        return default
    size = output_size[2:] if len(output_size) == nd + 2 else output_size
    if len(size) != nd:
        raise ValueError(
            f"output_size should be a sequence containing {nd} or {nd + 2} elements, but it has "
            f"a length of '{len(size)}'"
        )
    for i in range(nd):
        lo, hi = default[i] - s[i], default[i] + s[i]
        if not lo < size[i] < hi:
            raise ValueError(
                f'invalid output_size "{size}" (dim {i} must be between {lo} and {hi})'
            )
    return tuple(int(v) for v in size)


def _tuple(v: Any, n: int) -> tuple:
    return tuple(int(a) for a in v) if isinstance(v, list | tuple) else (int(v),) * n


def max_unpool2d(
    input: Tensor,  # noqa: A002
    indices: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    output_size: Any = None,
) -> Tensor:
    """The partial inverse of ``max_pool2d``: each value goes to its flat ``indices`` position
    in a zero plane (one ``MaxUnpool2DBackward0`` node; its backward gathers)."""
    k = _tuple(kernel_size, 2)
    s = k if stride is None else _tuple(stride, 2)
    oh, ow = _unpool_size(input, k, s, _tuple(padding, 2), output_size, 2)
    if input.dim() not in (3, 4):
        raise RuntimeError(
            f"Input to max_unpooling2d should be a 3d or 4d Tensor, but got a tensor with "
            f"{input.dim()} dimensions."
        )
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(
            f"Expected shape of indices to be same as that of the input tensor "
            f"({list(input.shape)}) but got indices tensor with shape: {list(indices.shape)}"
        )
    lead = tuple(input.shape[:-2])
    idx = indices._value.reshape(-1, input.shape[-2] * input.shape[-1]).astype(np.int64)
    if idx.size and (idx.min() < 0 or idx.max() >= oh * ow):
        bad = int(idx.max() if idx.max() >= oh * ow else idx.min())
        raise RuntimeError(f"Found an invalid max index: {bad} (output volumes are of size "
                           f"{oh}x{ow}")  # fmt: skip
    out = np.zeros((idx.shape[0], oh * ow), input._dtype.np)
    np.put_along_axis(out, idx, input._value.reshape(idx.shape), axis=1)
    index = _make(idx, indices._dtype)

    def backward(g: Tensor) -> tuple:
        flat = g.reshape(idx.shape[0], oh * ow).gather(1, index)
        return (flat.reshape(input.shape), None)

    out = out.reshape(*lead, oh, ow)
    return record("MaxUnpool2DBackward0", out, input._dtype, (input, indices), backward)


def max_unpool1d(
    input: Tensor,  # noqa: A002
    indices: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    output_size: Any = None,
) -> Tensor:
    """``max_unpool2d`` over a width-1 image, as PyTorch computes it."""
    k = (_first(kernel_size),)
    s = k if stride is None else (_first(stride),)
    (length,) = _unpool_size(input, k, s, (_first(padding),), output_size, 1)
    out = max_unpool2d(
        input.unsqueeze(-1), indices.unsqueeze(-1), (k[0], 1), (s[0], 1), 0, (length, 1)
    )
    return out.squeeze(-1)


def max_pool1d_with_indices(input: Tensor, *args: Any, **kwargs: Any) -> tuple[Tensor, Tensor]:  # noqa: A002
    kwargs["return_indices"] = True
    return max_pool1d(input, *args, **kwargs)


def max_pool2d_with_indices(input: Tensor, *args: Any, **kwargs: Any) -> tuple[Tensor, Tensor]:  # noqa: A002
    kwargs["return_indices"] = True
    return max_pool2d(input, *args, **kwargs)


def adaptive_max_pool1d_with_indices(
    input: Tensor,  # noqa: A002
    output_size: Any,
    return_indices: bool = False,
) -> tuple[Tensor, Tensor]:
    return adaptive_max_pool1d(input, output_size, True)


def adaptive_max_pool2d_with_indices(
    input: Tensor,  # noqa: A002
    output_size: Any,
    return_indices: bool = False,
) -> tuple[Tensor, Tensor]:
    return adaptive_max_pool2d(input, output_size, True)


def _lp_finish(out: Tensor, area: int, norm_type: float) -> Tensor:
    return (out.sign() * out.abs().relu()).mul(area).pow(1.0 / norm_type)


def lp_pool1d(
    input: Tensor,  # noqa: A002
    norm_type: float,
    kernel_size: int,
    stride: Any = None,
    ceil_mode: bool = False,
) -> Tensor:
    """``(sum over the window of x**p) ** (1/p)``: an average pool of ``x**p`` times the
    window size, as PyTorch computes it."""
    out = avg_pool1d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return _lp_finish(out, _first(kernel_size), norm_type)


def lp_pool2d(
    input: Tensor,  # noqa: A002
    norm_type: float,
    kernel_size: Any,
    stride: Any = None,
    ceil_mode: bool = False,
) -> Tensor:
    kh, kw = _tuple(kernel_size, 2)
    out = avg_pool2d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return _lp_finish(out, kh * kw, norm_type)


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


__all__ = [
    "adaptive_max_pool1d_with_indices",
    "adaptive_max_pool2d_with_indices",
    "alpha_dropout",
    "channel_shuffle",
    "conv_transpose1d",
    "feature_alpha_dropout",
    "gumbel_softmax",
    "lp_pool1d",
    "lp_pool2d",
    "max_pool1d_with_indices",
    "max_pool2d_with_indices",
    "max_unpool1d",
    "max_unpool2d",
    "multilabel_margin_loss",
    "native_channel_shuffle",
    "pdist",
    "rms_norm",
    "triplet_margin_with_distance_loss",
]
