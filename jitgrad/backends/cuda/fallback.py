"""The host fallback: every op without a CUDA kernel still runs on device tensors.

Installed once, when the first tensor goes to the device (so the CPU paths pay nothing before
that): each public op function and each Tensor method bound after the class body is
wrapped by :func:`jitgrad.backends.opwrap.install`, which also points every jitgrad module's
by-name import of a wrapped op at the wrapper. Queries (``is_*``,
``get_device``), conversions and elementwise ops (in place too) stay as they are.
A call with no device tensor goes straight to the original. A call with one goes to the
op's CUDA implementation where :data:`native.NATIVE` (or :data:`.nn_rows.NATIVE` and
:data:`.nn_windows.NATIVE`, the nn ops under the nn layer's declarations) has one (which may
still decline a case by returning ``NotImplemented``), else to :func:`host_call`: device
operands are copied to the host with differentiable copies (``ToCopyBackward0``), the CPU op
runs, and its tensor results are copied back to the device, so values and gradients are the
CPU's.
``JITGRAD_DEBUG=1`` logs ``host fallback: <op>`` for each such call.

In-place ops run on a host copy that is then copied back into the device buffer (so does
any operand the op wrote, e.g. batch norm's running statistics: a host copy whose version
moved). Where autograd must record an op named in place, its out-of-place form runs (on the
device where it has a kernel) and is made the tensor's (``t.cumsum_(1)`` as
``t.copy_(t.cumsum(1))``; through a view of a tensor with history, the root is rebased as on
the CPU: :func:`recorded_inplace`); one without such a form is refused (NotImplementedError).
Ops that return views on the CPU return copies through the fallback (as_strided,
view_as_real ...); the common view ops are native and alias their base (:mod:`.views`).

Elementwise ops are not wrapped: they reach :mod:`.elementwise` through the hook in
:mod:`jitgrad.frontend.pointwise`.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

from ... import helpers, methods
from ...engine.grad_mode import STATE as GRAD
from ...engine.grad_mode import no_grad as GRAD_OFF
from ...engine.node import edges_of
from ...engine.sweep import Node
from ...frontend import functions as OF
from ...frontend.host_scope import host_factories
from ...frontend.out import write_out
from ...frontend.pointwise import check_inplace
from ...frontend.tensor import Tensor, _make
from ...helpers import debug_print
from .. import opwrap
from . import (
    aliasing,
    composed,
    deferred,
    elementwise,
    native,
    nn_rows,
    nn_windows,
    runtime,
    transfer,
)

#: Tensor methods left alone: conversions and queries the core handles for device tensors
#: (pin_memory refuses a device tensor itself, is_pinned answers False for one),
#: and the elementwise methods (device kernels through the pointwise hook).
_KEEP = frozenset(
    "to type float double half bfloat16 long int short char byte bool cpu cuda is_floating_point "
    "is_complex type_as "
    "const_data_ptr share_memory_ is_shared "
    "__dlpack__ __dlpack_device__ pin_memory is_pinned "
    "__array_priority__ __array_wrap__ __hash__ __pos__ __eq__ __ne__ __lt__ __le__ __gt__ __ge__ "
    "__add__ __radd__ __sub__ __rsub__ __mul__ __rmul__ __truediv__ __rtruediv__ __pow__ "
    "__rpow__ __neg__ __abs__ __and__ __or__ __xor__ __invert__ __mod__ __rmod__ "
    "__floordiv__ __rfloordiv__ __iadd__ __isub__ __imul__ __itruediv__ where copy_ lerp_ "
    "addcmul_ addcdiv_ fmod_ remainder_".split()
)
#: the modules of the elementwise functions (clamp and where live apart; the special
#: functions' argument checks and in-place forms in ``special``): each calls the pointwise
#: hook, so a device operand gets a device kernel
_ELEMENTWISE_MODULES = (
    "jitgrad.frontend.functions",
    "jitgrad.frontend.clamp_where",
    "jitgrad.frontend.special",
)
#: functions in those modules that are not elementwise (``nonzero``: :mod:`.masks`)
_NOT_ELEMENTWISE = frozenset({"nonzero"})
#: ``jitgrad.nn.functional`` functions that are elementwise ops (or call only elementwise ops).
_ELEMENTWISE_F = frozenset(
    "relu relu_ sigmoid tanh gelu silu softplus leaky_relu elu selu celu hardtanh "
    "hardsigmoid hardswish mish logsigmoid relu6 softsign tanhshrink threshold softshrink "
    "hardshrink".split()
)
#: ``jitgrad.nn.functional`` functions and ``jitgrad.<name>`` functions (and Tensor methods)
#: composed of ops that have device kernels: left unwrapped, they run on the device as they
#: are (the CPU's nodes), so a step using them stays on the device (:mod:`.composed`)
_COMPOSED_F = composed.FUNCTIONAL
_COMPOSED = composed.TORCH
#: ``jitgrad.<name>`` ops defined outside the modules :func:`opwrap.install` walks (raw, they
#: would run the CPU code on a device buffer)
#: (complex_api's and fft's: modules the namespace walk does not take as op modules)
_TOP_LEVEL_EXTRA = (
    "as_strided real imag view_as_real view_as_complex complex polar angle conj_physical"
).split()
#: Tensor properties that compute (opwrap's own list covers T, mT, H, mH)
_PROPERTIES_EXTRA = ("real", "imag")
_INPLACE_DUNDERS = frozenset({"__setitem__", "__ifloordiv__", "__imod__"})


def install() -> None:
    """Wrap the public op functions and the bound Tensor methods (once)."""
    elementwise_names = {
        n for n, f in vars(OF).items() if opwrap.module_of(f) in _ELEMENTWISE_MODULES
    }
    elementwise_names |= set(methods._FUNCTIONS_AS_METHODS)
    # (``jitgrad.lgamma`` is also ``Tensor.lgamma``: one object, so wrapping the method would
    # reroute the function to the host fallback too; likewise ``torch.celu`` is F.celu)
    top = sys.modules["jitgrad"]
    elementwise_names |= {
        n for n, f in vars(top).items() if opwrap.module_of(f) in _ELEMENTWISE_MODULES
    }
    elementwise_names |= {n for n in _ELEMENTWISE_F if composed.is_nn_f(top, n)}
    elementwise_names -= _NOT_ELEMENTWISE
    same_f = {n for n in _COMPOSED_F if composed.is_nn_f(top, n)}  # torch.prelu
    keep = _KEEP | elementwise_names | {n + "_" for n in OF.INPLACE_UNARY}

    def kept(namespace: str, name: str, fn: Any) -> bool:
        if name in _COMPOSED and namespace in ("method", "torch"):
            return True
        if namespace == "torch" and name in same_f:
            return True
        if namespace == "method":
            return name in keep or _elementwise_inplace(name, elementwise_names)
        if namespace == "torch":  # the elementwise functions reach the pointwise hook
            if name in elementwise_names or name == "write_out":  # out=: see wrap()
                return True
            if _elementwise_inplace(name, elementwise_names):  # torch.square_(t)
                return True
            module = opwrap.module_of(fn)
            if name in _NOT_ELEMENTWISE:
                return False
            return module == composed.ALIASES_MODULE or module in _ELEMENTWISE_MODULES
        return namespace == "nn.functional" and name in _ELEMENTWISE_F | _COMPOSED_F

    opwrap.install(wrap, kept, __package__)
    for name in _TOP_LEVEL_EXTRA:
        setattr(top, name, wrap(getattr(top, name), name))
    for name in _PROPERTIES_EXTRA:
        setattr(Tensor, name, property(wrap(getattr(Tensor, name).fget, name)))
    fft = sys.modules["jitgrad.fft"]  # (every torch.fft function: the host fallback)
    for name in fft.__all__:
        setattr(fft, name, wrap(getattr(fft, name), name))
    opwrap.reroute_imports(__package__)


def _elementwise_inplace(name: str, elementwise_names: set[str]) -> bool:
    """``t.tan_()``, ``t.clamp_min_(0)``: the in-place form of an elementwise op writes
    through ``apply_inplace`` and the pointwise hook, on the device and recorded."""
    return name.endswith("_") and not name.startswith("_") and name[:-1] in elementwise_names


def wrap(fn: Callable, name: str) -> Callable:
    """``fn`` dispatching device operands to the CUDA op or the host fallback."""
    if getattr(fn, "_jitgrad_device_wrapped", False):
        return fn
    # (an ``nn.functional`` op first: ``F.unfold`` is not ``Tensor.unfold``)
    nn_op = opwrap.module_of(fn).startswith("jitgrad.nn.")
    impl = (
        (nn_windows.NATIVE.get(name) if nn_op else None)
        or native.NATIVE.get(name)
        or nn_rows.NATIVE.get(name)
        or nn_windows.NATIVE.get(name)
        or (_made_beside(fn, name) if name in _BESIDE else None)
        or (fn if name in _AS_IS else None)
    )
    inplace = name in _INPLACE_DUNDERS or (name.endswith("_") and not name.startswith("__"))
    copied_view = name in aliasing.COPIED_VIEW_OPS

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not _any_device(args) and not _any_device(kwargs.values()):
            return fn(*args, **kwargs)
        if kwargs.get("out") is not None:  # the op on the device, then written into out
            kw = {k: v for k, v in kwargs.items() if k != "out"}
            if not _any_device(args) and not _any_device(kw.values()):
                return fn(*args, **kwargs)  # a factory (made on out's device) or a refusal
            compute = functools.partial(wrapper, *args, **kw)
            return write_out(name, kwargs["out"], compute, (*args, *kw.values()))
        if inplace and args and isinstance(args[0], Tensor):
            aliasing.refuse_copied(args[0])
            deferred.flush(args[0])  # deferred results that read it compute first
        if impl is not None:
            result = impl(*args, **kwargs)
            if result is not NotImplemented:
                return result
        if copied_view:  # a view on the CPU, a copy here: writes through it are refused
            return aliasing.mark_copied(host_call(fn, name, args, kwargs), name, args)
        if inplace and GRAD.enabled and _records(args, kwargs):
            return recorded_inplace(name, args, kwargs)
        return host_call(fn, name, args, kwargs)

    wrapper._jitgrad_device_wrapped = True  # type: ignore[attr-defined]
    helpers.pass_through(wrapper)
    opwrap.register(fn, wrapper)  # the op itself under an argument guard (argcheck) too
    return wrapper


def _made_beside(method: Callable, name: str):
    """``t.new_zeros(size)`` and kin of a device tensor: the method itself with ``device``
    defaulting to ``t``'s (PyTorch's rule), built as every device factory builds (see
    :func:`jitgrad.frontend.creation._finish`), with no copy of ``t`` to the host (the
    fallback's). ``method`` is the unwrapped method (``new_empty_strided`` is not in
    :data:`methods.METHODS`: a query module's)."""

    def impl(self: Any, *args: Any, **kwargs: Any) -> Any:
        if name == "new_tensor" and args and isinstance(args[0], Tensor):
            return NotImplemented  # (a tensor's data: the CPU op's copy and warning)
        if kwargs.get("device") is None:
            kwargs["device"] = "cuda"
        return method(self, *args, **kwargs)

    return impl


#: methods whose own body runs on device tensors as it is (Tensor ops and fields only):
#: ``as_subclass`` (an alias view's buffer in a new class; through the host it lost the class)
_AS_IS = frozenset({"as_subclass"})
#: ``t.new_zeros(...)`` and kin: a device tensor's own factories (here, above the methods)
_BESIDE = frozenset("new_zeros new_ones new_empty new_full new_tensor new_empty_strided".split())


def _any_device(values: Any) -> bool:
    for x in values:
        if isinstance(x, Tensor):
            if elementwise.on_device(x):
                return True
        elif isinstance(x, list | tuple):
            for y in x:
                if isinstance(y, Tensor) and elementwise.on_device(y):
                    return True
    return False


def recorded_inplace(name: str, args: tuple, kwargs: dict) -> Any:
    """An in-place op without a device implementation that autograd must record: its
    out-of-place form (device ops, or each through the host fallback) made the tensor's
    value (``t.cumsum_(1)`` as ``t.cumsum(1)``, recorded as the CPU's ``CumsumBackward0``).
    Through a view of a tensor with history the root is rebased (``CopySlices``), as the
    CPU's in-place forms do. ``t[index] = v`` runs on the host (:func:`_set_copy`)."""
    if name not in _HOST_INDICES:
        _check_same_device(args, kwargs)
    t = args[0] if args and isinstance(args[0], Tensor) else None
    if t is None:
        raise _unrecordable(name)
    base = t._base
    own_history = base is None or not (base._requires_grad and base.grad_fn is not None)
    if own_history:
        check_inplace(t)  # PyTorch's own refusals (a leaf that requires grad) first
    if name in ("__setitem__", "setitem") and own_history:  # t[index] = v, recorded
        return _rewrite(t, host_call(_set_copy, "setitem copy", args, kwargs))
    out_of_place = getattr(Tensor, name[:-1], None) if name.endswith("_") else None
    if callable(out_of_place):  # t.cumsum_(1): t.cumsum(1) made t's, recorded
        # (CumsumBackward0, as the CPU's node), of a clone: a device op that saves its input
        # (cumprod) must not see it overwritten
        res = out_of_place(t.clone(), *args[1:], **kwargs)
        return _rewrite(t, res) if own_history else t.copy_(res)
    raise _unrecordable(name)


def _unrecordable(name: str) -> NotImplementedError:
    return NotImplementedError(
        f"jitgrad's CUDA backend runs '{name}' through the host and cannot record it for "
        "autograd; run it under no_grad() or on the CPU"
    )


def host_call(fn: Callable, name: str, args: tuple, kwargs: dict) -> Any:
    """Run ``fn`` on host copies of the device operands; results back to the device."""
    debug_print(1, f"host fallback: {name}")
    if name not in _HOST_INDICES:
        _check_same_device(args, kwargs)
    inplace = name in _INPLACE_DUNDERS or (name.endswith("_") and not name.startswith("__"))
    copies: list[tuple[Tensor, Tensor, int]] = []  # (device operand, host copy, version)

    def to_host(t: Tensor) -> Tensor:
        if not elementwise.on_device(t):
            return t
        h = transfer.to_cpu(t)
        copies.append((t, h, h._vc[0]))
        return h

    host_args = opwrap.map_tensors(args, to_host)
    host_values = opwrap.map_tensors(tuple(kwargs.values()), to_host)
    host_kwargs = dict(zip(kwargs, host_values, strict=True))
    with host_factories():
        result = fn(*host_args, **host_kwargs)
    for dev, host, version in copies:
        if host._vc[0] != version:  # written on the host (an in-place op, running stats)
            value = host._value
            dev._value.copy_to_device(value if value.flags.c_contiguous else value.copy())
            dev._bump()
    if inplace and isinstance(args[0], Tensor) and elementwise.on_device(args[0]):
        if result is host_args[0] or result is None:
            return args[0]
    return _Back(host_args, args)(result)


#: ops whose host index tensors may index device tensors (as PyTorch allows)
_HOST_INDICES = frozenset(
    ("__getitem__", "__setitem__", "setitem copy", "index_select", "gather", "take_along_dim")
)


def _set_copy(t: Tensor, key: Any, value: Any) -> Tensor:
    """``t[key] = value`` out of place (run on the host, recorded there: the CPU's node,
    e.g. ``IndexPutBackward0``, over a clone of ``t``), for :func:`host_call`'s recorded
    setitem, whose result :func:`~jitgrad.tensor_inplace.rewrite` makes ``t``'s value."""
    out = t.clone()
    out[key] = value
    return out


def _rewrite(t: Tensor, res: Tensor) -> Tensor:
    """``res``'s values and history made ``t``'s (``t`` has no base whose history would
    need rebasing): as :func:`jitgrad.tensor_inplace.rewrite`, which this package cannot
    import without a cycle."""
    with GRAD_OFF():
        t.copy_(res)
    t.grad_fn, t._output_nr, t._requires_grad = res.grad_fn, res._output_nr, True
    if t._retains_grad:
        t._retain_on_new_node()
    return t


class _Back:
    """Host results back on the device. A result with history gets, as its ``grad_fn``, a
    :class:`HostNode` standing for the CPU op's node: PyTorch's name and inputs, fed the
    device gradients on the host. A host copy of an operand returned as it is maps back to
    the operand itself."""

    def __init__(self, host_args: tuple, args: tuple) -> None:
        self.same = {id(h): a for h, a in zip(host_args, args, strict=True) if h is not a}
        self.nodes: dict[int, Node] = {}

    def __call__(self, result: Any) -> Any:
        return opwrap.map_result(result, self.one)

    def one(self, r: Tensor) -> Tensor:
        same = self.same.get(id(r))
        return self.tensor(r) if same is None else same

    def tensor(self, r: Tensor) -> Tensor:
        value = runtime.to_device(r._value)
        node = r.grad_fn
        if node is None:
            t = _make(value, r._dtype)
            t._requires_grad = r._requires_grad
            return t
        proxy = self.nodes.get(id(node))
        if proxy is None:
            proxy = self.nodes[id(node)] = _host_node_class(node.name())(edges_of(node))
            proxy._saved = node
        return _make(value, r._dtype, proxy, output_nr=r._output_nr)


class HostNode(Node):
    """The node of an op that ran on the host, in a device graph (see :class:`_Back`)."""

    __slots__ = ()
    on_device = True

    def apply(self, grads: list) -> Any:
        host = [None if g is None else transfer.to_cpu(g) for g in grads]
        with host_factories():  # (the CPU op's formula, beside its host operands)
            return self._saved.apply(host)

    def release(self) -> None:
        self._saved.release()  # a second backward gets the CPU node's freed-graph error


_host_classes: dict[str, type] = {}


def _host_node_class(name: str) -> type:
    cls = _host_classes.get(name)
    if cls is None:
        cls = _host_classes[name] = type(name, (HostNode,), {"__slots__": ()})
    return cls


def _records(args: tuple, kwargs: dict) -> bool:
    tensors = [x for x in (*args, *kwargs.values()) if isinstance(x, Tensor)]
    return any(t._requires_grad for t in tensors)


def _check_same_device(args: tuple, kwargs: dict) -> None:
    """PyTorch's error when device tensors meet host tensors with dimensions."""
    for x in (*args, *kwargs.values()):
        items = x if type(x) in (list, tuple) else (x,)
        for y in items:
            if isinstance(y, Tensor) and not elementwise.on_device(y) and y.dim():
                raise elementwise.device_mismatch("cuda:0", "cpu")
