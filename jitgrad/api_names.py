"""Names PyTorch programs use that carry no computation of their own in jitgrad.

* ``torch.memory_format`` (``channels_last``, ``contiguous_format``, ``preserve_format``,
  ``channels_last_3d``) and ``torch.layout`` (``strided``, ``Tensor.layout``): jitgrad's
  tensors are all strided and row-major, so these are tokens the API accepts and prints.
* ``set_float32_matmul_precision`` / ``get_float32_matmul_precision``: recorded (and
  validated as PyTorch does) so programs can set and read it; jitgrad's float32 matmuls
  always run at full precision, which is what "highest" means.
* ``set_default_tensor_type``: PyTorch's deprecated spelling of ``set_default_dtype``.
* ``typename``, ``is_storage``; the functions PyTorch removed in 1.9 (``solve``, ``lstsq``,
  ``eig``, ``symeig``, ``matrix_rank``), which still exist there to say what replaced them.
* Tensor methods: ``layout``, ``to_dense``, ``pin_memory``, ``share_memory_``,
  ``is_shared``, ``volatile``, and the removed methods.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from . import backends, cuda, legacy_tensors
from . import dtypes as D
from .amp import GradScaler
from .frontend import creation
from .frontend.tensor import Tensor, _make
from .frontend.tensor_messages import _TYPE_NAMES as _LEGACY_NAMES  # torch.FloatTensor...
from .helpers import warn as warn_user


class memory_format:  # noqa: N801 - PyTorch's name
    """A memory layout token (``torch.channels_last``); jitgrad's tensors are row-major."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"jitgrad.{self.name}"

    def __reduce__(self) -> str:
        return self.name


class layout:  # noqa: N801 - PyTorch's name
    """A tensor layout token: jitgrad has the strided (dense) one."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"jitgrad.{self.name}"

    def __reduce__(self) -> str:
        return self.name


contiguous_format = memory_format("contiguous_format")
legacy_contiguous_format = contiguous_format  # PyTorch's alias
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")
preserve_format = memory_format("preserve_format")
strided = layout("strided")

_PRECISIONS = ("highest", "high", "medium")
_MATMUL_PRECISION = ["highest"]


def set_float32_matmul_precision(precision: str) -> None:
    """Record the precision (jitgrad always computes float32 matmuls in full precision)."""
    if precision not in _PRECISIONS:
        warn_user(
            f"{precision} is not one of 'highest', 'high', or 'medium'; the current"
            "setFloat32MatmulPrecision call has no effect.",
            UserWarning,
            stacklevel=2,
        )
        return
    _MATMUL_PRECISION[0] = precision


def get_float32_matmul_precision() -> str:
    return _MATMUL_PRECISION[0]


#: the legacy tensor types a default type may name, by name
_TENSOR_TYPES = {name: cls.dtype for name, cls in legacy_tensors.BY_NAME.items()}


def set_default_tensor_type(t: Any) -> None:
    """``torch.set_default_tensor_type(torch.DoubleTensor)`` (or its name as a string):
    PyTorch's deprecated way to set the default dtype and, with a ``torch.cuda.*Tensor``
    type, the device factory functions use when ``set_default_device`` names none."""
    if isinstance(t, str):
        t = _dotted_type(t)
    if not isinstance(t, legacy_tensors.LegacyTensorType):
        raise TypeError(
            "invalid type object: only floating-point types are supported as the default type"
        )
    if not t.dtype.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    # (PyTorch warns once per process, before its checks: the recorded cases see no
    # warning with an error, which warning after the checks reproduces)
    warn_user(
        "torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
        "torch.set_default_dtype() and torch.set_default_device() as alternatives.",
        UserWarning,
        stacklevel=2,
    )
    D.set_default_dtype(t.dtype)
    creation.set_type_device("cuda" if t.is_cuda else None)


def _dotted_type(name: str) -> Any:
    """The object a dotted name such as ``'torch.cuda.FloatTensor'`` names (PyTorch's
    ``_import_dotted_name``), with its AttributeError for a missing one."""
    module, _, rest = name.partition(".")
    if module != "torch":
        raise ModuleNotFoundError(f"No module named '{module}'")
    obj: Any = sys.modules["jitgrad"]
    where = "torch"
    for part in rest.split(".") if rest else ():
        if not hasattr(obj, part):
            raise AttributeError(f"module '{where}' has no attribute '{part}'")
        obj, where = getattr(obj, part), f"{where}.{part}"
    return obj


def _legacy_name(t: Tensor) -> str:
    """``'torch.FloatTensor'`` (``'torch.cuda.FloatTensor'`` on the GPU): the string PyTorch
    programs compare ``t.type()`` with, so it keeps PyTorch's module name."""
    where = "cuda." if t.device.type == "cuda" else ""
    return f"torch.{where}{_LEGACY_NAMES[t.dtype.name]}"


