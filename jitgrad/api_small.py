"""Small pieces of torch's namespace and Tensor API that programs reach for: the constants
(``torch.pi``, ``inf``, ``nan``, ``e``, ``newaxis``), the complex-number API on real tensors
(``conj``, ``real``, ``adjoint``, ``H``...: identities or transposes, as PyTorch gives for real
dtypes), the ``is_<backend>`` flags, ``asarray``, ``scalar_tensor``, ``fill``,
``tril_indices``/``triu_indices``, ``unravel_index``, ``nonzero_static``, ``vander``,
``trapezoid``/``cumulative_trapezoid``, ``addmm_``, ``apply_``/``map_``, ``unsafe_split``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from . import cuda
from . import dtypes as D
from .engine.grad_mode import STATE
from .engine.sweep import _anomaly
from .frontend import functions as F
from .frontend import parser_forms as PF
from .frontend.creation import arange, as_tensor, tensor, zeros_like
from .frontend.linalg_addmm import addmm
from .frontend.linalg_spectral import svdvals
from .frontend.movement import chunk, split
from .frontend.multi_view import KEY as _MULTI_VIEW
from .frontend.recording import record
from .frontend.reduce import cumsum
from .frontend.reduce import norm as vector_norm
from .frontend.tensor import Tensor, _make
from .math_extra import _named
from .tensor_inplace import _alias, rewrite

CONSTANTS: dict[str, Any] = {
    "pi": math.pi,
    "e": math.e,
    "inf": math.inf,
    "nan": math.nan,
    "newaxis": None,
}


def _imag(self: Tensor) -> Tensor:
    raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")


def isreal(input: Tensor) -> Tensor:  # noqa: A002
    """True where the imaginary part is zero (everywhere for a real dtype)."""
    return _make(np.asarray(np.imag(input._value) == 0).reshape(tuple(input.shape)), D.bool_)


def _adjoint(x: Tensor) -> Tensor:
    """The conjugate transpose of the last two dimensions (a plain transpose for real)."""
    t = x.transpose(-2, -1)
    return t.conj() if x._dtype.is_complex else t


def asarray(
    obj: Any,
    *,
    dtype: Any = None,
    device: Any = None,
    copy: bool | None = None,
    requires_grad: bool | None = None,
) -> Tensor:
    """``obj`` as a tensor, sharing memory with a tensor or array when it can (``copy=True``
    forces a copy, a dtype change makes one). A tensor keeps its graph unless
    ``requires_grad=False`` is passed, which detaches it (as PyTorch does)."""
    if isinstance(obj, Tensor):
        res = obj if dtype is None else obj.to(dtype)
        res = res.clone() if copy and res is obj else res
        return res.detach() if requires_grad is False and res.requires_grad else res
    if copy:
        return tensor(obj, dtype=dtype, device=device, requires_grad=bool(requires_grad))
    res = as_tensor(obj, dtype=dtype, device=device)
    return res.requires_grad_() if requires_grad else res


def scalar_tensor(s: Any, *, dtype: Any = None, device: Any = None, **kwargs: Any) -> Tensor:
    """A 0-d tensor of ``s`` (the default float dtype unless given)."""
    return tensor(s, dtype=dtype or D.get_default_dtype(), device=device, **kwargs)


def fill(input: Tensor, value: Any) -> Tensor:  # noqa: A002
    """A new tensor like ``input`` full of ``value`` (``FillBackward0``: zero gradient)."""
    value = np.full(tuple(input.shape), value, input._dtype.np)
    return record("FillBackward0", value, input._dtype, [input], zeros_like)


def _triangle_indices(upper: bool):
    def indices(
        row: int, col: int, offset: int = 0, *, dtype: Any = None, device: Any = None, **kw: Any
    ) -> Tensor:
        r, c = (np.triu_indices if upper else np.tril_indices)(row, offset, col)
        dt = D.to_dtype(dtype) if dtype is not None else D.int64
        return tensor(np.stack([r, c]).astype(dt.np).reshape(2, -1), dtype=dt, device=device)

    indices.__name__ = "triu_indices" if upper else "tril_indices"
    return indices


tril_indices = _triangle_indices(False)
triu_indices = _triangle_indices(True)


def unravel_index(indices: Any, shape: Any) -> tuple:
    """The coordinates in ``shape`` of flat ``indices`` (one int64 tensor per dimension)."""
    flat = np.asarray(indices._value if isinstance(indices, Tensor) else indices)
    dims = (shape,) if isinstance(shape, int) else tuple(shape)
    coords = np.unravel_index(flat, dims)
    return tuple(_make(np.asarray(c, np.int64), D.int64) for c in coords)


def nonzero_static(input: Tensor, *, size: int, fill_value: int = -1) -> Tensor:  # noqa: A002
    """:func:`nonzero`'s rows cut or padded (with ``fill_value``) to exactly ``size``."""
    coords = np.argwhere(input._value)[:size]
    out = np.full((size, input.ndim), fill_value, np.int64)
    out[: len(coords)] = coords
    return _make(out, D.int64)


