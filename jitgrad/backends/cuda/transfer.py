"""Differentiable copies between the host and the device (``ToCopyBackward0`` both ways).

Its own module so that the host fallback, which copies operands back and forth, and the
backend's entry points (:mod:`.api`, which activates the backend and installs the fallback)
both sit above it: neither has to import the other.
"""

from __future__ import annotations

from ...frontend.recording import record
from ...frontend.tensor import Tensor
from . import runtime
from .elementwise import on_device


def to_device(t: Tensor) -> Tensor:
    """``t`` on the device: a copy (``ToCopyBackward0`` if ``t`` requires grad), or ``t``.
    The backend must be active (:func:`.api.to_cuda` activates it first)."""
    if on_device(t):
        return t
    value = runtime.to_device(t._value)
    return record("ToCopyBackward0", value, t._dtype, [t], to_cpu)


def to_cpu(t: Tensor) -> Tensor:
    """``t`` on the host: a copy (``ToCopyBackward0`` if ``t`` requires grad), or ``t``."""
    if not on_device(t):
        return t
    value = runtime.to_host(t._value)
    return record("ToCopyBackward0", value, t._dtype, [t], to_device)
