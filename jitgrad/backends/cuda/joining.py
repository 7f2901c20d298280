"""``stack``, ``cat``, ``repeat`` (``tile``) and constant ``F.pad`` of device tensors, by device
copies.

Each operand's place in the result is a strided view of the result's C-contiguous buffer
(the result's strides, offset by where the operand starts along ``dim``), so joining is one
scatter kernel per operand (:func:`jitgrad.kernels.cuda.memory.scatter`; along dimension 0 a
plain copy) and no host round trip (``clip_grad_norm_`` stacks the per-tensor norms; ``vmap``
stacks its per-sample results; attention and RNN code cat along the last dimension). The
backward hands each operand its slice of the gradient (``narrow`` / ``select``, device views).
Mixed dtypes or shapes, legacy empty 1-D operands, a ``dim`` out of range and host operands
return ``NotImplemented``: the host fallback then runs the CPU op (and raises its errors).
"""

from __future__ import annotations

from typing import Any

from ...frontend.recording import JoinBackward, record
from ...frontend.tensor import Tensor
from ...kernels.cuda import memory as M
from ...memory import storage_nbytes
from . import runtime
from .aliasing import c_strides


def _dim(args: tuple, dim: Any, ndim: int) -> int | None:
    """``dim`` (by position or keyword) wrapped into ``[0, ndim)``, or None for the CPU op."""
    if len(args) > 1 or (args and dim != 0):
        return None
    d = args[0] if args else dim
    if type(d) is not int or not -ndim <= d < ndim:
        return None
    return d % ndim


def _join(node: str, tensors: Any, args: tuple, dim: Any, stacked: bool) -> Any:
    if not isinstance(tensors, list | tuple) or not tensors:
        return NotImplemented
    first = tensors[0]
    if not all(isinstance(t, Tensor) and t.is_cuda for t in tensors):
        return NotImplemented
    if len({t._dtype for t in tensors}) != 1 or not stacked and not first.dim():
        return NotImplemented
    d = _dim(args, dim, first.dim() + stacked)
    if d is None:
        return NotImplemented
    shapes = {tuple(t.shape)[:d] + tuple(t.shape)[d + (not stacked) :] for t in tensors}
    if len(shapes) != 1:
        return NotImplemented  # (different shapes, or a legacy empty operand: the CPU op)
    rest = shapes.pop()
    sizes = [1 if stacked else int(t.shape[d]) for t in tensors]
    shape = (*rest[:d], sum(sizes), *rest[d:])
    out = runtime.empty(shape, first._dtype.np)
    strides, start = c_strides(shape), 0
    for t, n in zip(tensors, sizes, strict=True):
        if t.numel():
            src = runtime.flat(runtime.contiguous(t._value))
            piece = (*rest[:d], n, *rest[d:])
            M.scatter(src, runtime.flat(out), piece, strides, start * strides[d])
        start += n
    bounds = [sum(sizes[:i]) for i in range(len(sizes) + 1)]

    def backward(g: Tensor) -> tuple:
        if stacked:
            return tuple(g.select(d, i) for i in range(len(sizes)))
        return tuple(g.narrow(d, a, b - a) for a, b in zip(bounds, bounds[1:], strict=False))

    backward.saved_dim = dim if not args else args[0]
    return record(node, out, first._dtype, list(tensors), backward, base=JoinBackward)


def stack(tensors: Any, *args: Any, dim: int = 0) -> Any:
    return _join("StackBackward0", tensors, args, dim, True)


def cat(tensors: Any, *args: Any, dim: int = 0) -> Any:
    return _join("CatBackward0", tensors, args, dim, False)


