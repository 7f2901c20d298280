"""Raw draws for the distributions, from the default generator (``manual_seed`` makes them
reproducible). The streams are numpy's, not PyTorch's (see :mod:`jitgrad.random`), so tests
check samples statistically. Each draw is a constant Tensor in the parameters' dtype: the
reparameterized samples build their gradient from the parameters around it."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..dtypes import dtype as Dtype
from ..frontend.tensor import Tensor, _make
from ..random import numpy_generator


def _wrap(value: Any, like: Tensor | Dtype) -> Tensor:
    """``value`` in the dtype of ``like``, on its device (a draw follows the parameters)."""
    if not isinstance(like, Tensor):
        return _make(np.asarray(value, dtype=like.np), like)
    t = _make(np.asarray(value, dtype=like.dtype.np), like.dtype)
    return t if like.device.type == "cpu" else t.to(like.device)


def standard_normal(shape: tuple, like: Tensor) -> Tensor:
    return _wrap(numpy_generator().standard_normal(tuple(shape)), like)


def uniform(shape: tuple, like: Tensor) -> Tensor:
    """Uniform on [0, 1) (as ``torch.rand``), in ``like``'s dtype and on its device."""
    return _wrap(numpy_generator().random(tuple(shape)), like)


def standard_exponential(shape: tuple, like: Tensor) -> Tensor:
    return _wrap(numpy_generator().standard_exponential(tuple(shape)), like)


def standard_gamma(concentration: np.ndarray, dtype: Dtype) -> np.ndarray:
    """Gamma(concentration, 1) draws, kept above the dtype's smallest normal number (as
    PyTorch clamps them) so their logs stay finite."""
    x = numpy_generator().standard_gamma(np.asarray(concentration, dtype=np.float64))
    return np.maximum(x, np.finfo(dtype.np).tiny).astype(dtype.np)


def poisson(rate: np.ndarray, dtype: Dtype) -> Tensor:
    return _wrap(numpy_generator().poisson(np.asarray(rate, dtype=np.float64)), dtype)


def binomial(n: np.ndarray, p: np.ndarray, dtype: Tensor | Dtype) -> Tensor:
    n = np.asarray(n, dtype=np.float64)
    return _wrap(numpy_generator().binomial(n.astype(np.int64), np.asarray(p, np.float64)), dtype)


def categorical(probs: np.ndarray, shape: tuple) -> np.ndarray:
    """Category indices (int64) of shape ``shape + probs.shape[:-1]``: inverse-CDF draws
    from each row of (unnormalized, non-negative) ``probs``."""
    p = np.asarray(probs, dtype=np.float64)
    cdf = np.cumsum(p, axis=-1)
    cdf /= cdf[..., -1:]
    u = numpy_generator().random(tuple(shape) + p.shape[:-1] + (1,))
    idx = (u >= np.broadcast_to(cdf, u.shape[:-1] + cdf.shape[-1:])).sum(-1)
    return np.minimum(idx, p.shape[-1] - 1).astype(np.int64)
