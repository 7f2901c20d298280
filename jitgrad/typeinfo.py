"""Type and runtime queries: ``finfo``, ``iinfo``, ``promote_types``, ``result_type``,
``can_cast``, ``is_floating_point``, ``is_nonzero``, ``is_complex``, and the thread count
(``get_num_threads``/``set_num_threads`` drive Numba's parallel kernels)."""

from __future__ import annotations

from typing import Any

import numba
import numpy as np

from . import dtypes as D
from .frontend._tensor_data import result_type as _result_type
from .frontend.tensor import Tensor


def _short(x: float) -> str:
    return f"{x:g}"


class finfo:  # noqa: N801 - PyTorch's name
    """Machine limits of a floating dtype (the default one if none is given)."""

    def __init__(self, type: Any = None) -> None:  # noqa: A002
        dt = D.get_default_dtype() if type is None else D.real_of(D.to_dtype(type))
        if not dt.is_floating_point:
            raise TypeError(
                "torch.finfo() requires a floating point input type. Use torch.iinfo to handle "
                "'torch.finfo'"
            )
        self.dtype = dt.name
        if dt is D.bfloat16:  # numpy has no bfloat16: float32's range, 8 significant bits
            self.bits, self.eps, self.resolution = 16, 2.0**-7, 0.01
            self.max = D.finite_max(dt)
            self.tiny = self.smallest_normal = float(np.finfo(np.float32).tiny)
        else:
            info = np.finfo(dt.storage)
            self.bits = int(info.bits)
            self.eps = float(info.eps)
            self.max = float(info.max)
            self.tiny = self.smallest_normal = float(info.tiny)
            self.resolution = 10.0 ** -int(info.precision)  # PyTorch: a power of ten
        self.min = -self.max

    def __repr__(self) -> str:
        return (
            f"finfo(resolution={_short(self.resolution)}, min={_short(self.min)}, "
            f"max={_short(self.max)}, eps={_short(self.eps)}, "
            f"smallest_normal={_short(self.smallest_normal)}, tiny={_short(self.tiny)}, "
            f"dtype={self.dtype})"
        )


class iinfo:  # noqa: N801
    """Limits of an integer (or bool) dtype."""

    def __init__(self, type: Any) -> None:  # noqa: A002
        dt = D.to_dtype(type)
        if dt.is_floating_point:
            raise TypeError(
                "torch.iinfo() requires an integer input type. Use torch.finfo to handle "
                "'torch.iinfo'"
            )
        info = np.iinfo(np.uint8 if dt is D.bool_ else dt.np)
        self.dtype = dt.name
        self.bits = 8 if dt is D.bool_ else int(info.bits)
        self.max = 1 if dt is D.bool_ else int(info.max)
        self.min = 0 if dt is D.bool_ else int(info.min)

    def __repr__(self) -> str:
        return f"iinfo(min={_short(self.min)}, max={_short(self.max)}, dtype={self.dtype})"


def promote_types(type1: Any, type2: Any) -> D.dtype:
    """The dtype two tensors of these dtypes combine to."""
    return D.promote(D.to_dtype(type1), D.to_dtype(type2))


def result_type(tensor1: Any, tensor2: Any) -> D.dtype:
    """The dtype of an arithmetic op on these operands (tensors or Python numbers)."""
    return _result_type([tensor1, tensor2])


def can_cast(from_: Any, to: Any) -> bool:
    """Whether PyTorch's casting rules allow ``from_`` to ``to`` (no lowering of kind)."""
    return D.to_dtype(from_)._category <= D.to_dtype(to)._category


def is_floating_point(input: Tensor) -> bool:  # noqa: A002
    return input._dtype.is_floating_point


def is_complex(input: Tensor) -> bool:  # noqa: A002
    return input._dtype.is_complex


def is_nonzero(input: Tensor) -> bool:  # noqa: A002
    """The truth of a one-element tensor."""
    if input.numel() == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if input.numel() > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(input._value.reshape(-1)[0])


def get_num_threads() -> int:
    """Threads the parallel kernels use."""
    return int(numba.get_num_threads())


def set_num_threads(n: int) -> None:
    """Use ``n`` threads in parallel kernels (at most the cores Numba started with)."""
    if n <= 0:
        raise RuntimeError("Expected a positive number of threads")
    numba.set_num_threads(min(int(n), numba.config.NUMBA_NUM_THREADS))


def get_num_interop_threads() -> int:
    return 1


def set_num_interop_threads(n: int) -> None:
    if n <= 0:
        raise RuntimeError("Expected a positive number of threads")


__all__ = [
    "can_cast",
    "finfo",
    "get_num_interop_threads",
    "get_num_threads",
    "iinfo",
    "is_complex",
    "is_floating_point",
    "is_nonzero",
    "promote_types",
    "result_type",
    "set_num_interop_threads",
    "set_num_threads",
]
