"""Linear algebra: matmul (``@``), mm, bmm, mv, dot, outer, kron (addmm:
``linalg_addmm.py``; einsum: ``einsum.py``).

Products go to BLAS through ``np.matmul``/``np.dot`` on C- or F-contiguous arrays (Python glue;
no hand-written triple loop), float32 staying float32. ``matmul`` dispatches like PyTorch's
``at::matmul`` (dot, mv, mm, a folded mm for batched @ matrix, bmm over broadcast batch dims), so
the result's ``grad_fn`` names and error messages match for the common cases. Backwards are
matmuls of the gradient with the saved other operand, recorded with Tensor ops so that
``create_graph=True`` works.

Node names that differ from torch 2.13: a matrix @ batch (torch: ``CloneBackward0`` over a
transposed product) and broadcast batches give ``UnsafeViewBackward0`` over ``BmmBackward0``
here; the inner chain of vector @ batch has a ``ViewBackward0`` where torch records an
``UnsafeViewBackward0``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import dtypes as D
from .. import launchlog
from ..autocast_state import STATE as AUTOCAST
from ..autocast_state import lower as autocast_lower
from ..engine.grad_mode import STATE as GRAD
from . import argcheck as A
from . import functions as F
from . import movement as M
from .conjugate import conj
from .pointwise import broadcast_shape
from .recording import product_saved, record
from .tensor import Tensor

_CPP = D.CPP_NAMES  # PyTorch's C++ element type names in its messages ("float", "c10::Half")
_WORD = D.SCALAR_NAMES  # its scalar type names ("Float", "Half")


def _blas(arr: np.ndarray) -> np.ndarray:
    """``arr`` in a layout BLAS takes without numpy's slow strided fallback."""
    if arr.flags.c_contiguous or arr.flags.f_contiguous:
        return arr
    return np.ascontiguousarray(arr)


def _matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return launchlog.matmul(_blas(a), _blas(b))


def _view(t: Tensor, shape: Sequence[int], name: str) -> Tensor:
    """``t`` (a product's fresh result) reshaped under the node name torch's matmul records
    (``UnsafeViewBackward0``, ``SqueezeBackward4`` ...). Never a view, as in PyTorch
    (``_unsafe_view``, an in-place ``squeeze_``): an in-place write to a product then shows
    ``CopySlices`` over this node, not ``AsStridedBackward0`` over its input."""
    shape = tuple(shape)
    arr = M.as_view(t._value, shape)
    src = t._value.shape
    if arr is None:
        arr = np.reshape(t._value, shape)
    return record(name, arr, t._dtype, (t,), lambda g: M.reshape(g, src))


def _mT(x: Tensor) -> Tensor:  # noqa: N802 - PyTorch's mT
    return M.transpose(x, -2, -1)


def _dims(x: Tensor) -> str:
    return "x".join(str(n) for n in x._value.shape)


def _fresh(*grads: Tensor | None) -> tuple:
    """A product node's gradients, each marked fresh where no node recorded it (no
    ``create_graph``): a product's new array that only the engine holds, so a leaf adopts
    it as its ``.grad`` instead of copying it (PyTorch's AccumulateGrad steals such a
    gradient too; an MLP step copied its weight gradients, 1.6 MB for a 784x512 layer)."""
    if not GRAD.enabled:
        for g in grads:
            if g is not None:
                g._fresh = True
    return grads


