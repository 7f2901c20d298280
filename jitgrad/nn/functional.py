"""``jitgrad.nn.functional``: activations, losses and layers as functions (PyTorch's names).

Elementwise pieces (activations, the pointwise part of each loss) are compositions of the
declared elementwise ops, so the fusion pass sees them and fuses them with their
neighbours. Four ops are fused, hand-written kernels because composing them would cost
several passes over memory: ``linear`` (one BLAS matmul plus a bias pass: ``AddmmBackward0``),
``cross_entropy`` (log-sum-exp and the target pick in one row pass: ``NllLossBackward0``),
``nll_loss`` and ``layer_norm`` (statistics and output in one row pass:
``NativeLayerNormBackward0``). Their backward under ``create_graph=True`` is written with
Tensor ops, so higher-order gradients still work.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import argcheck as A
from .. import launchlog
from ..autograd.grad_mode import STATE
from ..autograd.recording import record
from ..helpers import missing_attribute
from ..ops import functions as OF
from ..ops.pointwise import apply
from ..ops.registry import REGISTRY as R
from ..tensor import Tensor, _make
from . import _kernels as K
from ._functional_activation import *  # noqa: F403
from ._functional_activation import __all__ as _activation_names
from ._functional_batchnorm import batch_norm
from ._functional_conv import *  # noqa: F403
from ._functional_conv import __all__ as _conv_names
from ._functional_cross_entropy import cross_entropy, nll_loss
from ._functional_extra import dropout, pad, scaled_dot_product_attention
from ._functional_loss import *  # noqa: F403
from ._functional_loss import __all__ as _loss_names
from ._functional_named_loss import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    l1_loss,
    mse_loss,
)
from ._functional_norm import *  # noqa: F403
from ._functional_norm import __all__ as _norm_names
from ._functional_pool import *  # noqa: F403
from ._functional_pool import __all__ as _pool_names

__all__ = [
    "batch_norm",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "dropout",
    "embedding",
    "gelu",
    "l1_loss",
    "layer_norm",
    "linear",
    "log_softmax",
    "mse_loss",
    "nll_loss",
    "pad",
    "scaled_dot_product_attention",
    "relu",
    "sigmoid",
    "softmax",
    "tanh",
    *_activation_names,
    *_conv_names,
    *_pool_names,
    *_loss_names,
    *_norm_names,
]


# ---- activations --------------------------------------------------------------------------
def relu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002 - PyTorch's names
    return input.relu_() if inplace else OF.relu(input)


def sigmoid(input: Tensor) -> Tensor:  # noqa: A002
    return OF.sigmoid(input)


def tanh(input: Tensor) -> Tensor:  # noqa: A002
    return OF.tanh(input)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:  # noqa: A002
    """``x * Phi(x)``; ``approximate='tanh'`` uses PyTorch's tanh formula (``GeluBackward0``)."""
    if approximate == "tanh":
        return apply(R["gelu_tanh"], (input,))
    if approximate != "none":
        raise RuntimeError("approximate argument must be either none or tanh.")
    return apply(R["gelu"], (input,))


def softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:  # noqa: A002
    if dtype is not None:
        input = input.to(dtype)
    return input.softmax(-1 if dim is None else dim)


def log_softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:  # noqa: A002
    if dtype is not None:
        input = input.to(dtype)
    return input.log_softmax(-1 if dim is None else dim)


# ---- layers -------------------------------------------------------------------------------
def _matrix(x: Tensor) -> np.ndarray:
    a = x._value
    return a.reshape(-1, a.shape[-1]) if a.ndim != 2 else a


