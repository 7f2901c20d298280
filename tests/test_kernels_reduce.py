"""Tests for jitgrad.kernels.cpu.reduce against float64 numpy references.

Every kernel is checked on the awkward shapes (empty R, A=1, B=1, sizes that leave partial
leaves, row blocks and column tiles), in float32 and float64 (int64 where torch reduces ints),
with NaN/inf, and each ``*_par`` variant must reproduce its serial kernel bit for bit.
"""

from __future__ import annotations

import numpy as np
import pytest

from jitgrad.kernels.cpu import reduce as K
from jitgrad.kernels.cpu import reduce_parallel

RNG = np.random.default_rng(1234)

# (A, R, B): R=0, A=1/B=1, odd sizes, several contiguous leaves (R > BLOCK), several strided
# row blocks (R > ROW_BLOCK with B > 1), partial column tiles (B > TILE).
SHAPES = [
    (1, 1, 1),
    (3, 7, 1),
    (2, 0, 1),
    (2, 0, 3),
    (0, 4, 2),
    (1, 5, 7),
    (4, 1, 6),
    (2, 3001, 1),
    (1, 1000, 3),
    (3, 130, 300),
]
FLOATS = [np.float32, np.float64]
TOL = {np.float32: 2e-6, np.float64: 1e-13}


def _data(shape, dtype, scale=1.0):
    if np.dtype(dtype).kind == "f":
        return (RNG.standard_normal(shape) * scale).astype(dtype)
    return RNG.integers(-9, 10, size=shape).astype(dtype)


def _close(got, ref, dtype, mag=None):
    """|got - ref| <= tol * magnitude, elementwise; NaN must match NaN."""
    got = np.asarray(got, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    assert got.shape == ref.shape
    assert np.array_equal(np.isnan(got), np.isnan(ref))
    mag = np.abs(ref) + 1.0 if mag is None else mag
    ok = np.isnan(ref) | (got == ref) | (np.abs(got - ref) <= TOL[dtype] * mag)
    assert ok.all(), np.max(np.abs(got - ref))


def _same(a, b):
    assert a.dtype == b.dtype and a.shape == b.shape
    assert np.array_equal(a.view(np.uint8), b.view(np.uint8))


# --------------------------------------------------------------------------------------------
# shape planning
# --------------------------------------------------------------------------------------------


def test_as_3d():
    assert K.as_3d((2, 3, 4, 5), (1, 2)) == (2, 12, 5)
    assert K.as_3d((2, 3, 4, 5), (-1,)) == (24, 5, 1)
    assert K.as_3d((2, 3, 4, 5), 0) == (1, 2, 60)
    assert K.as_3d((2, 3, 4, 5), None) == (1, 120, 1)
    assert K.as_3d((2, 3, 4, 5), (0, 2)) is None
    assert K.as_3d((2, 3), ()) == (6, 1, 1)
    assert K.as_3d((), None) == (1, 1, 1)
    assert K.as_3d((2, 0, 3), (1,)) == (2, 0, 3)
    with pytest.raises(ValueError):
        K.as_3d((2, 3), (2,))


@pytest.mark.parametrize(
    "shape,axes",
    [
        ((2, 3, 4, 5), (0, 2)),
        ((2, 3, 4, 5), (1, 3)),
        ((2, 3, 4, 5), (0, 3)),
        ((2, 3, 4, 5), (0, 2, 3)),
        ((2, 3, 4), (2, 1)),
        ((3, 4), (0,)),
    ],
)
def test_reduction_plan_sum_matches_numpy(shape, axes):
    x = _data(shape, np.float64)
    perm, (A, R, B) = K.reduction_plan(shape, axes)
    xt = x if perm is None else np.ascontiguousarray(x.transpose(perm))
    out = np.empty((A, B))
    K.sum_fwd(xt.reshape(A, R, B), out)
    kept = [d for i, d in enumerate(shape) if i not in {a % len(shape) for a in axes}]
    np.testing.assert_allclose(out.reshape(kept), x.sum(axis=axes), rtol=1e-12)


def test_reduction_plan_keeps_trailing_run():
    perm, abc = K.reduction_plan((2, 3, 4, 5), (0, 2))
    assert perm == (1, 0, 2, 3) and abc == (3, 8, 5)
    assert K.reduction_plan((2, 3, 4), (1,)) == (None, (2, 3, 4))


@pytest.mark.parametrize(
    "gshape,shape",
    [
        ((4, 3), (3,)),
        ((4, 3), (4, 1)),
        ((2, 4, 3, 5), (4, 1, 1)),
        ((2, 3), (2, 3)),
        ((5, 1, 3), (1, 1, 1)),
        ((6,), ()),
    ],
)
def test_sum_to_shape(gshape, shape):
    g = _data(gshape, np.float32)
    got = K.sum_to_shape(g, shape)
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, d in enumerate(shape) if d == 1 and gshape[lead + i] != 1
    )
    ref = g.astype(np.float64).sum(axis=axes).reshape(shape)
    assert got.shape == tuple(shape) and got.dtype == np.float32
    _close(got, ref, np.float32, mag=np.abs(g).sum() + 1.0)
    assert K.sum_to_shape(np.ones((3, 2), np.bool_), (2,)).dtype == np.int64


