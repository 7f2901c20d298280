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


def _first_grads(case, arrays: list, create_graph: bool) -> list:
    pairs = zip(arrays, case.grad_inputs(), strict=True)
    ts = [jitgrad.tensor(a, requires_grad=g) for a, g in pairs]
    out = case.call(jitgrad, *ts)
    wanted = [t for t in ts if t.requires_grad]
    seed = np.linspace(0.5, 1.5, out.numel()).reshape(out.shape).astype(arrays[0].dtype)
    seed = jitgrad.tensor(seed)
    grads = jitgrad.autograd.grad(out, wanted, seed, create_graph=create_graph)
    return [g.detach().numpy() for g in grads]


def _differentiable_cases():
    from op_cases import CASES as OP_CASES  # (tests/ is on the path: conftest)

    return [c for c in OP_CASES if REGISTRY[c.op].differentiable]


def _params() -> list:
    """Every differentiable op case in each of its shape sets (broadcast operands, 0-d and
    empty ones included), float32 and float64."""
    out = []
    for dtype in (np.float32, np.float64):
        for case in _differentiable_cases():
            for shapes in case.shape_sets():
                name = ",".join("x".join(map(str, s)) or "0d" for s in shapes)
                pid = f"{case.op}-{name}-{dtype.__name__}"
                marks = [pytest.mark.xfail(strict=True, reason=CAST_BROADCAST)] * (
                    pid in CAST_BROADCAST_IDS
                )
                out.append(pytest.param(case, shapes, dtype, id=pid, marks=marks))
    return out


#: float_power of float32 operands is pow over float64 casts (PyTorch's composition). With a
#: broadcast float32 exponent, the plain backward sums pow's float64 gradient to (4,) and
#: then casts (PyTorch's order); under create_graph the 1-ulp-different float32 value comes
#: out (found in session 12; ``pow(a.double(), b.double())`` gives the same on main, so it
#: predates the declaration). Left open: strict, so a fix shows up here.
CAST_BROADCAST = "create_graph sums a cast operand's broadcast gradient in another order"
CAST_BROADCAST_IDS = {"float_power-3x4,4-float32"}


@pytest.mark.parametrize(("case", "shapes", "dtype"), _params())
def test_create_graph_gradients_equal_the_kernel_gradients(case, shapes, dtype):
    """``create_graph=True`` computes the first-order gradients by the op's lowered backward
    kernel, as the usual backward does, and records the declared rules' graph for them: the
    same bits for every op case, broadcast operands and float32 special functions included.

    On main (which evaluated the rules over Tensors, each op rounding to the tensor dtype)
    seven float32 special-function rules (``g * digamma(a)`` rounded ``digamma(a)`` first)
    and broadcast operands (``sum_to_shape`` sums in another order than the kernel's
    accumulation: lerp's (3, 1) operand in float64) differed by 1 ulp."""
    arrays = case.sample(np.random.default_rng(4), shapes, dtype)
    plain = _first_grads(case, arrays, False)
    graph = _first_grads(case, arrays, True)
    for a, b in zip(plain, graph, strict=True):
        np.testing.assert_array_equal(a, b)


def _unary_cases() -> list:
    from op_cases import CASES as OP_CASES  # (tests/ is on the path: conftest)

    return [
        pytest.param(c, id=c.op)
        for c in OP_CASES
        if REGISTRY[c.op].differentiable and c.arity == 1 and c.grad_inputs() == (True,)
    ]


@pytest.mark.parametrize("case", _unary_cases())
def test_a_fused_backward_rounds_each_member_gradient_as_unfused(case):
    """``op(x * b)`` in float32, fused and unfused backward: bitwise equal. The fused
    kernel used to pass ``g * trigamma(a)`` (float64: the special functions' scalar helpers
    are float64) on to mul's rule unrounded, where the unfused node rounds it into its
    float32 gradient buffer first (digamma, lgamma, i0... 1 ulp apart)."""
    rng = np.random.default_rng(5)
    (xa,) = case.sample(rng, [(6, 7)], np.float32)
    ba = rng.uniform(0.95, 1.05, 7).astype(np.float32)
    grads = []
    for fuse in (False, True):
        x = jitgrad.tensor(xa, requires_grad=True)
        b = jitgrad.tensor(ba, requires_grad=True)
        with jitgrad.fusion(fuse):
            y = case.call(jitgrad, x * b)
            seed = jitgrad.tensor(np.linspace(0.5, 1.5, y.numel(), dtype=np.float32))
            grads.append(jitgrad.autograd.grad(y, [x, b], seed.reshape(y.shape)))
    for a, f in zip(*grads, strict=True):
        np.testing.assert_array_equal(a.numpy(), f.numpy())
