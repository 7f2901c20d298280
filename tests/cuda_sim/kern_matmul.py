"""Device matmul (jitgrad.kernels.cuda.matmul) against float64 numpy.

In the simulator only the tiled kernel can run; the cuBLAS path is checked by its selection
rule and by running its CuPy glue against a numpy stand-in for CuPy (what it would hand to
cuBLAS). On a GPU with CuPy the cuBLAS path runs for real.
"""

from __future__ import annotations

import types

import numpy as np
import pytest
from kern_common import FLOATS, SIM, dev, host

from jitgrad.kernels.cuda import matmul as MM

TOL = {np.float32: 1e-5, np.float64: 1e-12}


def ref_op(a, b, ta, tb):
    x = np.swapaxes(a, -1, -2) if ta else a
    y = np.swapaxes(b, -1, -2) if tb else b
    return x.astype(np.float64) @ y.astype(np.float64)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("ta", [False, True])
@pytest.mark.parametrize("tb", [False, True])
def test_2d_shapes_not_multiple_of_tile(dtype, ta, tb):
    rng = np.random.default_rng(0)
    for m, k, n in [(5, 7, 3), (9, 4, 10), (1, 1, 1), (4, 0, 3)]:
        a = rng.standard_normal((k, m) if ta else (m, k)).astype(dtype)
        b = rng.standard_normal((n, k) if tb else (k, n)).astype(dtype)
        got = host(MM.matmul(dev(a), dev(b), trans_a=ta, trans_b=tb, tile=4))
        assert got.dtype == dtype and got.shape == (m, n)
        np.testing.assert_allclose(got, ref_op(a, b, ta, tb), rtol=TOL[dtype], atol=TOL[dtype])


@pytest.mark.parametrize("dtype", FLOATS)
def test_batched_and_broadcast(dtype):
    rng = np.random.default_rng(1)
    a = rng.standard_normal((3, 5, 6)).astype(dtype)
    b = rng.standard_normal((3, 6, 4)).astype(dtype)
    w = rng.standard_normal((6, 4)).astype(dtype)
    b1 = rng.standard_normal((1, 6, 4)).astype(dtype)
    for x, y in [(a, b), (a, w), (a, b1), (a[:1], b)]:
        got = host(MM.matmul(dev(x), dev(y), tile=4))
        np.testing.assert_allclose(got, ref_op(x, y, False, False), rtol=TOL[dtype], atol=1e-5)
    # batched transposes: g (3,5,4) @ w^T and x^T @ g
    g = rng.standard_normal((3, 5, 4)).astype(dtype)
    got = host(MM.matmul(dev(g), dev(b), trans_b=True, tile=4))
    np.testing.assert_allclose(got, ref_op(g, b, False, True), rtol=TOL[dtype], atol=1e-5)
    got = host(MM.matmul(dev(a), dev(g), trans_a=True, tile=4))
    np.testing.assert_allclose(got, ref_op(a, g, True, False), rtol=TOL[dtype], atol=1e-5)


def test_larger_with_default_tile_and_out():
    rng = np.random.default_rng(2)
    a = rng.standard_normal((33, 40)).astype(np.float32)
    b = rng.standard_normal((40, 17)).astype(np.float32)
    out = dev(np.full((33, 17), np.nan, np.float32))
    res = MM.matmul(dev(a), dev(b), out=out, tile=8)
    assert res is out
    np.testing.assert_allclose(host(out), ref_op(a, b, False, False), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.int64, np.complex64, np.complex128])
def test_integer_and_complex_products(dtype):
    """The integer and complex convolutions' products (tiled kernel): integer sums wrap around
    in the type's width as numpy's do; complex ones are numpy's to rounding."""
    rng = np.random.default_rng(1)
    a = rng.integers(-120, 120, (2, 5, 7)).astype(dtype)
    b = rng.integers(-120, 120, (2, 7, 3)).astype(dtype)
    if np.dtype(dtype).kind == "c":
        a, b = a + 1j * b.sum(1, keepdims=True)[:, :, :1].astype(dtype), b - 2j
    got = host(MM.matmul(dev(a), dev(b), tile=4))
    assert got.dtype == dtype
    if np.dtype(dtype).kind == "c":
        np.testing.assert_allclose(got, a.astype(np.complex128) @ b, rtol=1e-5)
    else:
        np.testing.assert_array_equal(got, a @ b)  # (numpy's integer matmul wraps the same)