def _c_name(t: Tensor) -> str:
    return {"float64": "double", "float32": "float"}.get(t._dtype.np.name, t._dtype.np.name)


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:  # noqa: A002
    """``input @ weight.T + bias``: one BLAS matmul and one bias pass (``AddmmBackward0``)."""
    try:
        x, w = input._value, weight._value
    except AttributeError:  # PyTorch's words for a non-tensor
        A.tensor_args("linear", ("input", "weight"), (input, weight))
        raise
    if x.ndim == 0:
        raise RuntimeError(
            "both arguments to linear need to be at least 1D, but they are 0D and 2D"
        )
    if x.shape[-1] != w.shape[-1]:
        rows = int(np.prod(x.shape[:-1]))
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({rows}x{x.shape[-1]} and "
            f"{w.shape[1]}x{w.shape[0]})"
        )
    if input._dtype is not weight._dtype or (bias is not None and bias._dtype is not weight._dtype):
        other = bias if bias is not None and bias._dtype is not weight._dtype else weight
        raise RuntimeError(
            f"expected m1 and m2 to have the same dtype, but got: {_c_name(input)} "
            f"!= {_c_name(other)}"
        )
    x2 = _matrix(input)
    out = launchlog.matmul(x2, w.T)
    if bias is not None:
        K.bias_add_rows(out, bias._value)
    out = out.reshape(x.shape[:-1] + (w.shape[0],))
    # PyTorch's addmm(bias, input, weight.t()) lists the bias first among the node's inputs
    inputs = (input, weight) if bias is None else (bias, input, weight)
    needs = [input._requires_grad, weight._requires_grad, bias is not None and bias._requires_grad]
    if x.ndim == 1:  # PyTorch: addmm then view with a bias, matmul's squeeze without
        name = "SqueezeBackward4" if bias is None else "ViewBackward0"
    elif x.ndim > 2:
        name = "ViewBackward0"
    else:
        name = "MmBackward0" if bias is None else "AddmmBackward0"

    def backward(g: Tensor) -> tuple:
        if STATE.enabled:  # create_graph: the same math in Tensor ops, differentiable
            g2 = g.reshape(-1, w.shape[0])
            gx = g2.matmul(weight).reshape(x.shape) if needs[0] else None
            gw = g2.t().matmul(input.reshape(-1, x.shape[-1])) if needs[1] else None
            gb = g2.sum(0) if bias is not None and needs[2] else None
            return (gx, gw) if bias is None else (gb, gx, gw)
        g2 = _matrix(g)
        if not g2.flags.c_contiguous:
            g2 = np.ascontiguousarray(g2)
        mm = launchlog.matmul
        gx = _make(mm(g2, w).reshape(x.shape), input._dtype, fresh=True) if needs[0] else None
        gw = _make(mm(g2.T, _matrix(input)), weight._dtype, fresh=True) if needs[1] else None
        if bias is None:
            return gx, gw
        gb = None
        if needs[2]:
            gb_arr = np.empty(w.shape[0], bias._dtype.np)
            K.col_sum(g2, gb_arr)
            gb = _make(gb_arr, bias._dtype, fresh=True)
        return gb, gx, gw

    return record(name, out, input._dtype, inputs, backward, saved=(input, weight))


def _renorm_rows(weight: Tensor, rows: np.ndarray, max_norm: float, norm_type: float) -> None:
    """PyTorch's ``embedding_renorm_``: each looked-up row of ``weight`` whose ``norm_type``-norm
    exceeds ``max_norm`` is scaled in place to ``max_norm / (norm + 1e-7)`` of itself (outside
    autograd, as PyTorch does under no_grad; the in-place write bumps the version)."""
    w = weight._value
    picked = np.unique(rows)
    norms = np.linalg.norm(w[picked].astype(np.float64), ord=norm_type, axis=1)
    over = norms > max_norm
    if over.any():
        scale = max_norm / (norms[over] + 1e-7)
        w[picked[over]] = (w[picked[over]] * scale[:, None]).astype(w.dtype)
        weight._bump()


def embedding(
    input: Tensor,  # noqa: A002
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """Rows of ``weight`` picked by the integer tensor ``input`` (``EmbeddingBackward0``)."""
    idx = input._value
    if input._dtype.is_floating_point:
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got torch.{input._dtype.np.name.capitalize()}Tensor instead "
            "(while checking arguments for embedding)"
        )
    n = weight._value.shape[0]
    flat = idx.reshape(-1).astype(np.int64)
    if flat.size and (flat.min() < -n or flat.max() >= n):
        raise IndexError("index out of range in self")
    flat = np.where(flat < 0, flat + n, flat) if flat.size and flat.min() < 0 else flat
    if max_norm is not None:
        _renorm_rows(weight, flat, max_norm, norm_type)
    out = np.empty((flat.size, weight._value.shape[1]), weight._dtype.np)
    K.gather_rows(weight._value, flat, out)
    out = out.reshape(idx.shape + (weight._value.shape[1],))
    pad = -1 if padding_idx is None else (padding_idx % n)

    def backward(g: Tensor) -> tuple:
        g2 = np.ascontiguousarray(g._value.reshape(-1, weight._value.shape[1]))
        if scale_grad_by_freq:  # each row's gradient over how often the batch looked it up
            g2 = g2 / np.bincount(flat, minlength=n)[flat][:, None].astype(g2.dtype)
        gw = np.zeros_like(weight._value)
        K.scatter_add_rows(g2, flat, pad, gw)
        return (_make(gw, weight._dtype, fresh=True),)

    return record("EmbeddingBackward0", out, weight._dtype, (weight,), backward)


