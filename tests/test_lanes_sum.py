"""The 64-lane summation order (``scalar.lanes_sum``, perf/RESULTS.md Run lanes64): what it adds
in which order, NaN and inf, and its accuracy on tests/test_fold_sum.py's large float32 sums
against PyTorch's recorded ``sum`` (tests/fixtures/make_sum_accuracy_torch.py), and a compiled
blocked reduction that keeps the lanes in its loop. A kernel keeping the 64 lanes in its element
loop and one summing its stored summands with ``lanes_sum`` (tier 0 and capture do too) agree
bit for bit, both being this order."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from numba import njit, typeof

from jitgrad.fusion import block_render as BR
from jitgrad.fusion import codegen as C
from jitgrad.fusion import lowering as LW
from jitgrad.kernels.cpu import lane_rows as LR
from jitgrad.kernels.cpu.scalar import LANES, lanes_sum
from jitgrad.ops.registry import REGISTRY

FIXTURES = Path(__file__).with_name("fixtures")
sys.path.insert(0, str(FIXTURES))
from sum_accuracy_cases import CASES, values  # noqa: E402

TORCH = json.loads((FIXTURES / "sum_accuracy_torch.json").read_text())["sums"]
BLOCK = 4096


@njit
def _rows(x, lanes, rows):
    LR.add_rows(x, lanes, rows)


def _tree(v: list, dt=np.float32) -> np.floating:
    """fold_sum's documented order, one add at a time in ``dt`` (as in tests/test_fold_sum.py)."""
    v = [dt(a) for a in v]
    while len(v) > 1:
        k = len(v) - len(v) // 2
        v = [v[i] + v[i + k] for i in range(len(v) - k)] + v[len(v) - k : k]
    return v[0]


def _lanes_in_the_loop(x: np.ndarray) -> np.float64:
    """The order as a loop keeping the lanes would run it: element i added to lane i % 64 in
    increasing i, in x's dtype; the lanes that got an element then folded by fold_sum's tree."""
    dt = x.dtype.type
    lanes = [dt(0)] * LANES
    for i, v in enumerate(x):
        lanes[i % LANES] = lanes[i % LANES] + dt(v)
    return np.float64(_tree(lanes[: min(len(x), LANES)], dt)) if len(x) else np.float64(0)


@pytest.mark.parametrize("n", [0, 1, 5, 63, 64, 65, 130, 1000, 4095, 4096])
def test_lanes_sum_adds_in_the_documented_lane_order(n):
    rng = np.random.default_rng(n)
    x = (rng.standard_normal(n) * 10.0 ** rng.integers(-6, 7, n)).astype(np.float32)
    got = lanes_sum(x, np.empty(LANES, np.float32), np.float64(0))
    want = _lanes_in_the_loop(x)
    assert np.float64(got).tobytes() == want.tobytes(), (got, want)


@pytest.mark.parametrize("strided", [False, True], ids=["contiguous", "strided"])
@pytest.mark.parametrize("dt", [np.float32, np.float64])
@pytest.mark.parametrize("n", [64, 127, 4096 + 5])
def test_lanes_sum_order_holds_for_both_float_dtypes_and_any_layout(n, dt, strided):
    """The vectorized rows (``lane_rows.add_rows``: float32 and float64, C-contiguous) and
    the plain loop it falls back to (a strided block) add in the same order."""
    rng = np.random.default_rng(n + strided)
    x = (rng.standard_normal(2 * n) * 10.0 ** rng.integers(-6, 7, 2 * n)).astype(dt)
    x = x[::2] if strided else x[:n]
    got = lanes_sum(x, np.empty(LANES, dt), np.float64(0))
    want = _lanes_in_the_loop(x)
    assert np.float64(got).tobytes() == want.tobytes(), (got, want)