#: ``t.type(name)``: the dtype of each legacy type name
_BY_LEGACY_NAME = _TENSOR_TYPES


def tensor_type(self: Tensor, dtype: Any = None, non_blocking: bool = False, **kwargs: Any) -> Any:
    """``t.type()``: the legacy type name; ``t.type(t2)`` with a dtype, a legacy type name or
    a typed constructor (``torch.DoubleTensor``): ``t`` cast to it (``t`` itself when it
    already has it), as PyTorch does."""
    if dtype is None:
        return _legacy_name(self)
    if isinstance(dtype, str):
        prefix, _, name = dtype.rpartition(".")
        if prefix not in ("torch", "torch.cuda", "jitgrad") or name not in _BY_LEGACY_NAME:
            raise ValueError(f"invalid type: {dtype!r}")
        target = _BY_LEGACY_NAME[name]
        on_cuda = prefix == "torch.cuda"
    elif isinstance(dtype, D.dtype):
        target, on_cuda = dtype, self.device.type == "cuda"
    else:
        if not isinstance(dtype, legacy_tensors.LegacyTensorType):
            raise TypeError("dtype must be a type, str, or dtype object")
        target, on_cuda = dtype.dtype, dtype.is_cuda
    moved = self
    if on_cuda != self.is_cuda:  # a type names its device: torch.DoubleTensor is the CPU's
        moved = self.cuda() if on_cuda else self.cpu()
    return moved if moved.dtype is target else moved.to(target)


def typename(obj: Any) -> str:
    """``torch.typename``: a tensor's legacy type name (the string PyTorch code compares
    with, ``'torch.FloatTensor'``), else the object's qualified name."""
    if isinstance(obj, Tensor):
        return _legacy_name(obj)
    if hasattr(obj, "__qualname__") or hasattr(obj, "__name__"):  # a class or function names itself
        module = getattr(obj, "__module__", "") or ""
        qualname = getattr(obj, "__qualname__", None) or obj.__name__
    else:
        module, qualname = type(obj).__module__ or "", type(obj).__qualname__
    return qualname if module in ("", "builtins") else f"{module}.{qualname}"


def is_storage(obj: Any) -> bool:
    """jitgrad has no storage objects (a tensor owns its buffer), so nothing is one."""
    return False


_REMOVED = "This function was deprecated since version 1.9 and is now removed."
_REMOVED_MESSAGES = {
    "solve": (
        f"{_REMOVED} `torch.solve` is deprecated in favor of `torch.linalg.solve`. "
        "`torch.linalg.solve` has its arguments reversed and does not return the LU "
        "factorization.\n\nTo get the LU factorization see `torch.lu`, which can be used "
        "with `torch.lu_solve` or `torch.lu_unpack`.\nX = torch.solve(B, A).solution should be "
        "replaced with:\nX = torch.linalg.solve(A, B)"
    ),
    "lstsq": (
        f"{_REMOVED} `torch.lstsq` is deprecated in favor of `torch.linalg.lstsq`.\n"
        "`torch.linalg.lstsq` has reversed arguments and does not return the QR decomposition "
        "in the returned tuple (although it returns other information about the problem).\n\n"
        "To get the QR decomposition consider using `torch.linalg.qr`.\n\nThe returned "
        "solution in `torch.lstsq` stored the residuals of the solution in the last m - n "
        "columns of the returned value whenever m > n. In torch.linalg.lstsq, the residuals "
        "are in the field 'residuals' of the returned named tuple.\n\nThe unpacking of the "
        "solution, as in\nX, _ = torch.lstsq(B, A).solution[:A.size(1)]\nshould be replaced "
        "with:\nX = torch.linalg.lstsq(A, B).solution"
    ),
    "eig": (
        f"{_REMOVED} `torch.linalg.eig` returns complex tensors of dtype `cfloat` or "
        "`cdouble` rather than real tensors mimicking complex tensors.\n\nL, _ = torch.eig(A) "
        "should be replaced with:\nL_complex = torch.linalg.eigvals(A)\n\nand\n\nL, V = "
        "torch.eig(A, eigenvectors=True) should be replaced with:\nL_complex, V_complex = "
        "torch.linalg.eig(A)"
    ),
    "symeig": (
        f"{_REMOVED} The default behavior has changed from using the upper triangular portion "
        "of the matrix by default to using the lower triangular portion.\n\nL, _ = "
        "torch.symeig(A, upper=upper) should be replaced with:\nL = torch.linalg.eigvalsh(A, "
        "UPLO='U' if upper else 'L')\n\nand\n\nL, V = torch.symeig(A, eigenvectors=True) "
        "should be replaced with:\nL, V = torch.linalg.eigh(A, UPLO='U' if upper else 'L')"
    ),
    "matrix_rank": (
        f"{_REMOVED}\nPlease use the `torch.linalg.matrix_rank` function instead. The "
        "parameter 'symmetric' was renamed in `torch.linalg.matrix_rank()` to 'hermitian'."
    ),
}


