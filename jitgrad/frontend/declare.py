"""Declarations of non-elementwise ops: the derivative written once, the saved values by name.

An elementwise op is a ``defop`` (:mod:`jitgrad.ops.elementwise`) lowered to kernels. A
reduction, a softmax or a kernel-backed backward op is a :class:`Declared`: the forward runs
its hand-written kernel (the op's function computes the array), and the declaration holds

* ``derivative(s, *grad_outputs) -> grad per input``: the gradient, written **once** in
  differentiable ops, reading what the node saved by name (``s.self``, ``s.dim``, ``s.result``);
* the names of what it saves, shown as PyTorch's ``grad_fn._saved_<name>`` attributes.

There is no second backward for ``create_graph``: where a derivative needs a kernel to be fast
(softmax's, var's, max's), that kernel is itself a declared op (``softmax_backward_data``,
``var_backward`` ... in :mod:`jitgrad.frontend.reduce_grads`) with its own declared derivative, as
PyTorch's ``derivatives.yaml`` does. Without a graph to record (the usual backward) calling it
runs the kernel and records nothing; under ``create_graph`` the same call records its node, so
gradients of any order follow the same rules. The fused nn ops (``linear``, ``layer_norm``,
``nll_loss``, ``cross_entropy``, ``batch_norm`` in ``jitgrad/nn/_functional_*.py``) are
declared the same way, their backward ops having several outputs (:meth:`Declared.record_outputs`).

:func:`reduction` is the whole forward of a plain reduction (dims, kernel, kept shape, dtype),
so a new one is a :class:`Reduction` row, its kernel and a test row (see
``tests/test_declared_ops.py``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import dtypes as D
from ..backends import STATE as DEVICE
from ..engine import graph as G
from ..engine.grad_mode import STATE
from ..engine.sweep import FREED
from ..kernels.cpu.reduce_call import reduce_array
from . import functions as F
from .kept_saved import freed_value, keeping_release
from .recording import FunctionBackward, ResultBackward, record, record_multi, unpack_saved
from .reduce_common import Dims, grad_to_input, reduce_axes
from .tensor import Tensor, _make


class Saved:
    """What a declared node saved, by name: ``s.self``, ``s.dim`` inside a derivative (plain
    attributes: the record's dict is the instance's ``__dict__``, so reading one is a native
    attribute load, and building one copies nothing).

    Names without a leading underscore are PyTorch's (``grad_fn._saved_<name>``); ``_axes``,
    ``_shape`` and the like are the normalised values (or the forward's arrays) the derivative
    reads. Calling it runs the declaration's derivative: it is the node's backward function
    (see :func:`~jitgrad.frontend.recording.record`).
    """

    decl: Declared

    def __call__(self, *grads: Any) -> Any:
        decl = self.decl
        if decl.reads_result:  # ResultBackward passes the rebuilt result last
            s = _new(Saved)
            s.__dict__ = {**self.__dict__, "result": grads[-1]}
            return decl.derivative(s, *grads[:-1])
        return decl.derivative(self, *grads)


_new = object.__new__


class Declared:
    """One non-elementwise op: its derivative and the names it saves (module docstring).

    ``public``: PyTorch's ``_saved_<name>`` attributes of its nodes, or a dict of them per
    node name where they differ (``SumBackward0`` has no ``_saved_dim``);
    ``reads_result``: the derivative reads ``s.result``, the op's own (differentiable) output;
    ``dim_list``: its ``dim`` is a list of dims (``int[1]``, shown as a tuple), not one int.
    """

    __slots__ = ("name", "derivative", "reads_result", "bases", "shared")

    def __init__(
        self,
        name: str,
        derivative: Callable[..., Any],
        *,
        public: Sequence[str] | dict[str, Sequence[str]] = (),
        reads_result: bool = False,
        dim_list: bool = True,
    ) -> None:
        per_node = {None: (), **public} if isinstance(public, dict) else {None: public}
        if not reads_result and any("result" in names for names in per_node.values()):
            raise ValueError(f"{name}: a saved result needs reads_result=True")
        self.name = name
        self.derivative = derivative
        self.reads_result = reads_result
        #: key -> a :class:`Saved` of plain values shared by nodes (see record_shared)
        self.shared: dict[Any, Saved] = {}
        parent = ResultBackward if reads_result else FunctionBackward
        #: node name (None: any other) -> the base class giving its ``_saved_*`` properties
        self.bases = {
            node: type(name, (parent,), {
                "__slots__": (),
                "release": keeping_release(parent),
                "saved_names": tuple("_saved_" + n for n in names if n != "result"),
                **{"_saved_" + n: _saved_property(n, dim_list) for n in names},
            })
            for node, names in per_node.items()
        }  # fmt: skip

    def record(
        self,
        node: str,
        value: np.ndarray,
        dt: D.dtype,
        inputs: tuple[Tensor, ...],
        saved: tuple[Tensor, ...] = (),
        /,
        *,
        fresh: bool = False,
        **values: Any,
    ) -> Tensor:
        """The result Tensor; node ``node`` recorded when grad mode is on and an input needs
        grad, saving ``values`` by name (``saved``: the tensors among them to version-check)."""
        if not STATE.enabled:
            return _make(value, dt, fresh=fresh)
        return self.record_values(node, value, dt, inputs, saved, values)

    def record_values(
        self, node: str, value: Any, dt: D.dtype, inputs: tuple, saved: tuple, values: dict
    ) -> Tensor:
        """:meth:`record` with the named values as a dict (it becomes the record, uncopied)."""
        s = _new(Saved)
        values["decl"] = self
        s.__dict__ = values
        bases = self.bases
        return record(node, value, dt, inputs, s, saved, bases.get(node) or bases[None])

    def record_shared(
        self, node: str, value: Any, dt: D.dtype, inputs: tuple, key: Any, **values: Any
    ) -> Tensor:
        """:meth:`record` (no saved tensors) whose named ``values`` are plain, hashable and
        fixed by ``key``: one record per key, shared by every node that saves them (a
        record and its dict are two objects the cycle collector walks while a graph lives;
        a scalar graph records a softmax every few ops)."""
        if not STATE.enabled:
            return _make(value, dt)
        s = self.shared.get(key)
        if s is None:
            s = _new(Saved)
            values["decl"] = self
            s.__dict__ = values
            if len(self.shared) < 256:
                self.shared[key] = s
        bases = self.bases
        return record(node, value, dt, inputs, s, (), bases.get(node) or bases[None])

    def record_multi(
        self,
        node: str,
        values: list,
        dtypes: list,
        inputs: tuple,
        saved: tuple = (),
        /,
        *,
        fresh: bool = False,
        **named: Any,
    ) -> list:
        """:meth:`record` for an op with several outputs (max and min along a dim, a
        normalization's backward)."""
        if not STATE.enabled:
            return [_make(v, d, fresh=fresh) for v, d in zip(values, dtypes, strict=True)]
        s = _new(Saved)
        named["decl"] = self
        s.__dict__ = named
        bases = self.bases
        base = bases.get(node) or bases[None]
        return record_multi(node, values, dtypes, inputs, s, saved, base)

    def record_outputs(
        self, node: str, outs: tuple, inputs: tuple, saved: tuple = (), /, **named: Any
    ) -> tuple:
        """``outs`` (computed tensors; None for one the op does not produce, such as an absent
        weight's gradient) as the outputs of one node ``node`` (a backward op's several
        gradients under ``create_graph``); the Nones stay in place."""
        present = [t for t in outs if t is not None]
        values, dtypes = [t._value for t in present], [t._dtype for t in present]
        it = iter(self.record_multi(node, values, dtypes, inputs, saved, **named))
        return tuple(None if t is None else next(it) for t in outs)


class Reduction(Declared):
    """A plain reduction over ``dim``: :class:`Declared` plus its forward kernel (over the
    ``(A, R, B)`` layout of :mod:`jitgrad.kernels.cpu.reduce`), its node names (all dims,
    some dims) and its output dtype rule ``dtype(input, dtype=) -> (array, dtype)``."""

    __slots__ = ("kernel", "nodes", "dtype", "saves_self")

    def __init__(
        self,
        name: str,
        kernel: Any,
        nodes: tuple[str, str],
        derivative: Callable[..., Any],
        *,
        dtype: Callable[[Tensor, Any], tuple[np.ndarray, D.dtype]] | None = None,
        public: Sequence[str] | dict[str, Sequence[str]] = (),
        reads_result: bool = False,
    ) -> None:
        super().__init__(name, derivative, public=public, reads_result=reads_result)
        self.kernel = kernel
        self.nodes = nodes
        self.dtype = dtype if dtype is not None else _same_dtype
        self.saves_self = any(hasattr(b, "_saved_self") for b in self.bases.values())


def _same_dtype(t: Tensor, dtype: Any) -> tuple[np.ndarray, D.dtype]:
    if dtype is None:
        return t._value, t._dtype
    dt = D.to_dtype(dtype)
    return t._value.astype(dt.np, copy=False), dt


def reduction(
    decl: Reduction,
    input: Tensor,  # noqa: A002
    dim: Dims,
    keepdim: bool,
    dtype: Any = None,
    pos: int | None = None,
) -> Tensor:
    """The forward of a :class:`Reduction`: its dtype rule, ``dim`` normalised (PyTorch's
    errors, ``pos`` as for :func:`~.reduce_common.reduce_axes`), its kernel, the kept shape,
    and the node (:func:`record_reduction`)."""
    arr, dt = decl.dtype(input, dtype)
    axes = reduce_axes(arr.ndim, dim, decl.name, pos)
    if dt._category == 3:  # complex: numpy's sum/mean; no Numba reduction kernel
        out = complex_reduce(decl.name, arr, axes, keepdim, dt)
    else:
        out = reduce_array(decl.kernel, arr, axes, keepdim, dt.np)
    if not (STATE.enabled and input._requires_grad):
        return _make(out, dt)
    return record_reduction(decl, out, dt, input, arr.shape, axes, dim, keepdim)


_COMPLEX_KERNELS = {"sum": np.sum, "mean": np.mean, "nansum": np.nansum}
_COMPLEX_NAMES = {"amax": "max_all", "amin": "min_all", "max": "max_all", "min": "min_all"}


def complex_reduce(name: str, arr: np.ndarray, axes: tuple, keepdim: bool, dt: D.dtype):
    """A complex reduction as numpy computes it, or PyTorch's not-implemented error."""
    kernel = _COMPLEX_KERNELS.get(name)
    if kernel is None:
        kname = _COMPLEX_NAMES.get(name, f"{name}_cpu")
        raise NotImplementedError(f'"{kname}" not implemented for \'{D.scalar_name(dt)}\'')
    with np.errstate(all="ignore"):
        return np.asarray(kernel(arr, axis=axes, keepdims=keepdim), dt.np)


def record_reduction(
    decl: Reduction,
    out: Any,
    dt: D.dtype,
    input: Tensor,  # noqa: A002
    shape: tuple[int, ...],
    axes: tuple[int, ...],
    dim: Dims,
    keepdim: bool,
) -> Tensor:
    """The result of a reduction with its node: ``dim`` (when given: the node is
    ``decl.nodes[1]``), ``keepdim``, the input's sizes and, if the declaration names it among
    its public values, ``self`` (version-checked at backward) saved, as PyTorch's nodes show."""
    values = {"_axes": axes, "_shape": shape, "_keepdim": keepdim, "self_sym_sizes": shape}
    saved: tuple[Tensor, ...] = ()
    if decl.saves_self:
        saved = (input,)
        values["self"] = input
    if dim is not None:
        values["dim"], values["keepdim"] = dim, keepdim
    if dt is not input._dtype:  # ``dtype=``: PyTorch's engine casts the gradient back
        values["_in_dtype"] = input._dtype
    return decl.record_values(decl.nodes[dim is not None], out, dt, (input,), saved, values)


def expand_reduced(g: Tensor, s: Saved) -> Tensor:
    """The output gradient of a reduction seen over the input's shape (``s._shape``,
    ``s._axes``, ``s._keepdim``): the derivative every reduction starts from. A reduction
    taken with ``dtype=`` gives its input a gradient of the input's dtype, as PyTorch's engine
    casts every gradient to its input's dtype (``sum(x32, dtype=float64)``: a float32 grad)."""
    in_dt = s.__dict__.get("_in_dtype")
    if in_dt is not None:
        g = F.cast(g, in_dt)  # recorded under create_graph, a plain conversion otherwise
    return grad_to_input(g, s._shape, s._axes, s._keepdim)


def zeros_where_needed(grads: tuple, inputs: tuple) -> tuple:
    """``grads`` with zeros for each input that requires grad but got none: the sweep calls a
    node even when no gradient reached it, and most backward functions expect one."""
    return tuple(
        _zeros_like(t) if g is None and t is not None and t._requires_grad else g
        for g, t in zip(grads, inputs, strict=True)
    )  # fmt: skip


def _zeros_like(t: Tensor) -> Tensor:
    """Zeros of ``t``'s shape and dtype on ``t``'s device (a device input's gradient must be
    a device tensor: the sweep adds it to the others)."""
    if DEVICE.active and DEVICE.backend.owns(t):
        return _make(DEVICE.backend.zeros(t._value.shape, t._dtype.np), t._dtype)
    return _make(np.zeros(t._value.shape, t._dtype.np), t._dtype)


# ---- grad_fn._saved_<name> -------------------------------------------------------------------
def _torch_dim(d: Any) -> Any:
    """A dim as PyTorch shows a saved one: its int64 read as uint64 (-1 -> 2**64 - 1)."""
    return int(d) % (1 << 64)


def _shown(name: str, value: Any, dim_list: bool) -> Any:
    if name == "dim" and value is not None:
        if isinstance(value, int | np.integer):
            return (_torch_dim(value),) if dim_list else _torch_dim(value)
        return tuple(_torch_dim(d) for d in value)
    if name == "self_sym_sizes":
        return tuple(value)
    return value


def _saved_property(name: str, dim_list: bool) -> property:
    def get(node: Any) -> Any:
        saved = node._saved
        if saved is FREED:  # (a dim or size read before the tensors were freed: kept)
            return freed_value(node, "_saved_" + name)
        s = saved.fn.__dict__ if saved is not None else {}
        if name == "self_sym_numel" and "self_sym_sizes" in s:
            return math.prod(s["self_sym_sizes"])
        if name != "result" and name not in s:
            raise AttributeError(f"'{type(node).__name__}' object has no attribute '_saved_{name}'")
        packed = G.packed_of(node)
        if name == "result":
            if packed is not None:
                return unpack_saved(packed[0], packed[1]["out"])
            out = _make(saved.value, saved.dtype, node)
            out._vc = saved.counter
            return out
        value = s[name]
        if packed is not None and isinstance(value, Tensor):
            for i, t in enumerate(saved.tensors):
                if t is value:
                    return unpack_saved(packed[0], packed[1][i])
        return _shown(name, value, dim_list)

    return property(get, doc=f"PyTorch's ``_saved_{name}``.")
