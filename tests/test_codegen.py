"""Golden snapshot of a fused backward kernel's source: codegen changes show up as diffs.

Regenerate after an intended change with ``JITGRAD_REGEN_GOLDEN=1 pytest tests/test_codegen.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

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
    assert "blk_out1[i0 - blk_lo] = grad1" in source
    assert "_k.block_sum(blk_out1, np.float64(0))" in source
