"""Complex device tensors as real ones and back, without copies: ``view_as_real``,
``view_as_complex``, ``.real``, ``.imag`` and ``torch.complex``.

A complex64 device buffer of shape ``s`` is a float32 buffer of shape ``(*s, 2)`` (the same
bytes: numba's ``DeviceNDArray.view(dtype)``), so ``view_as_real`` and ``view_as_complex``
are views sharing the version counter, as on the CPU. ``.real``/``.imag`` are what PyTorch
makes them, ``view_as_real(z).select(-1, k)`` (nodes ``SelectBackward0`` over
``ViewAsRealBackward0``): the strided view machinery of :mod:`.views` keeps them aliased
(writes through them reach the complex tensor). A case not covered here (a strided view
operand, an argument the CPU op refuses) returns ``NotImplemented``: the host fallback then
runs the CPU op, which raises PyTorch's error where there is one.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ... import dtypes as D
from ...frontend.recording import record
from ...frontend.tensor import Tensor
from ...fusion.codegen import STORE, KernelSpec
from . import aliasing, render, runtime, views


def _plain(x: Any) -> bool:
    """A device tensor whose buffer is its own contiguous array (not a gathered view)."""
    return isinstance(x, Tensor) and not isinstance(x, aliasing.DeviceView)


def _alias(out: Tensor, x: Tensor) -> Tensor:
    out._vc = x._counter()
    out._base = x if x._base is None else x._base
    return out


def view_as_real(input: Any) -> Any:  # noqa: A002
    if not _plain(input) or not input._dtype.is_complex:
        return NotImplemented
    v = runtime.contiguous(input._value)
    dt = D.real_of(input._dtype)
    arr = v.reshape((*v.shape, 1)).view(dt.np)  # (..., 1) complex as (..., 2) real
    out = record("ViewAsRealBackward0", arr, dt, [input], lambda g: view_as_complex(g.contiguous()))
    return _alias(out, input)


def view_as_complex(input: Any) -> Any:  # noqa: A002
    if not _plain(input) or input._dtype not in (D.float32, D.float64):
        return NotImplemented
    v = input._value
    if v.ndim == 0 or tuple(v.shape)[-1] != 2:
        return NotImplemented  # the CPU op's error
    dt = D.complex_of(input._dtype)
    arr = runtime.contiguous(v).view(dt.np).reshape(tuple(v.shape[:-1]))
    return _alias(record("ViewAsComplexBackward0", arr, dt, [input], view_as_real), input)


def _part(k: int):
    def part(input: Any) -> Any:  # noqa: A002
        if not isinstance(input, Tensor) or not input._dtype.is_complex:
            return NotImplemented  # a real tensor: the CPU op's answer (itself, or zeros)
        pairs = view_as_real(input)
        if pairs is NotImplemented:
            return NotImplemented
        out = views.NATIVE["select"](pairs, -1, k)
        out._base = pairs._base  # (PyTorch's z.real._base is z)
        return out

    return part


def complex_(real: Any, imag: Any) -> Any:  # noqa: A002 - torch.complex
    """``real + i imag`` by one kernel (``ComplexBackward0``); the CPU op's checks decide
    every case but two device float tensors of one dtype."""
    ok = all(isinstance(t, Tensor) and runtime.is_device_array(t._value) for t in (real, imag))
    if not ok or real._dtype is not imag._dtype or real._dtype not in (D.float32, D.float64):
        return NotImplemented
    dt = D.complex_of(real._dtype)
    shape = tuple(np.broadcast_shapes(tuple(real.shape), tuple(imag.shape)))
    out = runtime.empty(shape, dt.np)
    spec = KernelSpec(
        label="complex",
        inputs=(("a", False), ("b", False)),
        stmts=(("r", "complex(a_, b_)"),),
        outputs=(("out", "r", STORE, dt.name),),
        ndim=max(1, len(shape)),
        comment=("out = a + i b",),
    )
    render.run(spec, shape, {"a": real._value, "b": imag._value, "out": out})

    def backward(g: Tensor) -> tuple:
        return (_fit(g.real, real), _fit(g.imag, imag))

    return record("ComplexBackward0", out, dt, [real, imag], backward)


def _fit(g: Tensor, x: Tensor) -> Tensor:
    return g.sum_to_size(x.shape) if tuple(g.shape) != tuple(x.shape) else g


def conj(x: Any) -> Any:
    """A real tensor is its own conjugate (no node, as the CPU's ``conj``): so the backwards
    that conjugate an operand (``addmv``'s, ``addr``'s, ``mH``) stay on the device; a
    complex one is a conjugated copy by a rendered kernel (:mod:`.complex_elementwise`, which
    takes this name over)."""
    if isinstance(x, Tensor) and not x._dtype.is_complex:
        return x
    return NotImplemented


NATIVE: dict[str, Any] = {
    "conj": conj,
    "view_as_real": view_as_real,
    "view_as_complex": view_as_complex,
    "real": _part(0),
    "imag": _part(1),
    "complex": complex_,
}
