"""The autograd graph's nodes: :class:`Node`, its rarely-set :class:`NodeExtras`, the leaves'
:class:`AccumulateGrad`, and the saved-value bookkeeping every node shares.

A :class:`Node` is one backward function (PyTorch's ``grad_fn``). ``next_functions`` holds one
``(node, output_nr)`` edge per forward input (``(None, 0)`` for inputs that need no gradient;
leaves appear as their :class:`AccumulateGrad`). The sweep that runs them is
:mod:`jitgrad.engine.sweep`.
"""

from __future__ import annotations

import itertools
import traceback
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ..ops.saved_record import INLINE, kept_scalars
from .grad_mode import STATE
from .hooks import POST_ACCUMULATE_RETURNED

if TYPE_CHECKING:
    from ..frontend.tensor import Tensor

_sequence = itertools.count()
next_sequence = _sequence.__next__


#: ``_nrs`` for one to eight inputs that are all output 0 (most nodes): shared, not per node
ZERO_NRS = tuple((0,) * k for k in range(9))
#: ``_nrs`` of a one-input node by its input's output number (an unbind's outputs' consumers);
#: each pattern is one object in these tables (the replay matcher compares them with ``is``)
ONE_NRS = (ZERO_NRS[1],) + tuple((k,) for k in range(1, 64))
#: ``_nrs`` of a two-input node, ``(a, b)`` at ``a * 64 + b`` (a consumer of two outputs of
#: unbind: iterating a tensor, a softmax's pieces in a scalar graph)
TWO_NRS = tuple((a, b) if a or b else ZERO_NRS[2] for a in range(64) for b in range(64))


def nrs_of(nrs: Sequence[int]) -> tuple:
    """A node's ``_nrs`` for output numbers ``nrs``: a shared tuple where one exists."""
    k = len(nrs)
    if k < 9 and not any(nrs):
        return ZERO_NRS[k]
    if k == 1 and 0 <= nrs[0] < 64:
        return ONE_NRS[nrs[0]]
    if k == 2 and 0 <= nrs[0] < 64 and 0 <= nrs[1] < 64:
        return TWO_NRS[nrs[0] * 64 + nrs[1]]
    return tuple(nrs)


class _Mutation:
    """Where the last in-place change of any tensor falls in node creation order.

    A graph whose nodes were all created after it has every saved value as recorded, so the
    replay cache (:mod:`jitgrad.fusion.replay`) can skip per-node version checks.
    """

    seq = -1


MUTATION = _Mutation()

#: nodes PyTorch defines in C++ outside codegen: ``name()`` gives them the namespace while
#: ``repr`` and ``grad_fn=<...>`` show the bare class name
CPP_NODES = {
    n: "torch::autograd::" + n for n in ("AccumulateGrad", "CopyBackwards", "CopySlices")
}

FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward."
)


class RemovableHandle:
    """Returned by every ``register_*hook``; ``remove()`` unregisters the hook."""

    _ids = itertools.count()

    def __init__(self, hooks: dict) -> None:
        self.id = next(RemovableHandle._ids)
        self._hooks = hooks

    def remove(self) -> None:
        self._hooks.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


def add_hook(hooks: dict, fn: Callable) -> RemovableHandle:
    handle = RemovableHandle(hooks)
    hooks[handle.id] = fn
    return handle


class NodeExtras:
    """The parts of a node that few nodes have: hooks, ``retain_grad`` targets, metadata and
    the anomaly-mode trace of the forward call.

    They share one slot of :class:`Node` (None until something is set), so creating a node
    stores one None for all of them and a sweep reads one slot to know a node has none.
    """

    __slots__ = (
        "hooks", "prehooks", "tensor_hooks", "retain", "metadata", "trace", "packed", "kept"
    )

    def __init__(self, trace: list[str] | None = None) -> None:
        self.hooks: dict | None = None
        self.prehooks: dict | None = None
        self.tensor_hooks: dict | None = None  # output_nr -> {id: fn}
        self.retain: dict | None = None  # output_nr -> weakref to the tensor retaining its grad
        self.metadata: dict | None = None
        self.trace = trace
        #: ``(unpack_hook, {key: packed})`` when saved-tensor hooks packed what this node saved
        self.packed: tuple | None = None
        #: ``_saved_<name> -> value``: the plain values (dims, sizes) a node shows after its
        #: saved tensors were freed (frontend/recording.py ``KeepsSavedValues``)
        self.kept: dict | None = None


