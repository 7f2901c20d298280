"""``gradcheck(..., fast_mode=True)``: PyTorch's fast mode (pytorch issue 53876). Instead of
whole Jacobians it compares one number per (input, output) pair, ``v^T J u``, for random unit
vectors ``u`` (one per input) and ``v`` (one per output): numerically from one central
difference along ``u``, analytically from one vector-Jacobian product with ``v`` (run twice,
the reentrancy check), so a backward runs twice per output.

The vectors come from a fresh ``Generator`` (PyTorch's default seed), ``rand(n)`` cast to the
tensor's dtype and divided by its norm, drawn for the inputs first and then the outputs, so
they and the printed numbers are PyTorch's. The tolerance grows to ``atol * sum(u) * sum(v)``
(``_adjusted_atol``). On a mismatch the message gives the two numbers, then the Jacobians
recomputed in slow mode.

Complex inputs follow PyTorch's ``_fast_gradcheck``: ``u`` is a pair ``(ur, ui)`` of real unit
vectors, the numerical side is ``v . (J_x ur + i J_y ui)`` (differences along ``eps ur`` and
``i eps ui``), the analytical one ``Re(v^T J) . ur + i Im(v^T J) . ui``, and the tolerance
``atol * (sum(ur) + sum(ui)) * sum(v)``. Outputs are real here (see :mod:`.gradcheck_jac`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .. import dtypes as D
from ..frontend.sampling import rand
from ..frontend.tensor import Tensor
from ..random import Generator
from . import gradcheck_jac as jac
from .api import grad as autograd_grad
from .gradcheck_jac import GradcheckError

FAST_FAIL_SLOW_OK_MSG = """
Fast gradcheck failed but element-wise differences are small. This means that the
test might've passed in slow_mode!

If you are adding a new operator, please file an issue and then use one of the
workarounds. The workaround depends on how your test invokes gradcheck/gradgradcheck:

If the test
- manually invokes gradcheck/gradgradcheck, then call gradcheck/gradgradcheck
  with `fast_mode=False` as a keyword argument.
- is OpInfo-based (e.g., in test_ops_gradients.py), then modify the OpInfo for the test
  to have `gradcheck_fast_mode=False`
- is a Module test (e.g., in common_nn.py), then modify the corresponding
  module_test entry to have `gradcheck_fast_mode=False`
