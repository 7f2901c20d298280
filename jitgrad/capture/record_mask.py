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
import sys
from typing import Any

import numpy as np

from ..frontend.tensor import Tensor
from .record import _number, _out, slot_of
from .record_host import _node, _view, one_input_backward
from .record_layout import layout
from .record_norm import guard_module
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


def tril(rec: Any, out: Any, a: Any, diagonal: Any = 0) -> None:
    """``x.tril(k)`` of a tensor outside the graph (a causal mask's ``ones(T, T).tril()``):
    a host call selecting as NumPy's ``tril`` does (every element ``x``'s or 0)."""
    sa = slot_of(rec, a)
    if sa.rg or type(diagonal) is not int or len(sa.shape) < 2 or not isinstance(out, Tensor):
        raise Unsupported("tril of a tensor that requires grad")
    s = _out(rec, out)

    def forward(arena: np.ndarray, args: tuple) -> None:
        np.copyto(_view(arena, s), np.tril(_view(arena, sa), diagonal))

    rec.tape.host(forward)


def contiguous(rec: Any, out: Any, a: Any, *args: Any, **kw: Any) -> None:
    """``x.contiguous()``: nothing when eager returned ``x`` itself; else eager's copy
    (``CloneBackward0``, the gradient passed through), a gather in the arena."""
    if out is a:
        return
    layout("named")(rec, out, a)


def inline(rec: Any, out: Any, *args: Any, **kw: Any) -> None:
    """A composite whose body the trace records as the user's own calls (``transparent``:
    :func:`.trace._wrap` runs it at the user's depth). ``F.scaled_dot_product_attention``
    is eager's reference composition (``zeros``/``ones(...).tril() > 0``, ``masked_fill``,
    ``matmul``, ``* scale + bias``, softmax, dropout, ``matmul``); the module globals it
    calls are interposed by name (:data:`.trace.ATTENTION_GLOBALS`). The calling module's
    ``training`` flag is guarded (``dropout_p=self.p if self.training else 0``)."""


def _caller_module(rec: Any) -> None:
    guard_module(rec, sys._getframe(2))  # (this, the wrapper, then the caller's frame)


inline.transparent = _caller_module  # type: ignore[attr-defined]

_NAMES = {**{n: compare(n) for n in _COMPARE}, "logical_not": invert, "masked_fill": masked_fill,
          "tril": tril}  # fmt: skip
#: ``Tensor`` methods recorded here
METHODS: dict[str, Any] = {
    **_NAMES, **{f"__{n}__": compare(n) for n in _COMPARE}, "__invert__": invert,
    "contiguous": contiguous,
}  # fmt: skip
#: ``jitgrad`` functions recorded here
FUNCTIONS: dict[str, Any] = dict(_NAMES)
