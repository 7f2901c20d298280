"""The meta device's tensors: a shape and a dtype, no data (see :mod:`.meta` for the device).

The part of the meta backend the Tensor front end calls: whether a tensor is meta, a new meta
tensor (``empty(..., device="meta")``), the move to or from the meta device (``.to("meta")``)
and the nodes of meta graphs. The other part, :mod:`.meta`, wraps every public op so a call
with a meta operand runs on stand-ins; it sits above the public namespace it wraps, so it is
reached through :data:`ABOVE` (filled when it is imported, which ``import jitgrad`` does) and
activated at the first meta tensor.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..engine.grad_mode import STATE as GRAD
from ..engine.node import Node
from ..engine.sweep import run_backward
from ..engine.targets import edge_of
from ..frontend.tensor import Tensor, _make, device
from .meta_array import MetaArray, meta_array

META = device("meta")
NO_DATA = "Cannot copy out of meta tensor; no data!"


class _Above:
    """What this module calls in :mod:`.meta` above it: ``activate()`` wraps the public ops
    and guards the data readers, once (set when :mod:`.meta` is imported)."""

    __slots__ = ("activate",)

    def __init__(self) -> None:
        self.activate: Callable[[], None] = _unset


def _unset() -> None:
    raise RuntimeError("jitgrad.backends.meta was not imported (import jitgrad)")


ABOVE = _Above()


#: a tensor's stored buffer, read without computing a deferred value (a deferred result is
#: never meta: reading ``_value`` would run its chain and lose the fusion that follows)
_STORED = Tensor.__dict__["_value"].__get__


def is_meta(t: Tensor) -> bool:
    return type(_STORED(t)) is MetaArray


def empty(shape: tuple[int, ...], dt: Any, requires_grad: bool = False) -> Tensor:
    """A new meta tensor (a leaf)."""
    ABOVE.activate()
    t = _make(meta_array(tuple(shape), dt.np), dt)
    t._requires_grad = requires_grad
    return t


def move(t: Tensor, target: device) -> Tensor:
    """``t.to(target)`` where ``t`` or ``target`` is meta: the meta copy keeps the graph
    (``ToCopyBackward0``, whose gradient for a CPU source cannot exist: PyTorch's error);
    nothing copies out of a meta tensor."""
    if is_meta(t):
        if target.type != "meta":
            raise NotImplementedError(NO_DATA)
        return t
    ABOVE.activate()
    value = meta_array(t._value.shape, t._dtype.np)
    if not (GRAD.enabled and t._requires_grad):
        return _make(value, t._dtype)
    node = _node_class("ToCopyBackward0")((edge_of(t),))
    return _make(value, t._dtype, node)


def _to_meta(r: Tensor, fresh: bool = False) -> Tensor:
    """A meta tensor of ``r``'s shape and dtype (``fresh``: a gradient nobody else holds,
    which a leaf may adopt as its ``.grad``)."""
    return _make(meta_array(r._value.shape, r._dtype.np), r._dtype, fresh=fresh)


class MetaNode(Node):
    """The node of an op run on stand-ins, in a meta graph (see the module docstring).

    ``_saved`` is ``(outputs, inputs)``: the CPU results by output number, and the stand-ins
    of the meta operands this node's ``next_functions`` lead to (None for a ``to("meta")``
    copy, whose CPU source cannot take a meta gradient)."""

    __slots__ = ()

    def apply(self, grads: list) -> Any:
        if self._saved is None:
            raise NotImplementedError(NO_DATA)
        outputs, inputs = self._saved
        outs, seeds = [], []
        for nr, g in enumerate(grads):
            if g is not None and nr in outputs:
                out = outputs[nr]
                outs.append(out)
                # (in the output's dtype, as autograd.grad would cast it)
                seeds.append(_make(np.zeros(g._value.shape, out._dtype.np), out._dtype))
        if not outs:
            return [None] * len(inputs)
        # the engine's sweep over the stand-ins' CPU graph, as autograd.grad runs it
        got = run_backward(outs, seeds, True, False, inputs=inputs, capture=True, allow_unused=True)
        return [None if g is None else _to_meta(g, fresh=True) for g in got]

    def release(self) -> None:
        self._saved = None


_node_classes: dict[str, type] = {}


def _node_class(name: str) -> type:
    cls = _node_classes.get(name)
    if cls is None:
        cls = _node_classes[name] = type(name, (MetaNode,), {"__slots__": ()})
    return cls
