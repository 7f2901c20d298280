"""What an elementwise node saved, as PyTorch shows it: ``grad_fn._saved_self`` and friends,
and the saved-tensor hooks of :mod:`jitgrad.engine.graph` for elementwise nodes.

An elementwise op's declaration says which operands (roles ``a``/``b``/``c``) and whether
its result (``out``) each gradient rule reads; a node saves exactly what the rules needed
for the inputs requiring grad read (:func:`saved_roles`). ``_saved_<name>`` names a role
PyTorch's way (``self``, ``other``, ``result``; ``exponent`` for pow ...): the saved tensor,
None for a tensor the rules could read but this node did not save, or the scalar operand.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes as D
from ..engine import graph as G
from ..engine.elementwise import ElementwiseNode
from ..engine.sweep import FREED, FREED_MESSAGE, VC0, Node
from ..ops import expr as E
from ..ops.registry import OpDef
from ..ops.saved_record import ROLES as ROLES  # (re-exported: read from here)
from ..ops.saved_record import SavedRecord, copy_record
from .recording import unpack_saved
from .tensor import Tensor, _make

#: the order PyTorch packs a node's saved tensors in (``x * y``: other, then self)
PACK_ORDER = ("b", "a", "c", "d", "out")
_DEFAULT_NAMES = {"a": "self", "b": "other", "out": "result"}
#: PyTorch's argument names where they are not ``self``/``other`` (by jitgrad op name)
_NAMES = {
    "pow": {"b": "exponent"},
    "addcmul": {"b": "tensor1", "c": "tensor2"},
    "addcdiv": {"b": "tensor1", "c": "tensor2"},
    "addcmul_scaled": {"b": "tensor1", "c": "tensor2", "d": "value"},
    "addcdiv_scaled": {"b": "tensor1", "c": "tensor2", "d": "value"},
    "lerp": {"b": "end", "c": "weight"},
}

#: values PyTorch saves that jitgrad's op fixes (``x ** 2`` runs as ``square``)
_CONSTANTS = {
    "square": {"exponent": 2}, "cube": {"exponent": 3},
    "addcmul": {"value": 1}, "addcdiv": {"value": 1},
}  # fmt: skip
#: ops whose saved scalar operands PyTorch shows as Python numbers, not wrapped tensors
_RAW_SCALARS = frozenset({"pow", "addcmul_scaled", "addcdiv_scaled"})

_roles_cache: dict[tuple, frozenset[str]] = {}


def saved_roles(op: OpDef, smask: str, needs: tuple) -> frozenset[str]:
    """Tensor operands (``a``/``b``/``c``) and ``out`` that the needed gradient rules read."""
    key = (op.name, smask, needs)
    roles = _roles_cache.get(key)
    if roles is None:
        names: set[str] = set()
        for i, need in enumerate(needs):
            if need:
                names |= E.free_names(op.grads[i])  # type: ignore[arg-type]
        tensor_roles = set(t_roles(smask)) | {"out"}
        roles = _roles_cache[key] = frozenset(names & tensor_roles)
    return roles


def t_roles(smask: str) -> tuple[str, ...]:
    return tuple(r for r, m in zip(ROLES, smask, strict=False) if m == "t")


def _needs(op: OpDef, args: tuple) -> tuple:
    return tuple(
        isinstance(x, Tensor) and x._requires_grad and op.grads[i] is not None
        for i, x in enumerate(args)
    )


def pack_elementwise(node: Node, result: Tensor) -> None:
    """Give the tensors ``node`` saved to this thread's pack hook (see ``graph.pack_saved``)."""
    op, smask, args = node.op, node.smask, node.args  # (just recorded: its own record)
    reads = saved_roles(op, smask, _needs(op, args))
    items = [(r, result if r == "out" else args[ROLES.index(r)]) for r in PACK_ORDER if r in reads]
    if items:
        G.pack_saved(node, items)


def unpack_elementwise(node: Node, saved: Any, packed: tuple) -> SavedRecord:
    """A copy of record ``saved`` with each packed tensor replaced by what the unpack hook
    returns (PyTorch checks no version of a tensor that hooks packed: it is whatever unpack
    gives)."""
    unpack, items = packed
    args, values, out = list(saved.args), list(saved.values), saved.out
    for role, p in items.items():
        t = unpack_saved(unpack, p)
        if role == "out":
            out = _as(t._value, out.dtype)
        else:
            i = ROLES.index(role)
            args[i] = t
            values[i] = _as(t._value, values[i].dtype)
    return copy_record(saved, args=tuple(args), values=tuple(values), out=out)


