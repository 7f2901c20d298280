"""The complex tensor API: ``torch.complex``, ``torch.polar``, ``.real``/``.imag`` (views),
``conj`` (a view with the conjugate bit, :mod:`jitgrad.frontend.bit_views`), ``angle``,
``view_as_real``/``view_as_complex``, ``is_complex``.

A complex64/complex128 tensor holds a numpy complex array; ``.real``, ``.imag`` and
``view_as_real`` are numpy views of it, so writes through them reach the complex tensor (they
share its version counter and ``_base``, as :func:`jitgrad.frontend.views.make_view`'s views
do). On real tensors these names keep :mod:`jitgrad.api_small`'s behaviour. Elementwise ops
on complex values are the op declarations' complex forms (``defop(complex=...)``,
:func:`jitgrad.ops.registry.complex_form`: PyTorch's conjugate Wirtinger convention), lowered
and fused like real ones.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import api_small
from . import dtypes as D
from .engine.grad_mode import STATE
from .frontend.bit_views import ConjView
from .frontend.conjugate import conj, is_conj, is_neg, neg_view, resolve_conj, resolve_neg
from .frontend.out import write_out
from .frontend.recording import record
from .frontend.tensor import Tensor, _make
from .frontend.view_registry import register as register_view
from .frontend.views import select

VIEW_AS_REAL_CONJ = (
    "view_as_real doesn't work on unresolved conjugated tensors.  To resolve the conjugate "
    "tensor so you can view it as real, use self.resolve_conj(); however, be warned that the "
    "resulting tensor will NOT alias the original."
)


def _view(x: Tensor, arr: np.ndarray, dt: D.dtype, name: str, backward: Any) -> Tensor:
    """A view of ``x`` with another dtype (``.real``, ``view_as_real`` ...)."""
    if x._requires_grad and STATE.enabled:
        out = record(name, arr, dt, (x,), backward)
        out._vc = x._counter()
        register_view(out)
    else:
        out = _make(arr, dt)
        out._vc = x._counter()
    out._base = x if x._base is None else x._base
    return out


def real(input: Tensor) -> Tensor:  # noqa: A002
    """The real parts of a complex tensor, as a view: ``view_as_real(input).select(-1, 0)``,
    the nodes PyTorch records (``SelectBackward0`` over ``ViewAsRealBackward0``); a real
    tensor is its own real part."""
    if not input._dtype.is_complex:
        return input
    if type(input) is ConjView:  # the stored real parts are the logical ones (PyTorch's nodes)
        return select(view_as_real(conj(input)), -1, 0)
    return select(view_as_real(input), -1, 0)


def imag(input: Tensor) -> Tensor:  # noqa: A002
    """The imaginary parts of a complex tensor, as a view (``view_as_real(input)[..., 1]``)."""
    if not input._dtype.is_complex:
        return api_small._imag(input)
    if type(input) is ConjView:  # a view of the stored imaginary parts with the neg bit
        return select(neg_view(view_as_real(conj(input))), -1, 1)
    return select(view_as_real(input), -1, 1)


def view_as_real(input: Tensor) -> Tensor:  # noqa: A002
    """A complex tensor's (..., 2) real view: real and imaginary parts last."""
    if not input._dtype.is_complex:
        raise RuntimeError("view_as_real is only supported for complex tensors")
    if type(input) is ConjView:
        raise RuntimeError(VIEW_AS_REAL_CONJ)
    dt = D.real_of(input._dtype)
    v = input._value
    arr = v[..., None].view(dt.np)  # (..., 1) complex as (..., 2) real: the same bytes
    return _view(input, arr, dt, "ViewAsRealBackward0", lambda g: view_as_complex(g.contiguous()))


def view_as_complex(input: Tensor) -> Tensor:  # noqa: A002
    """The complex view of a (..., 2) float32/float64 tensor with unit last stride."""
    dt = input._dtype
    if dt not in (D.float32, D.float64):
        raise RuntimeError(
            "view_as_complex is only supported for float and double tensors, but got a tensor "
            f"of scalar type: {D.scalar_name(dt)}"
        )
    v = input._value
    if v.ndim == 0 or v.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    if v.strides[-1] != v.itemsize:
        raise RuntimeError("Tensor must have a last dimension with stride 1")
    if v.ndim > 1 and any(s % (2 * v.itemsize) for s in v.strides[:-1]):
        raise RuntimeError("Tensor must have a stride divisible by 2 for all but last dimension")
    if v.ctypes.data % (2 * v.itemsize):
        raise RuntimeError("Tensor must have a storage_offset divisible by 2")
    arr = v.view(D.complex_of(dt).np)[..., 0]
    return _view(input, arr, D.complex_of(dt), "ViewAsComplexBackward0", _as_real_resolved)


def _as_real_resolved(g: Tensor) -> Tensor:
    """The backward of ``view_as_complex``: a conj view's gradient (a ``conj()`` after the
    view) is resolved first, as view_as_real refuses the bit."""
    return view_as_real(resolve_conj(g))


