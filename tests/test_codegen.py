"""Golden snapshot of a fused backward kernel's source: codegen changes show up as diffs.

Regenerate after an intended change with ``JITGRAD_REGEN_GOLDEN=1 pytest tests/test_codegen.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

import jitgrad

GOLDEN = Path(__file__).with_name("golden") / "fused_mul_exp_add_sin.py.txt"


def test_fused_backward_source_matches_golden():
    x = jitgrad.ones(3, requires_grad=True)
    y = jitgrad.ones(1, requires_grad=True)
    out = jitgrad.exp(jitgrad.sin(x * y) + 1) * 2
    with jitgrad.fusion(True):
        source = jitgrad.explain(out).groups[0].source
    if os.environ.get("JITGRAD_REGEN_GOLDEN"):
        GOLDEN.write_text(source)
    assert source == GOLDEN.read_text()
    # Readable: one line per op, named after the ops; sin is read, the product recomputed.
    assert "d_sin3_a = (g_sin3 * _fm.cos32(v_mul4))" in source
    # y broadcast from one element: a scalar reduction, blocked so the loop body vectorizes
    assert "blk_out1[i0] = grad1" in source
    assert "_k.block_sum(blk_out1, np.float64(0))" in source


@pytest.mark.parametrize("fused", [True, False], ids=["fused", "unfused"])
def test_broadcast_operands_of_a_2d_loop_are_read_as_1d_arrays(fused):
    """A bias row (or a column) broadcast over a 2-D loop is passed as the 1-D array it is.

    As a zero-stride 2-D view Numba types it non-contiguous and the loop does not vectorize
    (a 512x512 bias + relu backward: 1.7 ms vs 0.07 ms); the values must not change.
    """
    rng = np.random.default_rng(3)
    X = rng.standard_normal((64, 48)).astype(np.float32)
    B = rng.standard_normal(48).astype(np.float32)
    C = rng.standard_normal((64, 1)).astype(np.float32)
    x, b, c = (jitgrad.tensor(v, requires_grad=True) for v in (X, B, C))
    with jitgrad.fusion(fused):
        h = jitgrad.relu(x + b) * c
        if fused:
            source = "\n".join(g.source for g in jitgrad.explain(h.sum()).groups)
            assert "_b[i1]" in source, source
        h.sum().backward()
    pre = X + B
    mask = pre > 0
    np.testing.assert_allclose(h.detach().numpy(), np.maximum(pre, 0) * C, rtol=1e-6)
    np.testing.assert_allclose(x.grad.numpy(), mask * C, rtol=1e-6)
    np.testing.assert_allclose(b.grad.numpy(), (mask * C).sum(0), rtol=1e-5)
    relu = np.maximum(pre, 0)
    np.testing.assert_allclose(c.grad.numpy(), relu.sum(1, keepdims=True), rtol=1e-5)
