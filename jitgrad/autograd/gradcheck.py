"""``gradcheck`` / ``gradgradcheck``: analytical Jacobians against central differences.

Follows PyTorch's slow mode: the numerical Jacobian perturbs each input element by ``±eps``
in place (on the leaf's buffer, bypassing the version counter, as PyTorch does through
``.data``); the analytical one runs one ``autograd.grad`` per output element. Both are laid
out ``(input elements, output elements)`` and compared with ``|a - n| <= atol + rtol * |n|``.

Complex inputs and outputs are checked as PyTorch checks them, as pairs of real numbers: a
complex input element is perturbed along its real and its imaginary part (two rows), a
complex output element is two columns, whose analytical rows come from the seeds ``1`` and
``1j`` (the gradient of its real and of its imaginary part, in PyTorch's convention).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import dtypes as D
from ..engine.grad_mode import enable_grad
from ..frontend.creation import generator
from ..frontend.tensor import Tensor, _make
from ..helpers import warn as warn_user
from . import gradcheck_fast as fast
from .api import grad as autograd_grad
from .functional import grads_of_used


class GradcheckError(RuntimeError):
    """A gradient check failed (PyTorch's ``torch.autograd.gradcheck.GradcheckError``)."""


def _as_tuple(x: Any) -> tuple:
    return tuple(x) if isinstance(x, tuple | list) else (x,)


def _differentiable_outputs(fn: Callable, inputs: tuple) -> list:
    with enable_grad():
        outs = _as_tuple(fn(*inputs))
    return [
        o
        for o in outs
        if isinstance(o, Tensor) and (o._dtype.is_floating_point or o._dtype.is_complex)
    ]


def _flat(a: np.ndarray) -> np.ndarray:
    """Real numbers of ``a`` in order, a complex element as its (real, imaginary) pair."""
    if a.dtype.kind == "c":
        return np.stack([a.real, a.imag], -1).reshape(-1).astype(np.float64)
    return a.reshape(-1).astype(np.float64)


def _numerical(fn: Callable, inputs: tuple, diff: list[int], eps: float) -> list[list[np.ndarray]]:
    """d outputs / d inputs by central differences: ``[input][output]`` of (n_in, n_out)."""
    n_outs = [_flat(o._value).size for o in _differentiable_outputs(fn, inputs)]
    jacobians = []
    for i in diff:
        arr = inputs[i]._value
        steps = (eps, eps * 1j) if arr.dtype.kind == "c" else (eps,)
        per_out = [np.zeros((arr.size * len(steps), n)) for n in n_outs]
        k = 0
        for idx in np.ndindex(arr.shape):
            for step in steps:
                orig = arr[idx].copy()
                arr[idx] = orig - step
                minus = [_flat(o._value) for o in _differentiable_outputs(fn, inputs)]
                arr[idx] = orig + step
                plus = [_flat(o._value) for o in _differentiable_outputs(fn, inputs)]
                arr[idx] = orig
                for j, (p, m) in enumerate(zip(plus, minus, strict=True)):
                    per_out[j][k] = (p - m) / (2 * eps)
                k += 1
        jacobians.append(per_out)
    return jacobians


def _analytical(fn: Callable, inputs: tuple, diff: list[int]) -> list[list[np.ndarray]]:
    """d outputs / d inputs by one ``autograd.grad`` per output element."""
    outs = _differentiable_outputs(fn, inputs)
    targets = [inputs[i] for i in diff]
    jacobians = [
        [np.zeros((_flat(t._value).size, _flat(o._value).size)) for o in outs] for t in targets
    ]
    for j, out in enumerate(outs):
        if not out._requires_grad:
            continue
        units = (1, 1j) if out._dtype.is_complex else (1,)
        for k in range(out._value.size * len(units)):
            seed = np.zeros(out._value.size, out._dtype.np)
            seed[k // len(units)] = units[k % len(units)]
            go = _make(seed.reshape(out._value.shape), out._dtype)
            grads = autograd_grad(out, targets, go, retain_graph=True, allow_unused=True)
            for i, g in enumerate(grads):
                if g is not None:
                    jacobians[i][j][:, k] = _flat(g._value)
    return jacobians


def _show(m: np.ndarray, dt: D.dtype) -> str:
    return repr(_make(m.astype(D.real_of(dt).np), D.real_of(dt)))


def gradcheck(
    func: Callable,
    inputs: Any,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    fast_mode: bool = False,
    **unused: Any,
) -> bool:
    """Whether ``func``'s backward matches finite differences at ``inputs``.

    ``fast_mode``: compare ``v^T J u`` for PyTorch's random ``u``, ``v`` instead of whole
    Jacobians (:mod:`.gradcheck_fast`; complex inputs or outputs are checked in slow mode).

    Raises :class:`GradcheckError` on a mismatch (or returns False with
    ``raise_exception=False``). Use float64 inputs: float32 differences are too coarse.
    """
    inputs = _as_tuple(inputs)
    diff = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x._requires_grad]
    if not diff:
        raise ValueError(
            "gradcheck expects at least one input tensor to require gradient, but none of "
            "them have requires_grad=True."
        )
    _warn_not_double(inputs, diff)
    if fast_mode and not _any_complex(func, inputs, diff):
        if not _fast(func, inputs, diff, (eps, atol, rtol, nondet_tol), raise_exception):
            return False
        return _check_zero_grad_outputs(func, inputs, diff, raise_exception)
    numerical = _numerical(func, inputs, diff, eps)
    analytical = _analytical(func, inputs, diff)
    if not _check_reentrant(func, inputs, diff, analytical, nondet_tol, raise_exception):
        return False
    for pos, (a_in, n_in) in enumerate(zip(analytical, numerical, strict=True)):
        dt = inputs[diff[pos]]._dtype
        for j, (a, n) in enumerate(zip(a_in, n_in, strict=True)):
            if not np.all(np.abs(a - n) <= atol + rtol * np.abs(n)):
                return _fail(
                    f"Jacobian mismatch for output {j} with respect to input {pos},\n"
                    f"numerical:{_show(n, dt)}\nanalytical:{_show(a, dt)}\n",
                    raise_exception,
                )
    return _check_zero_grad_outputs(func, inputs, diff, raise_exception)


def _warn_not_double(inputs: tuple, diff: list[int]) -> None:
    for i in diff:
        if inputs[i]._dtype not in (D.float64, D.complex128):
            warn_user(
                f"Input #{i} requires gradient and is not a double precision floating point or "
                "complex. This check will likely fail if all the inputs are not of double "
                "precision floating point or complex. ",
                UserWarning,
                stacklevel=3,
            )


def _any_complex(func: Callable, inputs: tuple, diff: list[int]) -> bool:
    outs = _differentiable_outputs(func, inputs)
    return any(t._dtype.is_complex for t in [inputs[i] for i in diff] + outs)


def _fast(
    func: Callable, inputs: tuple, diff: list[int], tols: tuple, raise_exception: bool
) -> bool:
    """PyTorch's ``_fast_gradcheck`` for real inputs and outputs: ``v^T J u`` numerically and
    analytically (twice: the reentrancy check) per (input, output), compared with the
    tolerance scaled by ``sum(u) * sum(v)``; a mismatch reports the slow-mode Jacobians too."""
    eps, atol, rtol, nondet_tol = tols
    targets = [inputs[i] for i in diff]
    outs = [o for o in _differentiable_outputs(func, inputs) if o._requires_grad]
    us, vs = fast.vectors(targets, outs)
    numerical = [
        fast.numerical_vju(lambda: _differentiable_outputs(func, inputs), x, u, vs, eps)
        for x, u in zip(targets, us, strict=True)
    ]
    analytical = []
    for out, v in zip(outs, vs, strict=True):
        first, second = fast.analytical_vju(out, targets, us, v)
        if any(abs(a - b) > nondet_tol for a, b in zip(first, second, strict=True)):
            return _fail(_NOT_REENTRANT + f"{nondet_tol}.", raise_exception)
        analytical.append(first)
    for i, n_in in enumerate(numerical):
        for j, n in enumerate(n_in):
            a = analytical[j][i]
            if abs(a - n) <= fast.adjusted_atol(atol, us[i], vs[j]) + rtol * abs(n):
                continue
            slow_n = _numerical(func, inputs, [diff[i]], eps)[0][j]
            slow_a = _analytical(func, inputs, diff)[i][j]
            _analytical(func, inputs, diff)  # PyTorch's second (reentrancy) run
            close = bool(np.all(np.abs(slow_a - slow_n) <= atol + rtol * np.abs(slow_n)))
            dt = targets[i]._dtype
            slow = fast.slow_text(slow_n, slow_a, lambda m, dt=dt: _show(m, dt), close)
            return _fail(
                f"Jacobian mismatch for output {j} with respect to input {i},\n"
                f"numerical:{n!r}\nanalytical:{a!r}\n" + slow,
                raise_exception,
            )
    return True


_NOT_REENTRANT = (
    "Backward is not reentrant, i.e., running backward with same input and grad_output "
    "multiple times gives different values, although analytical gradient matches numerical "
    "gradient.The tolerance for nondeterminism was "
)


def _check_reentrant(
    func: Callable,
    inputs: tuple,
    diff: list[int],
    analytical: list,
    nondet_tol: float,
    raise_exception: bool,
) -> bool:
    """PyTorch's check before comparing with the numerical Jacobians: a second backward must
    give the same analytical Jacobians (within ``nondet_tol``), else a backward that keeps
    state between calls would pass on its first run only. (So a backward runs twice per
    output element, as PyTorch's.)"""
    again = _analytical(func, inputs, diff)
    for a_in, b_in in zip(analytical, again, strict=True):
        for a, b in zip(a_in, b_in, strict=True):
            if np.any(np.abs(a - b) > nondet_tol):
                return _fail(_NOT_REENTRANT + f"{nondet_tol}.", raise_exception)
    return True


_UNDEFINED = (
    "Expected all input grads to be undefined or zero when all output grads are undefined or "
    'zero. Please look at "Notes about undefined output gradients" in '
    '"tools/autograd/derivatives.yaml"'
)


def _check_zero_grad_outputs(
    func: Callable, inputs: tuple, diff: list[int], raise_exception: bool
) -> bool:
    """PyTorch's last two checks, one backward each: zero grad_outputs must give zero input
    gradients (``_test_backward_mul_by_grad_output``), and so must undefined ones
    (``_test_undefined_backward_mode``; a custom Function's backward sees them as zeros)."""
    targets = [inputs[i] for i in diff]
    for message in ("backward not multiplied by grad_output", _UNDEFINED):
        outs = [o for o in _differentiable_outputs(func, inputs) if o._requires_grad]
        zeros = [_make(np.zeros_like(o._value), o._dtype) for o in outs]
        try:
            grads = autograd_grad(outs, targets, zeros, allow_unused=True) if outs else ()
        except RuntimeError as err:
            if message == _UNDEFINED:
                raise GradcheckError(
                    "Expected backward function to handle undefined output grads. Please look "
                    'at "Notes about undefined output gradients" in '
                    '"tools/autograd/derivatives.yaml"'
                ) from err
            raise
        if any(g is not None and np.any(g._value != 0) for g in grads):
            return _fail(message, raise_exception)
    return True


def _fail(message: str, raise_exception: bool) -> bool:
    if raise_exception:
        raise GradcheckError(message)
    return False


def gradgradcheck(
    func: Callable,
    inputs: Any,
    grad_outputs: Sequence[Any] | None = None,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    fast_mode: bool = False,
    **unused: Any,
) -> bool:
    """``gradcheck`` of the map (inputs, grad_outputs) -> gradients built with create_graph.

    Missing ``grad_outputs`` are random in [-1, 1) and themselves require grad, so the
    second derivative with respect to them is checked too, as in PyTorch.
    """
    # creation imports tensor, which imports this package: a cycle at module level
    inputs = _as_tuple(inputs)
    outs = _differentiable_outputs(func, inputs)
    if grad_outputs is None:
        grad_outputs = [
            _make(generator().uniform(-1, 1, o._value.shape).astype(o._dtype.np), o._dtype)
            for o in outs
        ]
        for g in grad_outputs:
            g._requires_grad = True
    grad_outputs = _as_tuple(grad_outputs)
    n = len(inputs)

    def first_derivative(*args: Any) -> tuple:
        xs, gos = args[:n], args[n:]
        diff_in = [x for x in xs if isinstance(x, Tensor) and x._requires_grad]
        grads = grads_of_used(_differentiable_outputs(func, xs), diff_in, gos, True)
        if grads is None:
            return ()
        return tuple(g for g in grads if g is not None)

    return gradcheck(
        first_derivative,
        inputs + grad_outputs,
        eps=eps,
        atol=atol,
        rtol=rtol,
        raise_exception=raise_exception,
        nondet_tol=nondet_tol,
        fast_mode=fast_mode,
    )
