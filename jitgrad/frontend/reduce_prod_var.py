"""prod, var and std, declared (:class:`~jitgrad.frontend.declare.Declared`) with PyTorch's
semantics and node names; their derivatives call the kernel-backed backward ops of
:mod:`.reduce_grads`."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..dtypes import real_of
from ..helpers import warn as warn_user
from ..kernels.cpu import reduce as K
from ..kernels.cpu.reduce_call import kept_shape, launch, to_3d
from . import argcheck as A
from . import functions as F
from .declare import Declared, Saved
from .reduce_common import int_to_long, numpy_spellings, reduce_axes
from .reduce_grads import complex_var_backward, prod_backward, var_backward
from .tensor import Tensor, _make

PROD = Declared(
    "prod",
    lambda s, g: prod_backward(g, s.self, s.result, s._axes, s._keepdim, s._x3, s._full),
    public={
        "ProdBackward0": ("result", "self"),
        "ProdBackward1": ("dim", "keepdim", "result", "self"),
    },
    reads_result=True,
    dim_list=False,
)


def prod(
    input: Tensor,  # noqa: A002
    dim: int | None = None,
    keepdim: bool = False,
    *,
    dtype: Any = None,
    axis: Any = None,
    keepdims: bool | None = None,
) -> Tensor:
    """Product over one dim (or all); the gradient handles zeros exactly as torch does
    (``axis``/``keepdims``: NumPy's spellings, which PyTorch's argument parser takes too)."""
    dim, keepdim = numpy_spellings(dim, keepdim, axis, keepdims)
    arr, dt = int_to_long(input, dtype)
    axes = reduce_axes(arr.ndim, dim, "prod")
    x3 = to_3d(arr, axes)
    out2 = launch(K.prod_fwd, x3, dt.np)
    result = out2.reshape(kept_shape(arr.shape, axes, keepdim))
    if dim is None:
        return PROD.record("ProdBackward0", result, dt, (input,), (input,), self=input,
                           _axes=axes, _keepdim=keepdim, _x3=x3, _full=True)  # fmt: skip
    return PROD.record("ProdBackward1", result, dt, (input,), (input,), self=input,
                       _axes=axes, _keepdim=keepdim, _x3=x3, _full=False, dim=dim,
                       keepdim=keepdim)  # fmt: skip


# ---- var, std --------------------------------------------------------------------------------
def _var_derivative(s: Saved, g: Tensor) -> Tensor:
    if s._x3 is None:  # a complex input (its forward kept no real (A, R, B) view)
        return complex_var_backward(g, s.self, s._axes, s._keepdim, s._corr)
    return var_backward(g, s.self, s._axes, s._keepdim, s._corr, s._x3, s._mean2)


def _std_derivative(s: Saved, g: Tensor) -> Tensor:
    """d std = d var / (2 std)."""
    return _var_derivative(s, g / (2 * s.result))


VAR = Declared("var", _var_derivative, public=("dim", "keepdim", "self"))
STD = Declared("std", _std_derivative, public=("dim", "keepdim", "result", "self"),
               reads_result=True)  # fmt: skip


def _mean_var(x: np.ndarray, axes: tuple, dt: Any, corr: float) -> tuple:
    """The ``(A, R, B)`` view of real ``x``, its ``(A, B)`` mean and variance."""
    x3 = to_3d(x, axes)
    mean2 = np.empty((x3.shape[0], x3.shape[2]), dt.np)
    return x3, mean2, launch(K.mean_var_fwd, x3, dt.np, corr, mean2)


def _var_std(
    name: str,
    input: Tensor,  # noqa: A002
    dim: Any,
    unbiased: Any,
    keepdim: bool,
    correction: Any,
    word: str | None = None,
) -> Tensor:
    """var's or std's node ``name``; ``word``: the op the warning names (std_mean's own)."""
    if not input._dtype.is_floating_point and not input._dtype.is_complex:
        raise RuntimeError("std and var only support floating point and complex dtypes")
    if isinstance(dim, bool):  # var(False): the old positional ``unbiased``
        dim, unbiased = None, dim
    corr = float(correction if correction is not None else (unbiased is not False))
    dt = real_of(input._dtype)
    shape = input._value.shape
    axes = reduce_axes(len(shape), dim, name[:3].lower())
    if input._dtype.is_complex:  # PyTorch's: the real parts' variance plus the imaginary's,
        # one VarBackward0/StdBackward0 over the complex input (its derivative: Tensor ops)
        re3, _, var2 = _mean_var(input._value.real, axes, dt, corr)
        var2 = var2 + _mean_var(input._value.imag, axes, dt, corr)[2]
        count, x3, mean2 = re3.shape[1], None, None
    else:
        x3, mean2, var2 = _mean_var(input._value, axes, dt, corr)
        count = x3.shape[1]
    word = word or name[:3].lower()
    for _ in range(0 if count > corr else 1 if x3 is not None else 2):  # (PyTorch warns once
        warn_user(  # per part of a complex input)
            f"{word}(): degrees of freedom is <= 0. Correction should be strictly less than "
            "the reduction factor (input numel divided by output numel).",
            UserWarning,
            stacklevel=3,
        )
    is_std = name == "StdBackward0"
    value = (F.sqrt(_make(var2, dt))._value if is_std else var2).reshape(
        kept_shape(shape, axes, keepdim)
    )
    decl = STD if is_std else VAR
    return decl.record(
        name, value, dt, (input,), (input,), self=input, dim=dim, keepdim=keepdim,
        _axes=axes, _keepdim=keepdim, _corr=corr, _x3=x3, _mean2=mean2,
    )  # fmt: skip


def _unbiased_bool(fn: str, dim: Any, unbiased: Any, keepdim: Any) -> None:
    """``x.std(0, 1)`` is no call of PyTorch's: ``unbiased`` must be a bool, and an int list
    is never varargs here (dim is one of three positional parameters)."""
    if unbiased is not None and not isinstance(unbiased, bool | np.bool_):
        given = (dim, unbiased) if keepdim is False else (dim, unbiased, keepdim)
        raise A.invalid_args(fn, given)


def spread_of_mean(op: str) -> Any:
    """``std_mean``'s/``var_mean``'s spread: std's/var's, its warning worded ``std_mean():``
    as PyTorch's (``op``: the name)."""

    def spread(input: Tensor, dim: Any, unbiased: Any, keepdim: bool, *,  # noqa: A002
               correction: Any = None) -> Tensor:  # fmt: skip
        _unbiased_bool(op[:3], dim, unbiased, keepdim)
        node = op[:3].capitalize() + "Backward0"
        return _var_std(node, input, dim, unbiased, keepdim, correction, word=op)

    return spread


def var(
    input: Tensor,  # noqa: A002
    dim: Any = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: float | None = None,
    axis: Any = None,
    keepdims: bool | None = None,
) -> Tensor:
    """Variance over ``dim`` with ``correction`` (1, Bessel's, unless ``unbiased=False``)."""
    dim, keepdim = numpy_spellings(dim, keepdim, axis, keepdims)
    _unbiased_bool("var", dim, unbiased, keepdim)
    return _var_std("VarBackward0", input, dim, unbiased, keepdim, correction)


def std(
    input: Tensor,  # noqa: A002
    dim: Any = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: float | None = None,
    axis: Any = None,
    keepdims: bool | None = None,
) -> Tensor:
    """Standard deviation: ``sqrt(var(...))`` with the same arguments."""
    dim, keepdim = numpy_spellings(dim, keepdim, axis, keepdims)
    _unbiased_bool("std", dim, unbiased, keepdim)
    return _var_std("StdBackward0", input, dim, unbiased, keepdim, correction)
