"""Matrix products on the device: cuBLAS through CuPy when it can, else a tiled kernel.

``matmul(a, b)`` multiplies 2-D ``(M, K) @ (K, N)`` or batched 3-D ``(B, M, K) @ (B, K, N)``
(a batch of 1, or a 2-D operand, broadcasts). ``trans_a`` / ``trans_b`` multiply by the
transpose of a stored operand (``a`` stored ``(.., K, M)``, ``b`` stored ``(.., N, K)``), so
the backward products ``g @ W^T`` and ``X^T @ g`` need no transposed copy.

cuBLAS is the fast path the backend should get on real hardware: a tiled kernel written in
Numba reaches a small fraction of its throughput (no tensor cores, no register blocking).
CuPy is the provider because it wraps cuBLAS with broadcasting batched matmul, accepts
Numba's device arrays without a copy through ``__cuda_array_interface__``, and brings a
caching allocator the backend can share. It is used when ``import cupy`` works and both
operands are real device arrays (:func:`blas_backend`); CuPy and Numba both launch on the
legacy default stream unless told otherwise, so the product is ordered with the kernels
around it. CuPy's float32 matmul does not use TF32 unless ``CUPY_TF32=1``, matching PyTorch's
default ``allow_tf32=False``.

The fallback (:func:`_tiled`) runs everywhere Numba's CUDA target does, including the
simulator (where it is the only path): each block computes a ``tile x tile`` patch of the
output, staging ``tile x tile`` slices of both operands in shared memory so every element
loaded from global memory is used ``tile`` times. A transposed operand is loaded with the
thread axes swapped, so the loads stay coalesced along the stored last axis. Indices are
64-bit and blocks loop with a grid stride in all three grid dimensions, so any size works.
Accumulation is in the operands' dtype, as cuBLAS does for float32 and float64.
"""

from __future__ import annotations

import functools
import importlib
from typing import Any

import numpy as np
from numba import cuda

from .common import FLOATS, blocks, check_out, contiguous, float_dtype, view

__all__ = ["matmul", "blas_backend"]

TILE = 16
#: dtype kinds the product takes beside float32/float64: complex (cuBLAS or the tiled kernel,
#: as floats) and integers (the tiled kernel only: integer convolutions, whose sums wrap
#: around as the CPU's do, the sums being exact modulo the type's width)
_OTHER_KINDS = "ciu"
_DTYPE_NAMES = {np.dtype(np.float32): "float", np.dtype(np.float64): "double"}
_NO_ARG = object()


@functools.cache
def _tiled(tile: int) -> Any:
    """The tiled kernel for ``tile x tile`` blocks (shared arrays need a constant size)."""

    @cuda.jit
    def kernel(a, b, out, ta, tb):
        # out[z] = A[z] @ B[z]: A = a[z] (M, K) or a[z]^T when ta (a[z] stored (K, M)); B = b[z]
        # (K, N) or b[z]^T when tb (stored (N, K)); a batch of 1 broadcasts. Block (tile, tile).
        sa = cuda.shared.array((tile, tile), a.dtype)
        sb = cuda.shared.array((tile, tile), a.dtype)
        tx = cuda.threadIdx.x
        ty = cuda.threadIdx.y
        zero = a.dtype.type(0)
        nz, m, n = out.shape
        k_n = a.shape[1] if ta else a.shape[2]
        tiles_m = (m + tile - 1) // tile
        tiles_n = (n + tile - 1) // tile
        for z in range(cuda.blockIdx.z, nz, cuda.gridDim.z):
            za = z if a.shape[0] > 1 else 0
            zb = z if b.shape[0] > 1 else 0
            for bm in range(cuda.blockIdx.y, tiles_m, cuda.gridDim.y):
                for bn in range(cuda.blockIdx.x, tiles_n, cuda.gridDim.x):
                    row = bm * tile + ty
                    col = bn * tile + tx
                    acc = zero
                    for k0 in range(0, k_n, tile):
                        # sa[r, c] = A[bm*tile + r, k0 + c]; sb[r, c] = B[k0 + r, bn*tile + c]
                        if ta:  # thread (ty, tx) loads stored a[k0 + ty, bm*tile + tx]
                            r = bm * tile + tx
                            k = k0 + ty
                            sa[tx, ty] = a[za, k, r] if r < m and k < k_n else zero
                        else:
                            k = k0 + tx
                            sa[ty, tx] = a[za, row, k] if row < m and k < k_n else zero
                        if tb:  # thread (ty, tx) loads stored b[bn*tile + ty, k0 + tx]
                            c = bn * tile + ty
                            k = k0 + tx
                            sb[tx, ty] = b[zb, c, k] if c < n and k < k_n else zero
                        else:
                            k = k0 + ty
                            sb[ty, tx] = b[zb, k, col] if k < k_n and col < n else zero
                        cuda.syncthreads()
                        for kk in range(tile):
                            acc += sa[ty, kk] * sb[kk, tx]
                        cuda.syncthreads()
                    if row < m and col < n:
                        out[z, row, col] = acc

    return kernel


@functools.cache
def _cupy_module() -> Any:
    """CuPy if it imports (it needs a GPU and a CUDA runtime), else None."""
    try:
        return importlib.import_module("cupy")
    except Exception:  # ImportError, or a CuPy that cannot find its CUDA libraries
        return None


