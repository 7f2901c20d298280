"""``F.pad``'s ``reflect``, ``replicate`` and ``circular`` modes.

Each mode is a gather: every padded dimension reads the input at an index array (mirrored,
clamped or wrapped positions; negative pads crop). The forward is one NumPy gather and one node
with PyTorch's name (``ReflectionPad2DBackward0``...; circular padding shows ``CopySlices`` as
PyTorch's composite does). The backward scatters with ``index_add``, a Tensor op, so it is
differentiable again under ``create_graph``.
"""

from __future__ import annotations

import numpy as np

from ..frontend.creation import tensor, zeros
from ..frontend.recording import record
from ..frontend.tensor import Tensor

_NODES = {"reflect": "ReflectionPad{}DBackward0", "replicate": "ReplicationPad{}DBackward0"}
_MODES = ("constant", "reflect", "replicate", "circular")


def _combination_error(n_pad: int, ndim: int) -> NotImplementedError:
    return NotImplementedError(
        f"Padding size {n_pad} is not supported for {ndim}D input tensor.\n"
        "Supported combinations for non-constant padding:\n"
        "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
        "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
        "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)"
    )


def check_mode(mode: str) -> None:
    if mode not in _MODES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")


def _index(mode: str, n: int, lo: int, hi: int) -> np.ndarray:
    """The input positions one padded dimension of size ``n`` reads."""
    i = np.arange(-lo, n + hi)
    if mode == "reflect":
        i = np.abs(i)
        return np.where(i >= n, 2 * (n - 1) - i, i)
    if mode == "replicate":
        return np.clip(i, 0, n - 1)
    # circular, as PyTorch builds it: the (cropped) input in the middle, then the left pad
    # copied from the end of that middle part and the right pad from its start
    new = n + lo + hi
    out = np.empty(new, np.int64)
    left, right = max(lo, 0), new - max(hi, 0)
    out[left:right] = np.arange(max(-lo, 0), n - max(-hi, 0))
    if lo > 0:
        out[:lo] = out[right - lo : right]
    if hi > 0:
        out[new - hi :] = out[left : left + hi]
    return out


def pad_gather(input: Tensor, pads: list[int], mode: str, value: float | None) -> Tensor:  # noqa: A002
    """``input`` padded by ``pads`` (last dimension first) in a non-constant ``mode``."""
    if value is not None and value != 0.0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    k = len(pads) // 2
    shape = list(input.shape)
    if k not in (1, 2, 3) or input.dim() not in (k + 1, k + 2):
        raise _combination_error(len(pads), input.dim())
    if mode != "circular" and any(s == 0 for s in shape[1:]):
        raise RuntimeError(
            f"Expected {k + 1}D or {k + 2}D (batch mode) tensor with possibly 0 batch size and "
            f"other non-zero dimensions for input, but got: {shape}"
        )
    indices = []
    for i in range(k):
        d = len(shape) - 1 - i
        n, lo, hi = shape[d], pads[2 * i], pads[2 * i + 1]
        if mode == "reflect" and (lo >= n or hi >= n):
            raise RuntimeError(
                f"Argument #{4 + 2 * i}: Padding size should be less than the corresponding input "
                f"dimension, but got: padding ({lo}, {hi}) at dimension {d} of input {shape}"
            )
        if mode == "circular" and (lo > n or hi > n):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if n + lo + hi <= 0:
            raise RuntimeError(
                f"input tensor is too small ({n} at dimension {d}) for padding ({lo}, {hi})"
            )
        indices.append((d, _index(mode, n, lo, hi)))
    out = input._value
    for d, idx in indices:
        out = np.take(out, idx, axis=d)
    name = "CopySlices" if mode == "circular" else _NODES[mode].format(k)

    def backward(g: Tensor) -> tuple[Tensor]:
        for d, idx in reversed(indices):
            size = list(g.shape)
            size[d] = shape[d]
            # (on g's device, as PyTorch's formula: never set_default_device's)
            g = zeros(size, dtype=g.dtype, device=g.device).index_add(
                d, tensor(idx, device=g.device), g
            )
        return (g,)

    return record(name, np.ascontiguousarray(out), input._dtype, (input,), backward)


__all__ = ["check_mode", "pad_gather"]
