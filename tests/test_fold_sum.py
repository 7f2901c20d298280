"""``scalar.fold_sum``, the pairwise order that folds the 64 lanes of blocked reductions
(``scalar.lanes_sum``, tests/test_lanes_sum.py; it summed whole blocks until Run lanes64):
what it adds in which order, NaN and inf, and a fused kernel's accuracy on large float32 sums
against PyTorch's recorded ``sum``
(tests/fixtures/make_sum_accuracy_torch.py). That tier 0 and capture reproduce the compiled
kernels bit for bit is tests/test_tier0.py's and tests/test_capture*.py's; that the sums do not
depend on the thread count is tests/test_chunked_launch.py's."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from jitgrad.fusion import codegen as C
from jitgrad.fusion import lowering as LW
from jitgrad.kernels.cpu.scalar import fold_sum
from jitgrad.ops.registry import REGISTRY

FIXTURES = Path(__file__).with_name("fixtures")
sys.path.insert(0, str(FIXTURES))
from sum_accuracy_cases import CASES, values  # noqa: E402

TORCH = json.loads((FIXTURES / "sum_accuracy_torch.json").read_text())["sums"]


def _tree(v: list) -> np.float32:
    """The order fold_sum documents, one float32 add at a time: element i of the lower
    n // 2 gets element i + ceil(n / 2), until one is left."""
    v = [np.float32(a) for a in v]
    while len(v) > 1:
        k = len(v) - len(v) // 2
        v = [v[i] + v[i + k] for i in range(len(v) - k)] + v[len(v) - k : k]
    return v[0]


@pytest.mark.parametrize("n", [1, 2, 3, 5, 16, 17, 31, 100, 1000, 4095, 4096])
def test_fold_sum_adds_in_the_documented_pairwise_order(n):
    # values whose sum depends on the order: large and small magnitudes mixed
    rng = np.random.default_rng(n)
    x = (rng.standard_normal(n) * 10.0 ** rng.integers(-6, 7, n)).astype(np.float32)
    want = np.float64(_tree(list(x)))
    got = fold_sum(x.copy(), np.float64(0))
    assert isinstance(got, float)
    assert np.float64(got).tobytes() == want.tobytes(), (got, want)


def test_fold_sum_empty_nan_and_inf():
    assert fold_sum(np.zeros(0, np.float32), np.float64(0)) == 0.0
    x = np.ones(37, np.float32)
    x[30] = np.inf
    assert fold_sum(x.copy(), np.float64(0)) == np.inf
    x[3] = -np.inf
    assert np.isnan(fold_sum(x.copy(), np.float64(0)))
    y = np.ones(4096)
    y[4000] = np.nan
    assert np.isnan(fold_sum(y, np.float64(0)))


@pytest.mark.parametrize("name", list(CASES))
def test_large_float32_sums_lose_no_more_than_pytorchs(name):
    """A fused kernel's blocked reduction (mul's backward summing ``g * 1`` over a broadcast
    operand: the summands are ``g`` exactly) against PyTorch 2.13's float32 ``sum`` of the
    same values, both measured against the float64 sum."""
    spec, order = LW.op_backward(
        REGISTRY["mul"], "tt", (C.STORE, C.REDUCE), 1, False, "float32", (None, None)
    )
    x = values(name)
    ones = np.ones_like(x)
    by_role = {"g": x, "a": ones, "b": ones}
    out = np.zeros(1, np.float32)
    C.get_kernel(spec).dispatcher(*[by_role[r] for r in order], np.empty_like(x), out)
    exact = x.astype(np.float64).sum()
    ours = abs(np.float64(out[0]) - exact)
    torch = abs(TORCH[name] - exact)
    assert ours <= torch, f"{name}: jitgrad off by {ours}, PyTorch by {torch}"

