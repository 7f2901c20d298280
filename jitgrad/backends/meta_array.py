"""The buffer of a tensor on PyTorch's ``meta`` device: a shape and a dtype, no data.

A :class:`MetaArray` is a read-only view with zero strides over one element, so it costs no
memory whatever its shape, and every metadata query the core makes of a tensor's buffer
(``shape``, ``ndim``, ``size``, ``dtype``, ``itemsize``) answers as it would for a real
array. It reports the contiguous strides and flags PyTorch gives a meta tensor; its values
are never read (:mod:`jitgrad.backends.meta` stops every op at the door).

This module imports nothing from jitgrad, so :mod:`jitgrad.frontend.tensor` can test a buffer's
type (``type(v) is MetaArray``) without an import cycle.
"""

from __future__ import annotations

import numpy as np


class MetaArray(np.ndarray):
    """A meta tensor's buffer (see the module docstring)."""

    @property  # type: ignore[override]
    def strides(self) -> tuple[int, ...]:
        """The C-contiguous strides in bytes, as PyTorch's meta tensors have."""
        out, step = [], self.dtype.itemsize
        for n in reversed(self.shape):
            out.append(step)
            step *= max(n, 1)
        return tuple(reversed(out))

    @property  # type: ignore[override]
    def flags(self) -> _Flags:
        return _Flags(self.ndim <= 1)


class _Flags:
    """A meta buffer's flags: C-contiguous (as PyTorch's meta tensors), read-only; by
    attribute or by NumPy's key (``flags["C_CONTIGUOUS"]``)."""

    __slots__ = ("f_contiguous",)
    c_contiguous = True
    writeable = False
    aligned = True

    def __init__(self, f_contiguous: bool) -> None:
        self.f_contiguous = f_contiguous

    def __getitem__(self, key: str) -> bool:
        return bool(getattr(self, key.lower()))


def meta_array(shape: tuple[int, ...], np_dtype: np.dtype) -> MetaArray:
    """A data-less buffer of ``shape`` and ``np_dtype``."""
    one = np.zeros((), dtype=np_dtype)
    return np.broadcast_to(one, tuple(shape)).view(MetaArray)
