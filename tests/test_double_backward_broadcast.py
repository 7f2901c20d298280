"""Double backward of short elementwise chains over operands of broadcast shapes, fused and
unfused, checked by ``gradgradcheck`` (float64 finite differences of the create_graph
gradients).

Why a sweep: a fused backward group whose every array operand is broadcast along some
dimension (``a(3,1) * b(1,3) * b``: a column, a row, a seed of one value) left the generated
kernel no operand to read its loop's shape from (``codegen.loop_shape_source``:
StopIteration). The class of shapes, not only that one, is covered here.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import jitgrad
from jitgrad.autograd import gradcheck, gradgradcheck
from jitgrad.fusion import codegen

#: chains of 2-3 elementwise ops on (a, b); b is kept away from 0 by the operands' values
CHAINS = {
    "mul_mul": lambda a, b: a * b * b,
    "add_mul": lambda a, b: (a + b) * b,
    "div_sin": lambda a, b: jitgrad.sin(a / b),
    "exp_mul_mul": lambda a, b: jitgrad.exp(a) * b * a,
    "where_mul": lambda a, b: jitgrad.where(a > 0, a * b, b * b),
    "sin_exp_add": lambda a, b: jitgrad.sin(a) + jitgrad.exp(b) * a,
}

SHAPES = [
    ((3, 1), (1, 3)),
    ((1, 3), (3, 1)),
    ((1,), (4,)),
    ((), (2, 3)),
    ((2, 3), ()),
    ((2, 1, 3), (4, 1)),
    ((3,), (2, 3)),
    ((2, 1), (2, 3)),
]


def _leaves(shape_a: tuple, shape_b: tuple, seed: int) -> tuple:
    rng = np.random.default_rng(seed)
    a = rng.uniform(-1.5, 1.5, shape_a)
    a = np.where(np.abs(a) < 0.2, 0.5, a)  # where(a > 0): no finite difference across the kink
    b = rng.uniform(0.5, 1.5, shape_b) * rng.choice([-1.0, 1.0], shape_b)
    return (
        jitgrad.tensor(a, dtype=jitgrad.float64, requires_grad=True),
        jitgrad.tensor(b, dtype=jitgrad.float64, requires_grad=True),
    )


@pytest.mark.parametrize("fuse", [True, False], ids=["fused", "unfused"])
@pytest.mark.parametrize("shapes", SHAPES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("chain", sorted(CHAINS))
def test_double_backward_over_broadcast_shapes(chain: str, shapes: tuple, fuse: bool) -> None:
    f = CHAINS[chain]
    a, b = _leaves(*shapes, seed=len(chain) + 7 * len(shapes[0]))
    with jitgrad.fusion(fuse):
        # through a sum: the seed gradient is one value broadcast over the whole loop
        assert gradgradcheck(lambda x, y: f(x, y).sum(), (a, b), atol=1e-6)
        # a random gradient of the output's shape
        assert gradgradcheck(f, (a, b), atol=1e-6)


@pytest.mark.parametrize("needs", ["a", "b"])
@pytest.mark.parametrize("shapes", SHAPES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("chain", ["mul_mul", "div_sin", "where_mul"])
def test_one_leaf_requires_grad(chain: str, shapes: tuple, needs: str) -> None:
    # the fused group for b(1,3)'s gradient alone reads a column, a row and one value and
    # accumulates into a row: every operand compacted, no loop shape (StopIteration / IndexError)
    f = CHAINS[chain]
    a, b = _leaves(*shapes, seed=3)
    (a if needs == "b" else b).requires_grad_(False)
    with jitgrad.fusion(True):
        assert gradcheck(lambda x, y: f(x, y).sum(), (a, b), atol=1e-6)
        assert gradgradcheck(lambda x, y: f(x, y).sum(), (a, b), atol=1e-6)


def test_row_gradient_of_column_times_row_compiled() -> None:
    # the 2-D loop of b's gradient with a, b and the seed all compacted, through the
    # generated kernel itself (tier 0 interprets cold kernels)
    a = jitgrad.tensor([[0.5], [-1.0], [2.0]])
    b = jitgrad.tensor([[1.5, -0.5, 3.0]], requires_grad=True)
    spec = codegen.KernelSpec(
        "mul_bwd", (("g", False), ("a", False)), (("t0", "g_ * a_"),),
        (("gb", "t0", codegen.ACCUMULATE, "float32"),), 2,
    )  # fmt: skip
    g = np.broadcast_to(np.float32(1.0), (3, 3))
    gb = np.zeros((1, 3), np.float32)
    call, compact = codegen.compact_args(spec, [g, np.broadcast_to(a.numpy(), (3, 3)),
                                                np.broadcast_to(gb, (3, 3))])  # fmt: skip
    assert compact and len(compact) < 3  # one operand left whole: the loop's shape
    source = codegen.render_source(replace(spec, compact=compact))
    assert ".shape[0]" in source
    with jitgrad.fusion(True):
        (a * b).sum().backward()
    np.testing.assert_allclose(b.grad.numpy(), np.full((1, 3), 1.5), rtol=1e-6)


def test_double_backward_of_column_times_row_times_row() -> None:
    # crashed in the fused backward's code generation (loop_shape_source: StopIteration)
    a = jitgrad.tensor([[0.5], [-1.0], [2.0]], requires_grad=True)
    b = jitgrad.tensor([[1.5, -0.5, 3.0]], requires_grad=True)
    with jitgrad.fusion(True):
        y = a * b * b
        g = jitgrad.autograd.grad(y.sum(), (a, b), create_graph=True)
        sum(x.sum() for x in g).backward()
    # L = 3 sum(b^2) + 2 sum(a) sum(b): dL/da = 2 sum(b), dL/db = 6 b + 2 sum(a)
    np.testing.assert_allclose(a.grad.numpy(), np.full((3, 1), 2 * 4.0), rtol=1e-6)
    want_b = 6 * np.array([[1.5, -0.5, 3.0]]) + 2 * 1.5
    np.testing.assert_allclose(b.grad.numpy(), want_b, rtol=1e-6)
