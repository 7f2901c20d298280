"""``gradcheck(..., fast_mode=True)``: PyTorch's fast mode (pytorch issue 53876) for real
inputs and outputs. Instead of whole Jacobians it compares one number per (input, output)
pair, ``v^T J u``, for random unit vectors ``u`` (one per input) and ``v`` (one per output):
numerically from one central difference along ``u``, analytically from one vector-Jacobian
product with ``v`` (run twice, the reentrancy check), so a backward runs twice per output.

The vectors come from a fresh ``Generator`` (PyTorch's default seed), ``rand(n)`` cast to the
tensor's dtype and divided by its norm, drawn for the inputs first and then the outputs, so
they and the printed numbers are PyTorch's. The tolerance grows to ``atol * sum(u) * sum(v)``
(``_adjusted_atol``). On a mismatch the message gives the two numbers, then the Jacobians
recomputed in slow mode (the caller's, see :mod:`.gradcheck`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..frontend.sampling import rand
from ..frontend.tensor import Tensor
from ..random import Generator
from .api import grad as autograd_grad

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
    """PyTorch's ``_vec_from_tensor``: ``rand(numel)`` in ``t``'s dtype over its norm."""
    vec = rand(t.numel(), generator=g).to(t.dtype)
    return vec / vec.norm()


def vectors(inputs: list[Tensor], outputs: list[Tensor]) -> tuple[list, list]:
    """``(u per input, v per output)``, drawn in PyTorch's order from its default seed."""
    g = Generator()
    us = [_unit(x, g) for x in inputs]
    return us, [_unit(o, g) for o in outputs]


def numerical_vju(
    outputs_of: Callable[[], list[Tensor]], x: Tensor, u: Tensor, vs: list[Tensor], eps: float
) -> list[float]:
    """``v . (J u)`` per output, ``J u`` by central differences along ``eps * u`` (the
    input's buffer moved in place, as PyTorch's ``entry.copy_``)."""
    arr = x._value
    orig = arr.copy()
    delta = (u * eps).reshape(x.shape)._value
    arr[...] = orig - delta
    minus = [o.detach() for o in outputs_of()]
    arr[...] = orig + delta
    plus = [o.detach() for o in outputs_of()]
    arr[...] = orig
    jus = [((b - a) / (2 * eps)).reshape(-1) for a, b in zip(minus, plus, strict=True)]
    return [float((v * ju).sum()) for v, ju in zip(vs, jus, strict=False)]


def analytical_vju(
    out: Tensor, targets: list[Tensor], us: list[Tensor], v: Tensor
) -> tuple[list[float], list[float]]:
    """``(v^T J) . u`` per input, computed twice (PyTorch's reentrancy check): both lists."""
    runs = []
    for _ in range(2):
        grads = autograd_grad(out, targets, v.reshape(out.shape), retain_graph=True,
                              allow_unused=True)  # fmt: skip
        runs.append([
            0.0 if g is None else float(g.reshape(-1).dot(u))
            for g, u in zip(grads, us, strict=True)
        ])  # fmt: skip
    return runs[0], runs[1]


def adjusted_atol(atol: float, u: Tensor, v: Tensor) -> float:
    """``atol * sum(u) * sum(v)``: the all-``atol`` matrix seen through ``u`` and ``v``."""
    return atol * float(u.sum()) * float(v.sum())


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