# ---- the four primitive products ---------------------------------------------------------------
def mm(input: Tensor, mat2: Tensor) -> Tensor:  # noqa: A002 - PyTorch's argument name
    """Matrix product of two 2-D tensors (``MmBackward0``)."""
    if AUTOCAST.dtype is not None:  # torch.autocast('cpu'): computed in its dtype
        input, mat2 = autocast_lower(input, mat2)
    if not (isinstance(input, Tensor) and isinstance(mat2, Tensor)):
        A.tensor_args("mm", ("input", "mat2"), (input, mat2))
    if input.dim() != 2:
        raise RuntimeError("self must be a matrix")
    if mat2.dim() != 2:
        raise RuntimeError("mat2 must be a matrix")
    if input._value.shape[1] != mat2._value.shape[0]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({_dims(input)} and {_dims(mat2)})"
        )
    if input._dtype is not mat2._dtype:
        raise RuntimeError(
            "expected m1 and m2 to have the same dtype, but got: "
            f"{_CPP[input._dtype.name]} != {_CPP[mat2._dtype.name]}"
        )

    def backward(g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        return _fresh(
            mm(g, conj(M.t(mat2))) if input._requires_grad else None,
            mm(conj(M.t(input)), g) if mat2._requires_grad else None,
        )

    out = _matmul(input._value, mat2._value)
    return record(
        "MmBackward0", out, input._dtype, (input, mat2), backward, product_saved(input, mat2)
    )


def mv(input: Tensor, vec: Tensor) -> Tensor:  # noqa: A002
    """Matrix-vector product (``MvBackward0``)."""
    if not (isinstance(input, Tensor) and isinstance(vec, Tensor)):
        A.tensor_args("mv", ("input", "vec"), (input, vec))
    if input.dim() != 2 or vec.dim() != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {input.dim()}, {vec.dim()}")
    n, k = input._value.shape
    if vec._value.shape[0] != k:
        raise RuntimeError(
            f"size mismatch, got input ({n}), mat ({n}x{k}), vec ({vec._value.shape[0]})"
        )
    if input._dtype is not vec._dtype:
        v, m = _WORD[vec._dtype.name], _WORD[input._dtype.name]
        raise RuntimeError(
            f"addmv input tensors must have the same dtype, but got {v}, {m}, and {v}"
        )

    def backward(g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        return (
            outer(g, conj(vec)) if input._requires_grad else None,
            mv(conj(M.t(input)), g) if vec._requires_grad else None,
        )

    out = _matmul(input._value, vec._value)
    return record(
        "MvBackward0", out, input._dtype, (input, vec), backward, product_saved(input, vec)
    )


def dot(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """Inner product of two 1-D tensors (``DotBackward0``)."""
    if not (isinstance(input, Tensor) and isinstance(other, Tensor)):
        A.tensor_args("dot", ("input", "tensor"), (input, other))
    if input.dim() != 1 or other.dim() != 1:
        raise RuntimeError(
            f"1D tensors expected, but got {input.dim()}D and {other.dim()}D tensors"
        )
    n, m = input._value.shape[0], other._value.shape[0]
    if n != m:
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{n}] and src [{m}] to have the same "
            f"number of elements, but got {n} and {m} elements respectively"
        )
    if input._dtype is not other._dtype:
        raise RuntimeError(
            "dot : expected both vectors to have same dtype, but found "
            f"{_WORD[input._dtype.name]} and {_WORD[other._dtype.name]}"
        )

    def backward(g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        return (
            g * conj(other) if input._requires_grad else None,
            g * conj(input) if other._requires_grad else None,
        )

    out = np.asarray(launchlog.matmul(input._value, other._value))
    return record(
        "DotBackward0", out, input._dtype, (input, other), backward, product_saved(input, other)
    )


def bmm(input: Tensor, mat2: Tensor) -> Tensor:  # noqa: A002
    """Batched matrix product of two 3-D tensors (``BmmBackward0``)."""
    if AUTOCAST.dtype is not None:  # torch.autocast('cpu'): computed in its dtype
        input, mat2 = autocast_lower(input, mat2)
    if not (isinstance(input, Tensor) and isinstance(mat2, Tensor)):
        A.tensor_args("bmm", ("input", "mat2"), (input, mat2))
    if input.dim() != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if mat2.dim() != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    nb, _, k = input._value.shape
    if mat2._value.shape[:2] != (nb, k):
        got = list(mat2._value.shape[:2])
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: [{nb}, {k}] but "
            f"got: [{got[0]}, {got[1]}]."
        )
    if input._dtype is not mat2._dtype:
        raise RuntimeError(
            f"expected scalar type {_WORD[input._dtype.name]} but found {_WORD[mat2._dtype.name]}"
        )

    def backward(g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        return (
            bmm(g, conj(_mT(mat2))) if input._requires_grad else None,
            bmm(conj(_mT(input)), g) if mat2._requires_grad else None,
        )

    out = _matmul(input._value, mat2._value)
    return record(
        "BmmBackward0", out, input._dtype, (input, mat2), backward, product_saved(input, mat2)
    )


# ---- matmul and the composites -----------------------------------------------------------------
def matmul(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """``input @ other`` with PyTorch's dispatch on the operands' dimensions."""
    if AUTOCAST.dtype is not None:  # torch.autocast('cpu'): computed in its dtype
        input, other = autocast_lower(input, other)
    if not (isinstance(input, Tensor) and isinstance(other, Tensor)):
        A.tensor_args("matmul", ("input", "other"), (input, other))
    da, db = input.dim(), other.dim()
    if da == 0 or db == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {da}D and {db}D"
        )
    if da == 1 and db == 1:
        return dot(input, other)
    if da == 2 and db == 1:
        return mv(input, other)
    if da == 1 and db == 2:
        row = M.unsqueeze(input, 0)
        return _view(mm(row, other), (other._value.shape[1],), "SqueezeBackward4")
    if da == 2 and db == 2:
        return mm(input, other)
    if da >= 3 and db <= 2:  # fold the batch into the rows: one big mm (or mv)
        batch = input._value.shape[:-1]
        rows = M.reshape(input, (math.prod(batch), input._value.shape[-1]))
        if db == 1:
            return _view(mv(rows, other), batch, "UnsafeViewBackward0")
        return _view(mm(rows, other), (*batch, other._value.shape[1]), "UnsafeViewBackward0")
    if da == 1:  # vector @ batch: the batch's transposed columns as the rows of one mv
        *batch, k, m = other._value.shape
        rows = M.reshape(M.transpose(other, -2, -1), (math.prod(batch) * m, k))
        return _view(mv(rows, input), (*batch, m), "UnsafeViewBackward0")
    return _batched(input, other)


def _expand(t: Tensor, shape: tuple[int, ...]) -> Tensor:
    return t if t._value.shape == shape else M.expand(t, shape)


def _batched(a: Tensor, b: Tensor) -> Tensor:
    """matmul with a batch: broadcast the batch dims, run one bmm, view the result back."""
    sa, sb = a._value.shape, b._value.shape
    if a.dim() == 2:
        a = M.unsqueeze(a, 0)
        sa = a._value.shape
    batch = broadcast_shape([sa[:-2], sb[:-2]])
    nb = math.prod(batch)
    a3 = M.reshape(_expand(a, (*batch, *sa[-2:])), (nb, *sa[-2:]))
    b3 = M.reshape(_expand(b, (*batch, *sb[-2:])), (nb, *sb[-2:]))
    return _view(bmm(a3, b3), (*batch, sa[-2], sb[-1]), "UnsafeViewBackward0")


def outer(input: Tensor, vec2: Tensor) -> Tensor:  # noqa: A002
    """Outer product of two vectors: ``input[:, None] * vec2[None, :]`` (``MulBackward0``)."""
    if not (isinstance(input, Tensor) and isinstance(vec2, Tensor)):
        A.tensor_args("outer", ("input", "vec2"), (input, vec2))
    for name, v in (("self", input), ("vec2", vec2)):
        if v.dim() != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {v.dim()}-D")
    column = M.unsqueeze(input, 1)
    return F.mul(column, vec2)


def kron(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """Kronecker product: ``input``'s and ``other``'s dimensions interleaved, then merged
    (a broadcast product viewed back, ``UnsafeViewBackward0`` as in PyTorch)."""
    A.tensor_args("kron", ("input", "other"), (input, other))
    nd = max(input.dim(), other.dim())
    a = M.reshape(input, (1,) * (nd - input.dim()) + tuple(input._value.shape))
    b = M.reshape(other, (1,) * (nd - other.dim()) + tuple(other._value.shape))
    sa, sb = a._value.shape, b._value.shape
    a = M.reshape(a, tuple(x for n in sa for x in (n, 1)))
    b = M.reshape(b, tuple(x for n in sb for x in (1, n)))
    return _view(F.mul(a, b), tuple(p * q for p, q in zip(sa, sb)), "UnsafeViewBackward0")


def _rmatmul(self: Tensor, other: Any) -> Any:
    return matmul(other, self) if isinstance(other, Tensor) else NotImplemented


def _matmul_method(self: Tensor, other: Any) -> Any:
    return matmul(self, other) if isinstance(other, Tensor) else NotImplemented


__all__ = ["bmm", "dot", "kron", "matmul", "mm", "mv", "outer"]

#: Tensor method name -> function, bound by jitgrad.methods.bind().
METHODS: dict[str, Any] = {
    "matmul": matmul,
    "mm": mm,
    "bmm": bmm,
    "mv": mv,
    "dot": dot,
    "outer": outer,
    "kron": kron,
    "__matmul__": _matmul_method,
    "__rmatmul__": _rmatmul,
}
