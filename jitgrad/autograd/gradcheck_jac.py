"""Slow-mode Jacobians for :mod:`.gradcheck`, laid out as PyTorch's: ``(input elements,
output elements)`` per (input, output) pair.

The outputs seen here are real: :mod:`.gradcheck` checks a complex output as two real
functions, its imaginary part and then its real part (``part_of_outputs``), as PyTorch's
``_real_and_imag_output``. A complex input element ``z = x + iy`` gets one row holding the
conjugate Wirtinger derivative ``ds/dx + i ds/dy`` (numerically: central differences along
``eps`` and ``i eps``), which is what a backward returns for the seed ``1`` of a real output
(PyTorch's convention), so both Jacobians are complex for a complex input.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .. import dtypes as D
from ..engine.grad_mode import enable_grad
from ..frontend.tensor import Tensor, _make
from .api import grad as autograd_grad


class GradcheckError(RuntimeError):
    """A gradient check failed (PyTorch's ``torch.autograd.gradcheck.GradcheckError``)."""


NOT_REENTRANT = (
    "Backward is not reentrant, i.e., running backward with same input and grad_output "
    "multiple times gives different values, although analytical gradient matches numerical "
    "gradient.The tolerance for nondeterminism was "
)


def as_tuple(x: Any) -> tuple:
    return tuple(x) if isinstance(x, tuple | list) else (x,)


def differentiable_outputs(fn: Callable, inputs: tuple) -> list:
    """``fn``'s floating-point and complex tensor outputs (run with grad mode on)."""
    with enable_grad():
        outs = as_tuple(fn(*inputs))
    return [
        o
        for o in outs
        if isinstance(o, Tensor) and (o._dtype.is_floating_point or o._dtype.is_complex)
    ]


def part_of_outputs(fn: Callable, imag: bool) -> Callable:
    """``fn`` with each complex output replaced by its imaginary (or real) part."""

    def part(*inputs: Any) -> tuple:
        outs = as_tuple(fn(*inputs))
        return tuple(
            (o.imag if imag else o.real) if isinstance(o, Tensor) and o._dtype.is_complex else o
            for o in outs
        )

    return part


def _central(fn: Callable, inputs: tuple, arr: np.ndarray, idx: tuple, step: complex) -> list:
    """``(f(x + step) - f(x - step)) / (2 |step|)`` per output, ``arr[idx]`` moved in place
    (the leaf's buffer, bypassing the version counter as PyTorch's ``.data``)."""
    orig = arr[idx].copy()
    arr[idx] = orig - step
    minus = [o._value.reshape(-1).copy() for o in differentiable_outputs(fn, inputs)]
    arr[idx] = orig + step
    plus = [o._value.reshape(-1).copy() for o in differentiable_outputs(fn, inputs)]
    arr[idx] = orig
    return [(p - m) / (2 * abs(step)) for p, m in zip(plus, minus, strict=True)]


def numerical(fn: Callable, inputs: tuple, diff: list[int], eps: float) -> list[list[np.ndarray]]:
    """``[input][output]`` Jacobians by central differences, for every floating-point output
    (the caller keeps those that require grad, as PyTorch's ``_slow_gradcheck``)."""
    sizes = [o._value.size for o in differentiable_outputs(fn, inputs)]
    jacobians = []
    for i in diff:
        arr = inputs[i]._value
        is_complex = arr.dtype.kind == "c"
        per_out = [np.zeros((arr.size, n), np.complex128 if is_complex else np.float64)
                   for n in sizes]  # fmt: skip
        for k, idx in enumerate(np.ndindex(arr.shape)):
            cols = _central(fn, inputs, arr, idx, eps)
            if is_complex:
                dys = _central(fn, inputs, arr, idx, eps * 1j)
                cols = [dx + 1j * dy for dx, dy in zip(cols, dys, strict=True)]
            for j, col in enumerate(cols):
                per_out[j][k] = col
        jacobians.append(per_out)
    return jacobians


def analytical(out: Tensor, targets: list[Tensor]) -> list[np.ndarray]:
    """d ``out`` / d each target, one ``autograd.grad`` per element of ``out`` (real)."""
    mats = [
        np.zeros((t._value.size, out._value.size), np.complex128 if t._dtype.is_complex
                 else np.float64)
        for t in targets
    ]  # fmt: skip
    for k in range(out._value.size):
        seed = np.zeros(out._value.size, out._dtype.np)
        seed[k] = 1
        go = _make(seed.reshape(out._value.shape), out._dtype)
        grads = autograd_grad(out, targets, go, retain_graph=True, allow_unused=True)
        for i, g in enumerate(grads):
            if g is not None:
                mats[i][:, k] = g._value.reshape(-1)
    return mats


def close(a: np.ndarray, n: np.ndarray, atol: float, rtol: float) -> bool:
    """``torch.allclose(a, n, rtol, atol)`` (complex numbers by their modulus)."""
    return bool(np.all(np.abs(a - n) <= atol + rtol * np.abs(n)))


def mismatch(out: int, inp: int, part: tuple | None) -> str:
    """The head of PyTorch's mismatch message; ``part``: (complex output indices, imag)."""
    prefix = ""
    if part is not None and out in part[0]:
        prefix = (
            f"While considering the {'imaginary' if part[1] else 'real'} part of complex "
            "outputs only, "
        )
    return prefix + f"Jacobian mismatch for output {out} with respect to input {inp},\n"


def show(m: np.ndarray, dt: D.dtype) -> str:
    """A Jacobian as PyTorch prints it: in the input's dtype (its real dtype for a real one)."""
    to = dt if m.dtype.kind == "c" else D.real_of(dt)
    return repr(_make(m.astype(to.np), to))