def _as(value: Any, dtype: Any) -> Any:
    return value if value.dtype == dtype else value.astype(dtype)


def saved_attribute(node: Any, name: str) -> Any:
    """``node._saved_<name>``: see the module docstring; a name this node lacks: AttributeError.
    A result read here shares one counter with the node (so with the result once the result
    is changed in place); a change made through it is not seen by ops that record the still
    unchanged result afterwards (they save version 0 where PyTorch saves 1): finding the result
    tensors means a scan of every tracked object (gc.get_referrers), ~14 ms per node on a
    2000-node graph, which tools reading every node's ``_saved_result`` cannot pay.
    """
    if node._saved is None:
        raise AttributeError(f"'{type(node).__name__}' object has no attribute '{name}'")
    if node._saved is FREED:
        raise RuntimeError(FREED_MESSAGE)
    saved = node.saved()
    op, smask, args = saved.op, saved.smask, saved.args
    names = {**_DEFAULT_NAMES, **_NAMES.get(op.name, {})}
    declared: set[str] = set()
    for rule in op.grads:
        if rule is not None:
            declared |= E.free_names(rule)
    wanted = name[len("_saved_") :]
    constants = _CONSTANTS.get(op.name)
    if constants is not None and wanted in constants:
        return constants[wanted]
    role = next((r for r, n in names.items() if n == wanted and r in declared), None)
    if role is None or (role != "out" and ROLES.index(role) >= len(args)):
        raise AttributeError(f"'{type(node).__name__}' object has no attribute '{name}'")
    if role != "out" and smask[ROLES.index(role)] != "t":  # a Python scalar operand
        value = args[ROLES.index(role)]
        return value if op.name in _RAW_SCALARS else _tensor_of(value)
    if role not in saved_roles(op, smask, _needs(op, args)):
        return None
    packed = G.packed_of(node)
    if packed is not None:
        return unpack_saved(packed[0], packed[1][role])
    if role != "out":
        return args[ROLES.index(role)]
    out = saved.out
    dt = D.from_numpy_dtype(out.dtype)
    if dt is D.float32 and saved.cdt.round is not None:  # a float16/bfloat16 result (lowp)
        dt = saved.cdt
    result = _make(out, dt, node)
    vc = saved.out_vc
    if vc is VC0:  # one counter with the result, made now
        vc = node.output_counter(out) or [0]
    result._vc = vc
    return result


def saved_tensors_of(node: Any) -> list[tuple[str, Tensor]]:
    """``(name, tensor)`` for each tensor an elementwise node saved, named as its
    ``_saved_<name>`` attribute (what torchviz's ``show_saved`` draws); empty for other
    nodes and once backward freed the values."""
    saved = node.record() if isinstance(node, ElementwiseNode) else None
    if not isinstance(saved, Node | SavedRecord) or not isinstance(saved.op, OpDef):
        return []  # not elementwise, or freed
    names = {**_DEFAULT_NAMES, **_NAMES.get(saved.op.name, {})}
    found = []
    for name in dict.fromkeys(names.values()):
        try:
            value = saved_attribute(node, "_saved_" + name)
        except (AttributeError, RuntimeError):
            continue
        if isinstance(value, Tensor):
            found.append((name, value))
    return found


def _tensor_of(value: Any) -> Tensor:
    """A wrapped Python number, as PyTorch's saved ``other`` of ``x * 2`` is ``tensor(2)``."""
    if isinstance(value, bool):
        dtype = D.bool_
    else:
        dtype = D.int64 if isinstance(value, int) else D.float64
    return _make(np.array(value, dtype.np), dtype)


def _saved_property(name: str) -> property:
    return property(lambda node: saved_attribute(node, name), doc=f"PyTorch's ``{name}``.")


class SavedAttributes:
    """``_saved_self`` and the other names PyTorch's elementwise nodes use, as properties.

    Properties, not ``__getattr__``: a class with ``__getattr__`` loses CPython's fast
    attribute loads on every access to its instances, which measurably slowed backward.
    """

    __slots__ = ()
    _saved_self = _saved_property("_saved_self")
    _saved_other = _saved_property("_saved_other")
    _saved_result = _saved_property("_saved_result")
    _saved_exponent = _saved_property("_saved_exponent")
    _saved_tensor1 = _saved_property("_saved_tensor1")
    _saved_tensor2 = _saved_property("_saved_tensor2")
    _saved_end = _saved_property("_saved_end")
    _saved_weight = _saved_property("_saved_weight")
    _saved_value = _saved_property("_saved_value")
