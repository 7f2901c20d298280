"""Golden snapshot of a fused backward kernel's source: codegen changes show up as diffs.

Regenerate after an intended change with ``JITGRAD_REGEN_GOLDEN=1 pytest tests/test_codegen.py``.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from numba import njit

import jitgrad
from jitgrad.fusion import codegen, diskcache
from jitgrad.kernels.cpu import fastmath, fastmath_calls

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
    # Arguments named by structure (x0, x1: the user's x and y; saved_exp1: exp's saved
    # result) and only those the kernel reads: add's operands (sin's result and the 1) are
    # not passed, add's rule reads neither.
    assert "(g, saved_exp1, x0, x1, mul0_b, out0, out1):" in source
    # y broadcast from one element: a scalar reduction, blocked so the loop body vectorizes
    assert "blk_out1[i0] = grad1" in source
    # summed a sub-block at a time into the 64 lanes, the lanes folded once per block
    assert "_k.lanes_add(blk_out1, lanes_out1)" in source
    assert "_k.lanes_fold(lanes_out1, blk_hi - blk_lo, np.float64(0))" in source


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
            # x0, x1, x2: c, x, b (first read from the root); b is read as a row, c as a column
            assert "x2_ = x2[i1]" in source and "x0_ = x0[i0]" in source, source
        h.sum().backward()
    pre = X + B
    mask = pre > 0
    np.testing.assert_allclose(h.detach().numpy(), np.maximum(pre, 0) * C, rtol=1e-6)
    np.testing.assert_allclose(x.grad.numpy(), mask * C, rtol=1e-6)
    np.testing.assert_allclose(b.grad.numpy(), (mask * C).sum(0), rtol=1e-5)
    relu = np.maximum(pre, 0)
    np.testing.assert_allclose(c.grad.numpy(), relu.sum(1, keepdims=True), rtol=1e-5)


def test_one_value_broadcast_over_a_1d_loop_is_read_at_index_0_only_when_it_is_one_value():
    """A gradient of one value expanded (a ``sum``'s) reaches a 1-D backward with stride 0; the
    kernel gets the one-element array (a stride-0 operand compiled to gathers). A later
    backward of the same graph, replayed, with a full gradient must not reuse that variant."""
    rng = np.random.default_rng(4)
    X = rng.standard_normal(5000).astype(np.float32)
    G = rng.standard_normal(5000).astype(np.float32)
    x = jitgrad.tensor(X, requires_grad=True)
    with jitgrad.fusion(True):
        for seed in (2.0, 2.0, G, 2.0, G):
            x.grad = None
            y = x * x + x.sin()
            full = isinstance(seed, np.ndarray)
            y.backward(jitgrad.tensor(seed) if full else jitgrad.tensor(seed).expand(5000))
            want = seed * (2 * X + np.cos(X))
            np.testing.assert_allclose(x.grad.numpy(), want, rtol=1e-5, atol=1e-5)
    variants = [s for s in diskcache.MEMORY if s.label == "add_sin_mul_fbwd" and s.ndim == 1]
    assert {s.compact for s in variants} >= {(), (("g", -1),)}
    source = codegen.render_source(next(s for s in variants if s.compact))
    assert "g_ = g[0]" in source and "n0 = x0.shape[0]" in source, source


def test_blocked_reduction_reads_block_slices_from_0():
    """The blocked loop indexes slices from 0 (indexing the whole array from ``blk_lo`` kept
    Numba's wraparound select and the loop compiled to gathers), and a broadcast one-value
    operand is read whole at [0]; the sums stay right across block boundaries."""
    n = 3 * codegen.REDUCE_BLOCK + 17
    rng = np.random.default_rng(5)
    X = rng.standard_normal(n).astype(np.float32)
    x = jitgrad.tensor(X, requires_grad=True)
    y = jitgrad.tensor([1.5], requires_grad=True)
    with jitgrad.fusion(True):
        out = jitgrad.sin(x * y)
        source = "\n".join(g.source for g in jitgrad.explain(out.sum()).groups)
        out.sum().backward()
    assert "blk_x0 = x0[sub_lo:sub_hi]" in source, source
    assert "x0_ = blk_x0[i0]" in source and "x1_ = x1[0]" in source
    # the block's element loop is a function of its own, called with a sub-block's length
    assert "for i0 in range(n_):" in source and "blk_out1[i0] = grad1" in source
    assert "blk_out1, sub_hi - sub_lo)" in source
    want_y = np.sum(np.cos(1.5 * X.astype(np.float64)) * X)
    np.testing.assert_allclose(y.grad.numpy(), [want_y], rtol=1e-5)
    np.testing.assert_allclose(x.grad.numpy(), 1.5 * np.cos(1.5 * X), rtol=1e-5, atol=1e-6)


def test_one_compiled_overload_serves_every_non_contiguous_layout():
    """A generated kernel compiles once for C-contiguous arrays (writable or read-only saved
    tensors alike) and once for all other layouts (strided views, Fortran order), not once per
    combination; every combination computes what NumPy computes."""
    from jitgrad.fusion import lowering
    from jitgrad.ops.registry import REGISTRY

    spec = lowering.op_forward(REGISTRY["hypot"], "tt", 1, False, "float64", "float64")
    kernel = codegen.get_kernel(spec)
    rng = np.random.default_rng(0)
    a = rng.standard_normal(8)
    b = rng.standard_normal(16)[::2]  # a strided view
    frozen = rng.standard_normal(8)
    frozen.flags.writeable = False  # as a saved tensor may be
    for x, y in [(a, a), (a, b), (b, a), (frozen, b), (b, frozen), (frozen, frozen), (b, b)]:
        out = np.empty(8)
        kernel.dispatcher(x, y, out)
        np.testing.assert_array_equal(out, np.hypot(x, y))
    strided_out = np.empty(16)[::2]
    kernel.dispatcher(a, a, strided_out)
    np.testing.assert_array_equal(strided_out, np.hypot(a, a))
    layouts = sorted((s[0].layout, s[0].mutable) for s in kernel.dispatcher.signatures)
    assert layouts == [("A", False), ("C", False)], kernel.dispatcher.signatures
    frozen_out = np.zeros(8)
    frozen_out.flags.writeable = False  # never written into: Numba's own refusal
    with pytest.raises(Exception, match="readonly|read-only|Cannot modify"):
        kernel.dispatcher(a, a, frozen_out)
    assert not frozen_out.any()


@pytest.mark.parametrize("op", ["exp", "tanh", "sin", "cos"])
def test_generated_kernels_call_the_llvm_inlined_fast_math(op):
    """Generated kernels reach the fast exp/tanh/sin/cos through ``fastmath_calls`` (typed and
    lowered once per process, not at each call site: perf/RESULTS.md, Run fmcodegen): the
    same bits as the Numba-inlined ``fastmath`` function, and no call left to it in the
    kernel's machine code."""
    from jitgrad.fusion import lowering  # (as the test above: only these tests need them)
    from jitgrad.ops.registry import REGISTRY

    spec = lowering.op_forward(REGISTRY[op], "t", 1, False, "float32", "float32")
    kernel = codegen.get_kernel(spec)
    module = sys.modules[kernel.dispatcher.py_func.__module__]
    assert module._fm is fastmath_calls
    x = np.random.default_rng(0).uniform(-60, 60, 4096).astype(np.float32)
    x[:8] = [0.0, -0.0, np.inf, -np.inf, np.nan, 1e6, -2e7, 1e-40]
    got = np.empty_like(x)
    kernel.dispatcher(x, got)
    inlined = getattr(fastmath, op + "32")

    @njit(error_model="numpy")
    def want_loop(x, out):
        for i in range(x.size):
            out[i] = inlined(x[i])

    want = np.empty_like(x)
    want_loop(x, want)
    assert np.array_equal(got.view(np.uint32), want.view(np.uint32))
    fresh = njit(error_model="numpy")(kernel.dispatcher.py_func)  # (a cached one has no asm)
    fresh(x, want)
    asm = fresh.inspect_asm(fresh.signatures[0])
    assert re.search(r"\bret", asm), "no assembly to read"
    called = re.findall(r"call\w*\s+\*?(\S+)", asm) + re.findall(r"movabsq\s+\$(\w+)", asm)
    assert not [c for c in called if op + "32" in c], "the fast-math subroutine is still called"