def test_errors():
    a = dev(np.zeros((2, 3), np.float32))
    with pytest.raises(RuntimeError, match=r"shapes cannot be multiplied \(2x3 and 2x3\)"):
        MM.matmul(a, a)
    with pytest.raises(RuntimeError, match="same dtype, but got: float != double"):
        MM.matmul(a, dev(np.zeros((3, 2), np.float64)))
    with pytest.raises(RuntimeError, match=r"size of tensor a \(2\) must match .* \(3\)"):
        MM.matmul(dev(np.zeros((2, 2, 3))), dev(np.zeros((3, 3, 2))))
    with pytest.raises(ValueError, match="out has shape"):
        MM.matmul(a, dev(np.zeros((3, 4), np.float32)), out=dev(np.zeros((2, 5), np.float32)))
    with pytest.raises(TypeError, match="float32 or float64"):
        MM.matmul(dev(np.zeros((2, 2), np.bool_)), dev(np.zeros((2, 2), np.bool_)))
    with pytest.raises(ValueError, match="backend must be 'cublas' or 'tiled'"):
        MM.matmul(a, dev(np.zeros((3, 2), np.float32)), backend="blas")
    if MM._cupy_module() is None:
        with pytest.raises(RuntimeError, match="backend='cublas' needs CuPy"):
            MM.matmul(a, dev(np.zeros((3, 2), np.float32)), backend="cublas")
    with pytest.raises(ValueError, match="tile must be between 1 and 32, got 64"):
        MM.matmul(a, dev(np.zeros((3, 2), np.float32)), tile=64)


class _Real:
    """Stands for a real device array: it exports __cuda_array_interface__."""

    __cuda_array_interface__: dict = {}


def test_backend_selection():
    sim = dev(np.zeros((2, 2), np.float32))
    fake_cupy = types.SimpleNamespace()
    assert MM.blas_backend(_Real(), _Real(), cupy=None) == "tiled"  # no CuPy
    assert MM.blas_backend(_Real(), _Real(), cupy=fake_cupy) == "cublas"
    assert MM.blas_backend(sim, _Real(), cupy=fake_cupy) == "tiled"  # simulator arrays
    if SIM:
        assert MM.blas_backend(sim, sim) == "tiled"


@pytest.mark.skipif(SIM, reason="cuBLAS needs a GPU")
def test_cublas_on_gpu():
    pytest.importorskip("cupy")
    rng = np.random.default_rng(4)
    a = rng.standard_normal((2, 4, 3)).astype(np.float32)
    b = rng.standard_normal((5, 4)).astype(np.float32)
    for backend in ("cublas", "tiled"):
        got = host(MM.matmul(dev(a), dev(b), trans_a=True, trans_b=True, backend=backend))
        np.testing.assert_allclose(got, ref_op(a, b, True, True), rtol=1e-5, atol=1e-5)


@pytest.mark.skipif(not SIM, reason="the stand-in reads the simulator's host buffers")
def test_cublas_glue_against_numpy_stand_in():
    # the calls _cublas makes, executed by numpy instead of CuPy: transposes and out are right
    np_as_cupy = types.SimpleNamespace(
        asarray=lambda d: d._ary, swapaxes=np.swapaxes, matmul=np.matmul
    )
    rng = np.random.default_rng(3)
    a = rng.standard_normal((2, 4, 3))
    b = rng.standard_normal((5, 4))
    out = dev(np.zeros((2, 3, 5)))
    MM._cublas(np_as_cupy, dev(a), dev(b), out, True, True)
    np.testing.assert_allclose(host(out), ref_op(a, b, True, True), rtol=1e-12)
