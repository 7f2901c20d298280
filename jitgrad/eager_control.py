"""The names ``torch.export``/``torch.compile`` code calls, run eagerly: structured control
flow (``torch.cond``, ``torch.while_loop``) calls the branch or loops in Python, and the
symbolic-shape helpers (``torch.sym_int``, ``sym_max`` ...) act on the plain Python numbers
jitgrad's shapes always are. ``SymInt``/``SymFloat``/``SymBool`` exist for ``isinstance``
checks, which are always False here (no value is symbolic)."""

from __future__ import annotations

import builtins
import math
from collections.abc import Callable, Sequence
from typing import Any

from .frontend.tensor import Tensor


def cond(pred: Any, true_fn: Callable, false_fn: Callable, operands: Sequence = ()) -> Any:
    """``true_fn(*operands)`` if ``pred`` (a bool or a one-element tensor) else ``false_fn``."""
    taken = bool(pred.item() if isinstance(pred, Tensor) else pred)
    return (true_fn if taken else false_fn)(*operands)


def while_loop(cond_fn: Callable, body_fn: Callable, carried_inputs: Sequence) -> tuple:
    """Apply ``body_fn`` to the carried values while ``cond_fn`` of them holds."""
    carry = tuple(carried_inputs)
    while bool(cond_fn(*carry)):
        carry = tuple(body_fn(*carry))
    return carry


def _symbolic(name: str) -> type:
    return type(name, (), {"__doc__": f"A symbolic {name[3:].lower()}: never one in jitgrad."})


SymInt = _symbolic("SymInt")
SymFloat = _symbolic("SymFloat")
SymBool = _symbolic("SymBool")


def sym_int(a: Any) -> int:
    return int(a)


def sym_float(a: Any) -> float:
    return float(a)


def sym_max(a: Any, b: Any) -> Any:
    return builtins.max(a, b)


def sym_min(a: Any, b: Any) -> Any:
    return builtins.min(a, b)


def sym_not(a: Any) -> bool:
    return not a


def sym_sqrt(a: Any) -> float:
    return math.sqrt(a)


def sym_ite(b: Any, t: Any, f: Any) -> Any:
    return t if b else f


def sym_sum(args: Sequence) -> Any:
    return builtins.sum(args)


def sym_constrain_range(size: Any, min: Any = None, max: Any = None) -> None:  # noqa: A002
    """A hint for the tracer about a size's range: nothing to do eagerly."""


def sym_constrain_range_for_size(size: Any, min: Any = None, max: Any = None) -> None:  # noqa: A002
    """A hint for the tracer about a size's range: nothing to do eagerly."""


__all__ = [
    "cond",
    "while_loop",
    "SymInt",
    "SymFloat",
    "SymBool",
    "sym_int",
    "sym_float",
    "sym_max",
    "sym_min",
    "sym_not",
    "sym_sqrt",
    "sym_ite",
    "sym_sum",
    "sym_constrain_range",
    "sym_constrain_range_for_size",
]
