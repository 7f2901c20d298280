"""The one lowering (jitgrad.fusion.lowering): a single op's kernels and a fused group's are
lowered alike, so fused and unfused gradients agree to the bit, mixed dtypes included.

Before the lowering was one, a single op's backward summed a float64 rule into a float32
gradient buffer without rounding each contribution first, while the fused kernel rounded it:
the two paths gave different float32 gradients for a float32 leaf broadcast against a float64
tensor (up to 4e-6 apart on the case below).
"""

from __future__ import annotations

import numpy as np
import pytest

import jitgrad
from jitgrad.fusion import codegen as C
from jitgrad.fusion import lowering as LW
from jitgrad.ops.registry import REGISTRY

CASES = {
    # (shape, dtype) of x, then of y: x's gradient is summed over y's broadcast rows
    "row-broadcast": (((1, 64), np.float32), ((33, 64), np.float64)),
    # x is one element: its gradient is a full reduction
    "one-element": (((1,), np.float32), ((257,), np.float64)),
    "same-shape": (((5, 7), np.float32), ((5, 7), np.float64)),
}


def _grads(fuse: bool, case: str) -> list[np.ndarray]:
    rng = np.random.default_rng(1)
    (xs, xdt), (ys, ydt) = CASES[case]
    x = jitgrad.tensor(rng.standard_normal(xs).astype(xdt), requires_grad=True)
    y = jitgrad.tensor(rng.standard_normal(ys).astype(ydt), requires_grad=True)
    with jitgrad.fusion(fuse):
        ((x * y).sin() * 3).sum().backward()
    return [x.grad.numpy(), y.grad.numpy()]


@pytest.mark.parametrize("case", sorted(CASES))
def test_fused_and_unfused_gradients_are_bitwise_equal_across_dtypes(case):
    unfused, fused = _grads(False, case), _grads(True, case)
    assert unfused[0].dtype == np.float32 and unfused[1].dtype == np.float64
    for a, b in zip(unfused, fused, strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_single_op_is_a_group_of_one():
    """One op's backward reads only what its rules name, and writes one output per
    gradient wanted, in the mode asked (names the CUDA backend passes operands by)."""
    spec, order = LW.op_backward(
        REGISTRY["mul"], "ts", (C.ACCUMULATE, None), 1, False, "float32", ("float32", None)
    )
    assert order == ["g", "b"]  # mul's rule for a reads g and b only
    assert spec.inputs == (("g", False), ("b", True))  # b is a Python number: a scalar
    assert [(o[0], o[2]) for o in spec.outputs] == [("ga", C.ACCUMULATE)]
    assert "(g_mul0 * b)" in dict(spec.stmts).values()
    fwd = LW.op_forward(REGISTRY["exp"], "t", 0, False, "float32", "float32")
    assert fwd.inputs == (("a", False),) and fwd.outputs[0][:1] == ("out",)
    assert dict(fwd.stmts)[fwd.outputs[0][1]] == "_fm.exp32(a_)"
