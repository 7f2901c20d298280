"""``jitgrad.cuda``: device queries. The CUDA kernels themselves are not written yet.

``is_available()`` answers honestly from Numba; moving a tensor to ``"cuda"`` raises a clear
error instead of silently computing on the CPU.
"""

from __future__ import annotations

from typing import Any


def is_available() -> bool:
    """Whether Numba sees a usable CUDA GPU."""
    try:
        from numba import cuda
    except ImportError:  # pragma: no cover - numba always ships numba.cuda
        return False
    try:
        return bool(cuda.is_available())
    except Exception:
        return False


def device_count() -> int:
    if not is_available():
        return 0
    from numba import cuda

    return len(cuda.gpus)


def to_device(t: Any, device: Any, dtype: Any = None) -> Any:
    """Move ``t`` to a CUDA device (not implemented yet: refuse rather than fake it)."""
    if not is_available():
        raise RuntimeError("Found no NVIDIA driver on your system. jitgrad cannot use 'cuda'.")
    raise NotImplementedError("jitgrad's CUDA backend is not implemented yet; use 'cpu'")
