"""Device implementations of the non-elementwise ops that have CUDA kernels here: sum, mean,
mm/matmul (2-D), linear (2-D input) and the reshape family (views of the same device
buffer). :data:`NATIVE` maps the public name to the implementation the host fallback's
wrapper (:mod:`.fallback`) calls first; an implementation returns ``NotImplemented`` for a
case it does not cover (extra arguments, batched matmul), which then takes the fallback.

Backward functions are written with these same ops, so ``create_graph`` records them.
"""

from __future__ import annotations

import math
from typing import Any

import numba
import numpy as np
from numba import cuda

from ... import dtypes as D
from ...autograd.grad_mode import STATE as GRAD
from ...autograd.grad_mode import no_grad
from ...autograd.recording import record
from ...fusion.codegen import STORE, KernelSpec
from ...tensor import Tensor, _make
from . import reduce, render, rows, runtime
from .elementwise import on_device

#: Tile edge of the shared-memory matmul (the simulator runs one Python thread per CUDA
#: thread: a smaller tile keeps its blocks cheap).
TILE = 8 if runtime.SIMULATOR else 16


# ---- sum and mean -------------------------------------------------------------------------
def _dims(dim: Any, ndim: int) -> tuple[int, ...] | None:
    if dim is None:
        return tuple(range(ndim))
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    if not all(isinstance(d, int) for d in dims):
        return None
    if not dims:
        return tuple(range(ndim))
    if any(not -max(ndim, 1) <= d < max(ndim, 1) for d in dims):
        return None  # the CPU op raises PyTorch's error
    return tuple(sorted({d % max(ndim, 1) for d in dims})) if ndim else ()