def vander(x: Tensor, N: int | None = None, increasing: bool = False) -> Tensor:  # noqa: N803
    """Columns ``x**0 .. x**(N-1)`` (reversed unless ``increasing``), differentiable."""
    if x.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    dt = x._dtype if x._dtype.is_floating_point or x._dtype.is_complex else D.int64
    res = x.to(dt).unsqueeze(1) ** arange(n, dtype=dt if dt is not D.bool_ else D.int64)
    return _named(res, "CopySlices") if increasing else _named(res.flip(1), "FlipBackward0")


def _spacing(y: Tensor, x: Any, dx: Any, dim: int) -> tuple:
    """(interval widths along ``dim`` or None, constant spacing)."""
    if x is None:
        return None, 1.0 if dx is None else dx
    if isinstance(x, Tensor):
        d = dim % x.ndim if x.ndim > 1 else 0
        widths = x.diff(dim=d)
        if x.ndim == 1 and y.ndim > 1:
            shape = [1] * y.ndim
            shape[dim % y.ndim] = -1
            widths = widths.reshape(shape)
        return widths, None
    return None, x


def trapezoid(y: Tensor, x: Any = None, *, dx: Any = None, dim: int = -1) -> Tensor:
    """The trapezoid rule along ``dim``, with sample points ``x`` or spacing ``dx``."""
    n = y.shape[dim]
    if n == 0:
        return y.sum(dim) * 0
    left, right = y.narrow(dim, 0, n - 1), y.narrow(dim, 1, n - 1)
    widths, h = _spacing(y, x, dx, dim)
    if widths is None:
        return _named((left + right).sum(dim) * (h / 2), "MulBackward1")
    return _named((widths * (left + right)).sum(dim) / 2, "DivBackward1")


def cumulative_trapezoid(y: Tensor, x: Any = None, *, dx: Any = None, dim: int = -1) -> Tensor:
    """The running trapezoid rule along ``dim`` (one element shorter)."""
    n = y.shape[dim]
    left, right = y.narrow(dim, 0, max(n - 1, 0)), y.narrow(dim, 1, max(n - 1, 0))
    widths, h = _spacing(y, x, dx, dim)
    if widths is None:
        return cumsum((left + right) * (h / 2), dim)
    return _named(cumsum(widths * (left + right), dim) / 2, "DivBackward1")


def _addmm_(self: Tensor, mat1: Tensor, mat2: Tensor, *, beta: Any = 1, alpha: Any = 1):
    return rewrite(self, addmm(_alias(self), mat1, mat2, beta=beta, alpha=alpha))


def _python_fill(self: Tensor, name: str, values: np.ndarray) -> Tensor:
    if STATE.enabled and self._requires_grad:
        raise RuntimeError(
            f"Can't call {name}() on Variable that requires grad. Use var.detach().{name}() "
            "instead."
        )
    self._value[...] = values  # PyTorch does not count these in the version either
    return self


def _apply_(self: Tensor, callable: Callable) -> Tensor:  # noqa: A002 - PyTorch's name
    """Replace each element ``v`` by ``callable(v)`` (Python, slow; CPU only in PyTorch)."""
    flat = [callable(v) for v in self._value.reshape(-1).tolist()]
    return _python_fill(self, "apply_", np.asarray(flat).reshape(self._value.shape))


def _map_(self: Tensor, other: Tensor, callable: Callable) -> Tensor:  # noqa: A002
    """Replace each element ``v`` by ``callable(v, w)``, ``w`` from ``other`` (broadcast)."""
    w = np.broadcast_to(other._value, self._value.shape).reshape(-1).tolist()
    flat = [callable(v, u) for v, u in zip(self._value.reshape(-1).tolist(), w, strict=True)]
    return _python_fill(self, "map_", np.asarray(flat).reshape(self._value.shape))


def angle(input: Tensor) -> Tensor:  # noqa: A002
    """The argument of a real number: pi for negatives, 0 otherwise (NaN stays NaN); zero
    gradient (``AngleBackward0``)."""
    a = input._value
    dt = input._dtype if input._dtype.is_floating_point else D.get_default_dtype()
    value = np.where(a < 0, np.pi, np.where(np.isnan(a), a, 0.0)).astype(dt.np)
    return record("AngleBackward0", value, dt, [input], zeros_like)


def isin(
    elements: Any, test_elements: Any, *, assume_unique: bool = False, invert: bool = False
) -> Tensor:
    """Whether each of ``elements`` is in ``test_elements`` (bool, no gradient)."""
    a, b = (np.asarray(x._value if isinstance(x, Tensor) else x) for x in (elements, test_elements))
    return _make(np.asarray(np.isin(a, b, assume_unique=assume_unique, invert=invert)), D.bool_)