def _removed(name: str) -> Any:
    def removed(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(_REMOVED_MESSAGES[name])

    removed.__name__ = removed.__qualname__ = name
    removed.__doc__ = "Removed from PyTorch in 1.9; raises its message naming the replacement."
    return removed


solve = _removed("solve")
lstsq = _removed("lstsq")
eig = _removed("eig")
symeig = _removed("symeig")
matrix_rank = _removed("matrix_rank")


OutOfMemoryError = backends.OutOfMemoryError  # torch.OutOfMemoryError, torch.cuda's too


def frombuffer(
    buffer: Any, *, dtype: Any, count: int = -1, offset: int = 0, requires_grad: bool = False
) -> Tensor:
    """A 1-D tensor over the bytes of ``buffer`` (shared, not copied)."""
    dt = D.to_dtype(dtype)
    size = memoryview(buffer).nbytes - offset
    if count < 0 and size % dt.itemsize:
        raise ValueError(
            f"buffer length ({size} bytes) after offset ({offset} bytes) must be a multiple "
            f"of element size ({dt.itemsize})"
        )
    values = np.frombuffer(buffer, dtype=dt.np, count=count, offset=offset)
    t = _make(values, dt)
    t._requires_grad = requires_grad
    return t


def set_flush_denormal(mode: bool) -> bool:
    """Whether flushing denormals could be set: NumPy and Numba give jitgrad no switch for
    the CPU's denormal mode, so never (PyTorch answers False where unsupported too)."""
    return False


def is_vulkan_available() -> bool:
    return False


def _share_memory_(self: Tensor) -> Tensor:
    self.__dict__["_shared"] = True  # one process: a flag, as is_shared() then reports
    return self


def _volatile(self: Tensor) -> bool:
    warn_user("volatile was removed (Variable.volatile is always False)", UserWarning, 2)
    return False


METHODS: dict[str, Any] = {
    "type": tensor_type,
    "layout": property(lambda self: strided),
    "to_dense": lambda self, dtype=None, *, masked_grad=None: self.to(dtype or self.dtype),
    "pin_memory": lambda self, device=None: cuda.pin_memory(self),
    "share_memory_": _share_memory_,
    # (PyTorch: a CUDA tensor's storage is always shared, share_memory_ is a no-op for it)
    "is_shared": lambda self: "_shared" in self.__dict__ or self.is_cuda,
    "volatile": property(_volatile),
    **{n: _removed(n) for n in ("solve", "lstsq", "eig", "symeig")},
}

__all__ = [
    "memory_format",
    "layout",
    "contiguous_format",
    "legacy_contiguous_format",
    "channels_last",
    "channels_last_3d",
    "preserve_format",
    "strided",
    "set_float32_matmul_precision",
    "get_float32_matmul_precision",
    "set_default_tensor_type",
    "typename",
    "is_storage",
    "solve",
    "lstsq",
    "eig",
    "symeig",
    "matrix_rank",
    "OutOfMemoryError",
    "frombuffer",
    "set_flush_denormal",
    "is_vulkan_available",
    "GradScaler",
]


def bind() -> None:
    for name, fn in METHODS.items():
        setattr(Tensor, name, fn)