def _kept(shape: tuple[int, ...], dims: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(1 if k in dims else n for k, n in enumerate(shape))


def broadcast_to(t: Tensor, shape: tuple[int, ...]) -> Tensor:
    """``t`` (broadcastable to ``shape``) materialized at ``shape`` on the device; recorded
    (through the public ``expand``) when grad mode is on."""
    if GRAD.enabled and t._requires_grad:
        return t.expand(shape).contiguous()
    name = t._dtype.name
    spec = KernelSpec(
        label="expand",
        inputs=(("a", False),),
        stmts=(("r", "a_"),),
        outputs=(("out", "r", STORE, name),),
        ndim=max(1, len(shape)),
        comment=("out = a broadcast",),
    )
    out = runtime.empty(shape, t._dtype.np)
    render.run(spec, shape, {"a": t._value, "out": out})
    return _make(out, t._dtype)


def _reduce(name: str, x: Any, dim: Any, keepdim: bool, dtype: Any, mean: bool) -> Any:
    if not isinstance(x, Tensor) or dtype is not None or not isinstance(keepdim, bool):
        return NotImplemented
    if mean and not x._dtype.is_floating_point:
        return NotImplemented  # PyTorch's error, from the CPU op
    shape = tuple(x.shape)
    dims = _dims(dim, len(shape))
    if dims is None:
        return NotImplemented
    out_dt = D.int64 if x._dtype in (D.bool_, D.int32) else x._dtype
    value = reduce.sum_axes(runtime.contiguous(x._value), dims, out_dt.np)
    count = math.prod(shape[d] for d in dims)
    if mean:
        with no_grad():
            value = (_make(value, out_dt) / count)._value
    if keepdim:
        value = value.reshape(_kept(shape, dims))
    kept = _kept(shape, dims)

    def backward(g: Tensor) -> Tensor:
        g = g.reshape(kept) if not keepdim else g
        return broadcast_to(g / count if mean else g, shape)

    node = f"{name}Backward{0 if dim is None else 1}"
    return record(node, value, out_dt, [x], backward)


def sum_(input: Any, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Any:  # noqa: A002
    return _reduce("Sum", input, dim, keepdim, dtype, mean=False)


def mean(input: Any, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Any:  # noqa: A002
    return _reduce("Mean", input, dim, keepdim, dtype, mean=True)


# ---- matmul -------------------------------------------------------------------------------
_mm_kernels: dict[Any, Any] = {}


def _mm_kernel(nbtype: Any) -> Any:
    """C = A @ B by TILE x TILE shared-memory tiles; A and B are read through element
    strides (a transpose is a stride swap), C is contiguous (M, N)."""

    @cuda.jit
    def mm(a, as0, as1, b, bs0, bs1, c, m, n, k):
        sa = cuda.shared.array((TILE, TILE), nbtype)
        sb = cuda.shared.array((TILE, TILE), nbtype)
        tx = cuda.threadIdx.x
        ty = cuda.threadIdx.y
        row = cuda.blockIdx.y * TILE + ty
        col = cuda.blockIdx.x * TILE + tx
        acc = nbtype(0)
        for t in range((k + TILE - 1) // TILE):
            ka = t * TILE + tx
            sa[ty, tx] = a[row * as0 + ka * as1] if row < m and ka < k else nbtype(0)
            kb = t * TILE + ty
            sb[ty, tx] = b[kb * bs0 + col * bs1] if kb < k and col < n else nbtype(0)
            cuda.syncthreads()
            for j in range(TILE):
                acc += sa[ty, j] * sb[j, tx]
            cuda.syncthreads()
        if row < m and col < n:
            c[row * n + col] = acc

    return mm


def _mm_value(a: Tensor, ta: bool, b: Tensor, tb: bool) -> Any:
    """op(a) @ op(b) as a new device array (op: transpose where the flag says)."""
    av, bv = runtime.contiguous(a._value), runtime.contiguous(b._value)
    m, k = (av.shape[1], av.shape[0]) if ta else av.shape
    n = bv.shape[0] if tb else bv.shape[1]
    as0, as1 = (1, av.shape[1]) if ta else (av.shape[1], 1)
    bs0, bs1 = (1, bv.shape[1]) if tb else (bv.shape[1], 1)
    out = runtime.empty((m, n), a._dtype.np)
    if m and n:
        kernel = _mm_kernels.get(a._dtype)
        if kernel is None:
            kernel = _mm_kernels[a._dtype] = _mm_kernel(getattr(numba, a._dtype.name))
        grid = (-(-n // TILE), -(-m // TILE))
        kernel[grid, (TILE, TILE)](
            runtime.flat(av), as0, as1, runtime.flat(bv), bs0, bs1, runtime.flat(out), m, n, k
        )
    return out


def mm_t(a: Tensor, ta: bool, b: Tensor, tb: bool, name: str = "MmBackward0") -> Tensor:
    """op(a) @ op(b), recorded: each gradient is another transposed product."""

    def backward(g: Tensor):
        ga = mm_t(b, tb, g, True) if ta else mm_t(g, False, b, not tb)
        gb = mm_t(g, True, a, ta) if tb else mm_t(a, not ta, g, False)
        return ga, gb

    return record(name, _mm_value(a, ta, b, tb), a._dtype, [a, b], backward, saved=[a, b])


def _same_device(method: str, operands: list) -> None:
    """PyTorch's dispatcher check: the first operand's device is the common one, and the
    first operand elsewhere is named."""
    common = None
    for name, t in operands:
        dev = "cuda:0" if on_device(t) else "cpu"
        if common is None:
            common = dev
        elif dev != common:
            raise RuntimeError(
                "Expected all tensors to be on the same device, but found at least two "
                f"devices, {common} and {dev}! (when checking argument for argument {name} in "
                f"method {method})"
            )


def _matrices(a: Any, b: Any) -> bool:
    if not (isinstance(a, Tensor) and isinstance(b, Tensor)):
        return False
    _same_device("wrapper_CUDA_mm", [("self", a), ("mat2", b)])
    return (
        a.dim() == 2
        and b.dim() == 2
        and a._dtype is b._dtype
        and a._dtype.is_floating_point
        and a.shape[1] == b.shape[0]
    )


def mm(input: Any, mat2: Any) -> Any:  # noqa: A002
    if not _matrices(input, mat2):
        return NotImplemented  # shapes, dtypes, batches: the CPU op (and its errors)
    return mm_t(input, False, mat2, False)


def rmatmul(self: Any, other: Any) -> Any:
    return mm(other, self)


def linear(input: Any, weight: Any, bias: Any = None) -> Any:  # noqa: A002
    """``input @ weight.T + bias`` for 2-D ``input`` (``AddmmBackward0``)."""
    if not isinstance(input, Tensor) or input.dim() != 2 or not isinstance(weight, Tensor):
        return NotImplemented
    if weight.dim() != 2 or input.shape[1] != weight.shape[1] or input._dtype is not weight._dtype:
        return NotImplemented
    if bias is None:
        _same_device("wrapper_CUDA_mm", [("self", input), ("mat2", weight)])
        return mm_t(input, False, weight, True)
    _same_device("wrapper_CUDA_addmm", [("self", bias), ("mat1", input), ("mat2", weight)])
    if bias._dtype is not input._dtype or bias.dim() > 1:
        return NotImplemented
    with no_grad():
        product = _make(_mm_value(input, False, weight, True), input._dtype)
        value = (product + bias)._value

    def backward(g: Tensor):
        return (
            sum_(g, 0) if bias.dim() else sum_(g),
            mm_t(g, False, weight, False),
            mm_t(g, True, input, False),
        )

    return record(
        "AddmmBackward0",
        value,
        input._dtype,
        [bias, input, weight],
        backward,
        saved=[input, weight],
    )


# ---- reshape family: views of the same contiguous device buffer ---------------------------
def _view(name: str, node: str):
    """``x.<name>(...)`` as a view: the new shape is the CPU op's on a stand-in array
    (so its checks and errors are the CPU's), the data stays where it is."""

    def impl(x: Any, *args: Any, **kwargs: Any) -> Any:
        if not isinstance(x, Tensor) or not x._value.is_c_contiguous():
            return NotImplemented
        stand_in = _make(np.empty(tuple(x.shape), x._dtype.np), x._dtype)
        shape = tuple(getattr(stand_in, name)(*args, **kwargs).shape)
        before = tuple(x.shape)
        out = record(node, x._value.reshape(shape), x._dtype, [x], lambda g: g.reshape(before))
        out._vc = x._vc
        out._base = x if x._base is None else x._base
        return out

    return impl


# ---- fills ----------------------------------------------------------------------------------
def fill_(t: Any, value: Any) -> Any:
    """``t.fill_(number)`` / ``t.zero_()`` by a fill kernel (recorded cases: the fallback)."""
    if not isinstance(value, int | float | bool) or GRAD.enabled and t._requires_grad:
        return NotImplemented
    runtime.fill(t._value, value)
    t._bump()
    return t


NATIVE: dict[str, Any] = {
    "cross_entropy": rows.cross_entropy,
    "softmax": rows.softmax,
    "log_softmax": rows.log_softmax,
    "fill_": fill_,
    "zero_": lambda t: fill_(t, 0),
    "sum": sum_,
    "mean": mean,
    "mm": mm,
    "matmul": mm,
    "__matmul__": mm,
    "__rmatmul__": rmatmul,
    "linear": linear,
    "reshape": _view("reshape", "ViewBackward0"),
    "view": _view("view", "ViewBackward0"),
    "flatten": _view("flatten", "ViewBackward0"),
    "unsqueeze": _view("unsqueeze", "UnsqueezeBackward0"),
}
