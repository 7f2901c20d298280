"""Reductions (sum, mean, prod, var/std, max/min, logsumexp, norm, all/any) and the
shape-keeping softmax, log_softmax and cumsum, with PyTorch's semantics and node names.

This module is the family's entry (``jitgrad.*``, Tensor methods) and holds norm, all and
any; the others live in :mod:`.reduce_sum` (sum, mean, prod, var, std), :mod:`.reduce_minmax`
(max, min, amax, amin, argmax, argmin) and :mod:`.reduce_softmax` (logsumexp, softmax,
log_softmax, cumsum), over the helpers of :mod:`.reduce_common`.

Forward: every op plans its axes with ``reduction_plan`` into the ``(A, R, B)`` layout of the
kernels in ``jitgrad/kernels/cpu/reduce.py`` (and ``reduce_extra.py``), runs one kernel and
reshapes the ``(A, B)`` result to the kept dims. Backward: each op is declared
(:mod:`jitgrad.frontend.declare`) with its derivative written once in differentiable ops; where a
backward kernel exists (softmax, log_softmax, var, max, prod) the derivative calls it as a
declared op of its own (:mod:`.reduce_grads`), which runs the kernel in an ordinary backward
and records a differentiable node under ``create_graph``.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from .. import dtypes as D
from ..helpers import pass_through
from ..kernels.cpu import reduce as K
from ..kernels.cpu import reduce_extra as KX
from ..kernels.cpu.reduce_call import (
    kept_shape,
    reduce_array,
    to_3d,
)
from . import argcheck as A
from . import checks
from . import functions as F
from . import parser_forms as PF
from .declare import Declared, Saved, expand_reduced
from .overloads import OVERLOADS
from .reduce_common import (
    Dims,
    numpy_spellings,
    reduce_axes,
    type_word,
)
from .reduce_grads import select_backward
from .reduce_minmax import amax, amin, argmax, argmin, max, min  # noqa: A004
from .reduce_prod_var import prod as prod_impl
from .reduce_prod_var import std, var
from .reduce_softmax import cumsum, log_softmax, logsumexp, softmax
from .reduce_sum import MEAN_METHOD, SUM_METHOD, mean, sum  # noqa: A004
from .tensor import Tensor, _make

# ---- norm, all, any ---------------------------------------------------------------------------
_P_MODES = {2: KX.P_TWO, "fro": KX.P_TWO, 1: KX.P_ONE, np.inf: KX.P_INF, -np.inf: KX.P_NEG_INF}


def norm(
    input: Tensor,  # noqa: A002
    p: Any = "fro",
    dim: Dims = None,
    keepdim: bool = False,
    dtype: Any = None,
) -> Tensor:
    """Vector p-norm over ``dim`` (all by default): p = 2/'fro', 1, inf, -inf, 0 or any
    other number (torch's ``linalg.vector_norm``)."""
    if dtype is not None:
        input = F.cast(input, D.to_dtype(dtype))
    if input._dtype.is_complex:  # the norm of the magnitudes (through AbsBackward0)
        return norm(F.abs(input), p, dim, keepdim)
    if not input._dtype.is_floating_point:
        raise RuntimeError(
            "linalg.vector_norm: Expected a floating point or complex tensor as input. "
            f"Got {type_word(input._dtype)}"
        )
    p = 2 if p is None else checks.norm_order(p)
    mode = KX.P_ZERO if p == 0 else _P_MODES.get(p, KX.P_GENERAL)
    pf = 0.0 if isinstance(p, str) else float(p)
    shape = input._value.shape
    axes = reduce_axes(len(shape), dim, "norm")
    dt = input._dtype
    x3 = to_3d(input._value, axes)
    out2 = np.empty((x3.shape[0], x3.shape[2]), dt.np)
    KX.norm_fwd(x3, mode, pf, out2)
    result = out2.reshape(kept_shape(shape, axes, keepdim))
    return NORM.record(
        "LinalgVectorNormBackward0", result, dt, (input,), (input,), self=input, dim=dim,
        keepdim=keepdim, ord=2 if isinstance(p, str) else p, _mode=mode, _pf=pf, _shape=shape,
        _axes=axes, _keepdim=keepdim, _out2=out2,
    )  # fmt: skip


def _norm_derivative(s: Saved, g: Tensor) -> Tensor:
    """One rule per order ``p`` (a zero norm has a zero (sub)gradient, as in torch)."""
    x, out, mode, pf = s.self, s.result, s._mode, s._pf
    if mode == KX.P_ZERO:
        return F.mul(x, 0.0)
    if mode == KX.P_ONE:
        return expand_reduced(g, s) * F.sign(x)
    if mode in (KX.P_INF, KX.P_NEG_INF):
        ax3, out2 = to_3d(F.abs(x)._value, s._axes), s._out2
        fill = lambda g2, gx3: K.amax_bwd(g2, ax3, out2, gx3)  # noqa: E731
        w = select_backward(g, fill, s._shape, s._axes, s._keepdim, x._dtype, "MulBackward0")
        return w * F.sign(x)
    zero = F.eq(out, 0)
    safe = F.where(zero, 1.0, out)
    if mode == KX.P_TWO:
        return expand_reduced(F.where(zero, 0.0, g / safe), s) * x
    scale = F.where(zero, 0.0, g / safe ** (pf - 1))
    if pf >= 2:
        return expand_reduced(scale, s) * x * F.abs(x) ** (pf - 2)
    # torch's p < 2 rule, ``sgn(x) |x|^(p-1)``: 0 (not 0 * inf) at a zero x for 1 < p < 2,
    # masked to 0 there for p < 1
    core = F.sign(x) * F.abs(x) ** (pf - 1)
    if pf < 1:
        core = F.where(F.eq(x, 0), 0.0, core)
    return expand_reduced(scale, s) * core


NORM = Declared(
    "norm", _norm_derivative, public=("dim", "keepdim", "ord", "result", "self"), reads_result=True
)


def _logical(kernel: Any, input: Tensor, dim: Dims, keepdim: bool) -> Tensor:
    fn = "all" if kernel is KX.all_fwd else "any"
    if keepdim is not None and not isinstance(keepdim, bool | np.bool_):  # x.all(0, 1)
        raise A.invalid_args(fn, (dim, keepdim))
    shape = input._value.shape
    axes = reduce_axes(len(shape), dim, fn)
    arr = input._value
    if arr.dtype != np.bool_:  # as bools first: one compiled signature for every dtype
        arr = arr != 0  # (the kernels' test; NaN is non-zero, a complex value by both parts)
    out = reduce_array(kernel, arr, axes, keepdim, np.dtype(np.bool_))
    if input._dtype is D.uint8:  # PyTorch keeps uint8 (its legacy byte masks) as uint8
        return _make(out.astype(np.uint8), D.uint8)
    return _make(out, D.bool_)


def all(  # noqa: A001
    input: Tensor,  # noqa: A002
    dim: Dims = None,
    keepdim: bool = False,
    *,
    axis: Any = None,
    keepdims: bool | None = None,
) -> Tensor:
    """Whether every element (over ``dim``) is non-zero; bool result (uint8 for uint8)."""
    dim, keepdim = numpy_spellings(dim, keepdim, axis, keepdims)
    return _logical(KX.all_fwd, input, dim, keepdim)


def any(  # noqa: A001
    input: Tensor,  # noqa: A002
    dim: Dims = None,
    keepdim: bool = False,
    *,
    axis: Any = None,
    keepdims: bool | None = None,
) -> Tensor:
    """Whether some element (over ``dim``) is non-zero; bool result (uint8 for uint8)."""
    dim, keepdim = numpy_spellings(dim, keepdim, axis, keepdims)
    return _logical(KX.any_fwd, input, dim, keepdim)


def _prod_form(method: bool) -> Any:
    """``torch.prod`` / (``method``) ``Tensor.prod`` behind PyTorch's parser checks: more
    than ``(dim, keepdim)`` positionally, or an int ``keepdim``, is its TypeError (the
    method counts no ``self``).

    The implementation is held in the closure (``impl``), not read as this module's global:
    a backend's reroute (backends/opwrap.py) points every global bound to a function of the
    wrapped chain (``__wrapped__`` is ``prod_impl``) at the backend's wrapper of this very
    function, which would then call itself (RecursionError once the meta or CUDA backend is
    active)."""
    impl = prod_impl

    @functools.wraps(impl)
    def prod(input: Tensor, *args: Any, **kwargs: Any) -> Tensor:  # noqa: A002
        if len(args) > 2:
            raise A.reduction_arity("prod", method, len(args))
        keepdim = args[1] if len(args) > 1 else kwargs.get("keepdim")
        A.keepdim_bool("prod", keepdim, 2 if method else 3)
        return impl(input, *args, **kwargs)

    return pass_through(prod)


prod = _prod_form(False)


__all__ = [
    "all",
    "amax",
    "amin",
    "any",
    "argmax",
    "argmin",
    "cumsum",
    "log_softmax",
    "logsumexp",
    "max",
    "mean",
    "min",
    "norm",
    "prod",
    "softmax",
    "std",
    "sum",
    "var",
]

#: Tensor method name -> function, bound by jitgrad.methods.bind().
METHODS: dict[str, Any] = {name: globals()[name] for name in __all__}
# the methods' arity errors as PyTorch's parser words them (it counts no ``self``); sum and
# mean, per-op paths, are separate function objects (no frame more per call)
METHODS.update(sum=SUM_METHOD, mean=MEAN_METHOD, prod=_prod_form(True))


for _name, _least in (("amax", 0), ("amin", 0), ("logsumexp", 1)):
    METHODS[_name] = PF.positional_method(METHODS[_name], _name, _least, 2)
for _name in ("all", "any"):
    METHODS[_name] = PF.positional_method(METHODS[_name], _name, 0, 2, OVERLOADS[_name])
del _name, _least
