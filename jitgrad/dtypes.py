"""jitgrad's dtypes and PyTorch's type-promotion rules.

A dtype is a thin named wrapper over a numpy dtype so that ``repr`` prints ``jitgrad.float32``
and ``is_floating_point`` reads like PyTorch's. ``float16`` and ``bfloat16`` keep their values
in float32 buffers (see :mod:`jitgrad.lowp`): their ``np`` is float32, the dtype kernels see
(``kname``) is float32, and ``round`` rounds a freshly computed float32 result to the type.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from . import lowp


class dtype:  # noqa: N801 - PyTorch's name
    """A tensor element type (``jitgrad.float32`` ...)."""

    __slots__ = (
        "name",
        "np",
        "is_floating_point",
        "is_signed",
        "itemsize",
        "_category",
        "kname",
        "round",
        "storage",
        "is_complex",
        "sig0",
    )

    def __init__(
        self,
        name: str,
        np_dtype: type,
        category: int,
        round: Callable[[np.ndarray], np.ndarray] | None = None,  # noqa: A002
        storage: type | None = None,
    ) -> None:
        self.name = name
        self.np = np.dtype(np_dtype)
        self._category = category  # 0 bool, 1 integer, 2 floating, 3 complex
        self.is_floating_point = category == 2
        self.is_complex = category == 3
        self.is_signed = category != 0 and np.dtype(np_dtype).kind != "u"
        #: the numpy dtype of the element's bytes (float16; bfloat16's raw bits as uint16)
        self.storage = np.dtype(storage or np_dtype)
        self.itemsize = self.storage.itemsize
        #: the dtype name kernels compute and store in (float32 for the reduced types)
        self.kname = self.np.name
        #: None, or the rounding of a float32 result array to this type (reduced types)
        self.round = round
        #: a 0-d tensor of this dtype in an elementwise plan's key (``pointwise_plan.
        #: _signature``): one tuple kept, not one built per op of a scalar graph
        self.sig0 = (self, 0)

    def __repr__(self) -> str:
        return f"jitgrad.{self.name}"

    def __reduce__(self) -> str:
        return self.name


bool_ = dtype("bool", np.bool_, 0)
uint8 = dtype("uint8", np.uint8, 1)
int8 = dtype("int8", np.int8, 1)
int16 = dtype("int16", np.int16, 1)
int32 = dtype("int32", np.int32, 1)
int64 = dtype("int64", np.int64, 1)
float32 = dtype("float32", np.float32, 2)
float64 = dtype("float64", np.float64, 2)
float16 = dtype("float16", np.float32, 2, lowp.round_float16, np.float16)
bfloat16 = dtype("bfloat16", np.float32, 2, lowp.round_bfloat16, np.uint16)
complex64 = dtype("complex64", np.complex64, 3)  # (elementwise: the ops' complex forms)
complex128 = dtype("complex128", np.complex128, 3)

ALL = (bool_, uint8, int8, int16, int32, int64, float32, float64, float16, bfloat16)
COMPLEX = (complex64, complex128)
REDUCED = (float16, bfloat16)  # the float32-held types (see jitgrad.lowp)
_BY_NUMPY = {d.np: d for d in ALL + COMPLEX if d.round is None}
_BY_NUMPY.update(
    {
        np.dtype(np.uint16): int64,
        np.dtype(np.uint32): int64,
        np.dtype(np.float16): float16,
    }
)
_SIGNED_BY_SIZE = {1: int8, 2: int16, 4: int32, 8: int64}

_default_float = float32


def get_default_dtype() -> dtype:
    """The dtype Python floats and ``jitgrad.tensor([1.5])`` become (float32 unless changed)."""
    return _default_float


#: What caches that fixed the default dtype into their entries register here (their
#: ``clear``), so a change empties them: the per-call lookups then need no dtype in the key.
_DEFAULT_DEPENDENT: list[Callable[[], None]] = []


def on_default_dtype_change(clear: Callable[[], None]) -> None:
    """Have ``clear`` called whenever :func:`set_default_dtype` changes the default (a cache
    keyed without it, e.g. the elementwise plans, registers its ``clear`` at import)."""
    _DEFAULT_DEPENDENT.append(clear)


def default_complex() -> dtype:
    """The dtype Python complex numbers become: complex128 under a float64 default, else
    complex64 (PyTorch's default complex dtype follows the default float dtype)."""
    return complex128 if _default_float is float64 else complex64


def complex_of(d: dtype) -> dtype:
    """The complex dtype whose parts are ``d`` (complex64 for float16/bfloat16: jitgrad has
    no complex32) and the dtype itself for a complex one."""
    if d._category == 3:
        return d
    return complex128 if d is float64 else complex64


def real_of(d: dtype) -> dtype:
    """The dtype of a complex ``d``'s parts (``.real``, ``.abs()``); ``d`` itself otherwise."""
    return float64 if d is complex128 else float32 if d is complex64 else d


def any_complex(args: object, out_dtype: dtype | None = None) -> bool:
    """Whether an elementwise call takes or makes complex values (then its plan runs the op's
    complex form, ``jitgrad.ops.registry.complex_form``). Read on a plan miss only."""
    if out_dtype is not None and out_dtype._category == 3:
        return True
    for x in args:  # type: ignore[attr-defined]
        if isinstance(x, complex) or getattr(getattr(x, "_dtype", None), "_category", 0) == 3:
            return True
    return False


def set_default_dtype(d: dtype) -> None:
    """Change the default floating dtype (a floating-point dtype only, as PyTorch's)."""
    global _default_float
    if not isinstance(d, dtype) or not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    if d is not _default_float:
        _default_float = d
        for clear in _DEFAULT_DEPENDENT:
            clear()


def finite_max(d: dtype) -> float:
    """The largest finite value of floating dtype ``d`` (numpy has no bfloat16: float32's
    largest exponent with bfloat16's 8 significant bits)."""
    if d is bfloat16:
        return float(np.finfo(np.float32).max) * (1 - 2.0**-8) / (1 - 2.0**-24)
    return float(np.finfo(d.storage).max)


def from_numpy_dtype(npd: np.dtype) -> dtype:
    """The jitgrad dtype that holds a numpy dtype's values."""
    try:
        return _BY_NUMPY[np.dtype(npd)]
    except KeyError:
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{np.dtype(npd).name}. The only supported "
            "types are: float64, float32, int64, int32, and bool."
        ) from None


