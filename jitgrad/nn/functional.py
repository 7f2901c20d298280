"""``jitgrad.nn.functional``: activations, losses and layers as functions (PyTorch's names).

Elementwise pieces (activations, the pointwise part of each loss) are compositions of the
declared elementwise ops, so the fusion pass sees them and fuses them with their
neighbours. Four ops are fused, hand-written kernels because composing them would cost
several passes over memory: ``linear`` (one BLAS matmul plus a bias pass: ``AddmmBackward0``),
``cross_entropy`` (log-sum-exp and the target pick in one row pass: ``NllLossBackward0``),
``nll_loss`` and ``layer_norm`` (statistics and output in one row pass:
``NativeLayerNormBackward0``); ``batch_norm`` is one node too (``NativeBatchNormBackward0``).
Each is declared (:mod:`jitgrad.frontend.declare`) with its forward and its derivative in one place
(:mod:`._functional_linear`, :mod:`._functional_layer_norm`, :mod:`._functional_cross_entropy`,
:mod:`._functional_batchnorm`): the derivative calls a kernel-backed backward op that records
its own differentiable node under ``create_graph``, so any order works from one declaration.
"""

from __future__ import annotations

import math  # noqa: F401 - torch.nn.functional.math (PyTorch's module imports it)
from typing import Any

import numpy as np

from .. import dtypes as D
from ..frontend import functions as OF
from ..frontend import reduce_softmax as RS
from ..frontend.declare import Declared, Saved
from ..frontend.pointwise import apply
from ..frontend.recording import record
from ..frontend.reduce_softmax import _softmax_like
from ..frontend.tensor import Tensor, _make, legacy_type_name
from ..helpers import missing_attribute
from ..ops.registry import REGISTRY as R
from . import _kernels as K
from ._functional_activation import *  # noqa: F403
from ._functional_activation import __all__ as _activation_names
from ._functional_activation import _softmax_dim
from ._functional_batchnorm import batch_norm
from ._functional_conv import *  # noqa: F403
from ._functional_conv import __all__ as _conv_names
from ._functional_conv_transpose import conv_transpose2d, conv_transpose3d
from ._functional_cross_entropy import cross_entropy, nll_loss
from ._functional_extra import dropout, pad, scaled_dot_product_attention
from ._functional_fractional import *  # noqa: F403
from ._functional_fractional import __all__ as _fractional_names
from ._functional_layer_norm import layer_norm
from ._functional_linear import linear
from ._functional_linear_ce import linear_cross_entropy
from ._functional_loss import *  # noqa: F403
from ._functional_loss import __all__ as _loss_names
from ._functional_mha import multi_head_attention_forward
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
from ._functional_pool3d import *  # noqa: F403
from ._functional_pool3d import __all__ as _pool3d_names
from ._functional_unpool3d import *  # noqa: F403
from ._functional_unpool3d import __all__ as _unpool3d_names

__all__ = [
    "batch_norm",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "conv_transpose2d",
    "conv_transpose3d",
    "cross_entropy",
    "dropout",
    "embedding",
    "gelu",
    "l1_loss",
    "layer_norm",
    "linear",
    "linear_cross_entropy",
    "log_softmax",
    "mse_loss",
    "multi_head_attention_forward",
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
    *_pool3d_names,
    *_unpool3d_names,
    *_fractional_names,
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


#: The methods as jitgrad binds them: while ``Tensor.softmax`` is still this one (no backend or
#: ``jitgrad.compile`` trace interposed), :func:`softmax` calls its body straight (a scalar graph
#: takes one every few ops: the method call and ``dim_or_axis`` were ~2k instructions). In a
#: tuple: a backend's ``opwrap.reroute_imports`` points module globals that name a wrapped op
#: at its wrapper, which would make the test below true for the wrapper too.
_BOUND = (RS.softmax, RS.log_softmax)


def softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:  # noqa: A002
    """Softmax along ``dim``; without one, PyTorch's deprecated implicit choice (dim 0 for 0-,
    1- and 3-d inputs, else 1, with its warning), not the last dim."""
    if dim is None:
        dim = _softmax_dim("softmax", input.dim())
    elif dtype is None and type(input) is Tensor and Tensor.softmax is _BOUND[0]:
        return _softmax_like(input, dim, None, False)  # (what the method runs, one hop less)
    if dtype is not None:
        input = input.to(dtype)
    return input.softmax(dim)


def log_softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:  # noqa: A002
    """Log-softmax along ``dim`` (the implicit choice as :func:`softmax`'s)."""
    if dim is None:
        dim = _softmax_dim("log_softmax", input.dim())
    elif dtype is None and type(input) is Tensor and Tensor.log_softmax is _BOUND[1]:
        return _softmax_like(input, dim, None, True)
    if dtype is not None:
        input = input.to(dtype)
    return input.log_softmax(dim)


# ---- layers -------------------------------------------------------------------------------
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
    if input._dtype.name not in ("int64", "int32"):
        got = "CPUBoolType" if input._dtype.name == "bool" else legacy_type_name(input)
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got {got} instead (while checking arguments for embedding)"
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
        return (_embedding_dense_backward(g, flat, n, pad, scale_grad_by_freq),)

    return record("EmbeddingBackward0", out, weight._dtype, (weight,), backward)


def _embedding_dense_backward(g: Tensor, flat: np.ndarray, n: int, pad: int, freq: bool) -> Tensor:
    """PyTorch's ``embedding_dense_backward``: ``g``'s rows added into the ``n`` weight rows
    they were looked up from (none into ``pad``; each over its row's count with ``freq``), by
    the row kernel. Under ``create_graph`` its node (``EmbeddingDenseBackwardBackward0``)
    differentiates in ``g`` by looking the rows up again (:func:`_embedding_dense_derivative`),
    so gradients of any order go through the embedding."""
    d = g._value.shape[-1]
    g2 = np.ascontiguousarray(g._value.reshape(-1, d))
    if freq:  # each row's gradient over how often the batch looked it up
        g2 = g2 / np.bincount(flat, minlength=n)[flat][:, None].astype(g2.dtype)
    used = flat != pad  # (pad is -1 without a padding row)
    mask = None if used.all() else used[:, None].astype(g2.dtype)
    gw = np.zeros((n, d), g2.dtype)
    K.scatter_add_rows(g2, flat, pad, gw)
    return EMBEDDING_BACKWARD.record(
        "EmbeddingDenseBackwardBackward0", gw, g._dtype, (g,), fresh=True,
        _flat=flat, _mask=mask, _shape=tuple(g.shape),
    )  # fmt: skip


def _embedding_dense_derivative(s: Saved, u: Tensor) -> Tensor:
    """The lookup again: row ``flat[k]`` of ``u`` for each row of ``g``, zero where it was the
    padding row. PyTorch's ``embedding_dense_double_backward`` leaves ``scale_grad_by_freq``'s
    division out, and so does this."""
    rows = embedding(_make(s._flat, D.int64), u)
    if s._mask is not None:
        rows = rows * _make(s._mask, u._dtype)
    return rows.reshape(s._shape)


EMBEDDING_BACKWARD = Declared("embedding_dense_backward", _embedding_dense_derivative)


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
del annotations, missing_attribute  # not PyTorch's names
