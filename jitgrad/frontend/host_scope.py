"""Per thread: whether factories ignore the default device (``set_default_device``).

The CUDA backend's host fallback runs a CPU op on host copies of device operands; under
``set_default_device("cuda")`` the tensors that op makes for itself (``stft``'s window,
a gradient buffer) must stay on the host beside its operands, as PyTorch's CPU kernels never
read the default device. Its own module so that :mod:`.creation` (which reads it) and the
backend (which sets it) share it without importing each other.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

_STATE = threading.local()


def on_host() -> bool:
    """Whether this thread is inside :func:`host_factories`."""
    return getattr(_STATE, "on", False)


@contextmanager
def host_factories() -> Iterator[None]:
    """Factories in this thread put tensors on the CPU unless told a device."""
    before = on_host()
    _STATE.on = True
    try:
        yield
    finally:
        _STATE.on = before
