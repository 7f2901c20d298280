"""What a tensor reports about itself: ``t.shape`` (a :class:`Size`), ``t.device`` (a
:class:`device`, with PyTorch's parsing of device strings), ``t.dim()``, ``t.stride()`` ...

Apart from :mod:`jitgrad.frontend.tensor` because creation functions, ``.to()`` and the CUDA backend
need ``Size`` and ``device`` without the Tensor class; the attribute functions at the end are
named in the Tensor class body (``shape = property(tensor_meta.shape)``).
"""

from __future__ import annotations

import operator
import re
from typing import TYPE_CHECKING, Any

import numpy as np
from numba.core.typing.typeof import typeof
from numba.extending import typeof_impl

from ..backends import STATE as DEVICE

if TYPE_CHECKING:
    from .. import dtypes as D
    from .tensor import Tensor


class Size(tuple):
    """A shape; prints as ``jitgrad.Size([2, 3])``."""

    def __repr__(self) -> str:
        return f"jitgrad.Size({list(self)})"

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n

    # A slice, a concatenation or a repetition of a shape is a shape again, as in PyTorch
    # (``x.shape[1:]`` prints as ``torch.Size([4])``, ``(1,) + x.shape`` too), not a tuple.
    def __getitem__(self, key: Any) -> Any:
        out = tuple.__getitem__(self, key)
        return Size(out) if isinstance(key, slice) else out

    def __add__(self, other: Any) -> Size:
        if not isinstance(other, tuple):
            raise TypeError(
                f"can only concatenate tuple (not {type(other).__name__}) to jitgrad.Size"
            )
        return Size(tuple.__add__(self, other))

    def __radd__(self, other: Any) -> Size:
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple.__add__(other, self))

    def __mul__(self, n: Any) -> Size:
        return Size(tuple.__mul__(self, n))

    __rmul__ = __mul__


@typeof_impl.register(Size)
def _typeof_size(val: Size, c: Any) -> Any:
    """Numba types a Size as the tuple it is: a slice of a shape (a Size now) may reach a
    kernel as an argument, as the plain tuple it used to be did."""
    return typeof(tuple(val), c.purpose)


#: A device string as PyTorch parses it (``cuda:0``), and the device types it knows.
_DEVICE_STRING = re.compile(r"([a-zA-Z_]+)(?::([1-9]\d*|0))?")
_DEVICE_TYPES = (
    "cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, fpga, maia, xla, lazy, "
    "vulkan, mps, meta, hpu, mtia, privateuseone"
)


class device:  # noqa: N801 - PyTorch's name
    """Where a tensor's data lives: ``device(type='cpu')`` or ``device(type='cuda', index=0)``."""

    __slots__ = ("type", "index")

    def __init__(self, type: str | device = "cpu", index: int | None = None) -> None:  # noqa: A002
        if isinstance(type, device):
            type, index = type.type, type.index
        match = _DEVICE_STRING.fullmatch(type)
        if match is None:
            raise RuntimeError(f"Invalid device string: '{type}'")
        type, idx = match.groups()
        index = index if idx is None else int(idx)
        if type not in _DEVICE_TYPES.split(", "):
            raise RuntimeError(
                f"Expected one of {_DEVICE_TYPES} device type at start of device string: {type}"
            )
        if type not in ("cpu", "cuda", "meta"):  # a PyTorch device jitgrad has no stand-in for
            raise RuntimeError(f"jitgrad has no '{type}' device (it runs on the CPU)")
        self.type = type
        self.index = index

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and self.type == other.type and self.index == other.index

    def __hash__(self) -> int:
        return hash((self.type, self.index))


CPU = device("cpu")
CUDA0 = device("cuda", 0)


def _on_device(t: Tensor) -> bool:
    """Whether ``t``'s buffer is a device array (never, until a backend is active)."""
    return DEVICE.active and not isinstance(t._value, np.ndarray)


def _wrap_dim(dim: int, ndim: int) -> int:
    n = max(ndim, 1)
    if type(dim) is not int:  # numpy ints, one-element int tensors; never a float or bool
        dim = operator.index(dim if not isinstance(dim, bool | float) else str(dim))
    if not -n <= dim < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})"
        )
    return dim % n


# ---- a tensor's basic attributes (named in the Tensor class body) -----------------------
def shape(self: Tensor) -> Size:
    return Size(self._value.shape)


def size(self: Tensor, dim: int | None = None) -> Any:
    if dim is None:
        return Size(self._value.shape)
    return self._value.shape[_wrap_dim(dim, self._value.ndim)]


def dim(self: Tensor) -> int:
    return self._value.ndim


def ndim(self: Tensor) -> int:
    return self._value.ndim


def ndimension(self: Tensor) -> int:
    return self._value.ndim


def numel(self: Tensor) -> int:
    return int(self._value.size)


def nelement(self: Tensor) -> int:
    return int(self._value.size)


def element_size(self: Tensor) -> int:
    return self._dtype.itemsize


