"""Window functions (``hann_window``, ``hamming_window``, ``blackman_window``,
``bartlett_window``, ``kaiser_window``: PyTorch's formulas, ``periodic`` by default) and the
determinism switches (recorded only: every jitgrad CPU kernel gives the same bits each run).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import dtypes as D
from .frontend.creation import tensor
from .frontend.tensor import Tensor

# ---- windows --------------------------------------------------------------------------------
#: C++'s names of the dtypes, as PyTorch's TensorOptions print them
_CPP_TYPES = {
    "int64": "long int",
    "int32": "int",
    "int16": "short int",
    "int8": "signed char",
    "uint8": "unsigned char",
    "bool": "bool",
}


def _window(name: str, formula: Any):
    def window(
        window_length: int,
        periodic: bool = True,
        *params: float,
        dtype: Any = None,
        device: Any = None,
        requires_grad: bool = False,
        **kwargs: Any,
    ) -> Tensor:
        if window_length < 0:
            raise RuntimeError(
                f"{name} requires non-negative window_length, got window_length={window_length}"
            )
        dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
        if not dt.is_floating_point:
            raise RuntimeError(
                f"{name} expects floating point dtypes, got: TensorOptions(dtype="
                f"{_CPP_TYPES.get(dt.name, dt.name)}, device=cpu, layout=Strided (default), "
                "requires_grad=false (default), pinned_memory=false, memory_format=(nullopt))"
            )
        if window_length <= 1:
            w = np.ones(window_length)
        else:
            n = window_length + 1 if periodic else window_length
            w = formula(np.arange(n, dtype=np.float64), n, *params, **kwargs)[:window_length]
        return tensor(w.astype(dt.np), dtype=dt, device=device, requires_grad=requires_grad)

    window.__name__ = window.__qualname__ = name
    return window


def _cosine_sum(*coeffs: float):
    return lambda k, n: sum(
        (-1) ** i * c * np.cos(2 * math.pi * i * k / (n - 1)) for i, c in enumerate(coeffs)
    )


def _hamming(k: np.ndarray, n: int, alpha: float = 0.54, beta: float = 0.46) -> np.ndarray:
    return alpha - beta * np.cos(2 * math.pi * k / (n - 1))


def _kaiser(k: np.ndarray, n: int, beta: float = 12.0) -> np.ndarray:
    return np.i0(beta * np.sqrt(1 - ((k - (n - 1) / 2) / ((n - 1) / 2)) ** 2)) / np.i0(beta)


hann_window = _window("hann_window", _cosine_sum(0.5, 0.5))
hamming_window = _window("hamming_window", _hamming)
blackman_window = _window("blackman_window", _cosine_sum(0.42, 0.5, 0.08))
bartlett_window = _window("bartlett_window", lambda k, n: 1 - np.abs(2 * k / (n - 1) - 1))
kaiser_window = _window("kaiser_window", _kaiser)


# ---- determinism switches (jitgrad's kernels are deterministic: the flag is only kept) ----
_DETERMINISTIC = {"on": False, "warn_only": False}


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Record the switch (every jitgrad CPU kernel already gives the same bits each run)."""
    _DETERMINISTIC.update(on=bool(mode), warn_only=bool(warn_only))


def are_deterministic_algorithms_enabled() -> bool:
    return _DETERMINISTIC["on"]


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    return _DETERMINISTIC["warn_only"]


TOP_LEVEL: dict[str, Any] = {
    f.__name__: f
    for f in (
        hann_window,
        hamming_window,
        blackman_window,
        bartlett_window,
        kaiser_window,
        use_deterministic_algorithms,
        are_deterministic_algorithms_enabled,
        is_deterministic_algorithms_warn_only_enabled,
    )
}
METHODS: dict[str, Any] = {}
