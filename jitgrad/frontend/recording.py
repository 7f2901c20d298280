"""Recording non-elementwise ops: a backward written with Tensor ops.

Reductions, shape ops, indexing and matmul declare their backward as a Python function over
Tensors. Run under ``no_grad`` it is an ordinary backward; run with grad mode on
(``create_graph=True``) the same function records a differentiable graph, so higher-order
gradients need no second implementation.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import dtypes as D
from ..engine import graph as G
from ..engine.grad_mode import GRAD_OFF, INFERENCE_SAVED, STATE
from ..engine.node import ZERO_NRS, nrs_of
from ..engine.sweep import FREED, Node, _anomaly, next_sequence
from . import tensor as _tensor
from .kept_saved import freed_value, keeping_release

_classes: dict[tuple[str, type], type] = {}
_new_node = Node.__new__  # (object.__new__: no node class defines one)


class Saved:
    """What a :class:`FunctionBackward` keeps (its ``_saved``): ``fn(*grads)`` its backward,
    the ``tensors`` it saved and their ``versions`` then (checked before ``fn`` runs)."""

    __slots__ = ("fn", "tensors", "versions")

    def __init__(self, fn: Callable[..., Any], tensors: tuple, versions: tuple) -> None:
        self.fn, self.tensors, self.versions = fn, tensors, versions


class ResultSaved(Saved):
    """A :class:`ResultBackward`'s record: also the result's array ``value``, its ``dtype``,
    its version ``counter`` (the list the result Tensor shares) and the ``version`` saved."""

    __slots__ = ("value", "dtype", "counter", "version")
    #: ``(weakref to a node, output_nr)`` whose output the result is shown as: joint_node.py
    owner: tuple | None = None

    def __init__(
        self, fn: Any, tensors: tuple, versions: tuple, value: Any, dtype: Any, counter: list,
        version: int,
    ) -> None:  # fmt: skip
        self.fn, self.tensors, self.versions = fn, tensors, versions
        self.value, self.dtype, self.counter, self.version = value, dtype, counter, version


class FunctionBackward(Node):
    """A node whose backward is ``fn(*grad_outputs) -> grads per input`` (its record: a
    :class:`Saved`)."""

    __slots__ = ()
    reads_result = False  # see ResultBackward

    def apply(self, grads: list) -> Sequence:
        saved = self.saved()
        tensors = saved.tensors
        if (self._extra is None or unpacked(self) is None) and tensors:
            _tensor.check_versions(self, tensors, saved.versions)
        result = saved.fn(*grads)
        return result if isinstance(result, tuple | list) else (result,)

    def release(self) -> None:
        saved = self._saved
        if saved is not None and saved.tensors:  # only nodes holding saved tensors are freed
            super().release()


class JoinBackward(FunctionBackward):
    """A join's node (``CatBackward0``, ``StackBackward0``) with PyTorch's ``_saved_dim``: the
    dim as passed, which the backward function carries as ``saved_dim`` (stack's is a shared
    ``partial``), so recording a node costs nothing more."""

    __slots__ = ()

    @property
    def _saved_dim(self) -> int:
        return shown_int(self._saved.fn.saved_dim)


def shown_int(v: Any) -> int:
    """An int PyTorch saved (a dim, an index) as its node shows it: the int64 read as uint64
    (-1 -> 2**64 - 1)."""
    return int(v) % (1 << 64)


def closure(fn: Any) -> dict:
    """What the backward closure ``fn`` captured, by variable name."""
    cells = fn.__closure__ or ()
    return dict(zip(fn.__code__.co_freevars, [c.cell_contents for c in cells], strict=True))


def saved_attributes(name: str, **getters: Callable[[Any], Any]) -> None:
    """Give node ``name`` (recorded as a plain :class:`FunctionBackward`) PyTorch's
    ``_saved_<key>`` attributes, each ``getters[key](saved)`` of the node's :class:`Saved`
    (its backward function ``saved.fn``, its saved ``tensors``).

    They are computed when read, from what the backward already captured (a closure's
    variables, see :func:`closure`, or a ``partial``'s arguments), so recording a node keeps
    and costs nothing more. A getter that finds nothing (a node of the same name recorded by
    another op, with another backward) raises KeyError or AttributeError: the attribute is
    then missing, as ``hasattr`` sees it."""
    props = {"_saved_" + key: lazy_saved(key, get) for key, get in getters.items()}
    body = {"__slots__": (), "saved_names": tuple(props), **props}
    body["release"] = keeping_release(FunctionBackward)
    _classes[(name, FunctionBackward)] = type(name, (FunctionBackward,), body)


def lazy_saved(key: str, get: Callable[[Any], Any]) -> property:
    """The property ``_saved_<key>``: ``get(node._saved)`` (see :func:`saved_attributes`)."""

    def read(node: Any) -> Any:
        saved = node._saved
        if saved is FREED:  # (a dim or size read before the tensors were freed: kept)
            return freed_value(node, "_saved_" + key)
        try:
            return get(saved)
        except (KeyError, AttributeError, TypeError):
            pass
        raise AttributeError(f"'{type(node).__name__}' object has no attribute '_saved_{key}'")

    return property(read, doc=f"PyTorch's ``_saved_{key}`` (see :func:`saved_attributes`).")


class IndicesBackward(FunctionBackward):
    """A node of an advanced-index op (``IndexBackward0``, ``IndexPutBackward0``): PyTorch saves
    its indices, so a backward frees the node even when the indices were Python lists (no
    saved tensor here) and a second backward through it raises the freed-graph error."""

    __slots__ = ()

    def release(self) -> None:
        Node.release(self)


class ResultBackward(FunctionBackward):
    """A node whose backward also reads the op's own result: ``fn(*grads, result)``
    (softmax, logsumexp, norm, prod).

    The result is saved as its array, dtype and version counter, not as the result Tensor:
    that tensor's ``grad_fn`` is this node, so holding it would close a reference cycle, and
    the whole graph (with every buffer it saved) would outlive its last reference until the
    cycle collector ran. PyTorch saves outputs the same way (a ``SavedVariable`` of an
    output keeps no ``grad_fn``). ``backward`` gets a tensor rebuilt around the array with
    through the result. Its record is a :class:`ResultSaved`: flat, one object the cycle
    collector walks per node, not two.
    """

    __slots__ = ()
    reads_result = True

    def apply(self, grads: list) -> Sequence:
        saved = self.saved()
        value, vc = saved.value, saved.counter
        given = None if self._extra is None else unpacked(self)  # (no extras: nothing packed)
        if given is not None:  # saved-tensor hooks: the unpacked result is what backward reads
            value = given["out"]._value
        else:
            if saved.tensors:
                _tensor.check_versions(self, saved.tensors, saved.versions)
            if vc[0] != saved.version:  # the result was modified in place since
                _tensor.check_versions(self, (), (), vc, value, saved.version)
        owner = saved.owner
        node, nr = (self, 0) if owner is None else (owner[0]() or self, owner[1])
        result = _tensor._make(value, saved.dtype, node, output_nr=nr)
        result._vc = vc
        out = saved.fn(*grads, result)
        return out if isinstance(out, tuple | list) else (out,)

    def release(self) -> None:
        if self._saved is not None:  # the result is always saved
            Node.release(self)


UNPACK_TYPE_ERROR = (
    "Output of saved tensor unpack_hook expected to be a Tensor but got result of type "
)


def unpack_saved(unpack: Callable, packed: Any) -> Any:
    """``unpack(packed)``, which must be a tensor (PyTorch's TypeError otherwise)."""
    t = unpack(packed)
    if not isinstance(t, _tensor.Tensor):
        raise TypeError(UNPACK_TYPE_ERROR + type(t).__name__)
    return t


def unpacked(node: Node) -> dict | None:
    """``{key: tensor}`` from the unpack hook if saved-tensor hooks packed what ``node``
    saved (no version check then, as in PyTorch), else None.

    Only a saved result is read back from the hook: the other saved tensors stay in the
    closure ``backward`` was recorded with, so an unpack hook that returns different values
    changes elementwise and result-reading gradients only (a documented difference).
    """
    packed = G.packed_of(node)
    if packed is None:
        return None
    unpack, items = packed
    return {key: unpack_saved(unpack, p) for key, p in items.items()}


def node_class(name: str, base: type = FunctionBackward) -> type:
    cls = _classes.get((name, base))
    if cls is None:
        cls = _classes[(name, base)] = type(name, (base,), {"__slots__": ()})
    return cls


def renamed(res: Any, name: str) -> Any:
    """``res`` with its node shown under PyTorch's ``name`` for a function that jitgrad
    composes from other ops (the node's backward is kept as is)."""
    node = getattr(res, "grad_fn", None)
    if node is not None:
        node.__class__ = node_class(name, type(node))
    return res


def needs_grad(*inputs: Any) -> bool:
    """Whether an op on ``inputs`` must record a node (grad mode on and an input requires grad)."""
    if not STATE.enabled:
        return False
    Tensor = _tensor.Tensor
    return any(isinstance(t, Tensor) and t._requires_grad for t in inputs)


def record(
    name: str,
    value: np.ndarray,
    dtype: D.dtype,
    inputs: Sequence[Any],
    backward: Callable[..., Any],
    saved: Sequence[Any] = (),
    base: type = FunctionBackward,
):
    """The result Tensor of op ``name``; records a node if any input requires grad.

    ``inputs`` are the op's tensor inputs in ``backward``'s result order; ``saved`` lists the
    tensors ``backward`` reads, so in-place changes to them are detected at backward time.
    ``base`` :class:`ResultBackward`: ``backward`` also reads the result (see there).
    """
    _make = _tensor._make
    if not ((not GRAD_OFF[0] or STATE.enabled) and (dtype.is_floating_point or dtype.is_complex)):
        return _make(value, dtype)
    nexts = _input_edges(inputs)
    if nexts is None:
        return _make(value, dtype)
    cls = _classes.get((name, base)) or node_class(name, base)
    if _anomaly.enabled:  # Node.__init__ keeps the forward's trace
        node = cls(())
        node._next, node._nrs = nexts
    else:  # Node.__init__, written out (as pointwise_node._record): one call less per op
        node = _new_node(cls)
        node._next, node._nrs = nexts
        node._seq = next_sequence()
        node._extra = None
        node._key = cls
    out = _make(value, dtype, node)
    tensors, versions = _with_versions(saved) if saved else ((), ())
    reads_result = base.reads_result
    if reads_result:  # (out is new: its own counter is a fresh one, what _counter gives it)
        vc = out._vc = [0]
        node._saved = ResultSaved(backward, tensors, versions, value, dtype, vc, 0)
    elif tensors:
        node._saved = Saved(backward, tensors, versions)
    else:
        node._saved = _UNSAVED.get(backward) or Saved(backward, (), ())
    if G.SAVED_HOOKS.count:  # autograd.graph.saved_tensors_hooks open in some thread
        items = list(enumerate(saved))
        items.reverse()  # PyTorch packs ``mm``'s mat2, then self
        G.pack_saved(node, items + [("out", out)] if reads_result else items)
    return out


def product_saved(a: Any, b: Any) -> tuple:
    """What a product's node (mm, bmm, mv, dot, addmm) version-checks, as PyTorch saves it:
    ``a`` only when ``b`` needs a gradient and ``b`` only when ``a`` does, so changing the
    other factor in place before backward (an optimizer step on a weight whose input needs no
    gradient) is no error. Saved-tensor hooks get both."""
    if G.SAVED_HOOKS.count:
        return (a, b)
    return ((a,) if b._requires_grad else ()) + ((b,) if a._requires_grad else ())


def _input_edges(inputs: Sequence[Any]) -> tuple | None:
    """:func:`record`'s ``next_functions`` for ``inputs`` as a node keeps them (``_next``,
    ``_nrs``: see :class:`.Node`), or None if none requires grad. A loop (a comprehension is
    a call of its own), with no ``(node, output_nr)`` tuple per input."""
    Tensor = _tensor.Tensor
    nodes = []
    nrs = []
    wanted = numbered = False
    for t in inputs:
        if isinstance(t, Tensor) and t._requires_grad:
            fn = t.grad_fn
            if fn is not None:
                nodes.append(fn)
                nr = t._output_nr
                nrs.append(nr)
                numbered = numbered or nr
            else:
                nodes.append(t._accumulator())
                nrs.append(0)
            wanted = True
        else:
            nodes.append(None)
            nrs.append(0)
    if wanted:
        return tuple(nodes), (nrs_of(nrs) if numbered or len(nrs) > 8 else ZERO_NRS[len(nrs)])
    return None


def _with_versions(saved: Sequence[Any]) -> tuple[tuple, tuple]:
    """``saved`` as a tuple, and their versions now (checked before the backward runs). An
    inference tensor's version is negative (``INFERENCE_VERSION``): PyTorch refuses to save
    one for backward, in every node."""
    versions = []
    for t in saved:
        v = t._vc[0]
        if v < 0:
            raise RuntimeError(INFERENCE_SAVED)
        versions.append(v)
    return tuple(saved), tuple(versions)


#: backward function -> its record with no saved tensors, ``Saved(backward, (), ())``, for
#: the functions :func:`shared` registers: one record shared by their nodes, not one per node
#: (a record holding a function is an object the cycle collector walks while the graph lives).
_UNSAVED: dict[Any, Saved] = {}


def shared(backward: Callable[..., Any]) -> Callable[..., Any]:
    """``backward``, registered as one that many nodes record with no saved tensors (a
    cached ``partial`` holding no per-call values: stack's, unbind's), so those nodes share
    one record. Callers bound how many they register (each is kept for the process)."""
    _UNSAVED[backward] = Saved(backward, (), ())
    return backward


def index_tensors(key: Any) -> tuple:
    """The tensors in an index argument (a tensor, or a tuple/list holding some): what an
    indexing node saves, so changing an index in place before backward raises PyTorch's
    version error instead of silently moving the gradient."""
    Tensor = _tensor.Tensor
    if isinstance(key, Tensor):
        return (key,)
    if isinstance(key, tuple | list):
        return tuple(k for k in key if isinstance(k, Tensor))
    return ()


def keep_saved(res: Any, tensors: Sequence[Any]) -> Any:
    """``res`` with ``tensors`` (at their current versions) added to what its node checks
    before its backward runs: for an op composed of others (``index_put``, ``put``...) whose
    index arguments reach the parts only as arrays."""
    node = getattr(res, "grad_fn", None)
    if node is None or not tensors or not isinstance(node, FunctionBackward):
        return res
    saved = copy.copy(node.saved())  # (a shared record is not changed: _UNSAVED's)
    saved.tensors += tuple(tensors)
    saved.versions += tuple(t._vc[0] for t in tensors)
    node._saved = saved
    return res


def record_multi(
    name: str,
    values: Sequence[np.ndarray],
    dtypes: Sequence[D.dtype],
    inputs: Sequence[Any],
    backward: Callable[..., Any],
    saved: Sequence[Any] = (),
    base: type = FunctionBackward,
) -> list:
    """Like :func:`record` for ops with several outputs (split, max with dim ...).

    An output is the node's output ``i`` only if it is attached to the node: with no node
    recorded (no grad needed, ``no_grad``) or for a non-differentiable output (``max``'s
    indices) its ``output_nr`` is 0, as in PyTorch.
    """
    _make = _tensor._make

    first = record(name, values[0], dtypes[0], inputs, backward, saved, base)
    node = first.grad_fn
    outs = [first]
    for i in range(1, len(values)):
        if node is not None and (dtypes[i].is_floating_point or dtypes[i].is_complex):
            outs.append(_make(values[i], dtypes[i], node, False, i))  # (positional: cheaper)
        else:
            outs.append(_make(values[i], dtypes[i]))
    return outs
