"""sum and mean, declared (:class:`~jitgrad.frontend.declare.Reduction`), with PyTorch's semantics
and node names; a full float ``sum``/``mean`` of a deferred elementwise chain becomes that
chain's kernel epilogue (or a deferred reduction, see :mod:`jitgrad.frontend.lazy`)."""

from __future__ import annotations

import math
from typing import Any

from .. import dtypes as D
from ..engine.grad_mode import STATE
from ..kernels.cpu import reduce as K
from . import argcheck as A
from .declare import Reduction, Saved, expand_reduced, record_reduction, reduction
from .lazy import (
    LazyTensor,
    PendingReduction,
    defer_reduction,
    make_lazy,
    reduce_full,
)
from .overloads import FUNCTION_OVERLOADS, OVERLOADS, format_invalid
from .reduce_common import (
    Dims,
    int_to_long,
    type_word,
)
from .tensor import Tensor


# ---- the declarations ------------------------------------------------------------------------
def _mean_out_dtype(input: Tensor, dtype: Any) -> D.dtype:  # noqa: A002
    dt = D.to_dtype(dtype) if dtype is not None else input._dtype
    if not (dt.is_floating_point or dt.is_complex):
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {type_word(dt)}"
        )
    return dt


def _mean_dtype(input: Tensor, dtype: Any):  # noqa: A002
    dt = _mean_out_dtype(input, dtype)
    return input._value.astype(dt.np, copy=False), dt


def _mean_derivative(s: Saved, g: Tensor) -> Tensor:
    return expand_reduced(g / math.prod([s._shape[a] for a in s._axes]), s)


SUM = Reduction(
    "sum",
    K.sum_fwd,
    ("SumBackward0", "SumBackward1"),
    lambda s, g: expand_reduced(g, s),
    dtype=int_to_long,
    public={
        "SumBackward0": ("self_sym_sizes",),
        "SumBackward1": ("dim", "keepdim", "self_sym_sizes"),
    },
)
MEAN = Reduction(
    "mean",
    K.mean_fwd,
    ("MeanBackward0", "MeanBackward1"),
    _mean_derivative,
    dtype=_mean_dtype,
    public={
        "MeanBackward0": ("self_sym_numel", "self_sym_sizes"),
        "MeanBackward1": ("dim", "keepdim", "self_sym_numel", "self_sym_sizes"),
    },
)


# ---- sum, mean -------------------------------------------------------------------------------
def _fused_full(input: Tensor, dim: Dims, keepdim: bool, dtype: Any, mean: bool):  # noqa: A002
    """A full float reduction of a deferred elementwise result, fused into its kernel.

    Where a backward may follow, the reduction itself is deferred (a
    :class:`~jitgrad.frontend.lazy.PendingReduction`): ``loss.backward()`` can then run the
    chain's forward and backward as one kernel. Otherwise it is the epilogue of the chain's
    kernel now (a 0-d array); None where neither applies.
    """
    if dim is not None or keepdim or dtype is not None or not isinstance(input, LazyTensor):
        return None
    if STATE.enabled and input._requires_grad:
        deferred = defer_reduction(input, mean)
        if deferred is not None:
            return deferred
    return reduce_full(input, mean)


def _lazy_result(out: Tensor) -> Tensor:
    """``out`` as the LazyTensor of its deferred reduction, when it holds one."""
    value = Tensor._value.__get__(out)
    return make_lazy(out, value) if type(value) is PendingReduction else out


def _sum_mean(decl: Reduction, input: Tensor, dim: Dims, keepdim: bool, dtype: Any) -> Tensor:  # noqa: A002
    """The declared reduction, or the epilogue of a deferred elementwise chain's kernel."""
    if decl is MEAN and isinstance(input, LazyTensor):
        _mean_out_dtype(input, dtype)  # its dtype error before the chain's kernel runs
    out = _fused_full(input, dim, keepdim, dtype, mean=decl is MEAN)
    if out is None:
        return reduction(decl, input, dim, keepdim, dtype)
    shape = tuple(input.shape)
    axes = tuple(range(len(shape)))
    return _lazy_result(record_reduction(decl, out, input._dtype, input, shape, axes, dim, False))


_SUM_DOC = """Sum over ``dim`` (all if None); integer and bool inputs give int64. ``axis`` and
``keepdims`` are NumPy's spellings, which PyTorch accepts too."""
_MEAN_DOC = """Arithmetic mean over ``dim``; an empty reduction is NaN as in torch (``axis`` and
``keepdims`` as for :func:`sum`)."""


