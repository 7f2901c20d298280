"""Every differentiable elementwise op at second and third order (float64 ``gradgradcheck``).

Under ``create_graph=True`` an elementwise op's first-order gradient holds the values of its
lowered backward kernel (``tests/test_lowering.py``) and the graph of its declared rules:
differentiating that gradient again must agree with finite differences of the gradient
itself, and once more for the third derivative. The first order is checked bitwise in
``test_lowering.py``, PyTorch's values at second order in ``test_higher_order.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
from op_cases import CASES

import jitgrad
from jitgrad.autograd import gradgradcheck
from jitgrad.ops.registry import REGISTRY


def _cases(all_shapes: bool) -> list:
    out = []
    for case in CASES:
        # (finite_differences=False: cast rounds through float32, floor/trunc division is
        # piecewise constant; finite differences say nothing there)
        if not REGISTRY[case.op].differentiable or not case.finite_differences:
            continue
        for shapes in case.shape_sets() if all_shapes else [case.shapes]:
            if any(0 in s for s in shapes):  # nothing to differentiate
                continue
            name = ",".join("x".join(map(str, s)) or "0d" for s in shapes)
            out.append(pytest.param(case, shapes, id=f"{case.op}-{name}"))
    return out


def _inputs(case, shapes, seed: int) -> list:
    arrays = case.sample(np.random.default_rng(seed), shapes, np.float64)
    pairs = zip(arrays, case.grad_inputs(), strict=True)
    return [jitgrad.tensor(a, requires_grad=g) for a, g in pairs]


@pytest.mark.parametrize(("case", "shapes"), _cases(all_shapes=True))
def test_second_derivatives_pass_gradgradcheck(case, shapes):
    xs = _inputs(case, shapes, 7)
    assert gradgradcheck(lambda *ts: case.call(jitgrad, *ts), xs)


@pytest.mark.parametrize(("case", "shapes"), _cases(all_shapes=False))
def test_third_derivatives_pass_gradgradcheck(case, shapes):
    """``gradgradcheck`` of the first derivative (a fixed output weight): its second
    derivatives are the op's third."""
    xs = _inputs(case, shapes, 8)
    out = case.call(jitgrad, *xs)
    weight = np.random.default_rng(9).uniform(0.5, 1.5, out.shape)
    weight = jitgrad.tensor(weight)
    wanted = [i for i, x in enumerate(xs) if x.requires_grad]

    def first(*ts):
        grads = jitgrad.autograd.grad(
            case.call(jitgrad, *ts), [ts[i] for i in wanted], weight, create_graph=True
        )
        return tuple(grads)

    assert gradgradcheck(first, xs)
