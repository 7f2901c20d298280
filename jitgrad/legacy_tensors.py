"""The legacy typed constructors: ``torch.FloatTensor``, ``HalfTensor``, ``LongTensor`` ...

Old PyTorch code builds tensors with them (``torch.FloatTensor(2, 3)``, ``torch.LongTensor([1,
2])``) and checks types with them (``isinstance(t, torch.FloatTensor)``). In PyTorch they are
classes whose ``isinstance`` asks for a CPU tensor of their dtype, not subclasses of
``Tensor``; calling one is the legacy ``new()`` constructor: no arguments (an empty tensor),
sizes (ints or a ``torch.Size``), data (any other sequence), or a tensor of the same dtype
(an alias of it). Every other call raises PyTorch's ``TypeError``; those messages are
reproduced here.

``torch.cuda.FloatTensor`` ... are the same types for device tensors (``is_cuda``): their
``isinstance`` asks for a device tensor, and calling one builds on the device (without one,
the move raises PyTorch's no-driver error).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import cuda
from . import dtypes as D
from .engine.grad_mode import STATE as GRAD
from .frontend import creation
from .frontend.copy_ops import under_node
from .frontend.tensor import Size, Tensor

#: the C++ spelling of each dtype in PyTorch's ``TensorOptions`` message
_CPP_NAMES = {
    "float32": "float",
    "float64": "double",
    "float16": "c10::Half",
    "bfloat16": "c10::BFloat16",
    "int64": "long int",
    "int32": "int",
    "int16": "short int",
    "int8": "signed char",
    "uint8": "unsigned char",
    "bool": "bool",
}

_SIGNATURES = (
    " * (*, torch.device device = None)\n"
    " * (torch.Storage storage)\n"
    " * (Tensor other)\n"
    " * (tuple of ints size, *, torch.device device = None)\n"
    "      didn't match because some of the keywords were incorrect: {kw}\n"
    " * (object data, *, torch.device device = None)\n"
    "      didn't match because some of the keywords were incorrect: {kw}\n"
)


def _options(dt: D.dtype, device: str = "cpu") -> str:
    return (
        f"TensorOptions(dtype={_CPP_NAMES[dt.name]}, device={device}, layout=Strided, "
        "requires_grad=false (default), pinned_memory=false (default), "
        "memory_format=(nullopt))"
    )


def _is_int(v: Any) -> bool:
    return isinstance(v, int | np.integer) and not isinstance(v, bool)


class LegacyTensorType(type):
    """The metaclass: ``isinstance`` by dtype and device, calling builds a tensor."""

    dtype: D.dtype
    is_cuda: bool

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, Tensor) and obj._dtype is cls.dtype and obj.is_cuda is cls.is_cuda

    def __repr__(cls) -> str:
        return f"<class '{cls.__module__}.{cls.__name__}'>"

    def __call__(cls, *args: Any, **kwargs: Any) -> Tensor:  # type: ignore[override]
        if set(kwargs) - {"device"}:
            bad = sorted(set(kwargs) - {"device"})[0]
            got = ", ".join(
                [type(a).__name__ for a in args] + [f"{k}={_kind(v)}" for k, v in kwargs.items()]
            )
            raise TypeError(
                f"new() received an invalid combination of arguments - got ({got}), but "
                f"expected one of:\n{_SIGNATURES.format(kw=bad)}"
            )
        device, where = kwargs.get("device"), "cuda" if cls.is_cuda else "cpu"
        if device is not None and str(device).split(":")[0] != where:
            raise RuntimeError(
                f"legacy constructor expects device type: {where} but device type: "
                f"{str(device).split(':')[0]} was passed"
            )
        if not cls.is_cuda:
            return _build(cls.dtype, args, "cpu")
        if cuda.is_available() and len(args) == 1 and isinstance(args[0], Tensor):
            return _build(cls.dtype, args, "cuda")  # an alias of a device tensor
        return _build(cls.dtype, args, "cpu").cuda()


def _kind(v: Any) -> str:
    return "torch.dtype" if isinstance(v, D.dtype) else type(v).__name__


def _build(dt: D.dtype, args: tuple, where: str) -> Tensor:
    if not args:
        return creation.empty(0, dtype=dt)
    if len(args) == 1 and not _is_int(args[0]):
        (arg,) = args
        if isinstance(arg, Tensor):
            if arg._dtype is not dt or arg.device.type != where:
                got = _options(arg._dtype, str(arg.device))
                raise TypeError(f"expected {_options(dt, where)} (got {got})")
            if GRAD.enabled and arg.requires_grad:
                return under_node(arg.view_as(arg), "AliasBackward0", copy=False)
            return arg.view_as(arg)
        if isinstance(arg, Size):
            return _sized(dt, tuple(arg))
        if isinstance(arg, str):
            raise TypeError(f"new(): invalid data type '{type(arg).__name__}'")
        if not isinstance(arg, list | tuple | np.ndarray):
            raise TypeError(f"new(): data must be a sequence (got {type(arg).__name__})")
        return creation.tensor(arg, dtype=dt)
    for i, a in enumerate(args):
        if not _is_int(a):
            raise TypeError(
                f"new(): argument 'size' failed to unpack the object at pos {i + 1} with error "
                f'"type must be tuple of ints,but got {type(a).__name__}"'
            )
    return _sized(dt, args)


def _sized(dt: D.dtype, sizes: tuple) -> Tensor:
    """A tensor of ``sizes`` (zero-filled where PyTorch leaves the memory unset)."""
    for s in sizes:
        if s < 0:
            shown = ", ".join(str(v) for v in sizes)
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: [{shown}]")
    return creation.zeros(*sizes, dtype=dt)


def _legacy(name: str, dt: D.dtype, on_cuda: bool = False) -> LegacyTensorType:
    module = "torch.cuda" if on_cuda else "torch"
    cls = LegacyTensorType(name, (), {"dtype": dt, "is_cuda": on_cuda, "__module__": module})
    where = "device" if on_cuda else "CPU"
    cls.__doc__ = f"``{module}.{name}``: the legacy constructor and type check of {where} {dt}."
    return cls


FloatTensor = _legacy("FloatTensor", D.float32)
DoubleTensor = _legacy("DoubleTensor", D.float64)
HalfTensor = _legacy("HalfTensor", D.float16)
BFloat16Tensor = _legacy("BFloat16Tensor", D.bfloat16)
LongTensor = _legacy("LongTensor", D.int64)
IntTensor = _legacy("IntTensor", D.int32)
ShortTensor = _legacy("ShortTensor", D.int16)
CharTensor = _legacy("CharTensor", D.int8)
ByteTensor = _legacy("ByteTensor", D.uint8)
BoolTensor = _legacy("BoolTensor", D.bool_)

#: every legacy type by its name (``t.type("torch.HalfTensor")``, ``set_default_tensor_type``)
BY_NAME: dict[str, LegacyTensorType] = {
    c.__name__: c
    for c in (
        FloatTensor,
        DoubleTensor,
        HalfTensor,
        BFloat16Tensor,
        LongTensor,
        IntTensor,
        ShortTensor,
        CharTensor,
        ByteTensor,
        BoolTensor,
    )
}

__all__ = list(BY_NAME)

#: ``torch.cuda.FloatTensor`` ...: bound into :mod:`jitgrad.cuda` from here (it sits below
#: this module, which builds on the tensor factories)
CUDA_BY_NAME: dict[str, LegacyTensorType] = {
    name: _legacy(name, cls.dtype, on_cuda=True) for name, cls in BY_NAME.items()
}
for _name, _cls in CUDA_BY_NAME.items():
    setattr(cuda, _name, _cls)