def blas_backend(a: Any, b: Any, cupy: Any = _NO_ARG) -> str:
    """``"cublas"`` when CuPy is available and both operands are real device arrays (they
    export ``__cuda_array_interface__``; the simulator's arrays do not), else ``"tiled"``.
    ``cupy`` overrides the module lookup (None: CuPy missing), for tests."""
    cp = _cupy_module() if cupy is _NO_ARG else cupy
    if cp is None:
        return "tiled"
    if all(hasattr(x, "__cuda_array_interface__") for x in (a, b)):
        return "cublas"
    return "tiled"


def _cublas(cp: Any, a: Any, b: Any, out: Any, trans_a: bool, trans_b: bool) -> None:
    """``out = op(a) @ op(b)`` through CuPy's matmul (cuBLAS), zero-copy on all three."""
    x = cp.asarray(a)
    y = cp.asarray(b)
    if trans_a:
        x = cp.swapaxes(x, -1, -2)
    if trans_b:
        y = cp.swapaxes(y, -1, -2)
    cp.matmul(x, y, out=cp.asarray(out))


def _logical(shape: tuple[int, ...], trans: bool) -> tuple[int, int, int]:
    """(batch, rows, cols) of an operand as multiplied (after the optional transpose)."""
    z = shape[0] if len(shape) == 3 else 1
    r, c = shape[-2], shape[-1]
    return (z, c, r) if trans else (z, r, c)


def _product_shape(
    a: Any, b: Any, trans_a: bool, trans_b: bool
) -> tuple[np.dtype, int, int, int, tuple[int, ...]]:
    """``(dtype, batch, M, N, result shape)`` of ``op(a) @ op(b)``, with PyTorch's errors
    for operands that do not multiply."""
    if a.ndim not in (2, 3) or b.ndim not in (2, 3):
        raise RuntimeError(
            f"matmul: expected 2-D or 3-D device arrays, got {a.ndim}-D and {b.ndim}-D"
        )
    dt = np.dtype(a.dtype)
    if dt.kind not in _OTHER_KINDS:
        dt = float_dtype(a, "matmul")  # (float32 or float64, else its TypeError)
    if np.dtype(b.dtype) != dt:
        raise RuntimeError(
            "expected m1 and m2 to have the same dtype, but got: "
            f"{_DTYPE_NAMES.get(dt, dt)} != {_DTYPE_NAMES.get(np.dtype(b.dtype), b.dtype)}"
        )
    contiguous(a, "matmul")
    contiguous(b, "matmul")
    za, m, k = _logical(tuple(a.shape), trans_a)
    zb, k2, n = _logical(tuple(b.shape), trans_b)
    if k != k2:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({m}x{k} and {k2}x{n})")
    if za != zb and 1 not in (za, zb):
        raise RuntimeError(
            f"The size of tensor a ({za}) must match the size of tensor b ({zb}) "
            "at non-singleton dimension 0"
        )
    z = za if zb == 1 else zb  # (a batch of 1 broadcasts, also to an empty batch)
    shape = (m, n) if a.ndim == b.ndim == 2 else (z, m, n)
    return dt, z, m, n, shape


def matmul(
    a: Any,
    b: Any,
    out: Any = None,
    *,
    trans_a: bool = False,
    trans_b: bool = False,
    backend: str | None = None,
    tile: int = TILE,
) -> Any:
    """``op(a) @ op(b)`` for C-contiguous 2-D or 3-D float (complex, integer) device arrays
    (``op`` transposes the last two axes when ``trans_a`` / ``trans_b``); a new device array,
    or ``out``.

    The result is 2-D when both operands are, else 3-D ``(batch, M, N)``. ``backend`` forces
    ``"tiled"`` or ``"cublas"`` (default: :func:`blas_backend`); ``tile`` is the tiled
    kernel's block edge (16; tests use smaller ones to keep the simulator fast).
    """
    dt, z, m, n, shape = _product_shape(a, b, trans_a, trans_b)
    out = check_out(out, shape, dt, "matmul")
    if out.size == 0:
        return out
    if not 1 <= tile <= 32:  # tile * tile threads per block, at most 1024
        raise ValueError(f"matmul: tile must be between 1 and 32, got {tile}")
    choice = backend or (blas_backend(a, b) if dt in FLOATS or dt.kind == "c" else "tiled")
    if choice not in ("cublas", "tiled"):
        raise ValueError(f"matmul: backend must be 'cublas' or 'tiled', got {choice!r}")
    if choice == "cublas":
        cp = _cupy_module()
        if cp is None:
            raise RuntimeError("matmul: backend='cublas' needs CuPy, which does not import here")
        _cublas(cp, a, b, out, trans_a, trans_b)
        return out
    a3 = a if a.ndim == 3 else view(a, 1, *a.shape)
    b3 = b if b.ndim == 3 else view(b, 1, *b.shape)
    o3 = view(out, z, m, n)
    grid = (blocks(-(-n // tile)), blocks(-(-m // tile)), blocks(z))
    _tiled(int(tile))[grid, (tile, tile)](a3, b3, o3, bool(trans_a), bool(trans_b))
    return out
