"""``group_norm``, ``instance_norm``, ``local_response_norm``, ``pixel_shuffle`` /
``pixel_unshuffle``, ``multi_margin_loss`` and ``rrelu``, with PyTorch's node names.

``group_norm``, ``pixel_shuffle`` and ``multi_margin_loss`` are one node each, as in PyTorch
(``NativeGroupNormBackward0`` ...): the forward is one numpy pass, the backward PyTorch's
formula written with Tensor ops, so ``create_graph=True`` differentiates it again.
``instance_norm`` and ``local_response_norm`` are PyTorch's own compositions (batch norm over
a reshaped input; a windowed mean of squares), so their graphs show the same nodes.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..frontend import functions as OF
from ..frontend import movement as M
from ..frontend.creation import empty_like
from ..frontend.pointwise import apply
from ..frontend.recording import record, renamed
from ..frontend.tensor import Tensor, _make
from ..ops.registry import REGISTRY as R
from ..random import numpy_generator
from ._functional_activation import run_inplace
from ._functional_batchnorm import batch_norm
from ._functional_conv import sizes

__all__ = [
    "group_norm",
    "instance_norm",
    "local_response_norm",
    "multi_margin_loss",
    "pixel_shuffle",
    "pixel_unshuffle",
    "rrelu",
]


def _affine_shape(x: Tensor) -> tuple[int, ...]:
    return (1, x.shape[1]) + (1,) * (x.dim() - 2)


# ---- group norm ------------------------------------------------------------------------------
def _check_group_norm(
    input: Tensor,  # noqa: A002 - PyTorch's names
    num_groups: int,
    weight: Tensor | None,
    bias: Tensor | None,
) -> None:
    """``group_norm``'s checks, in PyTorch's order and words (``native_group_norm``)."""
    if input.dim() < 2:
        raise RuntimeError(
            f"Expected at least 2 dimensions for input tensor but received {input.dim()}"
        )
    c = input.shape[1]
    if c % num_groups:
        raise RuntimeError(
            "Expected number of channels in input to be divisible by num_groups, but got input "
            f"of shape {sizes(input.shape)} and num_groups={num_groups}"
        )
    for name, p in (("weight", weight), ("bias", bias)):
        if p is not None and (p.dim() != 1 or p.numel() != c):
            raise RuntimeError(
                f"Expected {name} to be a vector of size equal to the number of channels in "
                f"input, but got {name} of shape {sizes(p.shape)} and input of shape "
                f"{sizes(input.shape)}"
            )
    if any(p is not None and p._dtype is not input._dtype for p in (weight, bias)):
        raise RuntimeError("mixed dtype (CPU): all inputs must share same datatype.")
    if not input._dtype.is_floating_point:
        word = {"int64": "Long", "int32": "Int", "bool": "Bool"}[input._dtype.name]
        raise NotImplementedError(f"\"GroupNormKernelImpl\" not implemented for '{word}'")


def group_norm(
    input: Tensor,  # noqa: A002 - PyTorch's names
    num_groups: int,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Normalize each of ``num_groups`` channel groups per sample (biased variance), then
    scale and shift per channel (``NativeGroupNormBackward0``)."""
    _check_group_norm(input, num_groups, weight, bias)
    n, c = input.shape[0], input.shape[1]
    per_group = (c // num_groups) * math.prod(input.shape[2:])
    bshape = _affine_shape(input)
    # NumPy's mean / var / 1/sqrt in detached Tensor ops (device kernels for a device input)
    grouped = input.detach().reshape(n, num_groups, per_group)
    centered = grouped - grouped.mean(-1, keepdim=True)
    rstd = 1 / OF.sqrt((centered * centered).mean(-1, keepdim=True) + eps)
    out = (centered * rstd).reshape(tuple(input.shape))
    if weight is not None:
        out = out * weight.detach().reshape(bshape)
    if bias is not None:
        out = out + bias.detach().reshape(bshape)

    def backward(g: Tensor) -> tuple:
        xg = input.reshape(n, num_groups, per_group)
        mu = xg.mean(-1, keepdim=True)
        centered = xg - mu
        r = OF.rsqrt((centered * centered).mean(-1, keepdim=True) + eps)
        xhat = centered * r
        gy = g if weight is None else g * weight.reshape(bshape)
        gy = gy.reshape(n, num_groups, per_group)
        gx = r * (gy - gy.mean(-1, keepdim=True) - xhat * (gy * xhat).mean(-1, keepdim=True))
        dims = (0, *range(2, input.dim()))
        gw = None
        if weight is not None and weight._requires_grad:
            gw = (g * xhat.reshape(tuple(input.shape))).sum(dims)
        gb = g.sum(dims) if bias is not None and bias._requires_grad else None
        return gx.reshape(tuple(input.shape)), gw, gb

    saved = tuple(t for t in (input, weight) if t is not None)
    inputs = (input, weight, bias)
    value = out.contiguous()._value
    return record("NativeGroupNormBackward0", value, input._dtype, inputs, backward, saved)


# ---- instance norm ---------------------------------------------------------------------------
def instance_norm(
    input: Tensor,  # noqa: A002
    running_mean: Tensor | None = None,
    running_var: Tensor | None = None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    use_input_stats: bool = True,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Batch norm of each (sample, channel) over its spatial elements: PyTorch's own
    reshape to one batch of ``N*C`` channels (a ``ViewBackward0`` over
    ``NativeBatchNormBackward0``); running statistics average over the samples."""
    if use_input_stats and np.prod(input.shape[2:]) <= 1:
        raise ValueError(
            "Expected more than 1 spatial element when training, got input size "
            f"torch.Size({sizes(input.shape)})"
        )
    n, c = input.shape[0], input.shape[1]
    folded = M.reshape(input, (1, n * c, *input.shape[2:]))

    def repeat(t: Tensor | None) -> Tensor | None:
        return None if t is None else t.repeat(n)

    rm, rv = repeat(running_mean), repeat(running_var)
    out = batch_norm(folded, rm, rv, repeat(weight), repeat(bias), use_input_stats, momentum, eps)
    if use_input_stats:
        for stat, moved in ((running_mean, rm), (running_var, rv)):
            if stat is not None:
                stat.copy_(_make(moved._value.reshape(n, c).mean(0), stat._dtype))
    return out.view(input.shape)


# ---- local response norm ---------------------------------------------------------------------
def local_response_norm(
    input: Tensor,  # noqa: A002
    size: int,
    alpha: float = 1e-4,
    beta: float = 0.75,
    k: float = 1.0,
) -> Tensor:
    """``x / (k + alpha * mean of x^2 over a window of size channels) ** beta``."""
    if input.dim() < 3:
        raise ValueError(
            "Expected 3D or higher dimensionality                          input (got "
            f"{input.dim()} dimensions)"
        )
    if input.numel() == 0:
        return input
    c = input.shape[1]
    squares = input * input
    lead, tail = size // 2, (size - 1) // 2
    pad_shape = list(squares.shape)
    zeros = []
    for count in (lead, tail):
        pad_shape[1] = count
        zeros.append(_make(np.zeros(pad_shape, squares._value.dtype), squares._dtype))
    padded = M.cat([zeros[0], squares, zeros[1]], dim=1)
    window = M.narrow(padded, 1, 0, c)
    for j in range(1, size):
        window = window + M.narrow(padded, 1, j, c)
    div = OF.pow(window * (alpha / size) + k, beta)
    return input / div


# ---- pixel shuffle ---------------------------------------------------------------------------
def rearranged(x: Tensor, split: tuple, order: list[int], final: tuple) -> Tensor:
    """``x`` reshaped to ``split``, permuted by ``order`` and copied into ``final``'s shape,
    in Tensor ops (device kernels for a device operand): always a new tensor, as PyTorch's
    pixel and channel shuffles (a permutation of size-1 dims alone would stay a view)."""
    out = M.reshape(M.permute(M.reshape(x, split), order), final)
    return out if out._base is None else out.clone()


def _shuffle(x: Tensor, r: int) -> Tensor:
    *batch, c, h, w = x.shape
    nb = len(batch)
    order = [*range(nb), nb, nb + 3, nb + 1, nb + 4, nb + 2]
    split = (*batch, c // (r * r), r, r, h, w)
    return rearranged(x, split, order, (*batch, c // (r * r), h * r, w * r))


def _unshuffle(x: Tensor, r: int) -> Tensor:
    *batch, c, h, w = x.shape
    nb = len(batch)
    order = [*range(nb), nb, nb + 2, nb + 4, nb + 1, nb + 3]
    split = (*batch, c, h // r, r, w // r, r)
    return rearranged(x, split, order, (*batch, c * r * r, h // r, w // r))


def _check_3d(fn: str, input: Tensor) -> None:  # noqa: A002
    if input.dim() < 3:
        raise RuntimeError(
            f"{fn} expects input to have at least 3 dimensions, but got input with "
            f"{input.dim()} dimension(s)"
        )


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:  # noqa: A002
    """``(*, C r^2, H, W) -> (*, C, H r, W r)`` (``PixelShuffleBackward0``)."""
    r = upscale_factor
    _check_3d("pixel_shuffle", input)
    if input.shape[-3] % (r * r):
        raise RuntimeError(
            "pixel_shuffle expects its input's 'channel' dimension to be divisible by the "
            f"square of upscale_factor, but input.size(-3)={input.shape[-3]} is not divisible "
            f"by {r * r}"
        )
    return renamed(_shuffle(input, r), "PixelShuffleBackward0")


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:  # noqa: A002
    """``(*, C, H r, W r) -> (*, C r^2, H, W)`` (``PixelUnshuffleBackward0``)."""
    r = downscale_factor
    _check_3d("pixel_unshuffle", input)
    for name, d in (("height", -2), ("width", -1)):
        if input.shape[d] % r:
            raise RuntimeError(
                f"pixel_unshuffle expects {name} to be divisible by downscale_factor, but "
                f"input.size({d})={input.shape[d]} is not divisible by {r}"
            )
    return renamed(_unshuffle(input, r), "PixelUnshuffleBackward0")


# ---- multi margin loss -----------------------------------------------------------------------
def _margin_rows(
    input: Tensor,  # noqa: A002
    target: Tensor,
    p: int,
    reduction: str,
) -> tuple[Tensor, np.ndarray]:
    """``multi_margin_loss``'s checks, in PyTorch's order and words, and its operands as
    rows: the input as (samples, classes) (one row when it is 1-D) and the class indices."""
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    x2 = input if input.dim() == 2 else M.reshape(input, (1, -1))
    n, c = x2.shape
    t = target._value.reshape(-1).astype(np.int64)
    if input.dim() == 2 and tuple(target.shape) != (n,):
        raise RuntimeError(
            "multi_margin_loss: target tensor should be 1-D with size equal to the number of "
            f"input samples (batch size). Expected target size [{n}], but got "
            f"{sizes(target.shape)}. Input has shape {sizes(input.shape)}."
        )
    if t.size and (t.min() < 0 or t.max() >= c):
        raise RuntimeError("target out of range")
    return x2, t


def multi_margin_loss(
    input: Tensor,  # noqa: A002
    target: Tensor,
    p: int = 1,
    margin: float = 1.0,
    weight: Tensor | None = None,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """Multi-class hinge loss ``sum_{j != y} max(0, margin - x[y] + x[j])^p w[y] / C`` per
    sample (``MultiMarginLossBackward0``)."""
    x2, t = _margin_rows(input, target, p, reduction)
    n, c = x2.shape
    dt = x2._value.dtype
    onehot = np.zeros((n, c), bool)
    onehot[np.arange(n), t] = True
    wy = np.ones(n, dt) if weight is None else weight._value[t].astype(dt)
    x = x2._value
    z = dt.type(margin) - x[np.arange(n), t][:, None] + x
    hinge = np.where((z > 0) & ~onehot, z if p == 1 else z * z, 0).astype(dt)
    per = (hinge.sum(1) * wy / dt.type(c)).astype(dt)
    value = per if reduction == "none" else per.sum() if reduction == "sum" else per.mean()
    if reduction == "none" and input.dim() == 1:
        value = value.reshape(())
    value = np.asarray(value, dt)

    def backward(g: Tensor) -> Tensor:
        rows = M.reshape(input, (n, c))
        picked = rows.gather(1, _make(t.reshape(n, 1), target._dtype))
        zt = margin - picked + rows
        active = _make(((z > 0) & ~onehot).astype(dt), input._dtype)
        scale = _make((wy / dt.type(c)).reshape(n, 1), input._dtype)
        coef = active * scale if p == 1 else active * scale * zt * 2
        hot = _make(onehot.astype(dt), input._dtype)
        grad = coef - hot * coef.sum(1, keepdim=True)
        if reduction == "none":
            grad = grad * M.reshape(g, (n, 1))
        else:
            grad = grad * (g if reduction == "sum" else g / n)
        return M.reshape(grad, input.shape)

    return record("MultiMarginLossBackward0", value, input._dtype, (input,), backward, (input,))


# ---- rrelu -----------------------------------------------------------------------------------
def rrelu(
    input: Tensor,  # noqa: A002
    lower: float = 1.0 / 8,
    upper: float = 1.0 / 3,
    training: bool = False,
    inplace: bool = False,
) -> Tensor:
    """Leaky ReLU whose negative slope is drawn from U(lower, upper) per element in training
    and is ``(lower + upper) / 2`` in eval (``RreluWithNoiseBackward0``)."""
    if training:
        draws = numpy_generator().uniform(lower, upper, input.shape)
        # PyTorch's noise is 1 where x > 0 (``_saved_noise``); the slope is unused there
        draws = np.where(input._value > 0, 1.0, draws)
        slope: Any = _make(draws.astype(input._value.dtype), input._dtype)
    else:
        slope = (lower + upper) / 2
    return rrelu_with(input, slope, inplace, (lower, upper, training))


def rrelu_with(input: Tensor, slope: Any, inplace: bool, bounds: tuple) -> Tensor:  # noqa: A002
    """The declared ``rrelu`` op with the slopes given (a number, or a tensor of draws of
    ``input``'s shape: the CUDA backend draws its own on the device). Its node shows
    ``bounds`` (lower, upper, training) as PyTorch's ``_saved_lower/_upper/_training``: the
    op itself reads only the slopes, so they are kept in the node's extras."""
    if inplace:
        out = run_inplace("rrelu", input, (slope,))
    else:
        out = apply(R["rrelu"], (input, slope))
    node = out.grad_fn
    if node is not None:
        lower, upper, training = bounds
        kept = {"_saved_lower": lower, "_saved_upper": upper, "_saved_training": training}
        if not isinstance(slope, Tensor):  # eval: PyTorch saves an unwritten noise tensor
            kept["_saved_noise"] = empty_like(input)
        extras = node.extras()
        extras.kept = {**(extras.kept or {}), **kept}
    return out