def _form(name: str, decl: Reduction, method: bool, doc: str) -> Any:
    """``torch.<name>`` or (``method``) ``Tensor.<name>`` for sum and mean: two function
    objects, so that PyTorch's parser errors count positions as it does (the method counts
    no ``self``) without a wrapper's frame per call. ``dim``/``keepdim`` are positional-only
    parameters and keyword-only ones apart, so that an error can say how they were given."""
    pos = 2 if method else 3

    def reduce(
        input: Tensor,  # noqa: A002
        dim_: Dims = None,
        keepdim_: bool | None = None,
        /,
        *extra: Any,
        dim: Dims = None,
        keepdim: bool | None = None,
        dtype: Any = None,
        axis: Dims = None,
        keepdims: bool | None = None,
    ) -> Tensor:
        if extra:
            raise A.reduction_arity(name, method, 2 + len(extra))
        if (axis is not None or keepdims is not None  # NumPy's names, or one given twice:
                or (dim is not None and dim_ is not None)
                or (keepdim is not None and keepdim_ is not None)):  # fmt: skip
            kw = {"dim": dim, "axis": axis, "keepdim": keepdim, "keepdims": keepdims}
            return _keywords(name, decl, method, input, (dim_, keepdim_), dtype, kw)
        k = keepdim_ if keepdim is None else keepdim
        if k is None:
            k = False
        elif k.__class__ is not bool:
            A.keepdim_bool(name, k, pos if keepdim is None else None)
        try:
            return _sum_mean(decl, input, dim_ if dim is None else dim, k, dtype)
        except TypeError as err:
            kw = {"dim": dim, "keepdim": keepdim}
            raise _refused(err, name, method, input, (dim_, keepdim_), dtype, kw) from None

    reduce.__name__ = reduce.__qualname__ = name  # Python's own argument errors say sum()
    reduce.__doc__ = doc
    return reduce


def _keywords(
    name: str, decl: Reduction, method: bool, input: Tensor, given: tuple, dtype: Any, kw: dict
) -> Tensor:  # noqa: A002
    """``sum``/``mean`` called with NumPy's ``axis``/``keepdims`` (PyTorch takes them as
    aliases), or with an argument both by position and by keyword (PyTorch's TypeError)."""
    args, named = _given(given, kw)
    which = "dim" if args and ("dim" in named or "axis" in named) else None
    if len(args) == 2 and ("keepdim" in named or "keepdims" in named):
        which = which or "keepdim"
    if which:
        raise TypeError(f"{name}() got multiple values for argument '{which}'")
    dim = named.get("axis", named.get("dim", given[0]))
    keepdim = named.get("keepdims", named.get("keepdim", given[1]))
    A.keepdim_bool(name, keepdim, None if len(args) < 2 else 2 if method else 3)
    try:
        return _sum_mean(decl, input, dim, bool(keepdim), dtype)
    except TypeError as err:
        raise _refused(err, name, method, input, given, dtype, kw) from None


def _given(given: tuple, kw: dict) -> tuple[tuple, dict]:
    """The positional ``(dim, keepdim)`` and the keywords a call really gave."""
    args = given[: 2 if given[1] is not None else 1 if given[0] is not None else 0]
    return args, {k: v for k, v in kw.items() if v is not None}


def _refused(
    err: TypeError, name: str, method: bool, input: Tensor, given: tuple, dtype: Any, kw: dict
) -> TypeError:  # noqa: A002
    args, named = _given(given, kw)
    if dtype is not None:
        named["dtype"] = dtype
    return _as_called(err, name, method, (input, *args)[method:], named)


def _as_called(
    err: TypeError, fn: str, method: bool, args: tuple, kwargs: dict[str, Any]
) -> TypeError:
    """``sum``/``mean``'s refusal of their ``dim`` in PyTorch's words for the call as written
    (``args``: the positional arguments, the tensor first in the function form; ``kwargs``:
    the keywords given, ``axis=`` as spelt): given alone, the invalid-combination list
    (``got (str)``, ``got (axis=str, )``); with ``keepdim`` or ``dtype`` too, only the
    ``dim`` overload fits and PyTorch names the argument. A ``dtype`` that is none (``1``,
    ``'a'``) is refused the same way: the list when given alone, else by name."""
    n_args = len(args) - (0 if method else 1)
    dtype = kwargs.get("dtype")
    if dtype is not None and not isinstance(dtype, D.dtype) and dtype not in (float, int, bool):
        if n_args or len(kwargs) > 1:  # only the dim overload fits: PyTorch names the argument
            return A.must_be(fn, "dtype", None, "torch.dtype", dtype)
        options = OVERLOADS[fn] if method else FUNCTION_OVERLOADS[fn]
        return TypeError(format_invalid(fn, args, kwargs, options))
    if "received an invalid combination" not in str(err):
        return err
    if n_args + len(kwargs) > 1:
        dim = args[-n_args] if n_args else kwargs.get("axis", kwargs.get("dim"))
        pos = (1 if method else 2) if n_args else None
        return A.must_be(fn, "dim", pos, "tuple of ints", dim)
    options = OVERLOADS[fn] if method else FUNCTION_OVERLOADS[fn]
    return TypeError(format_invalid(fn, args, kwargs, options))


sum = _form("sum", SUM, False, _SUM_DOC)  # noqa: A001
mean = _form("mean", MEAN, False, _MEAN_DOC)
#: the Tensor methods (jitgrad.frontend.reduce's METHODS)
SUM_METHOD, MEAN_METHOD = _form("sum", SUM, True, _SUM_DOC), _form("mean", MEAN, True, _MEAN_DOC)