def edges_of(node: Node) -> tuple:
    """Every operand's ``(node, output_nr)`` edge, in operand order, for jitgrad's readers
    that pair edges with operands: a ``.Scalar`` node (``MulBackward1``) shows PyTorch's
    ``next_functions`` without its number's edge, but keeps it for the sweep."""
    return tuple(zip(node._next, node._nrs))


class Node:
    """A backward function in the graph. Subclasses implement :meth:`apply`."""

    #: ``next_functions`` is kept as two tuples: ``_next``, the nodes (None for an input that
    #: needs no gradient), and ``_nrs``, their output numbers (a shared constant when all are
    #: 0, see :func:`nrs_of`). One ``(node, output_nr)`` tuple per edge was ~2.8 objects per
    #: op of a scalar graph that the cycle collector walks while the graph lives; PyTorch
    #: also builds ``next_functions`` only when it is read (a new tuple on each read).
    __slots__ = ("_next", "_nrs", "_seq", "_extra", "_saved", "_key", "__weakref__")

    #: Whether the sweep calls this node when none of its gradients is defined (a backward
    #: returned None for every path to it). PyTorch's built-in nodes return undefined grads
    #: then, so the sweep skips them; a custom Function's backward still runs (on zeros).
    runs_undefined = False

    def __init__(self, next_functions: tuple, seq: float | None = None) -> None:
        if next_functions:
            self.next_functions = next_functions
        else:  # a leaf's AccumulateGrad (one per leaf use while no graph holds it)
            self._next = self._nrs = ()
        self._seq = next_sequence() if seq is None else seq
        self._saved: Any = None
        self._extra = NodeExtras(traceback.format_stack()[:-3]) if _anomaly.enabled else None
        #: structural token for the replay cache (None: this node is never replayed)
        self._key: Any = type(self)

    @property
    def next_functions(self) -> tuple:
        """One ``(node, output_nr)`` tuple per forward input, built on each read (as
        PyTorch's getter does: two reads are equal, not the same object)."""
        return tuple(zip(self._next, self._nrs))

    @next_functions.setter
    def next_functions(self, edges: Sequence[tuple]) -> None:
        nodes = []
        nrs = []
        for n, nr in edges:
            nodes.append(n)
            nrs.append(nr)
        self._next = tuple(nodes)
        self._nrs = nrs_of(nrs)

    def name(self) -> str:
        """PyTorch's ``name()``: the class name, qualified for its C++-defined nodes."""
        name = type(self).__name__
        return CPP_NODES.get(name, name)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {id(self):#x}>"

    def extras(self) -> NodeExtras:
        """This node's :class:`NodeExtras`, created on first use."""
        extra = self._extra
        if extra is None:
            extra = self._extra = NodeExtras()
        return extra

    @property
    def metadata(self) -> dict:
        extra = self.extras()
        if extra.metadata is None:
            extra.metadata = {}
        return extra.metadata

    def apply(self, grads: list) -> Sequence:
        """Gradients for each ``next_functions`` edge given the gradients of each output."""
        raise NotImplementedError

    def __call__(self, *grads: Any) -> Any:
        result = self.apply(list(grads))
        return result[0] if len(result) == 1 else tuple(result)

    def register_hook(self, fn: Callable) -> RemovableHandle:
        """``fn(grad_inputs, grad_outputs)`` after this node runs; may return new grad_inputs."""
        extra = self.extras()
        if extra.hooks is None:
            extra.hooks = {}
        return add_hook(extra.hooks, fn)

    def register_prehook(self, fn: Callable) -> RemovableHandle:
        """``fn(grad_outputs)`` before this node runs; may return new grad_outputs."""
        extra = self.extras()
        if extra.prehooks is None:
            extra.prehooks = {}
        return add_hook(extra.prehooks, fn)

    #: Whether :meth:`release` may have something to free (an elementwise node whose rules
    #: read no saved tensor says False: the sweep then skips the call).
    frees = True

    def release(self) -> None:
        """Free saved values after a backward without ``retain_graph``."""
        if self._saved is not None:  # free_saved((self,)), written out: once per node swept
            self._saved = FREED
            self._key = None

    def output_counter(self, value: Any) -> list | None:
        """The version counter this node saved for its result if ``value`` (a tensor's raw
        buffer) is that result and the counter is still to be created (see ``VC0``): the
        tensor adopts it. None: this node saved no counter waiting for it."""
        return None

    def saved(self) -> Any:
        saved = self._saved
        if saved is FREED:
            raise RuntimeError(FREED_MESSAGE)
        return saved


FREED = object()

#: The version counter of every tensor that has not needed one of its own yet: never
#: modified in place, never viewed, detached or aliased. Read like any counter (``vc[0]`` is
#: 0) but never written: ``Tensor._counter`` gives the tensor its own list first (and the
#: node that saved the tensor as its result the same list). A fresh list per tensor was one
#: more object per recorded op for the cycle collector to walk while the graph lives.
VC0 = [0]


def free_saved(nodes: Sequence[Node]) -> None:
    """Free the saved values of ``nodes`` (each known to hold some): :meth:`Node.release`
    for many nodes at once, without a call per node."""
    for node in nodes:
        if node._saved is INLINE:  # an elementwise node's own record: its arrays go now
            node.values = node.out = None
            node.args = kept_scalars(node.smask, node.args)
        node._saved = FREED
        node._key = None  # a freed node is never replayed


def hooked(node: Node, *kinds: str) -> bool:
    """Whether ``node`` has any of the :class:`NodeExtras` ``kinds`` set and non-empty."""
    extra = node._extra
    return extra is not None and any(getattr(extra, kind) for kind in kinds)


class AccumulateGrad(Node):
    """The sink for a leaf: runs the leaf's hooks and adds the gradient into ``.grad``."""

    __slots__ = ("variable",)

    def __init__(self, variable: Tensor) -> None:
        # PyTorch runs leaves' accumulation as soon as it is ready; taking no number from
        # the sequence also keeps the first step's graph numbered like the later ones.
        super().__init__((), seq=float("inf"))
        self.variable = variable

    def apply(self, grads: list) -> Sequence:
        # The leaf's own hooks already ran as this node's tensor hooks (see hooks.run_tensor_hooks).
        t = self.variable
        accumulate_into_leaf(t, grads[0])
        if t._post_hooks:
            for fn in list(t._post_hooks.values()):
                res = fn(t)  # PyTorch lets a hook hand back the leaf itself (``p.add_(...)``)
                if res is not None and res is not t:
                    if not hasattr(res, "_value"):
                        kind = type(res).__name__
                        raise TypeError(f"expected Variable, but hook returned '{kind}'")
                    raise RuntimeError(POST_ACCUMULATE_RETURNED)
        return ()


def accumulate_into_leaf(t: Tensor, grad: Tensor) -> None:
    """``t.grad += grad`` with PyTorch's rules (copy or adopt first; in place after).

    Reads ``_grad``, not ``.grad``: ``backward(inputs=[non_leaf])`` accumulates into a non-leaf,
    and the property would warn about it.
    """
    if grad is None:
        return
    if STATE.enabled:  # create_graph: keep the graph of the gradient
        # PyTorch's clone_obey_contract: a fresh tensor copy_'d from the gradient, so the
        # first .grad shows CopyBackwards over the gradient's graph; later ones add.
        t._grad = grad.new_empty(t.shape).copy_(grad) if t._grad is None else t._grad + grad
        return
    if t._grad is None:
        t._grad = grad._adopt_as_grad(t)
    else:
        t._grad._accumulate_(grad)


class _Anomaly:
    """Anomaly mode: process-wide, as PyTorch's (grad mode is per thread).

    The flags are slots set here, not class attributes: CPython 3.11 specializes a slot's
    read (a few instructions), while a class attribute read through an instance takes the
    generic lookup (~150 instructions), and ``enabled`` is read for every recorded op and
    every step of a backward."""

    __slots__ = ("enabled", "check_nan")

    def __init__(self) -> None:
        self.enabled = False
        self.check_nan = True


_anomaly = _Anomaly()
