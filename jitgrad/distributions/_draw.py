"""Raw draws for the distributions, from the default generator, through the ops PyTorch's
samplers use (``normal_``, ``rand``/``uniform_``, ``exponential_``, ``cauchy_``,
``_standard_gamma``, ``poisson``, ``binomial``, ``multinomial``) in the parameters' dtype:
after ``manual_seed`` a distribution's ``sample``/``rsample`` prints PyTorch's numbers
(tests/test_samplers_torch_stream.py). Each draw is a constant Tensor in the parameters'
dtype, on their device: the reparameterized samples build their gradient from the parameters
around it."""

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


def _np_dtype(like: Tensor | Dtype) -> Any:
    return (like.dtype if isinstance(like, Tensor) else like).np


def standard_normal(shape: tuple, like: Tensor) -> Tensor:
    """``torch.empty(shape).normal_()`` in ``like``'s dtype (PyTorch's ``_standard_normal``)."""
    return _wrap(numpy_generator().standard_normal(tuple(shape), dtype=_np_dtype(like)), like)


def uniform(shape: tuple, like: Tensor, low: float = 0.0, high: float = 1.0) -> Tensor:
    """``torch.rand`` (or ``uniform_(low, high)``) in ``like``'s dtype and on its device."""
    gen = numpy_generator()
    return _wrap(gen.uniform(low, high, tuple(shape), dtype=_np_dtype(like)), like)


def _mapped(kind: int, shape: tuple, like: Tensor, a: float, b: float = 0.0) -> Tensor:
    n = int(np.prod(shape, dtype=np.int64))
    value = numpy_generator().uniform_map(kind, n, a, b).astype(_np_dtype(like))
    return _wrap(value.reshape(tuple(shape)), like)


def standard_exponential(shape: tuple, like: Tensor) -> Tensor:
    """``empty(shape).exponential_()`` in ``like``'s dtype."""
    return _mapped(0, shape, like, 1.0)


def standard_cauchy(shape: tuple, like: Tensor) -> Tensor:
    """``empty(shape).cauchy_()`` in ``like``'s dtype."""
    return _mapped(1, shape, like, 0.0, 1.0)


def standard_gamma(concentration: np.ndarray, dtype: Dtype) -> np.ndarray:
    """Gamma(concentration, 1) draws (``torch._standard_gamma``: kept above the dtype's
    smallest normal number, so their logs stay finite)."""
    alpha = np.asarray(concentration, dtype=dtype.np)
    return numpy_generator().standard_gamma(alpha).astype(dtype.np)


def poisson(rate: np.ndarray, dtype: Dtype) -> Tensor:
    """``torch.poisson(rate)`` (ATen draws in double whatever the dtype)."""
    return _wrap(numpy_generator().poisson(np.asarray(rate, dtype=np.float64)), dtype)


def binomial(n: np.ndarray, p: np.ndarray, dtype: Tensor | Dtype) -> Tensor:
    """``torch.binomial(n, p)``, in ``dtype``'s arithmetic where ATen's is."""
    dt = _np_dtype(dtype)
    n, p = np.broadcast_arrays(np.asarray(n, dt), np.asarray(p, dt))
    return _wrap(numpy_generator().binomial(n, p), dtype)


def categorical(probs: np.ndarray, shape: tuple) -> np.ndarray:
    """Category indices (int64) of shape ``shape + probs.shape[:-1]``, as PyTorch's
    Categorical: ``multinomial(probs_2d, prod(shape), True).T`` (ATen's one-sample path
    when ``shape`` holds one draw)."""
    p = np.asarray(probs)
    rows = np.ascontiguousarray(p.reshape(-1, p.shape[-1]))
    n = int(np.prod(shape, dtype=np.int64))
    if n == 1:
        q = numpy_generator().uniform_map(0, rows.size, 1.0).astype(rows.dtype)
        idx = np.argmax(rows / q.reshape(rows.shape), axis=-1)[:, None]
    else:
        idx = numpy_generator().multinomial_replace(rows, n)
    return np.ascontiguousarray(idx.T).reshape(tuple(shape) + p.shape[:-1]).astype(np.int64)