@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_add_rows_adds_lane_by_lane_with_ieee_zeros_nan_and_inf(dt):
    """Row by row into the lanes already there, each lane on its own: -0. + -0. stays -0.,
    inf + -inf in one lane is NaN in that lane only, and other lanes are untouched by it."""
    rows = 5
    x = np.ones(rows * LANES, dt)
    x[0::LANES] = -0.0  # lane 0: -0. all the way
    x[1], x[1 + 3 * LANES] = np.inf, -np.inf  # lane 1: NaN from row 3
    x[2 + 2 * LANES] = np.nan  # lane 2: NaN from row 2
    x[5 + 4 * LANES] = 2.0**-30  # lane 5: rounded away below 1 + 2**-23 (float32)
    lanes = np.full(LANES, -0.0, dt)
    lanes[7] = 0.5
    _rows(x, lanes, rows)
    want = np.full(LANES, -0.0, dt)
    want[7] = 0.5
    with np.errstate(invalid="ignore"):  # inf + -inf
        for j in range(rows):
            want = want + x[j * LANES : (j + 1) * LANES]
    assert np.signbit(lanes[0]) and lanes[0] == 0
    assert np.isnan(lanes[1]) and np.isnan(lanes[2]) and not np.isnan(lanes[3:]).any()
    np.testing.assert_array_equal(lanes, want)
    assert lanes[3:].tobytes() == want[3:].tobytes()


def test_add_rows_takes_the_vector_form_for_contiguous_float_blocks_only():
    assert LR._vectorizable(typeof(np.empty(8, np.float32)), typeof(np.empty(64, np.float32)))
    assert LR._vectorizable(typeof(np.empty(8)), typeof(np.empty(64)))
    assert not LR._vectorizable(typeof(np.empty(8)[::2]), typeof(np.empty(64)))
    assert not LR._vectorizable(typeof(np.empty(8, np.int64)), typeof(np.empty(64, np.int64)))
    assert not LR._vectorizable(typeof(np.empty(8)), typeof(np.empty(64, np.float32)))


def test_lanes_sum_leaves_its_input_and_propagates_nan_and_inf():
    x = np.ones(200, np.float32)
    x[130] = np.inf
    lanes = np.full(LANES, 7, np.float32)  # stale scratch is reset
    assert lanes_sum(x, lanes, np.float64(0)) == np.inf
    assert x[130] == np.inf and x.sum() == np.inf
    x[3] = -np.inf
    assert np.isnan(lanes_sum(x, lanes, np.float64(0)))
    assert lanes_sum(np.ones(100, np.float32), lanes, np.float64(0)) == 100.0


@pytest.mark.parametrize("name", list(CASES))
def test_large_float32_sums_in_lane_order_lose_no_more_than_pytorchs(name):
    """Blocks of 4096 summed in the lane order, their sums added in float64 in block order
    (as the blocked kernels add theirs), against PyTorch 2.13's float32 ``sum``, both
    measured against the float64 sum."""
    x = values(name)
    lanes = np.empty(LANES, np.float32)
    acc = np.float64(0)
    for lo in range(0, x.size, BLOCK):
        acc += lanes_sum(x[lo : lo + BLOCK], lanes, np.float64(0))
    exact = x.astype(np.float64).sum()
    ours = abs(np.float64(np.float32(acc)) - exact)
    torch = abs(TORCH[name] - exact)
    assert ours <= torch, f"{name}: jitgrad off by {ours}, PyTorch by {torch}"


def test_blocked_kernel_keeping_the_lanes_adds_each_block_in_lane_order():
    """mul's backward summing ``g * 1`` over a broadcast operand keeps the lanes in its loop
    (a short body without math calls): each block's sum is the lane order above, the blocks
    added in order in float64, bit for bit (two full blocks and a short one)."""
    spec, order = LW.op_backward(
        REGISTRY["mul"], "tt", (C.STORE, C.REDUCE), 1, False, "float32", (None, None)
    )
    source = C.render_source(spec)
    assert "lanes_gb[i0 - j_] += np.float32(" in source and "lanes_sum" not in source
    n = 2 * C.REDUCE_BLOCK + 33
    rng = np.random.default_rng(11)
    x = (rng.standard_normal(n) * 10.0 ** rng.integers(-6, 7, n)).astype(np.float32)
    ones = np.ones_like(x)
    by_role = {"g": x, "a": ones, "b": ones}
    out = np.zeros(1, np.float32)
    C.get_kernel(spec).dispatcher(*[by_role[r] for r in order], np.empty_like(x), out)
    acc = np.float64(0)
    for lo in range(0, n, C.REDUCE_BLOCK):
        acc += _lanes_in_the_loop(x[lo : lo + C.REDUCE_BLOCK])
    assert out[0].tobytes() == np.float32(acc).tobytes(), (out[0], np.float32(acc))


def test_a_block_loop_with_math_calls_stores_its_summands_for_lanes_sum():
    assert BR.keeps_lanes(["        s = (a_ - b_)", "        o[i0] = s * s"])
    assert not BR.keeps_lanes(["        t = _fm.tanh32(x_)"])