def test_pick_uses_thresholds():
    assert K.pick(K.sum_fwd, 10) is K.sum_fwd
    assert K.pick(K.sum_fwd, K.PARALLEL_MIN_REDUCE) is K.sum_fwd_par
    assert K.pick(K.softmax_fwd, K.PARALLEL_MIN_EXP) is K.softmax_fwd_par
    assert K.pick(K.max_bwd, 1 << 30) is K.max_bwd


# --------------------------------------------------------------------------------------------
# sum / mean / var
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", FLOATS + [np.int64])
def test_sum(shape, dtype):
    x = _data(shape, dtype)
    out = np.empty((shape[0], shape[2]), dtype)
    K.sum_fwd(x, out)
    ref = x.astype(np.float64).sum(axis=1)
    if dtype == np.int64:
        assert np.array_equal(out, ref.astype(np.int64))
    else:
        _close(out, ref, dtype, mag=np.abs(x).astype(np.float64).sum(axis=1) + 1.0)


def test_bool_sum_accumulates_in_int64():
    # (other small int dtypes take the same path; one is enough to keep compile time down)
    x = np.ones((1, 70000, 1), np.bool_)
    out = np.empty((1, 1), np.int64)
    K.sum_fwd(x, out)
    assert out[0, 0] == 70000
    b = RNG.random((2, 300, 5)) < 0.5
    out = np.empty((2, 5), np.int64)
    K.sum_fwd(b, out)
    assert np.array_equal(out, b.sum(axis=1))


def test_sum_nan_inf():
    x = np.array([[1.0, np.nan, 2.0], [1.0, np.inf, 2.0], [np.inf, -np.inf, 0.0]], np.float32)
    out = np.empty((3, 1), np.float32)
    K.sum_fwd(x.reshape(3, 3, 1), out)
    assert np.isnan(out[0, 0]) and out[1, 0] == np.inf and np.isnan(out[2, 0])


