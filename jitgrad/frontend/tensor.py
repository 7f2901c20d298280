"""The Tensor: a numpy buffer plus the autograd state PyTorch users expect.

Operators and methods dispatch to the op modules (see :mod:`jitgrad.methods`); this file holds
the state, the attributes and the autograd entry points. The hot path creates tensors with
:func:`_make`, which skips ``__init__``'s argument handling. Beside it: :mod:`.tensor_meta`
(``Size``, ``device``, shape queries), :mod:`.tensor_conversion` (``numpy()``, ``item()``,
``repr``) and :mod:`.tensor_messages` (type names, the saved-tensor version check), all still
importable from here. ``jitgrad.tensor`` is this module's old path (the same module object).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import dtypes as D
from .. import memory
from ..backends import STATE as DEVICE
from ..engine.dual_state import DUAL
from ..engine.grad_mode import INFERENCE_KEY, INFERENCE_OPEN, INFERENCE_VERSION
from ..engine.grad_mode import STATE as GRAD
from ..engine.sweep import (
    MUTATION,
    VC0,
    AccumulateGrad,
    Node,
    RemovableHandle,
    add_hook,
    next_sequence,
)
from ..helpers import warn as warn_user
from . import tensor_conversion as _conversion
from . import tensor_meta as _meta
from .tensor_messages import _TYPE_NAMES as _TYPE_NAMES  # (re-exported: the old import path)
from .tensor_messages import _describe as _describe
from .tensor_messages import _version_error as _version_error
from .tensor_messages import check_grad_assignment
from .tensor_messages import check_versions as check_versions
from .tensor_messages import legacy_type_name as legacy_type_name
from .tensor_meta import CPU as CPU  # (re-exported: the old import paths)
from .tensor_meta import CUDA0 as CUDA0
from .tensor_meta import Size as Size
from .tensor_meta import _on_device
from .tensor_meta import _wrap_dim as _wrap_dim
from .tensor_meta import device as device

NONLEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
    "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. "
    "If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor "
    "instead. See github.com/pytorch/pytorch/pull/30531 for more information."
)
REQUIRES_GRAD_DTYPE = "Only Tensors of floating point and complex dtype can require gradients"


class Tensor:
    """A multi-dimensional array that records the operations applied to it for autograd."""

    __slots__ = (  # (one line per group: the order is the state's, see _STATE_SLOTS)
        "_value", "_dtype", "_requires_grad", "grad_fn", "_output_nr", "_grad", "_vc", "_acc",
        "_post_hooks", "_fresh", "_base", "_retains_grad", "_gedge", "__weakref__", "__dict__"
    )

    # ``__init__`` (``jitgrad.Tensor([1, 2])``), ``backward`` and ``_accumulate_`` are bound by
    # jitgrad/methods.py: they call the data conversion, the public backward and the in-place
    # dispatch, all above this module.

    # ---- basic attributes (jitgrad/frontend/tensor_meta.py) ---------------------------------
    shape = property(_meta.shape)
    size = _meta.size
    dim = _meta.dim
    ndim = property(_meta.ndim)
    ndimension = _meta.ndimension
    numel = _meta.numel
    nelement = _meta.nelement
    element_size = _meta.element_size
    dtype = property(_meta.dtype)
    device = property(_meta.device_of)
    is_cuda = property(_meta.is_cuda)
    is_floating_point = _meta.is_floating_point
    is_contiguous = _meta.is_contiguous
    stride = _meta.stride
    data_ptr = _meta.data_ptr

    # ---- autograd state ------------------------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        if DUAL.hidden and self._requires_grad:  # forward AD: a tangent-only graph is hidden
            return DUAL.visible(self)
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if self.grad_fn is not None:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use "
                "a computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach()."
            )
        if value and not (self._dtype.is_floating_point or self._dtype.is_complex):
            # PyTorch's three spellings: creation functions, the setter, requires_grad_().
            raise RuntimeError("o" + REQUIRES_GRAD_DTYPE[1:])
        if value and self.__dict__ and INFERENCE_KEY in self.__dict__ and not GRAD.inference:
            raise RuntimeError(
                "Setting requires_grad=True on inference tensor outside InferenceMode is not "
                "allowed."
            )
        self._requires_grad = bool(value)
        if value and "_fw_hidden" in self.__dict__:  # a forward-AD dual now really requires grad
            del self.__dict__["_fw_hidden"]

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if requires_grad and self.grad_fn is not None:
            return self  # a non-leaf already requires grad: nothing to change (PyTorch's rule)
        dt = self._dtype
        if requires_grad and self.grad_fn is None and not (dt.is_floating_point or dt.is_complex):
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self) -> bool:
        if DUAL.hidden and self.grad_fn is not None:  # forward AD: tangent-only graphs hidden
            return not DUAL.visible(self)
        return self.grad_fn is None

    @property
    def grad(self) -> Tensor | None:
        if self.grad_fn is not None and not self._retains_grad and self._grad is None:
            warn_user(NONLEAF_GRAD_WARNING, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(
                    f"assigned grad expected to be a Tensor or None but got grad of type "
                    f"{type(value).__name__}"
                )
            check_grad_assignment(self, value)
        self._grad = value

    @grad.deleter
    def grad(self) -> None:
        self._grad = None

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def retain_grad(self) -> None:
        """Populate ``.grad`` of this non-leaf tensor during backward."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is None or self._retains_grad:
            return
        self._retains_grad = True
        extra = self.grad_fn.extras()
        if extra.retain is None:
            extra.retain = {}
        extra.retain[self._output_nr] = weakref.ref(self)

    def _retain_on_new_node(self) -> None:
        """After an in-place op gave this tensor a new ``grad_fn``: ``retain_grad`` follows
        it (PyTorch moves the retains-grad hook; the old node no longer fills ``.grad``)."""
        self._retains_grad = False
        self.retain_grad()

    def _accumulator(self) -> AccumulateGrad:
        """This leaf's gradient sink: the graph edge of a leaf.

        The tensor holds it weakly, as PyTorch's ``grad_accumulator_`` does: the graphs that
        use it keep it alive. A strong reference would close a cycle with
        ``AccumulateGrad.variable``, so a dropped leaf (with its ``.grad``) would wait for
        the cycle collector. Hooks registered on the leaf live on the tensor
        (``_leaf_extra``, see :meth:`register_hook`) and pass to each new accumulator.
        """
        ref = self._acc
        acc = None if ref is None else ref()
        if acc is None:
            acc = AccumulateGrad(self)
            self._acc = weakref.ref(acc)
            if "_leaf_extra" in self.__dict__:
                acc._extra = self.__dict__["_leaf_extra"]
        return acc

    def _edge(self) -> tuple[Node, int]:
        """This tensor's ``next_functions`` edge: ``(grad_fn, output_nr)``, or a leaf's
        ``(AccumulateGrad, 0)``.

        A non-leaf's edge is kept in ``_gedge`` and handed to every node that takes this
        tensor as input (one tuple, not one per use: each is one more object the cycle
        collector walks while the graph lives); it is checked against ``grad_fn`` and
        ``_output_nr`` on each use, so an in-place op that rebinds them needs no reset.
        A leaf's edge is not kept: it would close a cycle through ``AccumulateGrad.variable``.
        """
        node = self.grad_fn
        if node is not None:
            edge = self._gedge
            if edge is None or edge[0] is not node or edge[1] != self._output_nr:
                edge = self._gedge = (node, self._output_nr)
            return edge
        ref = self._acc
        acc = None if ref is None else ref()
        return (self._accumulator() if acc is None else acc), 0

    def register_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(grad)`` runs when this tensor's gradient is computed; may return a new one."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        node, nr = self._edge()
        extra = node.extras()
        if self.grad_fn is None:  # a leaf: the hooks outlive this accumulator (see above)
            self.__dict__["_leaf_extra"] = extra
        if extra.tensor_hooks is None:
            extra.tensor_hooks = {}
        return add_hook(extra.tensor_hooks.setdefault(nr, {}), hook)

    def register_post_accumulate_grad_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(tensor)`` runs on a leaf after its ``.grad`` has been accumulated."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            raise RuntimeError(
                "post accumulate grad hooks cannot be registered on non-leaf tensors"
            )
        if self._post_hooks is None:
            self._post_hooks = {}
        return add_hook(self._post_hooks, hook)

    def detach(self) -> Tensor:
        """A tensor sharing this one's storage (and version counter) with no history."""
        t = _meta.keep_storage(self, _make(self._value, self._dtype))
        t._vc = self._counter()
        return t

    detach_ = _meta.detach_
    _is_view = _meta.is_view

    @property
    def data(self) -> Tensor:
        return _meta.keep_storage(self, _make(self._value, self._dtype))

    data = data.setter(_meta.set_data).deleter(_meta.delete_data)
    requires_grad = requires_grad.deleter(_meta.delete_requires_grad)

    # ---- conversion (jitgrad/frontend/tensor_conversion.py) ---------------------------------
    numpy = _conversion.numpy
    __array__ = _conversion.to_array
    item = _conversion.item
    tolist = _conversion.tolist
    _host = _conversion.host
    __float__ = _conversion.to_float
    __int__ = _conversion.to_int
    __complex__ = _conversion.to_complex
    __bool__ = _conversion.to_bool
    __index__ = _conversion.to_index
    __len__ = _conversion.length
    __iter__ = _conversion.iterate
    __reversed__ = _conversion.reverse
    __repr__ = _conversion.tensor_repr
    __str__ = __repr__
    __format__ = _conversion.tensor_format

    def __hash__(self) -> int:
        return id(self)

    def __getstate__(self) -> tuple[dict | None, dict[str, Any]]:
        """State for ``pickle`` and ``copy``: every slot but the accumulator. The tensor
        holds that weakly (see :meth:`_accumulator`): a weak reference cannot be pickled,
        and a copy sharing it would send its gradients to this tensor's ``.grad``. The copy
        gets an accumulator of its own on first use."""
        slots = {}
        for name in _STATE_SLOTS:
            try:
                slots[name] = getattr(self, name)
            except AttributeError:  # never set
                pass
        slots["_acc"] = None
        slots["_gedge"] = None
        d = {k: v for k, v in self.__dict__.items() if k != _meta.STORAGE_OF}  # (not a copy's)
        return (d or None), slots

    def __setstate__(self, state: Any) -> None:
        """Restore :meth:`__getstate__`'s state (one pickled before ``_gedge`` existed too),
        or a plain dict or ``(dict, slots)`` pair as ``object``'s default would."""
        d, slots = state if isinstance(state, tuple) and len(state) == 2 else (state, None)
        self._gedge = None
        if d:
            self.__dict__.update(d)
        for name, value in (slots or {}).items():
            setattr(self, name, value)


    # ---- internal helpers ------------------------------------------------------------------
    def _adopt_as_grad(self, owner: Tensor) -> Tensor:
        """This gradient as a leaf's new ``.grad``: adopted if nobody else holds it, else copied."""
        if self._fresh and (_on_device(self) or self._value.flags.c_contiguous):
            self._fresh = False
            g = self
        elif _on_device(self):
            g = _make(DEVICE.backend.copy(self._value), self._dtype)
        else:
            g = _make(memory.copy(self._value), self._dtype)
        if g._requires_grad or g.grad_fn is not None:
            g = g.detach()
        return g

    def _has_nan(self) -> bool:
        return bool(np.isnan(self._host()).any())

    def _counter(self) -> list:
        """This tensor's own version counter, created on first need (see ``VC0``): before a
        change in place, or sharing it with a view, a detached or aliased tensor. A result
        whose node saved it takes the node's counter, so the node sees the change."""
        vc = self._vc
        if vc is VC0:
            adopt = getattr(self.grad_fn, "output_counter", None)  # (None for a leaf)
            vc = self._vc = (None if adopt is None else adopt(_VALUE.__get__(self))) or [0]
        return vc

    def _bump(self) -> None:
        """Count an in-place change (every one goes through here; see ``MUTATION``)."""
        vc = self._vc
        (self._counter() if vc is VC0 else vc)[0] += 1
        if len(vc) > 1:  # differentiable views share it: they read a new grad_fn (view_registry)
            vc[1].stale(self)
        MUTATION.seq = next_sequence()
        if self._dtype.round is not None:  # float16/bfloat16: what was written is rounded
            self._dtype.round(self._value)

    @property
    def _version(self) -> int:
        if self.__dict__ and INFERENCE_KEY in self.__dict__:
            raise RuntimeError("Inference tensors do not track version counter.")
        return self._counter()[0]  # (a result whose node's counter a saved view changed)


