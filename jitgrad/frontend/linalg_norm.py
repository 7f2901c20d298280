"""The matrix norms over singular values (``'nuc'``, 2, -2), PyTorch's checks of
``linalg.matrix_norm``'s arguments (shared with :func:`jitgrad.linalg.matrix_norm`), and
``torch.norm``/``Tensor.norm``: :func:`.reduce.norm`'s vector norms, except that a matrix
order (``'nuc'``, or ``'fro'`` over more than two dims) goes to ``matrix_norm`` as in PyTorch.

Not in :mod:`.reduce`: the SVD imports reach :mod:`.reduce` (through ``structure``).
"""

from __future__ import annotations

from typing import Any

from .. import dtypes as D
from . import movement as M
from .checks import DTYPE_WORDS
from .linalg_spectral import svdvals
from .reduce import norm as vector_norm
from .reduce_common import type_word
from .tensor import Tensor
from .tensor_meta import _wrap_dim

#: The orders ``matrix_norm`` computes from singular values.
SVD_ORDS = ("nuc", 2, -2)


def check_dtype(fn: str, x: Tensor, dtype: Any) -> None:
    """PyTorch's checks of a norm's ``dtype``: complex for a complex input, real for a real
    one, and no narrowing (float64 to float32, complex128 to complex64)."""
    if dtype is None or not isinstance(x, Tensor):
        return
    want = D.to_dtype(dtype)
    if x._dtype.is_complex != want.is_complex:
        kind = "complex for complex" if x._dtype.is_complex else "real for real"
        raise RuntimeError(f"{fn}: dtype should be {kind} inputs, but got {DTYPE_WORDS[want.name]}")
    if D.promote(x._dtype, want) is not want:
        raise RuntimeError(
            f"{fn}: the dtype of the input ({DTYPE_WORDS[x._dtype.name]}) should be convertible "
            f"without narrowing to the specified dtype ({DTYPE_WORDS[want.name]})"
        )


def check_matrix_norm(A: Tensor, dim: Any, dtype: Any) -> tuple[int, int]:  # noqa: N803
    """PyTorch's ``_linalg_matrix_norm_checks``, in its order; the two dims, wrapped."""
    fn = "linalg.matrix_norm"
    if A.dim() < 2:
        raise RuntimeError(f"{fn}: The input tensor A must have at least 2 dimensions.")
    if not (A._dtype.is_floating_point or A._dtype.is_complex):
        raise RuntimeError(
            f"{fn}: Expected a floating point or complex tensor as input. Got {type_word(A._dtype)}"
        )
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    if len(dims) != 2:
        raise RuntimeError(f"{fn}: dim must be a 2-tuple. Got {' '.join(map(str, dims))}")
    rows, cols = (_wrap_dim(d, A.dim()) for d in dims)
    if rows == cols:
        raise RuntimeError(f"{fn}: dims must be different. Got ({rows}, {cols})")
    check_dtype(fn, A, dtype)
    return rows, cols


def svd_norm(A: Tensor, ord: Any, rows: int, cols: int, keepdim: bool) -> Tensor:  # noqa: A002, N803
    """The sum (``'nuc'``), largest (2) or smallest (-2) singular value over ``rows, cols``
    (``SumBackward1``/``AmaxBackward0`` over ``LinalgSvdBackward0``; with ``keepdim``, a
    ``PermuteBackward0`` puts the kept dimensions back where they were, as PyTorch does)."""
    values = svdvals(M.movedim(A, (rows, cols), (-2, -1)))
    if ord == "nuc":
        out = values.sum(-1, keepdim=keepdim)
    else:
        out = (values.amax if ord == 2 else values.amin)(-1, keepdim=keepdim)
    if keepdim:
        out = M.unsqueeze(out, -1)
        rest = [d for d in range(A.dim()) if d not in (rows, cols)]
        order = rest + [rows, cols]
        out = M.permute(out, [order.index(d) for d in range(A.dim())])
    return out


def matrix_order_norm(input: Tensor, p: str, dim: Any, keepdim: bool, dtype: Any) -> Tensor:  # noqa: A002
    """``torch.norm`` with a matrix order: ``linalg.matrix_norm`` over ``dim`` (every
    dimension when None, which only a matrix passes)."""
    if p not in ("fro", "nuc"):
        raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
    dims = tuple(range(input.dim())) if dim is None else dim
    rows, cols = check_matrix_norm(input, dims, dtype)
    if dtype is not None:
        input = input.to(dtype)
    return svd_norm(input, p, rows, cols, keepdim)  # 'fro' over 3+ dims failed the checks


def norm(
    input: Tensor,  # noqa: A002
    p: Any = "fro",
    dim: Any = None,
    keepdim: bool = False,
    dtype: Any = None,
) -> Tensor:
    """``torch.norm``: a vector norm (:func:`.reduce.norm`) unless ``p`` is a matrix order."""
    if isinstance(p, str) and (p != "fro" or not isinstance(dim, int | None) and len(dim) > 2):
        return matrix_order_norm(input, p, dim, keepdim, dtype)
    return vector_norm(input, p, dim, keepdim, dtype)


#: the vector norm this op extends, which jitgrad's composites import by name: a backend wraps
#: it too (backends.opwrap._wrap_namespace)
norm._jitgrad_extends = vector_norm  # type: ignore[attr-defined]