""".strip()


def _unit(t: Tensor, g: Generator) -> Tensor:
    """PyTorch's ``_vec_from_tensor``: ``rand(numel)`` in ``t``'s real dtype over its norm."""
    vec = rand(t.numel(), generator=g).to(D.real_of(t._dtype))
    return vec / vec.norm()


def vectors(inputs: list[Tensor], outputs: list[Tensor]) -> tuple[list, list]:
    """``(u per input, v per output)``, drawn in PyTorch's order from its default seed; a
    ``u`` is ``(ur,)``, or ``(ur, ui)`` for a complex input."""
    g = Generator()
    us = [(_unit(x, g), _unit(x, g)) if x._dtype.is_complex else (_unit(x, g),) for x in inputs]
    return us, [_unit(o, g) for o in outputs]


def _jvp(outputs_of: Callable[[], list[Tensor]], x: Tensor, delta: Any, eps: float) -> list:
    """``J delta / eps`` per output by central differences (the input's buffer moved in place,
    as PyTorch's ``entry.copy_``; the outputs cloned, as PyTorch's: one may be a view of it)."""
    arr = x._value
    orig = arr.copy()
    arr[...] = orig - delta
    minus = [o.detach().clone() for o in outputs_of()]
    arr[...] = orig + delta
    plus = [o.detach().clone() for o in outputs_of()]
    arr[...] = orig
    return [((b - a) / (2 * eps)).reshape(-1) for a, b in zip(minus, plus, strict=True)]


def numerical_vju(
    outputs_of: Callable[[], list[Tensor]], x: Tensor, u: tuple, vs: list[Tensor], eps: float
) -> list:
    """``v . (J u)`` per output: a float, or a complex for a complex input."""
    jus = _jvp(outputs_of, x, (u[0] * eps).reshape(x.shape)._value, eps)
    if len(u) == 2:
        dys = _jvp(outputs_of, x, (u[1] * eps).reshape(x.shape)._value * 1j, eps)
        jus = [dx + dy * 1j for dx, dy in zip(jus, dys, strict=True)]
    return [(v * ju).sum().item() for v, ju in zip(vs, jus, strict=False)]


def _dot_u(g: Tensor | None, u: tuple) -> float | complex:
    if g is None:
        return 0.0 if len(u) == 1 else 0j
    g = g.reshape(-1)
    if not g._dtype.is_complex:
        return float(g.dot(u[0]))
    return float(g.real.dot(u[0])) + 1j * float(g.imag.dot(u[1]))


def analytical_vju(
    out: Tensor, targets: list[Tensor], us: list[tuple], v: Tensor
) -> tuple[list, list]:
    """``(v^T J) . u`` per input, computed twice (PyTorch's reentrancy check): both lists."""
    runs = []
    for _ in range(2):
        grads = autograd_grad(out, targets, v.reshape(out.shape), retain_graph=True,
                              allow_unused=True)  # fmt: skip
        runs.append([_dot_u(g, u) for g, u in zip(grads, us, strict=True)])
    return runs[0], runs[1]


def adjusted_atol(atol: float, u: tuple, v: Tensor) -> float:
    """``atol * sum(u) * sum(v)``: the all-``atol`` matrix seen through ``u`` and ``v`` (for a
    complex input ``sum(ur) + sum(ui)``)."""
    return atol * sum(float(p.sum()) for p in u) * float(v.sum())


def check(fn: Callable, inputs: tuple, diff: list[int], tols: tuple, part: tuple | None) -> None:
    """PyTorch's ``_fast_gradcheck`` (backward mode): ``v^T J u`` numerically and analytically
    (twice: the reentrancy check) per (input, output), compared with the tolerance scaled by
    ``sum(u) * sum(v)``; a mismatch reports the slow-mode Jacobians too."""
    eps, atol, rtol, nondet_tol = tols
    targets = [inputs[i] for i in diff]
    outs = [o for o in jac.differentiable_outputs(fn, inputs) if o._requires_grad]
    us, vs = vectors(targets, outs)
    numerical = [
        numerical_vju(lambda: jac.differentiable_outputs(fn, inputs), x, u, vs, eps)
        for x, u in zip(targets, us, strict=True)
    ]
    if not outs:
        return _no_differentiable_outputs(fn, inputs, targets, us, (eps, nondet_tol))
    analytical = []
    for out, v in zip(outs, vs, strict=True):
        first, second = analytical_vju(out, targets, us, v)
        if any(abs(a - b) > nondet_tol for a, b in zip(first, second, strict=True)):
            raise GradcheckError(jac.NOT_REENTRANT + f"{nondet_tol}.")
        analytical.append(first)
    for i, n_in in enumerate(numerical):
        for j, n in enumerate(n_in):
            a = analytical[j][i]
            if abs(a - n) <= adjusted_atol(atol, us[i], vs[j]) + rtol * abs(n):
                continue
            slow_n = jac.numerical(fn, inputs, [diff[i]], eps)[0][j]
            slow_a = jac.analytical(outs[j], targets)[i]
            jac.analytical(outs[j], targets)  # PyTorch's second (reentrancy) run
            dt = targets[i]._dtype
            slow = slow_text(slow_n, slow_a, lambda m, dt=dt: jac.show(m, dt),
                             jac.close(slow_a, slow_n, atol, rtol))  # fmt: skip
            raise GradcheckError(
                jac.mismatch(j, i, part) + f"numerical:{n}\nanalytical:{a}\n" + slow
            )
    return None


def _no_differentiable_outputs(
    fn: Callable, inputs: tuple, targets: list, us: list, tols: tuple
) -> None:
    """PyTorch's ``_check_no_differentiable_outputs_fast``: with no output requiring grad,
    the outputs must not move along ``u``."""
    eps, nondet_tol = tols
    for x, u in zip(targets, us, strict=True):
        for ju in _jvp(lambda: jac.differentiable_outputs(fn, inputs), x,
                       (u[0] * eps).reshape(x.shape)._value, eps):  # fmt: skip
            if ju.numel() and float(ju.abs().max()) > nondet_tol:
                raise GradcheckError("Numerical gradient for function expected to be zero")


def slow_text(numerical: np.ndarray, analytical: np.ndarray, show: Callable, close: bool) -> str:
    """What PyTorch appends to a fast-mode failure: the slow-mode Jacobians of the pair."""
    diff = float(np.abs(numerical - analytical).max())
    text = (
        "\nThe above quantities relating the numerical and analytical jacobians are computed \n"
        "in fast mode. See: https://github.com/pytorch/pytorch/issues/53876 for more background \n"
        "about fast mode. Below, we recompute numerical and analytical jacobians in slow mode:\n\n"
        f"Numerical:\n {show(numerical)}\nAnalytical:\n{show(analytical)}\n\n"
        f"The max per-element difference (slow mode) is: {diff}.\n"
    )
    return text + FAST_FAIL_SLOW_OK_MSG if close else text
