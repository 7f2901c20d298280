"""Helpers the distributions share: broadcasting parameters, probs <-> logits, lazy
attributes and summing the rightmost (event) dimensions."""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from ..dtypes import get_default_dtype
from ..engine.grad_mode import enable_grad
from ..frontend.creation import tensor as _tensor
from ..frontend.structure import broadcast_tensors
from ..frontend.tensor import Tensor
from ..typeinfo import finfo


def broadcast_all(*values: Any) -> tuple[Tensor, ...]:
    """The arguments as Tensors of one broadcast shape; numbers take the dtype of the first
    tensor argument (the default dtype when there is none), as in PyTorch."""
    if not all(isinstance(v, Tensor | numbers.Number) for v in values):
        raise ValueError(
            "Input arguments must all be instances of numbers.Number, torch.Tensor or objects "
            "implementing __torch_function__."
        )
    if not all(isinstance(v, Tensor) for v in values):
        like = next((v for v in values if isinstance(v, Tensor)), None)
        dtype = get_default_dtype() if like is None else like.dtype
        device = None if like is None else like.device  # numbers join the tensors' device
        values = tuple(
            v if isinstance(v, Tensor) else _tensor(v, dtype=dtype, device=device) for v in values
        )
    return tuple(broadcast_tensors(*values))


def sum_rightmost(value: Any, dim: int) -> Any:
    """``value`` summed over its ``dim`` rightmost dimensions (none for ``dim == 0``)."""
    if dim == 0:
        return value
    return value.reshape(value.shape[: value.dim() - dim] + (-1,)).sum(-1)


def clamp_probs(probs: Tensor) -> Tensor:
    """Probabilities kept inside (0, 1) by the dtype's epsilon, so their logs stay finite."""
    eps = finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs: Tensor, is_binary: bool = False) -> Tensor:
    """Logits of probabilities: ``log p - log(1 - p)`` when binary, else ``log p``."""
    ps = clamp_probs(probs)
    if is_binary:
        return ps.log() - (-ps).log1p()
    return ps.log()


def logits_to_probs(logits: Tensor, is_binary: bool = False) -> Tensor:
    """Probabilities of logits: a sigmoid when binary, else a softmax over the last dim."""
    if is_binary:
        return logits.sigmoid()
    return logits.softmax(-1)


class lazy_property:  # noqa: N801 - PyTorch's name
    """An attribute computed on first read and then stored on the instance (``probs`` of a
    distribution built from ``logits``, and the other way round). Read off the class it is
    the descriptor itself, which ``Distribution`` uses to tell such parameters apart."""

    def __init__(self, wrapped: Callable[[Any], Any]) -> None:
        self.wrapped = wrapped
        self.__doc__ = wrapped.__doc__
        self.__name__ = wrapped.__name__

    def __get__(self, instance: Any, obj_type: Any = None) -> Any:
        if instance is None:
            return self
        with enable_grad():  # computed first inside sample()'s no_grad, it still has a graph
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value


def _one_of(probs: Any, logits: Any) -> None:
    if (probs is None) == (logits is None):
        raise ValueError("Either `probs` or `logits` must be specified, but not both.")


class BinaryParams:
    """Mixin for the distributions of one success probability (Bernoulli, Binomial,
    Geometric, LogitRelaxedBernoulli): built from ``probs`` or ``logits``, each derives the
    other lazily with the binary conversions."""

    @lazy_property
    def logits(self) -> Tensor:
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self) -> Tensor:
        return logits_to_probs(self.logits, is_binary=True)

    def _probs_or_logits(self, probs: Any, logits: Any) -> Tensor:
        """Keep whichever of ``probs``/``logits`` is given (exactly one, as a tensor) and
        return it, also as ``self._param``; the other is derived on first read."""
        _one_of(probs, logits)
        if probs is not None:
            (self.probs,) = broadcast_all(probs)
        else:
            (self.logits,) = broadcast_all(logits)
        self._param: Tensor = self.probs if probs is not None else self.logits
        return self._param


def _tril_mask(n: int, diag: int) -> np.ndarray:
    arange = np.arange(n)
    return arange < arange.reshape(-1, 1) + (diag + 1)


def vec_to_tril_matrix(vec: Tensor, diag: int = 0) -> Tensor:
    """The (n, n) lower-triangular matrices (below diagonal ``diag``) whose entries, row by
    row, are the last dimension of ``vec``: PyTorch's masked scatter into zeros."""
    m = vec.shape[-1]
    n = (-(1 + 2 * diag) + ((1 + 2 * diag) ** 2 + 8 * m + 4 * abs(diag) * (diag + 1)) ** 0.5) / 2
    if round(n) - n > finfo(vec.dtype).eps:
        raise ValueError(
            f"The size of last dimension is {m} which cannot be expressed as "
            "the lower triangular part of a square D x D matrix."
        )
    n = round(n)  # PyTorch's check is one-sided: a rounded-down n fails in the scatter
    flat = np.flatnonzero(_tril_mask(n, diag))
    if flat.size != m:
        raise RuntimeError(
            f"shape mismatch: value tensor of shape {list(vec.shape)} cannot be broadcast to "
            f"indexing result of shape {list(vec.shape[:-1]) + [flat.size]}"
        )
    mat = vec.new_zeros(tuple(vec.shape[:-1]) + (n * n,))
    return mat.index_add(-1, _tensor(flat, device=vec.device), vec).reshape(
        tuple(vec.shape[:-1]) + (n, n)
    )


def tril_matrix_to_vec(mat: Tensor, diag: int = 0) -> Tensor:
    """The entries of ``mat`` on and below diagonal ``diag``, row by row."""
    n = mat.shape[-1]
    if diag < -n or diag >= n:
        raise ValueError(f"diag ({diag}) provides no values.")
    flat = np.flatnonzero(_tril_mask(n, diag))
    rows = mat.reshape(tuple(mat.shape[:-2]) + (n * n,))
    return rows.index_select(-1, _tensor(flat, device=mat.device))
