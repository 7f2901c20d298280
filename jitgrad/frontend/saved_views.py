"""What an elementwise node saved, as PyTorch shows it: ``grad_fn._saved_self`` and friends,
and the saved-tensor hooks of :mod:`jitgrad.engine.graph` for elementwise nodes.

An elementwise op's declaration says which operands (roles ``a``/``b``/``c``) and whether
its result (``out``) each gradient rule reads; a node saves exactly what the rules needed
for the inputs requiring grad read (:func:`saved_roles`). ``_saved_<name>`` names a role
PyTorch's way (``self``, ``other``, ``result``; ``exponent`` for pow ...): the saved tensor,
None for a tensor the rules could read but this node did not save, or the scalar operand.
"""

from __future__ import annotations

import math
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
    "rrelu": {"b": "noise"},  # (the drawn slopes, in training; a number in eval: no name)
}

#: values PyTorch saves that jitgrad's op fixes (``x ** 2`` runs as ``square``)
_CONSTANTS = {
    "square": {"exponent": 2}, "cube": {"exponent": 3},
    "addcmul": {"value": 1}, "addcdiv": {"value": 1}, "add": {"alpha": 1}, "sub": {"alpha": 1},
    "rsub": {"alpha": 1},
    "elu": {"scale": 1, "input_scale": 1},
    "selu": {"alpha": 1.6732632423543772, "scale": 1.0507009873554805, "input_scale": 1},
}  # fmt: skip
#: ops whose saved scalar operands PyTorch shows as Python numbers, not wrapped tensors
_RAW_SCALARS = frozenset({"pow", "addcmul_scaled", "addcdiv_scaled", "xlogy"})
#: PyTorch's names of an op's Python-number parameters (its ``Scalar``s, shown as given and
#: still read after backward), by the operand role that holds each; those roles have no
#: other name (``clamp`` has ``_saved_min``, no ``_saved_other``)
_SCALAR_NAMES = {
    "add_scaled": {"alpha": "c"}, "sub_scaled": {"alpha": "c"},
    "rsub_scaled": {"alpha": "c"},
    "clamp": {"min": "b", "max": "c"}, "clamp_min": {"min": "b"}, "clamp_max": {"max": "b"},
    "leaky_relu": {"negative_slope": "b"}, "hardtanh": {"min_val": "b", "max_val": "c"},
    "softplus": {"beta": "b", "threshold": "c"}, "threshold": {"threshold": "b"},
    "hardshrink": {"lambd": "b"}, "softshrink": {"lambd": "b"}, "celu": {"alpha": "b"},
    "elu": {"alpha": "b"}, "polygamma": {"n": "b"}, "mvlgamma": {"p": "b"}, "lerp": {"weight": "c"},
    "selu": {}, "rrelu": {}, "logit": {"eps": "b"}, "fmod": {}, "remainder": {},
}  # fmt: skip

_roles_cache: dict[tuple, frozenset[str]] = {}


def scalar_parameters(op: OpDef, args: tuple) -> frozenset:
    """The Python numbers among ``args`` that PyTorch takes as ``Scalar`` parameters
    (``alpha``, ``value``, ``min``...), not as wrapped-number tensors: in its C++ formulas an
    op on one of them is the ``.Scalar`` overload (``maybe_multiply(-grad, alpha)``:
    MulBackward1), as on a number written in the formula."""
    if op.name not in _SCALAR_NAMES and op.name not in _RAW_SCALARS:
        return frozenset()
    return frozenset(x for x in args if isinstance(x, int | float) and not isinstance(x, bool))


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


