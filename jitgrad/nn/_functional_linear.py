"""``linear`` declared: one BLAS matmul plus a bias pass, its derivative written once.

The derivative of ``x @ W.T + b`` is ``(g @ W, g.T @ x, sum over rows of g)``, written with
two declared ops that are the gradient's kernels: :func:`mm` (a BLAS product of two
matrices, either transposed, ``MmBackward0``) and :func:`col_sum` (the bias gradient's column
sums, ``SumBackward1``). Without a graph to record (the usual backward) each runs its kernel
and records nothing; under ``create_graph`` each records its node, whose derivative is again
``mm`` and a broadcast, so gradients of any order follow the same rules (see
:mod:`jitgrad.frontend.declare`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes as D
from .. import launchlog
from ..autocast_state import STATE as AUTOCAST
from ..autocast_state import lower as autocast_lower
from ..engine import graph as G
from ..engine.grad_mode import STATE
from ..frontend import argcheck as A
from ..frontend.declare import Declared, Saved
from ..frontend.recording import lazy_saved
from ..frontend.saved_nodes import mm_saved
from ..frontend.tensor import Tensor, _make
from ..frontend.tensor_messages import SavedView
from . import _kernels as K


def _matrix(x: Tensor) -> np.ndarray:
    a = x._value
    return a.reshape(-1, a.shape[-1]) if a.ndim != 2 else a


def _c_name(t: Tensor) -> str:
    return D.cpp_name(t._dtype)


def _dtype_error(input: Tensor, weight: Tensor, bias: Tensor | None) -> None:  # noqa: A002
    """PyTorch's words: matmul's without a bias, addmm's (``mat1``/``self`` and ``mat2``,
    scalar type names) with one."""
    if bias is None:
        raise RuntimeError(
            f"expected m1 and m2 to have the same dtype, but got: {_c_name(input)} "
            f"!= {_c_name(weight)}"
        )
    first, which = (input, "mat1") if input._dtype is not weight._dtype else (bias, "self")
    raise RuntimeError(
        f"{which} and mat2 must have the same dtype, but got {D.scalar_name(first._dtype)} and "
        f"{D.scalar_name(weight._dtype)}"
    )


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:  # noqa: A002
    """``input @ weight.T + bias``: one BLAS matmul and one bias pass (``AddmmBackward0``)."""
    if AUTOCAST.dtype is not None:  # torch.autocast('cpu'): computed in its dtype
        input, weight, bias = autocast_lower(input, weight, bias)
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
        _dtype_error(input, weight, bias)
    out = launchlog.matmul(_matrix(input), w.T)
    if bias is not None:
        K.bias_add_rows(out, bias._value)
    out = out.reshape(x.shape[:-1] + (w.shape[0],))
    # PyTorch's addmm(bias, input, weight.t()) lists the bias first among the node's inputs
    inputs = (input, weight) if bias is None else (bias, input, weight)
    if x.ndim == 1:  # PyTorch: addmm then view with a bias, matmul's squeeze without
        name = "SqueezeBackward4" if bias is None else "ViewBackward0"
    elif x.ndim > 2:
        name = "ViewBackward0"
    else:
        name = "MmBackward0" if bias is None else "AddmmBackward0"
    if not STATE.enabled:
        return _make(out, input._dtype)
    needs = (input._requires_grad, weight._requires_grad, bias is not None and bias._requires_grad)
    values = {"input": input, "weight": weight, "bias": bias, "_needs": needs}
    return LINEAR.record_values(name, out, input._dtype, inputs, _saved(input, weight), values)


def _saved(input: Tensor, weight: Tensor) -> tuple:  # noqa: A002
    """What the node version-checks, as PyTorch's ``addmm(bias, input, weight.t())`` saves
    it: the input (as a matrix) only when the weight needs a gradient, ``weight.t()`` only
    when the input does, so changing the other in place before backward is no error.
    Saved-tensor hooks get the tensors themselves."""
    if G.SAVED_HOOKS.count:
        return (input, weight)
    saved = ()
    if weight._requires_grad:
        x = input._value
        saved = (input,) if x.ndim == 2 else (SavedView(input, _matrix(input).shape),)
    if input._requires_grad:
        saved += (SavedView(weight, weight._value.shape[::-1]),)
    return saved


def _linear_derivative(s: Saved, g: Tensor) -> tuple:
    """``(g @ W, g.T @ x, column sums of g)`` over ``g`` and ``x`` as matrices, for the
    inputs that need them (bias first, as the node lists it)."""
    x, weight, bias, needs = s.input, s.weight, s.bias, s._needs
    g2 = g if g._value.ndim == 2 else g.reshape(-1, weight._value.shape[0])
    if not g2._value.flags.c_contiguous:
        g2 = g2.contiguous()
    gx = gw = gb = None
    if needs[0]:
        gx = mm(g2, weight)
        if x._value.ndim != 2:
            gx = gx.reshape(x._value.shape)
    if needs[1]:
        gw = mm(g2, x if x._value.ndim == 2 else x.reshape(-1, x._value.shape[-1]), ta=True)
    if bias is None:
        return gx, gw
    if needs[2]:
        gb = col_sum(g2)
    return gb, gx, gw


LINEAR = Declared("linear", _linear_derivative)


def mm(a: Tensor, b: Tensor, ta: bool = False, tb: bool = False) -> Tensor:
    """``op(a) @ op(b)`` of two matrices by BLAS, ``op`` transposing where ``ta``/``tb`` say
    (no transposed copy is made)."""
    av, bv = a._value, b._value
    value = launchlog.matmul(av.T if ta else av, bv.T if tb else bv)
    if not STATE.enabled:  # the usual backward: no node, no record to build
        return _make(value, a._dtype, fresh=True)
    return MM.record("MmBackward0", value, a._dtype, (a, b), (a, b), fresh=True,
                     _a=a, _b=b, _ta=ta, _tb=tb)  # fmt: skip


def _mm_derivative(s: Saved, u: Tensor) -> tuple:
    """``C = op(a) op(b)``: ``dop(a) = u op(b).T``, ``dop(b) = op(a).T u``, each written as
    one :func:`mm` of the saved matrices (transposed back where ``op`` transposed)."""
    a, b, ta, tb = s._a, s._b, s._ta, s._tb
    ga = gb = None
    if a.requires_grad:
        ga = mm(b, u, tb, True) if ta else mm(u, b, False, not tb)
    if b.requires_grad:
        gb = mm(u, a, True, ta) if tb else mm(a, u, not ta, False)
    return ga, gb


MM = Declared("mm", _mm_derivative)


def _mm_operands(s: Any) -> tuple[Tensor, Tensor]:
    """``mm``'s ``self`` and ``mat2`` as PyTorch saves them: ``op(a)``, ``op(b)``, a
    transposed operand read as its transposed view (recording ``TBackward0``, like the view
    PyTorch would have saved)."""
    d = s.fn
    return (d._a.t() if d._ta else d._a), (d._b.t() if d._tb else d._b)


for _key, _get in mm_saved(_mm_operands).items():  # MmBackward0's _saved_*, read lazily
    setattr(MM.bases[None], "_saved_" + _key, lazy_saved(_key, _get))


def col_sum(g: Tensor) -> Tensor:
    """The column sums of the matrix ``g`` (rows streamed, in row order)."""
    gv = g._value
    value = np.empty(gv.shape[1], g._dtype.np)
    K.col_sum(gv, value)
    if not STATE.enabled:
        return _make(value, g._dtype, fresh=True)
    return COL_SUM.record("SumBackward1", value, g._dtype, (g,), fresh=True, _rows=gv.shape[0])


COL_SUM = Declared("col_sum", lambda s, u: u.reshape(1, -1).expand(s._rows, u._value.shape[0]))
