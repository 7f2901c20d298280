"""Boolean masks and ``masked_fill`` (issue 16 section 1: a causal attention's
``att.masked_fill(mask[:, :, :T, :T] == 0, float("-inf"))``).

The arena holds one float dtype, so a comparison's boolean result has no slot: the trace
keeps, per boolean tensor, how to compute it (``producer(arena) -> ndarray``: NumPy's
comparison of its operands' arena views or numbers, the same exact test eager's kernel
makes; ``~``/``logical_not`` of another mask). ``masked_fill(x, mask, number)`` is then a
host call that computes the mask and selects (``np.where``: every element is either ``x``'s
or the fill value cast to the dtype, so any selection gives eager's bits), and its
backward another that recomputes the mask and puts eager's ``+0.0`` where it is True
(``MaskedFillBackward0``: ``g.masked_fill(mask, 0.0)``). A mask used by any other op is a
tensor the trace did not see made: the recording stops there.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from ..frontend.tensor import Tensor
from .record import _number, _out, slot_of
from .record_host import _node, _view, one_input_backward
from .record_layout import layout
from .tape import Slot, Unsupported

_COMPARE = {"eq": operator.eq, "ne": operator.ne, "lt": operator.lt, "le": operator.le,
            "gt": operator.gt, "ge": operator.ge}  # fmt: skip


def _operand(rec: Any, x: Any) -> Any:
    """``arena -> value`` of one comparison operand: an arena view, or a number."""
    if _number(x):
        return lambda arena: x
    s = slot_of(rec, x)
    return lambda arena: _view(arena, s)


def compare(op: str):
    """``a == b`` and kin of float tensors and numbers: a producer, no rows."""
    fn = _COMPARE[op]

    def handler(rec: Any, out: Any, a: Any, b: Any) -> None:
        if out is NotImplemented:
            return
        if not isinstance(out, Tensor) or out._requires_grad:
            raise Unsupported(f"{op} with no boolean tensor result")
        x, y = _operand(rec, a), _operand(rec, b)
        shape = out._value.shape
        rec.masks[id(out)] = lambda arena: np.broadcast_to(fn(x(arena), y(arena)), shape)
        rec.keep.append(out)

    return handler


def invert(rec: Any, out: Any, a: Any) -> None:
    """``~mask`` / ``logical_not(mask)`` of a mask the trace keeps."""
    inner = rec.masks.get(id(a))
    if inner is None or not isinstance(out, Tensor):
        raise Unsupported("~ of a tensor that is not a mask the trace computed")
    rec.masks[id(out)] = lambda arena: ~inner(arena)
    rec.keep.append(out)


def masked_fill(rec: Any, out: Any, input: Any, mask: Any, value: Any) -> None:  # noqa: A002
    """``masked_fill(x, mask, number)`` with a mask the trace computed (module docstring)."""
    sx = slot_of(rec, input)
    producer = rec.masks.get(id(mask))
    if producer is None:
        raise Unsupported("masked_fill with a mask the trace did not compute")
    if not _number(value) or not isinstance(out, Tensor) or out._value.shape != sx.shape:
        raise Unsupported("masked_fill other than with a number, into the input's shape")
    s = _out(rec, out)
    fill = out._value.dtype.type(value)

    def forward(arena: np.ndarray, args: tuple) -> None:
        np.copyto(_view(arena, s), np.where(producer(arena), fill, _view(arena, sx)))

    rec.tape.host(forward)
    zero = out._value.dtype.type(0.0)

    def make(sg: Slot, into: Slot) -> Any:
        def grad(arena: np.ndarray, args: tuple) -> None:
            np.copyto(_view(arena, into), np.where(producer(arena), zero, _view(arena, sg)))

        return grad

    if out.grad_fn is not None and out.grad_fn.name() != "MaskedFillBackward0":
        raise Unsupported(f"eager recorded {out.grad_fn.name()} for masked_fill")
    _node(rec, out, [sx], [s], one_input_backward("MaskedFillBackward0", sx, s, make))


def contiguous(rec: Any, out: Any, a: Any, *args: Any, **kw: Any) -> None:
    """``x.contiguous()``: nothing when eager returned ``x`` itself; else eager's copy
    (``CloneBackward0``, the gradient passed through), a gather in the arena."""
    if out is a:
        return
    layout("named")(rec, out, a)


_NAMES = {**{n: compare(n) for n in _COMPARE}, "logical_not": invert, "masked_fill": masked_fill}
#: ``Tensor`` methods recorded here
METHODS: dict[str, Any] = {
    **_NAMES, **{f"__{n}__": compare(n) for n in _COMPARE}, "__invert__": invert,
    "contiguous": contiguous,
}  # fmt: skip
#: ``jitgrad`` functions recorded here
FUNCTIONS: dict[str, Any] = dict(_NAMES)
