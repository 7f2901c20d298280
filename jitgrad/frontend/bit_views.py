"""Lazy conjugate and negative views: PyTorch's conj and neg bits.

``z.conj()`` of a complex tensor is a view of ``z``'s storage with the conjugate bit set
(``is_conj()``); ``c.imag`` of such a view is a real view with the negative bit set
(``is_neg()``). Writes through either view reach the base, conjugated or negated; they share
its version counter and ``_base``; ``resolve_conj()``/``resolve_neg()`` make a new tensor.

How: a :class:`ConjView`/:class:`NegView` keeps the *stored* array (the base's memory) in
the ``_value`` slot, and ``_value`` is a property that returns the *logical* values,
materialized at the op boundary: every op, fused or not, reads its operands through
``_value`` (fusion through :func:`.pending.raw`), so the one lowering never learns about
bits, and no kernel needs a flagged-operand variant. The materialized array is cached for
the current version of the shared counter, so an in-place op writes into the array it
read; :meth:`_BitView._bump` (every in-place change ends there) writes it back into the
stored memory, flipped. PyTorch resolves the bits inside its kernels instead (no copy per
read): the copy here costs one pass over the view per op that reads it, once per version.

What keeps the bit: the view ops (:func:`inherit` from :func:`.views.make_view`),
``detach``, ``data``, a conj of a conj view (a plain view again, PyTorch's rule). What
drops it: every op that computes new values (``clone``, arithmetic, ``to``). Device
tensors keep a materialized conj (no bit): their buffers are not numpy arrays.
"""

from __future__ import annotations

import copyreg
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..engine.grad_mode import STATE as GRAD
from .tensor import _VALUE, Tensor, _make

_CACHE = "_bits_cache"  # (version, stored array, materialized array) in the view's __dict__

NUMPY_CONJ = (
    "Can't call numpy() on Tensor that has conjugate bit set. Use tensor.resolve_conj()."
    "numpy() instead."
)
NUMPY_NEG = (
    "Can't call numpy() on Tensor that has negative bit set. Use tensor.resolve_neg().numpy() "
    "instead."
)


def _like(raw: np.ndarray) -> np.ndarray:
    """An empty array with ``raw``'s exact strides (so a view of the materialized values maps
    back to the same view of the stored ones): over a buffer spanning ``raw``'s bytes."""
    if raw.size == 0:
        return np.empty(raw.shape, raw.dtype)
    lo, hi = np.lib.array_utils.byte_bounds(raw)
    buf = np.empty(hi - lo, np.uint8)
    offset = raw.__array_interface__["data"][0] - lo
    return np.ndarray(raw.shape, raw.dtype, buffer=buf, offset=offset, strides=raw.strides)


class _BitView(Tensor):
    """A view whose stored values are the flipped logical ones (see the module docstring)."""

    __slots__ = ()
    flip: Any = None  # np.conjugate or np.negative: its own inverse

    @property
    def _value(self) -> np.ndarray:  # type: ignore[override]
        raw = _VALUE.__get__(self)
        version = self._vc[0]
        cache = self.__dict__.get(_CACHE)
        if cache is not None and cache[0] == version and cache[1] is raw:
            return cache[2]
        arr = _like(raw)
        self.flip(raw, out=arr)
        self.__dict__[_CACHE] = (version, raw, arr)
        return arr

    @_value.setter
    def _value(self, value: np.ndarray) -> None:  # a rebind (set_, .data =): stored flipped
        self.__dict__.pop(_CACHE, None)
        _VALUE.__set__(self, self.flip(value))

    def _bump(self) -> None:
        """Write the materialized values an in-place op changed back into storage, then count
        the change (the cache stays valid for the new version)."""
        cache = self.__dict__.get(_CACHE)
        if cache is not None and cache[0] == self._vc[0] and cache[1] is _VALUE.__get__(self):
            self.flip(cache[2], out=cache[1])
        Tensor._bump(self)
        if cache is not None:
            self.__dict__[_CACHE] = (self._vc[0], cache[1], cache[2])

    def data_ptr(self) -> int:
        return int(_VALUE.__get__(self).__array_interface__["data"][0])

    def storage_offset(self) -> int:
        """Counted in the stored memory (the materialized values live elsewhere)."""
        plain = _make(_VALUE.__get__(self), self._dtype)
        plain._base = self._base
        return Tensor.storage_offset(plain)

    def detach(self) -> Tensor:
        """Shares storage and counter and keeps the bit, as PyTorch's ``detach`` does."""
        return _stored(_VALUE.__get__(self), self._dtype, type(self), self._counter())

    @property
    def data(self) -> Tensor:
        return _stored(_VALUE.__get__(self), self._dtype, type(self), [0])

    @data.setter
    def data(self, value: Tensor) -> None:
        Tensor.data.__set__(self, value)

    def __reduce_ex__(self, protocol: Any) -> Any:
        """``copy.deepcopy`` (and pickle) give a plain tensor of the logical values: PyTorch's
        deepcopy resolves the bit."""
        d, slots = self.__getstate__()
        d = {k: v for k, v in (d or {}).items() if k != _CACHE} or None
        return (copyreg.__newobj__, (Tensor,), (d, slots))

    def numpy(self, *, force: bool = False) -> np.ndarray:
        """PyTorch refuses a flagged tensor (its memory holds the flipped values); ``force``
        resolves the bit into a copy."""
        if force:
            return self._value.copy()
        if not (self._requires_grad and GRAD.enabled and self.requires_grad):
            raise RuntimeError(NUMPY_CONJ if type(self) is ConjView else NUMPY_NEG)
        return Tensor.numpy(self)  # (raises PyTorch's requires-grad error)


class ConjView(_BitView):
    """``is_conj()``: the stored values are the conjugates."""

    __slots__ = ()
    flip = np.conjugate


class NegView(_BitView):
    """``is_neg()``: the stored values are the negatives."""

    __slots__ = ()
    flip = np.negative


BIT_VIEWS = (ConjView, NegView)


def _stored(raw: np.ndarray, dtype: Any, cls: type, vc: list) -> Tensor:
    t = _make(raw, dtype)
    t.__class__ = cls
    t._vc = vc
    return t


def stored_view(x: Tensor, arr: np.ndarray) -> np.ndarray | None:
    """The stored-memory twin of ``arr``, a view that an op took of bit view ``x``'s
    materialized values (same offset and strides, since those mirror the storage); None
    when ``arr`` is not a view of them (the op copied)."""
    cache = x.__dict__.get(_CACHE)
    if cache is None or not np.may_share_memory(arr, cache[2]):
        return None
    raw, mat = cache[1], cache[2]
    delta = arr.__array_interface__["data"][0] - mat.__array_interface__["data"][0]
    start = as_strided(raw, (2,), (delta,))[1:] if delta else raw
    return as_strided(start, arr.shape, arr.strides)


def carry_bits(x: Tensor, outs: Any) -> None:
    """Turn ``outs``, views an op took of bit view ``x``'s materialized values (``split``,
    ``unbind``, ``chunk``), into views of its stored memory with its bit, as
    :func:`.views.make_view` does for a single view."""
    cls = type(x)
    if cls is Tensor or cls not in BIT_VIEWS:
        return
    for o in outs:
        twin = stored_view(x, _VALUE.__get__(o))
        if twin is not None:
            _VALUE.__set__(o, twin)
            o.__class__ = cls