def layer_norm(
    input: Tensor,  # noqa: A002
    normalized_shape: Any,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """``(x - mean) / sqrt(var + eps) * weight + bias`` over the trailing ``normalized_shape``.

    One fused node (``NativeLayerNormBackward0``, as PyTorch): a row pass computes the mean,
    ``rstd = 1/sqrt(biased var + eps)`` and the output; the backward is one more row pass for
    the input gradient plus per-chunk partial sums for weight and bias. Composing it from
    elementwise and reduction ops took ~10 passes over memory each way.
    """
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    _check_layer_norm(input, shape, weight, bias)
    n, d = math.prod(input.shape[: input.dim() - len(shape)]), math.prod(shape)
    x2 = np.ascontiguousarray(input._value).reshape(n, d)
    w = np.ones(d, x2.dtype) if weight is None else np.ascontiguousarray(weight._value).reshape(d)
    b = np.zeros(d, x2.dtype) if bias is None else np.ascontiguousarray(bias._value).reshape(d)
    y = np.empty_like(x2)
    mean = np.empty(n, x2.dtype)
    rstd = np.empty(n, x2.dtype)
    K.pick(K.layer_norm_fwd, x2.size)(x2, w, b, x2.dtype.type(eps), y, mean, rstd)
    params = (weight, bias)

    def backward(g: Tensor) -> tuple:
        if STATE.enabled:
            return _layer_norm_grads_composed(input, weight, g, len(shape), eps, params)
        g2 = np.ascontiguousarray(g._value, dtype=x2.dtype).reshape(n, d)
        gx = np.empty_like(x2)
        pw = np.empty((K.chunks(n), d), x2.dtype)
        pb = np.empty_like(pw)
        K.pick(K.layer_norm_bwd, x2.size)(g2, x2, w, mean, rstd, gx, pw, pb)
        grads = [_make(gx.reshape(input._value.shape), input._dtype, fresh=True)]
        for p, partial in zip(params, (pw, pb), strict=True):
            grads.append(None if p is None else _make(_col_sums(partial, p), p._dtype, fresh=True))
        return tuple(grads)

    saved = tuple(t for t in (input, weight) if t is not None)
    out = y.reshape(input._value.shape)
    return record("NativeLayerNormBackward0", out, input._dtype, (input, *params), backward, saved)


def _check_layer_norm(
    input: Tensor,  # noqa: A002
    shape: tuple,
    weight: Tensor | None,
    bias: Tensor | None,
) -> None:
    """PyTorch's argument errors, before any kernel reads the arrays."""
    if tuple(input.shape[input.dim() - len(shape) :]) != shape:
        raise RuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape "
            f"[*, {', '.join(str(s) for s in shape)}], but got input of size{input.shape}"
        )
    if not input._dtype.is_floating_point:
        raise NotImplementedError(f"layer_norm not implemented for {input._dtype.np.name} input")
    for name, p in (("weight", weight), ("bias", bias)):
        if p is None:
            continue
        if tuple(p.shape) != shape:
            raise RuntimeError(
                f"Expected {name} to be of same shape as normalized_shape, but got {name} of "
                f"shape {list(p.shape)} and normalized_shape = {list(shape)}"
            )
        if p._dtype is not input._dtype:
            raise RuntimeError("mixed dtype (CPU): all inputs must share same datatype.")


def _col_sums(partial: np.ndarray, param: Tensor) -> np.ndarray:
    """Sum layer_norm's per-chunk partial gradients (chunks, D) in chunk order, as ``param``."""
    out = np.empty(partial.shape[1], partial.dtype)
    K.col_sum(partial, out)
    return out.reshape(param._value.shape)


def _layer_norm_grads_composed(
    input: Tensor,  # noqa: A002
    weight: Tensor | None,
    g: Tensor,
    ndims: int,
    eps: float,
    params: tuple,
) -> tuple:
    """The fused layer_norm's gradients in Tensor ops (for ``create_graph=True``).

    Mean and rstd are recomputed from ``input`` with Tensor ops, so higher-order gradients
    also flow through them; the formula is the one the backward kernel evaluates.
    """
    dims = tuple(range(-ndims, 0))
    centered = input - input.mean(dims, keepdim=True)
    rstd = OF.rsqrt((centered * centered).mean(dims, keepdim=True) + eps)
    xhat = centered * rstd
    gw = g if weight is None else g * weight
    gx = rstd * (gw - gw.mean(dims, keepdim=True) - xhat * (gw * xhat).mean(dims, keepdim=True))
    batch = tuple(range(input.dim() - ndims))
    grads = [gx]
    for p, per_row in zip(params, (g * xhat, g), strict=True):
        grads.append(None if p is None else (per_row.sum(batch) if batch else per_row))
    return tuple(grads)


# nnmore: re-exports of the functional forms added with the attention/upsample layers.
from ._functional_api import *  # noqa: E402, F403  (apinn)
from ._functional_api import __all__ as _api_names  # noqa: E402
from ._functional_grid import *  # noqa: E402, F403
from ._functional_grid import __all__ as _grid_names  # noqa: E402
from ._functional_more import *  # noqa: E402, F403
from ._functional_more import __all__ as _more_names  # noqa: E402
from .upsample import interpolate, upsample  # noqa: E402

__all__ += [*_more_names, *_api_names, *_grid_names, "interpolate", "upsample"]

# names: torch.nn.grad, and the __torch_function__ checks (always False in jitgrad)
from . import grad  # noqa: E402, F401 - torch.nn.functional.grad is torch.nn.grad
from ._functional_protocol import (  # noqa: E402, F401
    handle_torch_function,
    has_torch_function,
    has_torch_function_unary,
    has_torch_function_variadic,
)

#: ``jitgrad.nn.functional.<name>`` for a PyTorch name jitgrad lacks says so (AttributeError).
__getattr__ = missing_attribute("jitgrad.nn.functional")