_VALUE = Tensor._value  # the slot itself (LazyTensor shadows it with a computing property)
CLASS_BODY: dict[str, Any] = dict(vars(Tensor))  # the rest is bound later (CUDA fallback)
_STATE_SLOTS = [n for n in Tensor.__slots__ if n not in ("_acc", "__weakref__", "__dict__")]


def _init_fields(
    t: Tensor, dt: D.dtype, grad_fn: Node | None = None, fresh: bool = False, output_nr: int = 0
) -> None:
    """Every slot but ``_value`` (set by the caller: a plain array, or a lazy value)."""
    t._dtype = dt
    t._requires_grad = grad_fn is not None
    t.grad_fn = grad_fn
    t._output_nr = output_nr
    t._grad = t._acc = t._post_hooks = t._base = t._gedge = None
    t._vc = VC0  # a counter of its own only when needed (Tensor._counter)
    t._fresh = fresh
    t._retains_grad = False
    if INFERENCE_OPEN[0] and GRAD.inference:  # an inference tensor (see inference.py)
        t.__dict__[INFERENCE_KEY] = True
        t._vc = [INFERENCE_VERSION]


_new = Tensor.__new__  # (object.__new__: Tensor defines none) one lookup, not one per tensor
_INIT_FIELDS = _init_fields  # the original, which ``_make`` inlines (see there)


def _make(
    value: np.ndarray,
    dt: D.dtype,
    grad_fn: Node | None = None,
    fresh: bool = False,
    output_nr: int = 0,
) -> Tensor:
    """A Tensor around ``value`` without ``__init__``'s argument handling (the hot path).
    It sets ``_init_fields``' fields inline (a Python call less per tensor, ~6 per op of a
    scalar graph) unless an inference block is open or a ``jitgrad.compile`` trace swapped
    that global to note every tensor made (``capture.trace._note_made``): then it calls it."""
    t = _new(Tensor)
    # a float16/bfloat16 result was computed in float32: rounding it here rounds every op's
    t._value = value if dt.round is None else dt.round(value)
    if _init_fields is not _INIT_FIELDS or INFERENCE_OPEN[0]:  # a trace's, or inference
        _init_fields(t, dt, grad_fn, fresh, output_nr)
        return t
    t._dtype = dt
    t._requires_grad = grad_fn is not None
    t.grad_fn = grad_fn
    t._output_nr = output_nr
    t._grad = t._acc = t._post_hooks = t._base = t._gedge = None
    t._vc = VC0
    t._fresh = fresh
    t._retains_grad = False
    return t
