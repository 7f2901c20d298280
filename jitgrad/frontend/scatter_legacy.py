"""``scatter(..., reduce='add' | 'multiply')``: PyTorch's older reducing scatter.

PyTorch keeps it for old programs (``scatter_reduce`` replaced it) and has no derivative for
it: the result's node is ``NotImplemented`` (named by ``random_methods``, which shares it)
and a backward that reaches it raises. Each index
entry folds its ``src`` element (or the scalar ``value``) into the target with ``np.add.at`` /
``np.multiply.at``, so repeated targets accumulate as in PyTorch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..helpers import warn as warn_user
from .recording import record
from .tensor import Tensor

_UFUNCS = {"add": np.add, "multiply": np.multiply}


def scatter_reduce_legacy(
    input: Tensor,  # noqa: A002
    dim: int,
    index: Tensor,
    src: Any,
    reduce: str,
) -> Tensor:
    """``input`` with ``src`` added into / multiplied into the places ``index`` names along
    ``dim`` (``dim`` already wrapped)."""
    ufunc = _UFUNCS.get(reduce)
    if ufunc is None:
        raise RuntimeError("reduce argument must be either add or multiply.")
    idx = np.asarray(index._value, dtype=np.int64)
    if isinstance(src, Tensor):
        warn_tensor_src()
        fill = src._value[tuple(slice(0, n) for n in idx.shape)]
    else:
        fill = np.full(idx.shape, src)
    out = np.array(input._value, order="C")
    target = list(np.indices(idx.shape, sparse=True))
    target[dim] = idx
    ufunc.at(out, tuple(target), fill.astype(out.dtype, copy=False))
    return record("NotImplemented", out, input._dtype, (input, src), _no_derivative)


def warn_tensor_src() -> None:
    """PyTorch's deprecation warning for a tensor ``src`` (also the CUDA backend's)."""
    warn_user(
        "The reduce argument of torch.scatter with Tensor src is deprecated and will be "
        "removed in a future PyTorch release. Use torch.scatter_reduce instead for more "
        "reduction options.",
        UserWarning,
        stacklevel=4,
    )


def _no_derivative(g: Tensor) -> Any:
    raise RuntimeError("derivative for aten::scatter is not implemented")