def complex_(real: Tensor, imag: Tensor, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """``real + i imag`` from two float tensors of one dtype (``ComplexBackward0``)."""
    for name, t in (("real", real), ("imag", imag)):
        if not isinstance(t, Tensor):
            raise TypeError(
                f"complex(): argument '{name}' (position {1 + (name == 'imag')}) must be "
                f"Tensor, not {type(t).__name__}"
            )
    _float_pair(real, imag)
    if out is not None:
        return _complex_out("complex", out, lambda: complex_(real, imag), (real, imag))
    dt = D.complex_of(real._dtype)
    shape = np.broadcast_shapes(real._value.shape, imag._value.shape)
    value = np.empty(shape, dt.np)
    value.real = real._value
    value.imag = imag._value

    def backward(g: Tensor) -> tuple:
        return (_fit_real(g.real, real), _fit_real(g.imag, imag))

    return record("ComplexBackward0", value, dt, [real, imag], backward)


def _fit_real(g: Tensor, x: Tensor) -> Tensor:
    return g.sum_to_size(x.shape) if tuple(g.shape) != tuple(x.shape) else g


def _float_pair(a: Tensor, b: Tensor) -> None:
    """``complex``/``polar``'s checks in PyTorch's order: both floating, then one dtype."""
    if a._dtype not in (D.float32, D.float64, D.float16) or b._dtype not in (
        D.float32, D.float64, D.float16
    ):
        raise RuntimeError(
            "Expected both inputs to be Half, Float or Double tensors but got "
            f"{D.scalar_name(a._dtype)} and {D.scalar_name(b._dtype)}"
        )
    if a._dtype is not b._dtype:
        raise RuntimeError(
            f"Expected object of scalar type {D.scalar_name(a._dtype)} but got scalar type "
            f"{D.scalar_name(b._dtype)} for second argument"
        )


def _complex_out(name: str, out: Tensor, compute: Any, args: tuple) -> Tensor:
    """``complex``/``polar`` into ``out``, which must already have the complex dtype."""
    want = D.complex_of(args[0]._dtype)
    if out._dtype is not want:
        raise RuntimeError(
            f"Expected object of scalar type {D.scalar_name(want)} but got scalar type "
            f"{D.scalar_name(out._dtype)} for argument 'out'"
        )
    return write_out(name, out, compute, args)


def polar(abs: Tensor, angle: Tensor, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """``abs * exp(i angle)`` (``PolarBackward0``)."""
    _float_pair(abs, angle)
    if out is not None:
        return _complex_out("polar", out, lambda: polar(abs, angle), (abs, angle))
    dt = D.complex_of(abs._dtype)
    value = (abs._value * np.exp(1j * angle._value)).astype(dt.np)

    def backward(g: Tensor) -> tuple:
        unit = complex_(angle.cos(), angle.sin())  # d out / d abs
        g_abs = (g * conj(unit)).real
        g_angle = (g * conj(unit * abs) * -1j).real  # d out / d angle = i out
        return (_fit_real(g_abs, abs), _fit_real(g_angle, angle))

    return record("PolarBackward0", value, dt, [abs, angle], backward, [abs, angle])


def angle(input: Tensor) -> Tensor:  # noqa: A002
    """The argument of each complex value, in (-pi, pi] (``AngleBackward0``)."""
    if not input._dtype.is_complex:
        return api_small.angle(input)
    value = np.angle(input._value).astype(D.real_of(input._dtype).np)
    return record_angle(input, value)


def record_angle(input: Tensor, value: Any) -> Tensor:  # noqa: A002
    """The result of ``angle(input)`` (``value`` computed on the input's device)."""

    def backward(g: Tensor) -> Tensor:
        # d angle = Im(conj(z) dz) / |z|^2: PyTorch's angle_backward, 0 at z = 0
        mag2 = (input * conj(input)).real
        safe = mag2 + (mag2 == 0).to(mag2.dtype)  # z = 0: z / 1 is 0 there
        return (g / safe) * input * 1j

    return record("AngleBackward0", value, D.real_of(input._dtype), [input], backward, [input])


def conj_physical(input: Tensor) -> Tensor:  # noqa: A002
    """The conjugate as a new tensor (``ConjPhysicalBackward0``); a real tensor is returned
    itself, as PyTorch does."""
    if not input._dtype.is_complex:
        return input
    value = np.conj(input._value)
    return record("ConjPhysicalBackward0", value, input._dtype, [input], conj_physical)


def is_complex(input: Tensor) -> bool:  # noqa: A002
    return input._dtype.is_complex


METHODS: dict[str, Any] = {
    "real": property(real),
    "imag": property(imag),
    "conj": conj,
    "conj_physical": conj_physical,
    "resolve_conj": resolve_conj,
    "resolve_neg": resolve_neg,
    "is_conj": is_conj,
    "is_neg": is_neg,
    "angle": angle,
    "is_complex": is_complex,
}

TOP_LEVEL: dict[str, Any] = {
    "real": real,
    "imag": imag,
    "conj": conj,
    "conj_physical": conj_physical,
    "resolve_conj": resolve_conj,
    "resolve_neg": resolve_neg,
    "is_conj": is_conj,
    "is_neg": is_neg,
    "angle": angle,
    "is_complex": is_complex,
    "view_as_real": view_as_real,
    "view_as_complex": view_as_complex,
    "complex": complex_,
    "polar": polar,
    "complex64": D.complex64,
    "complex128": D.complex128,
    "cfloat": D.complex64,
    "cdouble": D.complex128,
}