def dtype(self: Tensor) -> D.dtype:
    return self._dtype


def device_of(self: Tensor) -> device:
    return CUDA0 if _on_device(self) else CPU


def is_cuda(self: Tensor) -> bool:
    return _on_device(self)


def is_floating_point(self: Tensor) -> bool:
    return self._dtype.is_floating_point


def is_contiguous(self: Tensor) -> bool:
    if _on_device(self):
        return bool(self._value.is_c_contiguous())
    return bool(self._value.flags.c_contiguous)


def stride(self: Tensor, dim: int | None = None) -> Any:
    v = self._value
    st = tuple(s // v.dtype.itemsize for s in v.strides)
    if v.size == 0 and not any(st):
        st = empty_strides(v.shape)
    return st if dim is None else st[_wrap_dim(dim, v.ndim)]


def empty_strides(shape: tuple[int, ...]) -> tuple[int, ...]:
    """PyTorch's contiguous strides for an empty shape, where numpy allocates all-zero ones.

    A size-0 dimension counts as 1 (``torch.zeros(2, 0, 3).stride() == (3, 3, 1)``). Views
    of such an array keep numpy's zeros too, so they report these strides of their own shape
    (PyTorch's permuted or expanded strides of a view of an empty tensor are not tracked).
    """
    st, step = [], 1
    for n in reversed(shape):
        st.append(step)
        step *= max(n, 1)
    return tuple(reversed(st))


def data_ptr(self: Tensor) -> int:
    if _on_device(self):
        return int(DEVICE.backend.interface(self._value)["data"][0])
    return int(self._value.__array_interface__["data"][0])


# ---- in-place autograd state changes (the Tensor's detach_, .data and deleters) -------------
DETACH_VIEW = (
    "Can't detach views in-place. Use detach() instead. If you are using DistributedDataParallel "
    "(DDP) for training, and gradient_as_bucket_view is set as True, gradients are views of DDP "
    "buckets, and hence detach_() cannot be called on these gradients. To fix this error, please "
    "refer to the Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution."
)


#: ``__dict__`` key of a tensor made by ``detach()`` / ``.data`` of a view: the view's base,
#: whose storage it shares (it is no view itself: ``_base`` stays None, as PyTorch's)
STORAGE_OF = "_storage_of"


def keep_storage(source: Tensor, t: Tensor) -> Tensor:
    """``t`` (``source.detach()`` or ``source.data``) marked as living in ``source``'s storage,
    so ``storage_offset()``, ``untyped_storage()`` and ``torch.save`` read that storage (NumPy's
    view of a slice says nothing of the memory around it)."""
    holder = source._base
    if holder is None:
        d = source.__dict__
        if not d or (holder := d.get(STORAGE_OF)) is None:
            return t
    t.__dict__[STORAGE_OF] = holder
    return t


def marked(t: Tensor) -> bool:
    """Whether ``t``'s ``__dict__`` holds more than the storage it was detached from (a view's
    in-place mark, the inference flag, a leaf's extras): what capture and the device's fast
    setitem refuse. A detached view alone is an ordinary tensor to them."""
    d = t.__dict__
    return bool(d) and (len(d) > 1 or STORAGE_OF not in d)


def storage_holder(t: Tensor) -> Tensor:
    """The tensor whose buffer is ``t``'s storage: its view base, or what it was detached from."""
    while True:
        if t._base is not None:
            t = t._base
        d = t.__dict__
        if not d or (holder := d.get(STORAGE_OF)) is None:
            return t
        t = holder


def is_view(self: Tensor) -> bool:
    """PyTorch's ``_is_view()``: whether this tensor shares a base tensor's storage."""
    return self._base is not None


def detach_(self: Tensor) -> Tensor:
    """Cut this tensor from its history in place (refused on a differentiable view)."""
    if self._base is not None and (self._dtype.is_floating_point or self._dtype.is_complex):
        raise RuntimeError(DETACH_VIEW)
    self._counter()  # (while grad_fn still names the node that saved this result)
    self.grad_fn = None
    self._requires_grad = False
    return self


def set_data(self: Tensor, value: Any) -> None:
    """``t.data = value``: the buffer and dtype of ``value``, keeping this tensor's history."""
    if not hasattr(value, "_value") or not hasattr(value, "_counter"):  # (no Tensor here)
        raise TypeError(f"Variable data has to be a tensor, but got {type(value).__name__}")
    self._counter()  # (while _value still names the buffer the node saved)
    self._value = value._value
    self._dtype = value._dtype
    if self.__dict__:  # (the storage it was detached from is no longer its own)
        self.__dict__.pop(STORAGE_OF, None)
    keep_storage(value, self)


def delete_data(self: Tensor) -> None:
    raise RuntimeError("Deleting tensor data is not allowed. Delete tensor instead!")


def delete_requires_grad(self: Tensor) -> None:
    raise RuntimeError("requires_grad must be a bool")