def to_dtype(d: object) -> dtype:
    """Accept a jitgrad dtype, a numpy dtype or a Python type (``float``, ``int``, ``bool``)."""
    if isinstance(d, dtype):
        return d
    if d is float:
        return float64
    if d is int:
        return int64
    if d is bool:
        return bool_
    try:
        npd = np.dtype(d)
    except (TypeError, ValueError):  # numpy's words for a non-dtype are not PyTorch's
        raise TypeError(f"dtype must be torch.dtype, not {type(d).__name__}") from None
    return from_numpy_dtype(npd)


def promote(a: dtype, b: dtype) -> dtype:
    """The result dtype of two tensors of the same dimension class."""
    if a is b:
        return a
    if a.round is not None and b.round is not None:  # float16 with bfloat16: neither holds both
        return float32
    if a._category != b._category:
        hi, lo = (a, b) if a._category > b._category else (b, a)
        if hi._category == 3 and lo is float64:  # complex64 with float64 is complex128
            return complex128
        return hi
    if a.is_signed != b.is_signed and a._category == 1:
        # PyTorch: unsigned with signed is the signed type that holds both (uint8 + int8 is
        # int16, uint8 + int16 stays int16)
        u, i = (a, b) if b.is_signed else (b, a)
        return i if i.itemsize > u.itemsize else _SIGNED_BY_SIZE[min(2 * u.itemsize, 8)]
    return a if a.itemsize >= b.itemsize else b


def scalar_category(value: object) -> int:
    """The category of a Python scalar: 0 bool, 1 int, 2 float, 3 complex."""
    if type(value) is float:
        return 2
    if isinstance(value, bool | np.bool_):
        return 0
    if isinstance(value, int | np.integer):
        return 1
    if isinstance(value, complex | np.complexfloating):
        return 3
    return 2


_CPP_NAMES = {  # PyTorch's element type names in the grad-assignment message
    "float32": "float", "float64": "double", "float16": "c10::Half", "bfloat16": "c10::BFloat16",
    "int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
    "uint8": "unsigned char", "bool": "bool",
    "complex64": "c10::complex<float>", "complex128": "c10::complex<double>",
}  # fmt: skip
_SCALAR_NAMES = {
    "float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
    "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
    "bool": "Bool", "complex64": "ComplexFloat", "complex128": "ComplexDouble",
}  # fmt: skip


CPP_NAMES = _CPP_NAMES
SCALAR_NAMES = _SCALAR_NAMES


def cpp_name(d: dtype) -> str:
    """PyTorch's C++ element type name (``float``, ``c10::Half`` ...) in its messages."""
    return _CPP_NAMES.get(d.name, d.name)


def scalar_name(d: dtype) -> str:
    """PyTorch's ``Float``/``Long``/``Byte``... for a dtype in its messages."""
    return _SCALAR_NAMES.get(d.name, d.name)


def grad_dtype_message(got: dtype, want: dtype) -> str:
    """PyTorch's words when ``t.grad = g`` gives ``g`` another dtype than ``t``."""
    return (
        f"attempting to assign a gradient with dtype '{_CPP_NAMES.get(got.name, got.name)}' to "
        f"a tensor with grad_dtype '{_SCALAR_NAMES.get(want.name, want.name)}'. The gradient "
        "must match the tensor's grad_dtype (defaults to the tensor's dtype). You can set the "
        "tensor's grad_dtype attribute with a specific dtype, or None to allow any dtype. Set "
        "grad_dtype with caution. Diverging the dtypes of a tensor and its gradient may break "
        "downstream systems that assume they match."
    )
