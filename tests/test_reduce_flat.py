"""Full reductions run ``sum_flat``/``mean_flat`` (kernels/cpu/reduce_flat.py) instead of
``sum_fwd``/``mean_fwd``, so a first ``x.sum()`` compiles less; the results must be the
general kernels' bit for bit, at every length the pairwise tree treats differently."""

from __future__ import annotations

import numpy as np
import pytest

import jitgrad
from jitgrad.kernels.cpu import reduce_call, reduce_flat
from jitgrad.kernels.cpu.reduce_flat import leaf_total, mean_flat, mean_leaf, sum_flat, sum_leaf
from jitgrad.kernels.cpu.reduce_leaves import BLOCK
from jitgrad.kernels.cpu.reduce_sum import mean_fwd, sum_fwd

LENGTHS = [0, 1, 7, 1023, 1024, 1025, 4096 + 3, 70_001]


@pytest.mark.parametrize("n", LENGTHS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32])
def test_flat_kernels_equal_the_general_ones_bitwise(n, dtype):
    rng = np.random.default_rng(n)
    x = (rng.standard_normal(n) * 100).astype(dtype).reshape(1, n, 1)
    out_dtype = np.int64 if dtype == np.int32 else dtype
    pairs = [(sum_flat, sum_fwd), (mean_flat, mean_fwd)]
    if 0 < n <= BLOCK:  # one pairwise leaf: the leaf kernels' range
        pairs += [(sum_leaf, sum_fwd), (mean_leaf, mean_fwd)]
    for flat, general in pairs:
        if general is mean_fwd and dtype == np.int32:
            continue  # mean of integers is refused before any kernel
        a, b = np.full((1, 1), 7, out_dtype), np.full((1, 1), 7, out_dtype)
        flat(x, a)
        general(x, b)
        assert a.tobytes() == b.tobytes(), (flat, n, a, b)


def test_nan_and_inf_propagate_as_in_the_general_kernel():
    x = np.array([1.0, np.inf, 2.0, np.nan, -np.inf], np.float32).reshape(1, 5, 1)
    pairs = [(sum_flat, sum_fwd), (mean_flat, mean_fwd), (sum_leaf, sum_fwd), (mean_leaf, mean_fwd)]
    for flat, general in pairs:
        a, b = np.empty((1, 1), np.float32), np.empty((1, 1), np.float32)
        flat(x, a)
        general(x, b)
        assert np.isnan(a[0, 0]) and a.tobytes() == b.tobytes()


def test_tensor_sum_and_mean_run_them():
    x = np.linspace(-3, 5, 3000, dtype=np.float64).reshape(3, 1000)
    t = jitgrad.tensor(x)
    want_sum, want_mean = np.empty((1, 1)), np.empty((1, 1))
    sum_fwd(x.reshape(1, 3000, 1), want_sum)
    mean_fwd(x.reshape(1, 3000, 1), want_mean)
    assert t.sum().item() == want_sum[0, 0] and t.mean().item() == want_mean[0, 0]
    assert any(sig[0].dtype.name == "float64" for sig in sum_flat.signatures)
    assert jitgrad.tensor([]).sum().item() == 0.0
    assert np.isnan(jitgrad.tensor([]).mean().item())


@pytest.mark.parametrize("n", range(1, 41))
def test_one_leaf_sums_equal_the_kernel_at_every_short_length(n):
    # sum_leaf/mean_leaf serve 1..BLOCK elements: every vector tail length of float32 (8 or 16
    # lanes) and float64, with values whose order of addition shows.
    rng = np.random.default_rng(n)
    for dtype in (np.float32, np.float64):
        x = (rng.standard_normal(n) * 10.0 ** rng.integers(-6, 7, n)).astype(dtype)
        x = x.reshape(1, n, 1)
        for leaf, general in [(sum_leaf, sum_fwd), (mean_leaf, mean_fwd)]:
            a, b = np.empty((1, 1), dtype), np.empty((1, 1), dtype)
            leaf(x, a)
            general(x, b)
            assert a.tobytes() == b.tobytes(), (leaf, n, dtype, a, b)


def test_short_full_reductions_run_the_leaf_kernels(monkeypatch):
    # A first x.sum() of up to BLOCK elements compiles only the leaf kernel; longer and empty
    # ones still take sum_flat / mean_flat.
    def refused(*args):
        raise AssertionError("sum_flat or mean_flat ran")

    table = {k: (refused, leaf) for k, (_, leaf) in reduce_call._FLAT.items()}
    monkeypatch.setattr(reduce_call, "_FLAT", table)
    x = np.arange(1.0, 1 + BLOCK, dtype=np.float32)
    assert jitgrad.tensor(x).sum().item() == float(x.sum(dtype=np.float64))
    assert jitgrad.tensor(x[:3]).mean().item() == 2.0
    with pytest.raises(AssertionError, match="sum_flat or mean_flat ran"):
        jitgrad.tensor(np.ones(BLOCK + 1, np.float32)).sum()
    with pytest.raises(AssertionError, match="sum_flat or mean_flat ran"):
        jitgrad.tensor(np.ones(0, np.float32)).mean()


def _general_sum(x: np.ndarray, out_dtype) -> bytes:
    want = np.empty((1, 1), out_dtype)
    sum_fwd(np.ascontiguousarray(x).reshape(1, x.size, 1), want)
    return want.tobytes()


def test_hot_short_sums_skip_the_dispatcher_with_the_same_bits(monkeypatch):
    # After a first short sum per dtype, x.sum() calls the leaf's compiled entry point, not
    # the dispatcher; read-only and keepdim results keep sum_fwd's bits; an unaligned input
    # (not the learned overload's type) goes back to the dispatcher.
    rng = np.random.default_rng(5)
    cases = [
        (rng.standard_normal(n) * 10.0 ** rng.integers(-6, 7, n)).astype(dt)
        for n in (1, 7, 16, 33, BLOCK)
        for dt in (np.float32, np.float64)
    ]
    cases += [np.arange(-5, 60, dtype=np.int64)]
    for x in cases:
        jitgrad.tensor(x).sum()  # learns the entry point for this dtype

    def refused(*args):
        raise AssertionError("the dispatcher ran")

    monkeypatch.setattr(reduce_flat, "_leaf_sum", refused)
    for x in cases:
        got = jitgrad.tensor(x).sum().numpy()
        assert got.shape == () and got.tobytes() == _general_sum(x, x.dtype), x
        ro = x.copy()
        ro.flags.writeable = False
        if x.dtype.kind == "f":  # (an integer sum is NumPy's: it learns no leaf entry point)
            assert leaf_total(ro, x.dtype) == np.frombuffer(_general_sum(x, x.dtype), x.dtype)[0]
        kept = jitgrad.tensor(x.reshape(1, -1)).sum((0, 1), keepdim=True).numpy()
        assert kept.shape == (1, 1) and kept.tobytes() == _general_sum(x, x.dtype)
    raw = np.zeros(8 * 16 + 1, np.uint8)[1:].view(np.float64)  # 16 float64 at an odd address
    raw[:] = np.linspace(-1.0, 2.0, 16)
    assert not raw.flags.aligned
    with pytest.raises(AssertionError, match="the dispatcher ran"):
        leaf_total(raw, raw.dtype)
