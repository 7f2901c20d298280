"""``gradcheck`` / ``gradgradcheck``: analytical Jacobians against central differences.

Follows PyTorch's slow mode: the numerical Jacobian perturbs each input element by ``±eps``
in place (on the leaf's buffer, bypassing the version counter, as PyTorch does through
``.data``); the analytical one runs one ``autograd.grad`` per output element, twice (the
reentrancy check). Both are laid out ``(input elements, output elements)`` and compared with
``|a - n| <= atol + rtol * |n|`` (:mod:`.gradcheck_jac`); ``fast_mode`` compares ``v^T J u``
for random ``u``, ``v`` instead (:mod:`.gradcheck_fast`).

Complex numbers as PyTorch's ``_gradcheck_real_imag``: a function with a complex output is
checked twice, as the function of its outputs' imaginary parts and then of their real parts
(a failure says which: "While considering the imaginary part of complex outputs only, ...");
a complex input's Jacobian rows are Wirtinger derivatives ``ds/dx + i ds/dy``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import dtypes as D
from ..frontend.creation import generator
from ..frontend.tensor import Tensor, _make
from ..helpers import warn as warn_user
from . import gradcheck_fast as fast
from . import gradcheck_jac as jac
from .api import grad as autograd_grad
from .functional import grads_of_used
from .gradcheck_jac import GradcheckError

__all__ = ["GradcheckError", "gradcheck", "gradgradcheck"]


def gradcheck(
    func: Callable,
    inputs: Any,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    check_undefined_grad: bool = True,
    fast_mode: bool = False,
    **unused: Any,
) -> bool:
    """Whether ``func``'s backward matches finite differences at ``inputs``.

    Raises :class:`GradcheckError` on a mismatch (or returns False with
    ``raise_exception=False``). Use float64 or complex128 inputs: float32 differences are too
    coarse.
    """
    inputs = jac.as_tuple(inputs)
    diff = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x._requires_grad]
    if not diff:
        raise ValueError(
            "gradcheck expects at least one input tensor to require gradient, but none of "
            "them have requires_grad=True."
        )
    _warn_not_double(inputs, diff)
    try:
        _check_real_imag(func, inputs, diff, (eps, atol, rtol, nondet_tol), fast_mode)
        _check_zero_grad_outputs(func, inputs, diff, check_undefined_grad)
    except GradcheckError:
        if raise_exception:
            raise
        return False
    return True


def _check_real_imag(
    func: Callable, inputs: tuple, diff: list[int], tols: tuple, fast_mode: bool
) -> None:
    """PyTorch's ``_gradcheck_real_imag`` (backward mode): with a complex output, check the
    imaginary parts' function, then the real parts'; else ``func`` itself."""
    check = fast.check if fast_mode else _slow
    outs = [o for o in jac.differentiable_outputs(func, inputs) if o._requires_grad]
    complex_outs = [j for j, o in enumerate(outs) if o._dtype.is_complex]
    if not complex_outs:
        return check(func, inputs, diff, tols, None)
    for imag in (True, False):
        check(jac.part_of_outputs(func, imag), inputs, diff, tols, (complex_outs, imag))
    return None


def _slow(fn: Callable, inputs: tuple, diff: list[int], tols: tuple, part: tuple | None) -> None:
    """PyTorch's ``_slow_gradcheck``: the numerical Jacobians, then per output requiring grad
    its analytical ones (twice: a second backward must agree within ``nondet_tol``, else a
    backward that keeps state would pass on its first run only), compared per input."""
    eps, atol, rtol, nondet_tol = tols
    outs = jac.differentiable_outputs(fn, inputs)
    kept = [k for k, o in enumerate(outs) if o._requires_grad]
    numerical = jac.numerical(fn, inputs, diff, eps)
    if not kept:
        if any(np.any(n != 0) for n_in in numerical for n in n_in):
            raise GradcheckError("Numerical gradient for function expected to be zero")
        return
    targets = [inputs[i] for i in diff]
    for j, k in enumerate(kept):
        first = jac.analytical(outs[k], targets)
        again = jac.analytical(outs[k], targets)
        if any(np.any(np.abs(a - b) > nondet_tol) for a, b in zip(first, again, strict=True)):
            raise GradcheckError(jac.NOT_REENTRANT + f"{nondet_tol}.")
        for i, (a, n_in) in enumerate(zip(first, numerical, strict=True)):
            if not jac.close(a, n_in[k], atol, rtol):
                dt = targets[i]._dtype
                raise GradcheckError(
                    jac.mismatch(j, i, part) + f"numerical:{jac.show(n_in[k], dt)}\n"
                    f"analytical:{jac.show(a, dt)}\n"
                )


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


_UNDEFINED = (
    "Expected all input grads to be undefined or zero when all output grads are undefined or "
    'zero. Please look at "Notes about undefined output gradients" in '
    '"tools/autograd/derivatives.yaml"'
)


def _check_zero_grad_outputs(
    func: Callable, inputs: tuple, diff: list[int], check_undefined_grad: bool
) -> None:
    """PyTorch's last two checks, one backward each: zero grad_outputs must give zero input
    gradients (``_test_backward_mul_by_grad_output``), and so must undefined ones
    (``_test_undefined_backward_mode``; a custom Function's backward sees them as zeros)."""
    targets = [inputs[i] for i in diff]
    checks = ("backward not multiplied by grad_output", _UNDEFINED)
    for message in checks if check_undefined_grad else checks[:1]:
        outs = [o for o in jac.differentiable_outputs(func, inputs) if o._requires_grad]
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
            raise GradcheckError(message)


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
    check_undefined_grad: bool = True,
    fast_mode: bool = False,
    **unused: Any,
) -> bool:
    """``gradcheck`` of the map (inputs, grad_outputs) -> gradients built with create_graph.

    Missing ``grad_outputs`` are random in [-1, 1) and themselves require grad, so the
    second derivative with respect to them is checked too, as in PyTorch.
    """
    inputs = jac.as_tuple(inputs)
    outs = jac.differentiable_outputs(func, inputs)
    if grad_outputs is None:
        grad_outputs = [_random_like(o) for o in outs]
    grad_outputs = jac.as_tuple(grad_outputs)
    n = len(inputs)

    def first_derivative(*args: Any) -> tuple:
        xs, gos = args[:n], args[n:]
        diff_in = [x for x in xs if isinstance(x, Tensor) and x._requires_grad]
        grads = grads_of_used(jac.differentiable_outputs(func, xs), diff_in, gos, True)
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
        check_undefined_grad=check_undefined_grad,
        fast_mode=fast_mode,
    )


def _random_like(o: Tensor) -> Tensor:
    """PyTorch's ``make_tensor(low=-1, high=1, requires_grad=True)`` for a grad_output: a
    complex one draws its real and imaginary parts interleaved (its ``view_as_real``)."""
    shape = o._value.shape + ((2,) if o._dtype.is_complex else ())
    values = generator().uniform(-1, 1, shape)
    if o._dtype.is_complex:
        values = np.asarray(values[..., 0] + 1j * values[..., 1])  # 0-d: not a scalar
    g = _make(values.astype(o._dtype.np), o._dtype)
    g._requires_grad = True
    return g
