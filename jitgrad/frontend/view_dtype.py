"""``Tensor.view(dtype)``: the same bytes read as another dtype.

PyTorch reinterprets the storage: an element size that stays the same keeps the shape and
strides; a smaller one multiplies the last dimension (which must have stride 1) by the size
ratio; a larger one divides it (the last dimension, the storage offset and every other stride
must be divisible by the ratio). Its errors name the check that failed. The result is not
differentiable (``requires_grad=False``, no ``grad_fn``, even on a tensor that requires grad)
and is no autograd view (``_base`` is None), yet it shares the input's memory and version
counter, so a write through it bumps the versions saved tensors are checked against.

jitgrad holds its tensors in numpy arrays, so the view is numpy's ``ndarray.view``. float16
and bfloat16 are held as float32 values (:mod:`jitgrad.lowp`): there are no half-width bytes
to share, and viewing them as (or as them from) another dtype is refused.
"""

from __future__ import annotations

import math

import numpy as np

from .. import dtypes as D
from .tensor import Tensor, _make
from .tensor_meta import _on_device


def _torch_strides(arr: np.ndarray) -> tuple[int, ...]:
    """The element strides PyTorch reports: a contiguous tensor's are computed from its shape
    with empty dims counted as 1 (numpy reports 0 for every dim of an empty array)."""
    if arr.flags.c_contiguous:
        return tuple(math.prod(max(n, 1) for n in arr.shape[i + 1 :]) for i in range(arr.ndim))
    return tuple(s // arr.itemsize for s in arr.strides)


def _offset(t: Tensor) -> int:
    """Elements between the start of ``t``'s view base and its first element."""
    arr = t._value
    base = (t._base if t._base is not None else t)._value
    if arr.size == 0 or base.size == 0:
        return 0
    address = arr.__array_interface__["data"][0]
    return (address - base.__array_interface__["data"][0]) // arr.itemsize


def _check(t: Tensor, new: D.dtype) -> None:
    """PyTorch's checks for a view between element sizes, with its words."""
    old_size, new_size = t._dtype.itemsize, new.itemsize
    what = f"to view {D.scalar_name(t._dtype)} as {D.scalar_name(new)} (different element sizes)"
    arr = t._value
    if arr.ndim == 0:
        raise RuntimeError(f"self.dim() cannot be 0 {what}")
    strides = _torch_strides(arr)
    if old_size < new_size:
        ratio = new_size // old_size
        if arr.shape[-1] % ratio:
            raise RuntimeError(
                f"self.size(-1) must be divisible by {ratio} {what}, but got {arr.shape[-1]}"
            )
        offset = _offset(t)
        if offset % ratio:
            raise RuntimeError(
                f"self.storage_offset() must be divisible by {ratio} {what}, but got {offset}"
            )
    if strides[-1] != 1:
        raise RuntimeError(f"self.stride(-1) must be 1 {what}, but got {strides[-1]}")
    if old_size < new_size:
        for i, s in enumerate(strides[:-1]):
            if s % ratio:
                raise RuntimeError(f"self.stride({i}) must be divisible by {ratio} {what}, "
                                   f"but got {s}")  # fmt: skip


def _reinterpret(arr: np.ndarray, np_dtype: np.dtype) -> np.ndarray:
    """``arr``'s bytes as ``np_dtype`` (shared memory), the checks above already passed."""
    if arr.size == 0:
        shape = arr.shape[:-1] + (arr.shape[-1] * arr.itemsize // np_dtype.itemsize,)
        return np.empty(shape, np_dtype)
    if arr.ndim and arr.shape[-1] == 1 and arr.strides[-1] != arr.itemsize:
        # a single element along the last axis: its stride is free, numpy wants it contiguous
        arr = np.lib.stride_tricks.as_strided(arr, strides=arr.strides[:-1] + (arr.itemsize,))
    return arr.view(np_dtype)


def view_dtype(self: Tensor, dtype: D.dtype) -> Tensor:
    """``self.view(dtype)``: ``self``'s memory read as ``dtype`` (see the module)."""
    if _on_device(self):
        raise NotImplementedError("view(dtype) of a device tensor is not implemented in jitgrad")
    if self._dtype is not dtype and (self._dtype.round is not None or dtype.round is not None):
        raise NotImplementedError(
            f"view({dtype!r}) of a {self._dtype!r} tensor: jitgrad holds float16 and bfloat16 "
            "as float32 values, so there are no half-width bytes to reinterpret"
        )
    arr = self._value
    if self._dtype is dtype:
        out = _make(arr.view(), dtype)
    else:
        if self._dtype.itemsize != dtype.itemsize:
            _check(self, dtype)
        out = _make(_reinterpret(arr, dtype.np), dtype)
    out._vc = self._counter()
    return out