def reads_wrapped_number(op: OpDef, smask: str, needs: tuple) -> bool:
    """Whether the needed gradient rules read a Python-number operand that PyTorch saves as
    a wrapped-number tensor (``x * 2``'s ``_saved_other``), not as a ``Scalar``: backward then
    frees it as any saved tensor (reading it, or a second backward, raises)."""
    if op.name in _RAW_SCALARS or op.name in _SCALAR_NAMES or "s" not in smask:
        return False
    read: set[str] = set()
    for i, need in enumerate(needs):
        if need:
            read |= E.free_names(op.grads[i])  # type: ignore[arg-type]
    return any(m == "s" and r in read for r, m in zip(ROLES, smask, strict=False))


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
    2000-node graph, which tools reading every node's ``_saved_result`` cannot pay."""
    if node._extra is not None and name in (node._extra.kept or ()):
        return _kept(node, node._extra.kept[name])
    if node._saved is None:
        raise AttributeError(f"'{type(node).__name__}' object has no attribute '{name}'")
    freed = node._saved is FREED
    saved = node if freed else node.saved()  # (a freed eager node keeps its numbers)
    op, smask = getattr(saved, "op", None), getattr(saved, "smask", "")
    args = getattr(saved, "args", None)
    if not isinstance(op, OpDef):  # (freed with its record)
        raise RuntimeError(FREED_MESSAGE)
    role, value = _scalar_of(op, smask, args or (), name[len("_saved_") :])
    if role is None:
        raise AttributeError(f"'{type(node).__name__}' object has no attribute '{name}'")
    number = role == "=" or (
        role != "out" and op.name in _RAW_SCALARS and smask[ROLES.index(role)] != "t"
    )
    if number:
        if freed and args is None and role != "=":
            raise RuntimeError(FREED_MESSAGE)
        return value  # (a Python number: kept after backward, as PyTorch's Scalars)
    if freed:  # (a tensor the node never saved stays None, as PyTorch's undefined ones)
        if role != "out" and smask[ROLES.index(role)] == "t" and not _was_saved(node, role):
            return None
        raise RuntimeError(FREED_MESSAGE)
    if role != "out" and smask[ROLES.index(role)] != "t":  # a wrapped Python number
        return _tensor_of(value)
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


def _kept(node: Any, value: Any) -> Any:
    """A value the op does not carry, kept in the node's extras (rrelu's bounds, its eval
    noise): a tensor among them is freed with the node's saved tensors."""
    if node._saved is FREED and isinstance(value, Tensor):
        raise RuntimeError(FREED_MESSAGE)
    return value


def _was_saved(node: Any, role: str) -> bool:
    """Whether a freed elementwise node had saved its operand ``role``: its needs come from
    its edges (None where no gradient flows), its operands being gone. The edges are
    PyTorch's: one per operand (``x * 2``: two), or one per tensor operand (``2 ** x``)."""
    smask, edges = node.smask, getattr(node, "_next", ())
    if len(edges) != len(smask):  # (one per tensor operand, in order)
        it = iter(edges)
        edges = tuple(next(it, None) if m == "t" else None for m in smask)
    needs = tuple(
        m == "t" and edges[i] is not None and node.op.grads[i] is not None
        for i, m in enumerate(smask)
    )
    return role in saved_roles(node.op, smask, needs)


