"""``stack`` and ``cat`` of device tensors along dimension 0, and ``flip``, by device copies.

Along the first dimension each operand is one contiguous run of the result's buffer, so
joining is a copy kernel per operand (:func:`jitgrad.kernels.cuda.memory.copy`) and no host
round trip (``clip_grad_norm_`` stacks the per-tensor norms; ``vmap`` stacks its per-sample
results). The backward hands each operand its slice of the gradient. Other dimensions,
mixed dtypes or shapes, and host operands return ``NotImplemented``: the host fallback then
runs the CPU op (and raises its errors). ``flip`` is one strided gather (negative strides along
the flipped dims, :func:`jitgrad.kernels.cuda.memory.gather`), its gradient the flip again
(cumprod's gradient reverses its running sums with it).
"""

from __future__ import annotations

from typing import Any

from ...frontend.recording import record
from ...frontend.tensor import Tensor
from ...frontend.views import _dims
from ...kernels.cuda import memory as M
from . import runtime


def _join(node: str, tensors: Any, args: tuple, dim: int, stacked: bool) -> Any:
    if args or dim != 0 or not isinstance(tensors, list | tuple) or not tensors:
        return NotImplemented
    first = tensors[0]
    if not all(isinstance(t, Tensor) and t.is_cuda for t in tensors):
        return NotImplemented
    shapes = {tuple(t.shape)[0 if stacked else 1 :] for t in tensors}
    if len(shapes) != 1 or len({t._dtype for t in tensors}) != 1 or not stacked and not first.dim():
        return NotImplemented
    rows = [1 if stacked else int(t.shape[0]) for t in tensors]
    out = runtime.empty((sum(rows), *shapes.pop()), first._dtype.np)
    flat, start = runtime.flat(out), 0
    for t in tensors:
        n = t.numel()
        if n:
            M.copy(runtime.flat(runtime.contiguous(t._value)), flat[start : start + n])
        start += n

    def backward(g: Tensor) -> tuple:
        bounds = [sum(rows[:i]) for i in range(len(rows) + 1)]
        if stacked:
            return tuple(g[i] for i in range(len(rows)))
        return tuple(g[a:b] for a, b in zip(bounds, bounds[1:], strict=False))

    return record(node, out, first._dtype, list(tensors), backward)


def stack(tensors: Any, *args: Any, dim: int = 0) -> Any:
    return _join("StackBackward0", tensors, args, dim, True)


def cat(tensors: Any, *args: Any, dim: int = 0) -> Any:
    return _join("CatBackward0", tensors, args, dim, False)


def flip(input: Any, *args: Any, dims: Any = None) -> Any:  # noqa: A002
    """``flip(x, dims)``, ``x.flip(dims)`` or ``x.flip(*dims)`` (``FlipBackward0``)."""
    if not isinstance(input, Tensor) or not input.is_cuda or (dims is None) == (not args):
        return NotImplemented
    wanted = dims if dims is not None else args[0] if len(args) == 1 else args
    axes = _dims(wanted, input.ndim, "flip")
    shape = tuple(input.shape)
    strides = [1] * len(shape)
    for k in range(len(shape) - 2, -1, -1):
        strides[k] = strides[k + 1] * shape[k + 1]
    offset = sum((shape[k] - 1) * strides[k] for k in axes if shape[k])
    flipped = tuple(-s if k in axes else s for k, s in enumerate(strides))
    value = M.gather(runtime.flat(runtime.contiguous(input._value)), shape, flipped, offset)
    return record("FlipBackward0", value, input._dtype, [input], lambda g: flip(g, axes))


NATIVE: dict[str, Any] = {"stack": stack, "cat": cat, "flip": flip}
