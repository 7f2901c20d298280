"""``torch.autograd.forward_ad``: dual tensors, computed from the recorded graph.

No op has a forward-mode rule. ``make_dual(p, t)`` returns an alias of ``p`` that the level
remembers as a *source* with tangent ``t``; the alias records a graph like any tensor that
requires grad (if ``p`` does not, the alias requires grad only internally: ``requires_grad``,
``is_leaf`` and ``repr`` hide that graph, see :func:`visible`). ``unpack_dual(y)`` then gets
the tangent by the double-VJP identity ``J t = d/du <J^T u, t>``: one ``autograd.grad`` with
``create_graph`` (every op supports it) and one more through that linear graph. So every
differentiable op has a tangent, at the price of two backward sweeps per ``unpack_dual``.

Custom ``autograd.Function``s with a ``jvp`` get their outputs' tangents eagerly from it
(:func:`_function_jvp`); those outputs become sources too, and the sweep stops at them.

Differences from PyTorch (known, tested where they hold):

- ``grad_fn`` of a result that only carries a tangent is the hidden node (PyTorch: None;
  ``requires_grad``, ``is_leaf``, ``repr``, ``numpy()`` and ``backward`` do hide it);
- a differentiable tangent's own ``grad_fn`` is ``Identity`` (PyTorch: its forward
  formula's last op);
- ops run under ``no_grad`` record nothing, so their results carry no tangent (PyTorch keeps
  forward grads under ``no_grad``);
- an in-place op on the dual itself, when its primal does not require grad, raises the
  leaf in-place error (in-place ops on results work);
- each ``unpack_dual`` costs two backward sweeps over the graph behind the tensor.
"""

from __future__ import annotations

import weakref
from collections import namedtuple
from typing import Any

import numpy as np

from ..engine.dual_state import DUAL
from ..engine.grad_mode import enable_grad
from ..engine.sweep import AccumulateGrad, Node
from ..frontend import tensor as _tensor
from ..frontend.recording import record
from .api import grad as autograd_grad

Tensor = _tensor.Tensor

UnpackedDualTensor = namedtuple("UnpackedDualTensor", ["primal", "tangent"])
UnpackedDualTensor.__doc__ = "What :func:`unpack_dual` returns: ``(primal, tangent)``."

_HIDDEN = "_fw_hidden"  # __dict__ mark of an alias that requires grad only for forward AD


class _Level:
    """The open level's sources: ``leaves`` by tensor id, ``edges`` by ``(node id, nr)``.
    Each entry is ``(tensor, tangent)``; the level keeps both alive until it exits."""

    def __init__(self) -> None:
        self.leaves: dict[int, tuple[Tensor, Tensor | None]] = {}
        self.edges: dict[tuple[int, int], tuple[Tensor, Tensor | None]] = {}

    def add(self, t: Tensor, tangent: Tensor | None) -> None:
        if t.grad_fn is None:
            self.leaves[id(t)] = (t, tangent)
        else:
            self.edges[(id(t.grad_fn), t._output_nr)] = (t, tangent)

    def own(self, t: Tensor) -> tuple[Tensor, Tensor | None] | None:
        if t.grad_fn is None:
            return self.leaves.get(id(t))
        return self.edges.get((id(t.grad_fn), t._output_nr))


_LEVEL: list[_Level] = []  # the open level, at most one (PyTorch nests none)
_LIVE = [0]  # hidden leaves alive
_hidden_only: weakref.WeakKeyDictionary[Node, bool] = weakref.WeakKeyDictionary()


def enter_dual_level() -> int:
    """Open the forward-AD level (there can be one at a time) and return its number, 0."""
    if _LEVEL:
        raise RuntimeError("Nested forward mode AD is not supported at the moment")
    _LEVEL.append(_Level())
    DUAL.level = 0
    return 0