def constant_pad(input: Any, pad: Any, mode: str = "constant", value: Any = None) -> Any:  # noqa: A002
    """``F.pad`` in ``constant`` mode (negative amounts crop): a filled result and the kept
    region of ``input`` copied into its place, by a gather and a scatter kernel; the
    gradient is the same op with the amounts negated (``ConstantPadNdBackward0``, as the
    CPU's). Other modes, and arguments the CPU op refuses, take the host fallback."""
    if mode != "constant" or not isinstance(input, Tensor) or not input.numel():
        return NotImplemented
    if not isinstance(pad, list | tuple) or not all(type(p) is int for p in pad):
        return NotImplemented
    if len(pad) % 2 or len(pad) // 2 > input.dim() or not isinstance(value, int | float | None):
        return NotImplemented
    shape, src, dst = list(input.shape), [], []
    for d, n in enumerate(input.shape):
        i = len(shape) - 1 - d
        lo, hi = (pad[2 * i], pad[2 * i + 1]) if i < len(pad) // 2 else (0, 0)
        shape[d] = n + lo + hi
        src.append((max(-lo, 0), n - max(-hi, 0)))
        dst.append(max(lo, 0))
    if any(n < 0 for n in shape):
        return NotImplemented  # the CPU op's error
    out = runtime.full(tuple(shape), 0 if value is None else value, input._dtype.np)
    region = tuple(b - a for a, b in src)
    if all(region):
        ins, outs = c_strides(tuple(input.shape)), c_strides(tuple(shape))
        start = sum(a * st for (a, _), st in zip(src, ins, strict=True))
        piece = M.gather(runtime.flat(runtime.contiguous(input._value)), region, ins, start)
        at = sum(a * st for a, st in zip(dst, outs, strict=True))
        M.scatter(runtime.flat(piece), runtime.flat(out), region, outs, at)
    back = [-p for p in pad]
    node = "ConstantPadNdBackward0"
    return record(node, out, input._dtype, [input], lambda g: constant_pad(g, back))


def repeat(input: Any, *sizes: Any) -> Any:  # noqa: A002
    """``x.repeat(*sizes)``: the tiles read through stride-0 axes by one gather kernel
    (``RepeatBackward0``; the gradient sums the tiles, a device reduction)."""
    if len(sizes) == 1 and isinstance(sizes[0], list | tuple):
        sizes = tuple(sizes[0])
    if not isinstance(input, Tensor) or not all(type(r) is int and r >= 0 for r in sizes):
        return NotImplemented
    k = len(sizes)
    if k < input.dim() or not input.numel() or not all(sizes):
        return NotImplemented  # (the CPU op's error, empty results)
    shape = (1,) * (k - input.dim()) + tuple(input.shape)
    result_shape = tuple(r * n for r, n in zip(sizes, shape, strict=True))
    storage_nbytes(result_shape, input._dtype.itemsize)  # the CPU's (PyTorch's) size error
    strides = c_strides(shape)
    tiled = tuple(n for pair in zip(sizes, shape, strict=True) for n in pair)
    steps = tuple(st for pair in zip((0,) * k, strides, strict=True) for st in pair)
    flat_in = runtime.flat(runtime.contiguous(input._value))
    out = M.gather(flat_in, tiled, steps).reshape(result_shape)
    before = tuple(input.shape)

    def backward(g: Tensor) -> Tensor:
        return g.reshape(tiled).sum(tuple(range(0, 2 * k, 2))).reshape(before)

    return record("RepeatBackward0", out, input._dtype, [input], backward)


def tile(input: Any, *dims: Any) -> Any:  # noqa: A002
    """``torch.tile(x, dims)``: ``repeat`` with ``dims`` padded by leading ones to ``x``'s
    rank (the CPU's :func:`jitgrad.frontend.join_split.tile`, whose own call of ``repeat``
    is the CPU op's)."""
    if len(dims) == 1 and isinstance(dims[0], list | tuple):
        dims = tuple(dims[0])
    if not isinstance(input, Tensor) or not all(type(r) is int for r in dims):
        return NotImplemented
    return repeat(input, *((1,) * (input.dim() - len(dims)) + dims))


NATIVE: dict[str, Any] = {
    "repeat": repeat,
    "tile": tile,
    "stack": stack,
    "cat": cat,
    "concat": cat,
    "concatenate": cat,
    "pad": constant_pad,
}