def _scalar_of(op: OpDef, smask: str, args: tuple, wanted: str) -> tuple[str | None, Any]:
    """The role PyTorch's ``_saved_<wanted>`` reads and, for a Python number, its value:
    ``("=", number)`` for a parameter PyTorch saves as a number (a constant of the op or one
    of :data:`_SCALAR_NAMES`), ``(role, operand)`` else, ``(None, None)`` for a name the node
    lacks."""
    constants = _CONSTANTS.get(op.name)
    if constants is not None and wanted in constants:
        return "=", constants[wanted]
    scalars = _SCALAR_NAMES.get(op.name, {})
    at = scalars.get(wanted)
    if at is not None:
        k = ROLES.index(at)
        if k >= len(smask) or smask[k] == "t":
            return None, None
        value = args[k] if k < len(args) else None
        unset = op.name in ("clamp", "logit") and value in (-math.inf, math.inf)
        return "=", None if unset else value  # (clamp's, logit's bound not given: None)
    names = {**_DEFAULT_NAMES, **_NAMES.get(op.name, {})}
    # a number's own rule is no node's (pow of a tensor by a number is PyTorch's
    # PowBackward0, which saves no result); the numbers of the ops above have no other name
    by_number = op.name in _RAW_SCALARS or op.name in _SCALAR_NAMES
    declared: set[str] = set()
    for k, rule in enumerate(op.grads):
        if rule is not None and not (by_number and smask[k : k + 1] == "s"):
            declared |= E.free_names(rule)
    if op.name in _SCALAR_NAMES:
        declared -= {r for r, m in zip(ROLES, smask, strict=False) if m == "s"}
    role = next((r for r, n in names.items() if n == wanted and r in declared), None)
    if role is None or (role != "out" and ROLES.index(role) >= len(smask)):
        return None, None
    return role, args[ROLES.index(role)] if role != "out" and args else None


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
    _saved_alpha = _saved_property("_saved_alpha")
    _saved_min = _saved_property("_saved_min")
    _saved_max = _saved_property("_saved_max")
    _saved_negative_slope = _saved_property("_saved_negative_slope")
    _saved_min_val = _saved_property("_saved_min_val")
    _saved_max_val = _saved_property("_saved_max_val")
    _saved_beta = _saved_property("_saved_beta")
    _saved_threshold = _saved_property("_saved_threshold")
    _saved_lambd = _saved_property("_saved_lambd")
    _saved_scale = _saved_property("_saved_scale")
    _saved_input_scale = _saved_property("_saved_input_scale")
    _saved_n = _saved_property("_saved_n")
    _saved_p = _saved_property("_saved_p")
    _saved_eps = _saved_property("_saved_eps")
    _saved_noise = _saved_property("_saved_noise")
    _saved_lower = _saved_property("_saved_lower")
    _saved_upper = _saved_property("_saved_upper")
    _saved_training = _saved_property("_saved_training")

    def __dir__(self) -> list[str]:
        """The ``_saved_*`` names this node has (PyTorch's node classes list their own), with
        the rest of the attributes: a tool listing a node's saved values finds its own."""
        return [n for n in object.__dir__(self) if not n.startswith("_saved_") or _has(self, n)]


def _has(node: Any, name: str) -> bool:
    try:
        getattr(node, name)
    except AttributeError:
        return False
    except RuntimeError:  # (freed: PyTorch's node still has the attribute)
        return True
    return True


def _no_saved_self(node: Any) -> Any:
    raise AttributeError(f"'{type(node).__name__}' object has no attribute '_saved_self'")


def _inplace_result(node: Any) -> Tensor:
    """The result an in-place activation's node shows as ``_saved_result``: the tensor it
    overwrote, at its counter (kept as its buffer, dtype and counter: no cycle through the
    node); after backward, the freed-graph error."""
    if node._saved is FREED:
        raise RuntimeError(FREED_MESSAGE)
    value, dt, vc = node._extra.kept["result of"]
    result = _make(value, dt, node)
    result._vc = vc
    return result


_inplace_classes: dict[tuple, type] = {}


def show_inplace_result(node: Any, name: str, out: Tensor) -> None:
    """Rename ``node`` to PyTorch's in-place node ``name`` (``LeakyReluBackward1``...), which
    saves its result, not its input: ``_saved_result`` is ``out``, ``_saved_self`` absent.
    jitgrad's rule still reads the input it kept (the same gradient; a subclass of the node)."""
    base = type(node)
    cls = _inplace_classes.get((name, base))
    if cls is None:
        shown = property(_inplace_result, doc="PyTorch's ``_saved_result``.")
        body = {"__slots__": (), "_saved_self": property(_no_saved_self), "_saved_result": shown}
        cls = _inplace_classes[(name, base)] = type(name, (base,), body)
    node.__class__ = cls
    extras = node.extras()
    extras.kept = {**(extras.kept or {}), "result of": (out._value, out._dtype, out._vc)}