def exit_dual_level(*, level: int | None = None) -> None:
    """Close the level: every tangent made in it is dropped, as in PyTorch."""
    current = -1 if DUAL.level is None else DUAL.level
    level = current if level is None else level
    if level != current:
        raise RuntimeError(
            "Trying to exit a forward AD level that was not the last one that was created. "
            "This is not supported."
        )
    if level < 0:
        raise RuntimeError("Dual level must be a positive number.")
    lvl = _LEVEL.pop()
    DUAL.level = None
    for t, _ in lvl.leaves.values():
        if t.__dict__.get(_HIDDEN):
            t._requires_grad = False  # a plain tensor again: later ops record nothing


class dual_level:  # noqa: N801 - PyTorch's name
    """Context manager (and decorator) around :func:`enter_dual_level`/:func:`exit_dual_level`.
    ``with dual_level() as level`` binds the level number."""

    def __enter__(self) -> int:
        return enter_dual_level()

    def __exit__(self, *exc: object) -> None:
        exit_dual_level()

    def __call__(self, fn: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with dual_level():
                return fn(*args, **kwargs)

        wrapper.__wrapped__ = fn  # type: ignore[attr-defined]
        wrapper.__name__ = getattr(fn, "__name__", "wrapper")
        wrapper.__doc__ = fn.__doc__
        return wrapper


def _check_level(level: int | None, op: str) -> _Level:
    if level is not None and (level != DUAL.level or not _LEVEL):
        raise RuntimeError(f"Invalid level given to {op}")
    return _LEVEL[0]


def make_dual(tensor: Tensor, tangent: Tensor, *, level: int | None = None) -> Tensor:
    """A dual tensor: an alias of ``tensor`` whose tangent is ``tangent`` at the open level.

    It requires grad (and shows ``ViewBackward0``) only if ``tensor`` does.
    """
    if DUAL.level is None and (level is None or level < 0):
        raise RuntimeError(
            "Trying to create a dual Tensor for forward AD but no level exists, make sure to "
            "enter_dual_level() first."
        )
    if not tensor._dtype.is_floating_point:
        raise ValueError(
            f"Expected primal to be floating point or complex, but got: {tensor.dtype}"
        )
    if not tangent._dtype.is_floating_point:
        raise ValueError(
            f"Expected tangent to be floating point or complex, but got: {tangent.dtype}"
        )
    lvl = _check_level(level, "_make_dual")
    if tangent.shape != tensor.shape:
        raise RuntimeError(
            "Trying to set a forward gradient that has a different size than that of the "
            f"original Tensor, this is not supported. Tensor is of size {list(tensor.shape)} "
            f"while the given forward gradient is of size {list(tangent.shape)}."
        )
    if _sources(lvl, tensor):
        raise RuntimeError(
            "Making a dual Tensor based on a Tensor that already has a forward gradient at the "
            "same level 0 is not supported."
        )
    dual = tensor.view(tuple(tensor.shape))
    if not dual._requires_grad:
        dual._requires_grad = True  # hidden: records the graph the tangent is read from
        hidden_leaf(dual)
    lvl.add(dual, tangent)
    if tangent.grad_fn is not None:
        lvl.add(tangent, None)  # a tangent has no tangent at its own level
    return dual


def unpack_dual(tensor: Tensor, *, level: int | None = None) -> UnpackedDualTensor:
    """``(primal, tangent)`` of ``tensor`` at the level; tangent None if it has none.

    The primal is a view without the tangent: it shares storage, and requires grad only if
    ``tensor`` visibly does (then its ``grad_fn`` is ``Identity``, as in PyTorch).
    """
    if DUAL.level is None and (level is None or level < 0):
        return UnpackedDualTensor(tensor, None)
    lvl = _check_level(level, "_fw_primal")
    tangent = _tangent(lvl, tensor)
    if tangent is None:
        return UnpackedDualTensor(tensor, None)
    if visible(tensor):
        primal = record("Identity", tensor._value, tensor._dtype, [tensor], _identity_backward)
        lvl.add(primal, None)  # carries no tangent: the sweep stops there
    else:
        primal = tensor.detach()
    return UnpackedDualTensor(primal, tangent)


def hidden_leaf(t: Tensor) -> Tensor:
    """Mark leaf ``t`` (which requires grad) as requiring grad only internally: graphs that
    reach no other leaf show ``requires_grad=False`` (``torch.func``'s aliases use it too)."""
    t.__dict__[_HIDDEN] = True
    _LIVE[0] += 1
    weakref.finalize(t, _hidden_leaf_gone)
    DUAL.hidden = True
    return t


def _hidden_leaf_gone() -> None:
    """With no hidden leaf alive no graph can reach one: ``requires_grad`` and ``repr`` go
    back to reading the flag alone (no graph walks after a program's last use of forward AD
    or ``torch.func``)."""
    _LIVE[0] -= 1
    if not _LIVE[0]:
        DUAL.hidden = False


def _identity_backward(g: Tensor) -> Tensor | None:
    return None if DUAL.evaluating else g


def _no_backward(g: Tensor) -> None:
    return None


def _sources(lvl: _Level, t: Tensor) -> list:
    """The level's sources ``t`` depends on, not looking past a source."""
    own = lvl.own(t)
    if own is not None:
        return [own]
    if t.grad_fn is None:
        return []
    found: dict[int, tuple] = {}
    seen = {id(t.grad_fn)}
    stack = [t.grad_fn]
    while stack:
        for nxt, nr in stack.pop().next_functions:
            if nxt is None:
                continue
            if type(nxt) is AccumulateGrad:
                entry = lvl.leaves.get(id(nxt.variable))
            else:
                entry = lvl.edges.get((id(nxt), nr))
            if entry is not None:
                found[id(entry[0])] = entry
            elif id(nxt) not in seen:
                seen.add(id(nxt))
                stack.append(nxt)
    return list(found.values())


def _tangent(lvl: _Level, y: Tensor) -> Tensor | None:
    """``y``'s tangent: a source's own, else ``sum_i J_i t_i`` by the double-VJP identity."""
    if not (isinstance(y, Tensor) and y._requires_grad and y._dtype.is_floating_point):
        return None
    sources = [(s, t) for s, t in _sources(lvl, y) if t is not None]
    if not sources:
        return None
    if len(sources) == 1 and sources[0][0] is y:
        return sources[0][1]
    keep = visible(y)
    prev = DUAL.evaluating
    DUAL.evaluating = True
    try:
        with enable_grad():
            u = _tensor._make(np.zeros(y._value.shape, y._dtype.np), y._dtype)
            u._requires_grad = True
            hidden_leaf(u)
            grads = autograd_grad(
                [y], [s for s, _ in sources], [u], create_graph=True, allow_unused=True
            )
            total = None
            for g, (_, t) in zip(grads, sources, strict=True):
                if g is not None:
                    term = (g * t).sum()
                    total = term if total is None else total + term
            jvp = None
            if total is not None and total._requires_grad:
                # differentiable where y visibly requires grad, as PyTorch's tangent is
                (jvp,) = autograd_grad([total], [u], create_graph=keep, allow_unused=True)
    finally:
        DUAL.evaluating = prev
    if jvp is None:
        jvp = _tensor._make(np.zeros(y._value.shape, y._dtype.np), y._dtype)
    if not keep:
        return jvp.detach()
    # PyTorch's tangent of a result that requires grad requires grad too (its formulas read
    # the primals); where ours does not depend on them, its gradient is zero, and it says so
    live = jvp._requires_grad and visible(jvp)
    tangent = record(
        "Identity",
        jvp._value,
        jvp._dtype,
        [jvp if live else y],
        _identity_backward if live else _no_backward,
    )
    lvl.add(tangent, None)  # a tangent has no tangent at its own level
    return tangent


def visible(t: Tensor) -> bool:
    """Whether ``t`` (which requires grad internally) requires grad as PyTorch shows it: its
    graph reaches a leaf that is not a forward-AD alias. Memoized per node."""
    if t.grad_fn is None:
        return not t.__dict__.get(_HIDDEN, False)
    return not _only_hidden(t.grad_fn)


def _shown(t: Tensor) -> bool:
    """``requires_grad`` as the user sees it; inside the machinery (a tangent or a
    ``torch.func`` gradient being computed, where backward closures ask ``requires_grad``)
    the hidden graphs count."""
    return DUAL.evaluating or visible(t)


def _only_hidden(root: Node) -> bool:
    """Whether every leaf ``root``'s graph reaches is hidden (post-order, memoized)."""
    known = _hidden_only.get(root)
    if known is not None:
        return known
    stack = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if node in _hidden_only:
            continue
        if expanded:  # every child is settled
            if type(node) is AccumulateGrad:
                result = bool(node.variable.__dict__.get(_HIDDEN, False))
            else:
                result = all(_hidden_only[n] for n, _ in node.next_functions if n is not None)
            _hidden_only[node] = result
            continue
        stack.append((node, True))
        for nxt, _ in node.next_functions:
            if nxt is not None and nxt not in _hidden_only:
                stack.append((nxt, False))
    return _hidden_only[root]


def _describe(t: Tensor, suffixes: list) -> None:
    """``repr``'s autograd items: ``grad_fn``/``requires_grad`` as visible, then ``tangent``."""
    if t._requires_grad and visible(t):
        if t.grad_fn is not None:
            suffixes.append(f"grad_fn=<{type(t.grad_fn).__name__}>")
        else:
            suffixes.append("requires_grad=True")
    if _LEVEL:
        tangent = _tangent(_LEVEL[0], t)
        if tangent is not None:
            suffixes.append(f"tangent={tangent}")


def _function_jvp(cls: type, ctx: Any, args: tuple, out: Any) -> Any:
    """A custom Function's outputs get their tangents from its ``jvp`` (called once, now).

    Called by ``Function.apply`` while a level is open. The outputs become sources, and the
    Function's node returns no gradient while a tangent is evaluated, so the inputs' tangents
    are not counted twice through it.
    """
    lvl = _LEVEL[0]
    tangents = [_tangent(lvl, a) if isinstance(a, Tensor) else None for a in args]
    if all(t is None for t in tangents):
        return out
    tangents = [
        _tensor._make(np.zeros(a._value.shape, a._dtype.np), a._dtype)
        if t is None and isinstance(a, Tensor)
        else t
        for a, t in zip(args, tangents, strict=True)
    ]
    saved = ctx._saved
    if "saved_for_forward" in ctx.__dict__:  # ``jvp`` reads them as ``ctx.saved_tensors``
        forward = tuple(ctx.saved_for_forward)
        ctx._saved = (forward, (0,) * len(forward), (None,) * len(forward))
    try:
        result = cls.jvp(ctx, *tangents)
    finally:
        ctx._saved = saved
    outs = out if isinstance(out, tuple) else (out,)
    results = result if isinstance(result, tuple) else (result,)
    if len(results) != len(outs):
        raise RuntimeError(
            f"jvp() returned an incorrect number of gradients (expected {len(outs)}, got "
            f"{len(results)})"
        )
    ctx.__dict__["_fw_cut"] = True
    for o, t in zip(outs, results, strict=True):
        if isinstance(o, Tensor) and t is not None and o._dtype.is_floating_point:
            if not o._requires_grad:
                o._requires_grad = True
                hidden_leaf(o)
            lvl.add(o, t)
            if isinstance(t, Tensor) and t.grad_fn is not None:
                lvl.add(t, None)  # a tangent has no tangent at its own level
    return out


DUAL.visible = _shown
DUAL.describe = _describe
DUAL.function_jvp = _function_jvp

__all__ = [
    "UnpackedDualTensor",
    "dual_level",
    "enter_dual_level",
    "exit_dual_level",
    "make_dual",
    "unpack_dual",
]