def test_large_float32_sum_accuracy_and_parallel_bits():
    # 8M+ positive values: a naive float32 loop loses ~3 digits here; pairwise must stay near
    # numpy's own pairwise error. The odd length leaves a partial leaf and a partial chunk.
    n = 8_000_000 + 12_345
    x = RNG.random(n, dtype=np.float32)
    exact = x.astype(np.float64).sum()
    out = np.empty((1, 1), np.float32)
    K.sum_fwd(x.reshape(1, n, 1), out)
    ours = abs(float(out[0, 0]) - exact) / exact
    theirs = abs(float(np.sum(x)) - exact) / exact
    assert ours < 1e-6 and ours <= max(4 * theirs, 2e-7), (ours, theirs)
    par = np.empty((1, 1), np.float32)
    K.sum_fwd_par(x.reshape(1, n, 1), par)
    _same(par, out)
    # and as the strided path: a column of an (n/5, 5) matrix
    m = x[: (n // 5) * 5].reshape(1, n // 5, 5)
    col = np.empty((1, 5), np.float32)
    K.sum_fwd(m, col)
    ref = m.astype(np.float64).sum(axis=1)
    assert np.max(np.abs(col - ref) / ref) < 1e-6


def test_sum_leading():
    x = _data((1000, 37), np.float32)
    out = np.empty(37, np.float32)
    K.sum_leading_fwd(x, out)
    full = np.empty((1, 37), np.float32)
    K.sum_fwd(x.reshape(1, 1000, 37), full)
    _same(out, full[0])


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", FLOATS)
def test_mean(shape, dtype):
    x = _data(shape, dtype)
    out = np.empty((shape[0], shape[2]), dtype)
    K.mean_fwd(x, out)
    with np.errstate(invalid="ignore"):
        ref = x.astype(np.float64).sum(axis=1) / shape[1]
    _close(out, ref, dtype)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("correction", [0.0, 1.0, 1.5])
def test_var(shape, dtype, correction):
    x = _data(shape, dtype, scale=3.0) + dtype(1000)  # offset: one-pass formulas fail here
    out = np.empty((shape[0], shape[2]), dtype)
    K.var_fwd(x, correction, out)
    xd = x.astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        ss = ((xd - xd.mean(axis=1, keepdims=True)) ** 2).sum(axis=1)
        ref = ss / max(0.0, shape[1] - correction)
    tol = 3e-5 if dtype == np.float32 else 1e-11
    np.testing.assert_allclose(out, ref, rtol=tol, atol=tol)
    mean = np.empty_like(out)
    var = np.empty_like(out)
    K.mean_var_fwd(x, correction, mean, var)
    _same(var, out)
    m2 = np.empty_like(out)
    K.mean_fwd(x, m2)
    _same(mean, m2)


def test_var_single_element_and_inf():
    out = np.empty((1, 1), np.float32)
    K.var_fwd(np.ones((1, 1, 1), np.float32), 1.0, out)
    assert np.isnan(out[0, 0])
    K.var_fwd(np.array([1.0, np.inf], np.float32).reshape(1, 2, 1), 1.0, out)
    assert np.isnan(out[0, 0])


@pytest.mark.parametrize("shape", [(3, 7, 1), (2, 5, 4), (1, 1, 3)])
def test_var_bwd(shape):
    x = _data(shape, np.float64)
    g = _data((shape[0], shape[2]), np.float64)
    mean = np.empty((shape[0], shape[2]))
    var = np.empty_like(mean)
    K.mean_var_fwd(x, 1.0, mean, var)
    gx = np.empty_like(x)
    K.var_bwd(g, x, mean, 1.0, gx)
    with np.errstate(divide="ignore", invalid="ignore"):
        ref = g[:, None, :] * 2 * (x - x.mean(axis=1, keepdims=True)) / (shape[1] - 1)
    np.testing.assert_allclose(gx, ref, rtol=1e-12, atol=1e-12)


# --------------------------------------------------------------------------------------------
# prod
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", FLOATS + [np.int64])
def test_prod(shape, dtype):
    if np.dtype(dtype).kind == "f":
        x = (1 + 0.01 * RNG.standard_normal(shape)).astype(dtype)  # no overflow at R=3001
    else:
        x = RNG.choice(np.array([-1, 1, 1, 1, 2], dtype), size=shape)  # int64 wraps like numpy
    out = np.empty((shape[0], shape[2]), dtype)
    K.prod_fwd(x, out)
    if dtype == np.int64:
        assert np.array_equal(out, np.prod(x, axis=1))
    else:
        _close(out, np.prod(x.astype(np.float64), axis=1), dtype, mag=1e3 * np.abs(out) + 1e-30)
    par = np.empty_like(out)
    K.prod_fwd_par(x, par)
    _same(par, out)


@pytest.mark.parametrize("zeros", [0, 1, 2])
@pytest.mark.parametrize("B", [1, 3])
def test_prod_bwd_zero_rule(zeros, B):
    x = (RNG.random((2, 6, B)) + 0.5).astype(np.float64)
    x[:, 1 : 1 + zeros, :] = 0.0
    g = RNG.standard_normal((2, B))
    out = np.empty((2, B))
    K.prod_fwd(x, out)
    gx = np.empty_like(x)
    K.prod_bwd(g, x, out, gx)
    ref = np.empty_like(x)
    for r in range(6):
        ref[:, r, :] = g * np.prod(np.delete(x, r, axis=1), axis=1)
    np.testing.assert_allclose(gx, ref, rtol=1e-12, atol=1e-300)


# --------------------------------------------------------------------------------------------
# max / min
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [s for s in SHAPES if s[1] > 0])
@pytest.mark.parametrize("dtype", FLOATS + [np.int64])
@pytest.mark.parametrize("which", ["max", "min"])
def test_max_min(shape, dtype, which):
    x = _data(shape, dtype)  # ints in [-9, 9]: plenty of ties, so first-index matters
    out = np.empty((shape[0], shape[2]), dtype)
    idx = np.empty((shape[0], shape[2]), np.int64)
    fwd, par = (K.max_fwd, K.max_fwd_par) if which == "max" else (K.min_fwd, K.min_fwd_par)
    fwd(x, out, idx)
    ref = x.max(axis=1) if which == "max" else x.min(axis=1)
    refi = x.argmax(axis=1) if which == "max" else x.argmin(axis=1)
    assert np.array_equal(out, ref) and np.array_equal(idx, refi)
    out2 = np.empty_like(out)
    idx2 = np.empty_like(idx)
    par(x, out2, idx2)
    _same(out2, out)
    _same(idx2, idx)


@pytest.mark.parametrize("B", [1, 4])
@pytest.mark.parametrize("fwd", [K.max_fwd, K.min_fwd, K.max_fwd_par, K.min_fwd_par])
def test_max_nan_first_index(B, fwd):
    x = RNG.standard_normal((3, 9, B)).astype(np.float32)
    x[0, 4, :] = np.nan
    x[0, 6, :] = np.nan
    x[1, 0, :] = np.nan
    x[2, 3, :] = np.inf
    x[2, 5, :] = -np.inf
    out = np.empty((3, B), np.float32)
    idx = np.empty((3, B), np.int64)
    fwd(x, out, idx)
    assert np.isnan(out[0]).all() and (idx[0] == 4).all()
    assert np.isnan(out[1]).all() and (idx[1] == 0).all()
    is_max = fwd in (K.max_fwd, K.max_fwd_par)
    assert (out[2] == (np.inf if is_max else -np.inf)).all()
    assert (idx[2] == (3 if is_max else 5)).all()


def test_max_empty_raises():
    with pytest.raises(ValueError):
        K.max_fwd(
            np.empty((2, 0, 1), np.float32),
            np.empty((2, 1), np.float32),
            np.empty((2, 1), np.int64),
        )


def test_max_big_slice_parallel_chunks():
    # A=1 and R >= 4*PAR_CHUNK takes the chunked parallel path; the max sits in a late chunk
    # and again in an earlier one (ties resolve to the first).
    n = 5 * K.PAR_CHUNK + 17
    x = RNG.standard_normal(n).astype(np.float32)
    x[4 * K.PAR_CHUNK + 3] = 100.0
    x[2 * K.PAR_CHUNK + 9] = 100.0
    for fwd in (K.max_fwd, K.max_fwd_par):
        out = np.empty((1, 1), np.float32)
        idx = np.empty((1, 1), np.int64)
        fwd(x.reshape(1, n, 1), out, idx)
        assert out[0, 0] == 100.0 and idx[0, 0] == 2 * K.PAR_CHUNK + 9
    x[3 * K.PAR_CHUNK] = np.nan
    K.max_fwd_par(x.reshape(1, n, 1), out, idx)
    assert np.isnan(out[0, 0]) and idx[0, 0] == 3 * K.PAR_CHUNK


@pytest.mark.parametrize("B", [1, 3])
def test_max_bwd_and_amax_bwd(B):
    x = RNG.integers(0, 3, size=(4, 5, B)).astype(np.float64)
    x[3, 2, :] = np.nan
    g = RNG.standard_normal((4, B))
    out = np.empty((4, B))
    idx = np.empty((4, B), np.int64)
    K.max_fwd(x, out, idx)
    gx = np.full_like(x, 7.0)
    K.max_bwd(g, idx, gx)
    ref = np.zeros_like(x)
    for a in range(4):
        for b in range(B):
            ref[a, idx[a, b], b] = g[a, b]
    assert np.array_equal(gx, ref)
    K.amax_bwd(g, x, out, gx)
    mask = (x == out[:, None, :]) | (np.isnan(x) & np.isnan(out[:, None, :]))
    ref = np.where(mask, g[:, None, :] / mask.sum(axis=1, keepdims=True), 0.0)
    np.testing.assert_allclose(gx, ref, rtol=1e-15)


# --------------------------------------------------------------------------------------------
# logsumexp, softmax, log_softmax
# --------------------------------------------------------------------------------------------


def _lse_ref(x):
    x = x.astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        m = np.max(x, axis=1, keepdims=True, initial=-np.inf)
        finite = np.isfinite(m)
        ms = np.where(finite, m, 0.0)
        s = np.log(np.sum(np.exp(x - ms), axis=1, keepdims=True)) + ms
        return np.where(finite, s, m)[:, 0, :]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", FLOATS)
def test_logsumexp(shape, dtype):
    x = _data(shape, dtype, scale=30.0)
    out = np.empty((shape[0], shape[2]), dtype)
    K.logsumexp_fwd(x, out)
    _close(out, _lse_ref(x), dtype, mag=np.abs(_lse_ref(x)) + 1.0)
    par = np.empty_like(out)
    K.logsumexp_fwd_par(x, par)
    _same(par, out)


@pytest.mark.parametrize("B", [1, 2])
def test_logsumexp_special_values(B):
    rows = [
        [-np.inf, -np.inf, -np.inf],
        [1.0, np.inf, 2.0],
        [1.0, np.nan, 2.0],
        [np.inf, np.nan, 0.0],
        [1000.0, 1000.0, -np.inf],
        [-1000.0, -1001.0, -np.inf],
    ]
    x = np.repeat(np.array(rows, np.float32)[:, :, None], B, axis=2)
    out = np.empty((len(rows), B), np.float32)
    K.logsumexp_fwd(x, out)
    assert (out[0] == -np.inf).all() and (out[1] == np.inf).all()
    assert np.isnan(out[2]).all() and np.isnan(out[3]).all()
    np.testing.assert_allclose(out[4], 1000 + np.log(2), rtol=1e-6)
    np.testing.assert_allclose(out[5], -1000 + np.log1p(np.exp(-1.0)), rtol=1e-6)


def _softmax_ref(x):
    x = x.astype(np.float64)
    with np.errstate(invalid="ignore"):
        e = np.exp(x - np.max(x, axis=1, keepdims=True, initial=-np.inf))
        return e / e.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", FLOATS)
def test_softmax_family(shape, dtype):
    x = _data(shape, dtype, scale=5.0)
    g = _data(shape, dtype)
    if x.size:
        x.reshape(-1)[::7] = -np.inf  # masked entries, a common use
        x[:, :1, :] = 0.0  # keep every slice with a finite entry
    y = np.empty_like(x)
    K.softmax_fwd(x, y)
    p = _softmax_ref(x)
    _close(y, p, dtype)
    ly = np.empty_like(x)
    K.log_softmax_fwd(x, ly)
    with np.errstate(divide="ignore"):
        lref = np.log(p)
    fin = np.isfinite(lref)
    assert np.array_equal(ly[~fin], lref[~fin])
    _close(ly[fin], lref[fin], dtype)
    gx = np.empty_like(x)
    K.softmax_bwd(g, y, gx)
    gd, yd = g.astype(np.float64), y.astype(np.float64)
    ref = yd * (gd - (gd * yd).sum(axis=1, keepdims=True))
    _close(gx, ref, dtype, mag=np.abs(gd).sum(axis=1, keepdims=True) + 1.0)
    K.log_softmax_bwd(g, ly, gx)
    ref = gd - np.exp(ly.astype(np.float64)) * gd.sum(axis=1, keepdims=True)
    _close(gx, ref, dtype, mag=np.abs(gd).sum(axis=1, keepdims=True) + 1.0)


def test_softmax_all_neg_inf_and_inf_rows():
    x = np.array([[-np.inf, -np.inf], [np.inf, 1.0], [np.nan, 1.0], [3.0, 3.0]], np.float32)
    y = np.empty((4, 2, 1), np.float32)
    K.softmax_fwd(x.reshape(4, 2, 1), y)
    assert np.isnan(y[:3]).all() and (y[3] == 0.5).all()
    K.log_softmax_fwd(x.reshape(4, 2, 1), y)
    assert np.isnan(y[:3]).all()
    np.testing.assert_allclose(y[3], -np.log(2), rtol=1e-6)


# --------------------------------------------------------------------------------------------
# cumsum
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", FLOATS + [np.int64])
def test_cumsum(shape, dtype):
    x = _data(shape, dtype)
    out = np.empty(shape, dtype)
    K.cumsum_fwd(x, out)
    mag = np.cumsum(np.abs(x.astype(np.float64)), axis=1) + 1.0
    if dtype == np.int64:
        assert np.array_equal(out, np.cumsum(x, axis=1))
    else:
        _close(out, np.cumsum(x.astype(np.float64), axis=1), dtype, mag=mag)
    gx = np.empty(shape, dtype)
    K.cumsum_bwd(x, gx)
    rev = np.flip(np.cumsum(np.flip(x.astype(np.float64), 1), axis=1), 1)
    if dtype == np.int64:
        assert np.array_equal(gx, rev)
    else:
        _close(gx, rev, dtype, mag=mag[:, -1:, :] if shape[1] else None)


def test_cumsum_int32_to_int64():
    x = np.full((1, 5, 2), 2**30, np.int32)
    out = np.empty((1, 5, 2), np.int64)
    K.cumsum_fwd(x, out)
    assert out[0, -1, 0] == 5 * 2**30


# --------------------------------------------------------------------------------------------
# parallel variants: bitwise equal to serial, and stable across runs
# --------------------------------------------------------------------------------------------

PAR_SHAPES = [
    (1, 4 * K.PAR_CHUNK + 777, 1),  # one long slice: chunked path
    (37, 2000, 1),  # many slices: one task each
    (3, 200, 700),  # strided: (slice, column tile) tasks, several row blocks
    (1, 0, 5),
]


def _run(kernel, kind, x, g):
    A, R, B = x.shape
    if kind == "reduce":
        out = np.empty((A, B), np.int64 if x.dtype.kind == "i" else x.dtype)
        kernel(x, out)
        return [out]
    if kind == "var":
        out = np.empty((A, B), x.dtype)
        kernel(x, 1.0, out)
        return [out]
    if kind == "meanvar":
        m, v = np.empty((A, B), x.dtype), np.empty((A, B), x.dtype)
        kernel(x, 1.0, m, v)
        return [m, v]
    if kind == "ext":
        if R == 0:
            return []
        out, idx = np.empty((A, B), x.dtype), np.empty((A, B), np.int64)
        kernel(x, out, idx)
        return [out, idx]
    if kind == "map":
        out = np.empty_like(x)
        kernel(x, out)
        return [out]
    out = np.empty_like(x)  # "bwd": (g, y, gx)
    kernel(g, x, out)
    return [out]


PAIRS = [
    (K.sum_fwd, K.sum_fwd_par, "reduce"),
    (K.mean_fwd, K.mean_fwd_par, "reduce"),
    (K.var_fwd, K.var_fwd_par, "var"),
    (K.mean_var_fwd, K.mean_var_fwd_par, "meanvar"),
    (K.max_fwd, K.max_fwd_par, "ext"),
    (K.min_fwd, K.min_fwd_par, "ext"),
    (K.logsumexp_fwd, K.logsumexp_fwd_par, "reduce"),
    (K.softmax_fwd, K.softmax_fwd_par, "map"),
    (K.log_softmax_fwd, K.log_softmax_fwd_par, "map"),
    (K.cumsum_fwd, K.cumsum_fwd_par, "map"),
    (K.cumsum_bwd, K.cumsum_bwd_par, "map"),
    (K.softmax_bwd, K.softmax_bwd_par, "bwd"),
    (K.log_softmax_bwd, K.log_softmax_bwd_par, "bwd"),
]


@pytest.mark.parametrize("shape", PAR_SHAPES)
@pytest.mark.parametrize("serial,parallel,kind", PAIRS, ids=[p[0].__name__ for p in PAIRS])
def test_parallel_bitwise(shape, serial, parallel, kind):
    x = _data(shape, np.float32)
    g = _data(shape, np.float32)
    ref = _run(serial, kind, x, g)
    for _ in range(2):
        for a, b in zip(_run(parallel, kind, x, g), ref, strict=True):
            _same(a, b)


def test_parallel_int_sum():
    x = _data((1, 4 * K.PAR_CHUNK + 5, 1), np.int64)
    out, par = np.empty((1, 1), np.int64), np.empty((1, 1), np.int64)
    K.sum_fwd(x, out)
    K.sum_fwd_par(x, par)
    assert out[0, 0] == par[0, 0] == x.sum()


@pytest.mark.parametrize("threads", [1, 2, 3, 8])
def test_parallel_chunking_independent_of_thread_count(monkeypatch, threads):
    # The R-split chunk size grows with the thread count; any power-of-two number of leaves is a
    # subtree of the serial pairwise tree, so the bits must not move.
    monkeypatch.setattr(reduce_parallel, "_threads", lambda: threads)
    for shape in [(1, 9 * K.PAR_CHUNK + 3, 1), (2, 3000, 40)]:
        x = _data(shape, np.float32)
        ref = np.empty((shape[0], shape[2]), np.float32)
        got = np.empty_like(ref)
        K.sum_fwd(x, ref)
        K.sum_fwd_par(x, got)
        _same(got, ref)
        m, v = np.empty_like(ref), np.empty_like(ref)
        m2, v2 = np.empty_like(ref), np.empty_like(ref)
        K.mean_var_fwd(x, 1.0, m, v)
        K.mean_var_fwd_par(x, 1.0, m2, v2)
        _same(m2, m)
        _same(v2, v)
