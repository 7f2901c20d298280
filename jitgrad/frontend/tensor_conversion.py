"""How a Tensor becomes a Python or numpy value: ``numpy()``, ``item()``, ``bool(t)``,
``len(t)``, ``repr(t)`` ...

These are the Tensor methods that leave autograd (each refuses, with PyTorch's message, what
PyTorch refuses: a tensor that requires grad to numpy, a many-element tensor to a scalar).
They live here so :mod:`jitgrad.frontend.tensor` stays about a tensor's state; the class body names
each one, so ``vars(Tensor)`` (what the profiler and the CUDA fallback read) is unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import dtypes as D
from ..backends import STATE as DEVICE
from ..engine.dual_state import DUAL
from ..engine.grad_mode import STATE as GRAD
from ._printing import format_tensor
from .tensor_meta import _on_device

if TYPE_CHECKING:
    from .tensor import Tensor


def numpy(self: Tensor, *, force: bool = False) -> np.ndarray:
    if _on_device(self):
        raise TypeError(
            f"can't convert {self.device} device type tensor to numpy. Use Tensor.cpu() to "
            "copy the tensor to host memory first."
        )
    # (requires_grad: as shown, a graph that only carries forward AD does not count)
    if self._requires_grad and GRAD.enabled and not force and self.requires_grad:
        raise RuntimeError(
            "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."
        )
    if self._dtype.round is not None:  # float16/bfloat16 are held in float32 (jitgrad.lowp)
        return _reduced_array(self._dtype, self._value)
    return self._value


def _reduced_array(dt: D.dtype, value: np.ndarray) -> np.ndarray:
    """The numpy array of a float16 tensor's values (a copy: the buffer holds float32);
    numpy has no bfloat16, so that is refused as PyTorch refuses it."""
    if dt is D.bfloat16:
        raise TypeError("Got unsupported ScalarType BFloat16")
    return value.astype(np.float16)


def to_array(self: Tensor, dtype: Any = None, copy: Any = None) -> np.ndarray:
    """What numpy reads (``np.asarray(t)``, a ufunc): ``numpy()``, so refused as it is."""
    arr = self.numpy() if dtype is None else self.numpy().astype(dtype, copy=False)
    return arr.copy() if copy and arr is self._value else arr


def item(self: Tensor) -> Any:
    if self._value.size != 1:
        raise RuntimeError(
            f"a Tensor with {self._value.size} elements cannot be converted to Scalar"
        )
    return self._host().reshape(-1)[0].item()


def tolist(self: Tensor) -> Any:
    return self._host().tolist()


def host(self: Tensor) -> np.ndarray:
    """The values as a host array (a copy for a device tensor; the buffer itself here)."""
    if _on_device(self):
        return DEVICE.backend.to_host(self._value)
    return self._value


def _number(self: Tensor, ctype: str) -> Any:
    """The one value of ``self`` for Python's ``float()``/``int()`` (ValueError for another
    count, as PyTorch's; a complex value with an imaginary part: C++'s checked conversion
    to ``ctype`` refuses it)."""
    if self._value.size != 1:
        raise ValueError("only one element tensors can be converted to Python scalars")
    value = self.item()
    if isinstance(value, complex):
        if value.imag != 0:
            raise RuntimeError(f"value cannot be converted to type {ctype} without overflow")
        value = value.real
    return value


def to_float(self: Tensor) -> float:
    return float(_number(self, "double"))


def to_int(self: Tensor) -> int:
    return int(_number(self, "int64_t"))


def to_complex(self: Tensor) -> complex:
    if self._value.size != 1:
        raise ValueError("only one element tensors can be converted to Python scalars")
    return complex(self.item())


def to_bool(self: Tensor) -> bool:
    if self._value.size != 1:
        many = "more than one value" if self._value.size else "no values"
        raise RuntimeError(f"Boolean value of Tensor with {many} is ambiguous")
    return bool(self.item())


def to_index(self: Tensor) -> int:
    if self._dtype.is_floating_point or self._dtype.is_complex or self._value.size != 1:
        raise TypeError("only integer tensors of a single element can be converted to an index")
    return int(self.item())


def length(self: Tensor) -> int:
    if self._value.ndim == 0:
        raise TypeError("len() of a 0-d tensor")
    return self._value.shape[0]


def iterate(self: Tensor) -> Iterator[Tensor]:
    if self._value.ndim == 0:
        raise TypeError("iteration over a 0-d tensor")
    return iter(self.unbind(0))  # as PyTorch: one UnbindBackward0 for every element


def reverse(self: Tensor) -> Tensor:
    """``reversed(t)``: PyTorch's ``Tensor.__reversed__``, ``t.flip(0)`` (a 0-d tensor itself)."""
    return self if self._value.ndim == 0 else self.flip(0)


def _node_name(t: Tensor) -> str | None:
    """``t.grad_fn``'s class name; ``Invalid`` where reading it raises (an unbind/split output
    whose base changed in place, see stale_views), as PyTorch prints it."""
    try:
        node = t.grad_fn
    except RuntimeError:
        return "Invalid"
    return None if node is None else type(node).__name__


def tensor_repr(self: Tensor) -> str:
    suffixes = []
    if self._dtype not in (D.get_default_dtype(), D.int64, D.bool_, D.default_complex()):
        suffixes.append(f"dtype={self._dtype!r}")
    if _on_device(self):  # PyTorch names a non-CPU device first
        suffixes.insert(0, f"device='{self.device}'")
    if DUAL.hidden or DUAL.level is not None:  # forward AD: hidden graphs, tangent=
        DUAL.describe(self, suffixes)
    elif (node := _node_name(self)) is not None:
        suffixes.append(f"grad_fn=<{node}>")
    elif self._requires_grad:
        suffixes.append("requires_grad=True")
    return format_tensor(self._host(), suffixes)


def tensor_format(self: Tensor, spec: str) -> str:
    if self._value.ndim == 0:
        return self.item().__format__(spec)
    if spec:  # (object.__format__'s refusal, as PyTorch's for a tensor with dimensions)
        raise TypeError("unsupported format string passed to Tensor.__format__")
    return repr(self)