def pdist(input: Tensor, p: float = 2) -> Tensor:  # noqa: A002
    """The ``p``-norm distances between the rows of ``input``, each pair i < j once, in
    row-major order (``PdistBackward0``)."""
    if input.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.ndim}D")
    i, j = np.triu_indices(input.shape[0], 1)
    rows = _make(i.astype(np.int64), D.int64), _make(j.astype(np.int64), D.int64)
    diff = input.index_select(0, rows[0]) - input.index_select(0, rows[1])
    return _named(vector_norm(diff, p, -1), "PdistBackward0")


def frobenius_norm(input: Tensor, dim: Any, keepdim: bool = False) -> Tensor:  # noqa: A002
    return _named(vector_norm(input, 2, tuple(dim), keepdim), "NormBackward1")


def nuclear_norm(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A002
    """The sum of the singular values over the two dimensions ``dim`` (the last two)."""
    d1, d2 = (-2, -1) if dim is None or isinstance(dim, bool) else tuple(dim)
    if isinstance(dim, bool):
        keepdim = dim
    a = input.movedim((d1, d2), (-2, -1))
    res = svdvals(a).sum(-1)
    if keepdim:
        lo, hi = sorted((d1 % input.ndim, d2 % input.ndim))
        return _named(res.unsqueeze(lo).unsqueeze(hi), "PermuteBackward0")
    return _named(res, "SumBackward1")


def set_anomaly_enabled(enabled: bool, check_nan: bool = True) -> None:
    _anomaly.enabled, _anomaly.check_nan = bool(enabled), bool(check_nan)


_WARN_ALWAYS = [False]


def set_warn_always(b: bool) -> None:
    """Kept for programs that set it (jitgrad's warnings follow Python's filters)."""
    _WARN_ALWAYS[0] = bool(b)


_FALSE_FLAGS = (
    "is_meta is_sparse is_sparse_csr is_quantized is_nested is_mkldnn is_vulkan is_ipu is_xla "
    "is_xpu is_mps is_mtia is_maia"
).split()


def _unsafe(fn: Callable[..., tuple], name: str) -> Callable[..., tuple]:
    """``unsafe_split`` & co.: ``fn``'s pieces that autograd does not treat as views (no
    base, no multi-view mark), so in-place ops on them are allowed: PyTorch's "unsafe"."""

    def unsafe(self: Tensor, *args: Any, **kwargs: Any) -> tuple:
        outs = fn(self, *args, **kwargs)
        for o in outs:
            o.__dict__.pop(_MULTI_VIEW, None)
            o._base = None
        if outs:
            _named(outs[0], name)
        return outs

    return unsafe


_unsafe_chunk = _unsafe(chunk, "UnsafeSplitBackward0")
_unsafe_split = _unsafe(split, "UnsafeSplitBackward0")
_unsafe_split_ws = _unsafe(
    lambda self, sizes, dim=0: split(self, list(sizes), dim), "UnsafeSplitWithSizesBackward0"
)


METHODS: dict[str, Any] = {
    **{flag: property(lambda self: False) for flag in _FALSE_FLAGS},
    "conj": lambda self: self,
    "conj_physical": lambda self: self,
    "adjoint": lambda self: _adjoint(self),
    "H": property(lambda self: _adjoint(self) if self.ndim == 2 else self.t()),
    "mH": property(lambda self: _adjoint(self)),
    "real": property(lambda self: self),
    "imag": property(_imag),
    "isreal": isreal,
    "addmm_": _addmm_,
    "apply_": _apply_,
    "map_": _map_,
    "unsafe_chunk": _unsafe_chunk,
    "unsafe_split": _unsafe_split,
    "unsafe_split_with_sizes": PF.schema_method(
        _unsafe_split_ws, "unsafe_split_with_sizes", "tuple of ints split_sizes, int dim", 1
    ),
    "nonzero_static": nonzero_static,
    "not_equal": F.ne,
    "angle": angle,
    "is_pinned": lambda self, device=None: cuda.is_pinned(self),
}

TOP_LEVEL: dict[str, Any] = {
    **CONSTANTS,
    "conj": lambda input: input,
    "conj_physical": lambda input: input,
    "adjoint": lambda input: _adjoint(input),
    "real": lambda input: input,
    "imag": _imag,
    "detach": lambda input: input.detach(),
    "unsafe_chunk": _unsafe_chunk,
    "unsafe_split": _unsafe_split,
    "unsafe_split_with_sizes": _unsafe_split_ws,
    **{
        f.__name__: f
        for f in (
            isreal,
            asarray,
            scalar_tensor,
            fill,
            tril_indices,
            triu_indices,
            unravel_index,
            nonzero_static,
            vander,
            trapezoid,
            cumulative_trapezoid,
        )
    },
    "trapz": trapezoid,
    "not_equal": F.ne,
    "is_anomaly_enabled": lambda: _anomaly.enabled,
    "is_anomaly_check_nan_enabled": lambda: _anomaly.check_nan,
    "set_anomaly_enabled": set_anomaly_enabled,
    "is_warn_always_enabled": lambda: _WARN_ALWAYS[0],
    "set_warn_always": set_warn_always,
    **{f.__name__: f for f in (angle, isin, pdist, frobenius_norm, nuclear_norm)},
}
