"""DLPack exchange: ``Tensor.__dlpack__``/``__dlpack_device__`` and ``jitgrad.from_dlpack``.

Host tensors use numpy's own DLPack support. Device tensors are exported as a
``DLManagedTensor`` built here with ctypes (numba's device arrays speak only
``__cuda_array_interface__``), and imported CUDA capsules become a
``__cuda_array_interface__`` description that the CUDA backend wraps without a copy. The
structures follow dlpack.h (the unversioned ABI every producer accepts); the capsule is
renamed ``used_dltensor`` when consumed, and the producer's deleter runs when the consumer's
array goes away, as the protocol asks.
"""

from __future__ import annotations

import ctypes
from typing import Any

import numpy as np

from .. import cuda
from .. import dtypes as D
from ..frontend.tensor import Tensor, _make
from . import STATE as DEVICE

CPU, CUDA = 1, 2  # DLDeviceType: kDLCPU, kDLCUDA
_NAME, _USED = b"dltensor", b"used_dltensor"
_CODES = {"i": 0, "u": 1, "f": 2, "b": 6}  # DLDataTypeCode by numpy kind (bool: kDLBool)
_KINDS = {v: k for k, v in _CODES.items()}


class _Device(ctypes.Structure):
    _fields_ = [("device_type", ctypes.c_int32), ("device_id", ctypes.c_int32)]


class _DType(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint8), ("bits", ctypes.c_uint8), ("lanes", ctypes.c_uint16)]


class _Tensor(ctypes.Structure):
    _fields_ = [
        ("data", ctypes.c_void_p),
        ("device", _Device),
        ("ndim", ctypes.c_int32),
        ("dtype", _DType),
        ("shape", ctypes.POINTER(ctypes.c_int64)),
        ("strides", ctypes.POINTER(ctypes.c_int64)),
        ("byte_offset", ctypes.c_uint64),
    ]


class _Managed(ctypes.Structure):
    pass


_DELETER = ctypes.CFUNCTYPE(None, ctypes.POINTER(_Managed))
_Managed._fields_ = [
    ("dl_tensor", _Tensor),
    ("manager_ctx", ctypes.c_void_p),
    ("deleter", _DELETER),
]

_api = ctypes.pythonapi
_api.PyCapsule_New.restype = ctypes.py_object
_api.PyCapsule_New.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p]
_api.PyCapsule_GetPointer.restype = ctypes.c_void_p
_api.PyCapsule_GetPointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
_api.PyCapsule_SetName.argtypes = [ctypes.py_object, ctypes.c_char_p]
_api.PyCapsule_IsValid.argtypes = [ctypes.py_object, ctypes.c_char_p]
_api.PyCapsule_IsValid.restype = ctypes.c_int

#: What keeps an exported tensor's memory and structures alive, by DLManagedTensor address.
_exported: dict[int, tuple] = {}


@_DELETER
def _delete(managed: Any) -> None:
    _exported.pop(ctypes.addressof(managed.contents), None)


# The destructor gets the dying capsule as a raw pointer: these take it as one (making it a
# Python object there would revive it and destroy it again, recursively).
_raw_is_valid = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p)(
    ("PyCapsule_IsValid", _api)
)
_raw_pointer = ctypes.PYFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_char_p)(
    ("PyCapsule_GetPointer", _api)
)


@ctypes.CFUNCTYPE(None, ctypes.c_void_p)
def _capsule_gone(capsule: int) -> None:  # an unconsumed capsule frees what it exported
    if _raw_is_valid(capsule, _NAME):
        _exported.pop(_raw_pointer(capsule, _NAME), None)


def export(iface: dict, owner: Any, device_type: int) -> Any:
    """A DLPack capsule for memory described by ``iface`` (array-interface style), which
    ``owner`` keeps alive until the consumer calls the deleter."""
    dt = np.dtype(iface["typestr"])
    shape = tuple(iface["shape"])
    ndim = len(shape)
    c_shape = (ctypes.c_int64 * max(ndim, 1))(*shape)
    strides = iface.get("strides")
    if strides is None:
        elems, n = [], 1
        for s in reversed(shape):
            elems.append(n)
            n *= s
        strides = [e * dt.itemsize for e in reversed(elems)]
    c_strides = (ctypes.c_int64 * max(ndim, 1))(*(s // dt.itemsize for s in strides))
    managed = _Managed()
    t = managed.dl_tensor
    t.data = iface["data"][0]
    t.device = _Device(device_type, 0)
    t.ndim = ndim
    t.dtype = _DType(_CODES[dt.kind], dt.itemsize * 8, 1)
    t.shape = ctypes.cast(c_shape, ctypes.POINTER(ctypes.c_int64))
    t.strides = ctypes.cast(c_strides, ctypes.POINTER(ctypes.c_int64))
    t.byte_offset = 0
    managed.deleter = _delete
    address = ctypes.addressof(managed)
    _exported[address] = (managed, c_shape, c_strides, owner)
    return _api.PyCapsule_New(address, _NAME, ctypes.cast(_capsule_gone, ctypes.c_void_p))


class _Imported:
    """An imported capsule's memory: its array interface, and the producer's deleter called
    when the last array viewing it is gone."""

    def __init__(self, capsule: Any) -> None:
        address = _api.PyCapsule_GetPointer(capsule, _NAME)
        _api.PyCapsule_SetName(capsule, _USED)
        self.managed = _Managed.from_address(address)
        t = self.managed.dl_tensor
        self.device_type = t.device.device_type
        dt = np.dtype(f"{_KINDS[t.dtype.code]}{t.dtype.bits // 8}")
        if dt.kind == "b":
            dt = np.dtype(np.bool_)
        shape = tuple(t.shape[k] for k in range(t.ndim))
        strides = None
        if t.strides:
            strides = tuple(t.strides[k] * dt.itemsize for k in range(t.ndim))
        self.iface = {
            "shape": shape,
            "typestr": dt.str,
            "data": ((t.data or 0) + t.byte_offset, False),
            "strides": strides,
            "version": 3,
        }

    @property
    def __cuda_array_interface__(self) -> dict:
        return self.iface

    @property
    def __array_interface__(self) -> dict:
        return self.iface

    def __del__(self) -> None:
        deleter = self.managed.deleter
        if deleter:
            deleter(ctypes.pointer(self.managed))


def dlpack(t: Tensor, stream: Any = None) -> Any:
    """``t.__dlpack__()``: numpy's capsule for a host tensor, ours for a device tensor."""
    if t._requires_grad:
        raise RuntimeError("Can't export tensors that require gradient, use tensor.detach()")
    if t.is_cuda:
        return export(DEVICE.backend.interface(t._value), t, CUDA)
    return t._value.__dlpack__()


def dlpack_device(t: Tensor) -> tuple[int, int]:
    return (CUDA, 0) if t.is_cuda else (CPU, 0)


def from_dlpack(ext: Any) -> Tensor:
    """A tensor sharing the memory of ``ext`` (a DLPack producer or capsule), on its device."""
    if hasattr(ext, "__dlpack_device__") and ext.__dlpack_device__()[0] == CPU:
        array = np.from_dlpack(ext)
        return _make(array, D.from_numpy_dtype(array.dtype))
    imported = _Imported(ext.__dlpack__() if hasattr(ext, "__dlpack__") else ext)
    if imported.device_type == CPU:
        array = np.asarray(imported)
        return _make(array, D.from_numpy_dtype(array.dtype))
    if imported.device_type != CUDA:
        raise RuntimeError(f"Unsupported device_type: {imported.device_type}")
    return cuda.from_cuda_array(imported)
