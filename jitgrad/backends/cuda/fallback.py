"""The host fallback: every op without a CUDA kernel still runs on device tensors.

Installed once, when the first tensor goes to the device (so the CPU paths pay nothing before
that): each public op function (``jitgrad.<op>``, ``jitgrad.nn.functional.<op>``,
``jitgrad.linalg.<op>``) and each Tensor method bound after the class body (whichever module
bound it: :func:`bound_methods`) is wrapped, and every jitgrad module's by-name import of a
wrapped op is pointed at the wrapper (:func:`_reroute_imports`). Queries (``is_*``,
``get_device``), conversions and elementwise ops (in place too) stay as they are.
A call with no device tensor goes straight to the original. A call with one goes to the
op's CUDA implementation where :data:`native.NATIVE` has one (which may still decline a case
by returning ``NotImplemented``), else to :func:`host_call`: device operands are copied to
the host with differentiable copies (``ToCopyBackward0``), the CPU op runs, and its tensor
results are copied back to the device, so values and gradients are the CPU's.
``JITGRAD_DEBUG=1`` logs ``host fallback: <op>`` for each such call.

In-place ops run on a host copy that is then copied back into the device buffer (so does
any operand the op wrote, e.g. batch norm's running statistics: a host copy whose version
moved). Where autograd must record an op named in place, its out-of-place form runs and is
copied into the tensor (``t.cumsum_(1)`` as ``t.copy_(t.cumsum(1))``); one without such a
form is refused (NotImplementedError). Ops that return views on the CPU return copies
through the fallback (as_strided, view_as_real ...); the common view ops are native and alias
their base (:mod:`.views`).

Elementwise ops are not wrapped: they reach :mod:`.elementwise` through the hook in
:mod:`jitgrad.ops.pointwise`.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

from ... import methods
from ...autograd.engine import Node
from ...autograd.grad_mode import STATE as GRAD
from ...helpers import debug_print
from ...ops import functions as OF
from ...ops.pointwise import check_inplace
from ...tensor import CLASS_BODY, Tensor, _make
from . import deferred, elementwise, native, runtime, transfer

#: Tensor methods left alone: conversions and queries the core handles for device tensors,
#: and the elementwise methods (device kernels through the pointwise hook).
_KEEP = frozenset(
    "to type float double long int bool cpu cuda is_floating_point is_complex type_as "
    "__dlpack__ __dlpack_device__ "
    "__array_priority__ __array_wrap__ __hash__ __pos__ __eq__ __ne__ __lt__ __le__ __gt__ __ge__ "
    "__add__ __radd__ __sub__ __rsub__ __mul__ __rmul__ __truediv__ __rtruediv__ __pow__ "
    "__rpow__ __neg__ __abs__ __and__ __or__ __xor__ __invert__ __mod__ __rmod__ "
    "__floordiv__ __rfloordiv__ __iadd__ __isub__ __imul__ __itruediv__ where copy_ lerp_ "
    "addcmul_ addcdiv_ fmod_ remainder_".split()
)
#: the modules besides ``jitgrad.ops.*`` whose functions ``jitgrad/__init__`` exports as ops
_OP_MODULES = frozenset(
    "argcheck sampling functional_aliases math_extra scatter_extra reduce_extra random_methods "
    "api_small".split()
)
_OP_MODULES = frozenset("jitgrad." + m for m in _OP_MODULES)
_QUERIES = frozenset("get_device storage_offset nbytes itemsize output_nr dim_order".split())
#: ``jitgrad.nn.functional`` functions that are elementwise ops (or call only elementwise ops).
_ELEMENTWISE_F = frozenset(
    "relu relu_ sigmoid tanh gelu silu softplus leaky_relu elu selu celu hardtanh "
    "hardsigmoid hardswish mish logsigmoid relu6 softsign tanhshrink threshold softshrink "
    "hardshrink".split()
)
#: ``jitgrad.nn.functional`` functions written in Tensor ops that run on the device as they
#: are (one recorded node, the CPU's name), so a step using them stays on the device.
_COMPOSED_F = frozenset("mse_loss l1_loss".split())
_INPLACE_DUNDERS = frozenset({"__setitem__", "__ifloordiv__", "__imod__"})


def install() -> None:
    """Wrap the public op functions and the bound Tensor methods (once)."""
    elementwise_names = {n for n, f in vars(OF).items() if _module(f) == OF.__name__}
    elementwise_names |= set(methods._FUNCTIONS_AS_METHODS)
    keep = _KEEP | elementwise_names | {n + "_" for n in OF.INPLACE_UNARY}
    for name in bound_methods():
        if not (name in keep or _query(name) or _elementwise_inplace(name, elementwise_names)):
            fn = Tensor.__dict__.get(name)
            if callable(fn) and not isinstance(fn, type):
                setattr(Tensor, name, wrap(fn, name))
    for name in ("T", "mT", "H", "mH"):
        prop = Tensor.__dict__.get(name)
        if isinstance(prop, property):
            setattr(Tensor, name, property(wrap(prop.fget, name)))
    top = sys.modules["jitgrad"]
    _wrap_namespace(
        top.__dict__, lambda n, f: n not in elementwise_names and not _query(n) and _is_op(f)
    )
    nnf = sys.modules["jitgrad.nn.functional"]
    _wrap_namespace(
        nnf.__dict__, lambda n, f: n in nnf.__all__ and n not in _ELEMENTWISE_F | _COMPOSED_F
    )
    linalg = sys.modules["jitgrad.linalg"]
    _wrap_namespace(linalg.__dict__, lambda n, f: n in linalg.__all__)
    _reroute_imports()


def _reroute_imports() -> None:
    """Point every jitgrad module's own reference to a wrapped op at its wrapper: the
    distributions, ``torch.func``, nn modules ... import ops by name (``from ..ops.movement
    import stack``), and the raw op on a device tensor would read its buffer as a host
    array. The CUDA backend's own modules keep the raw ops (its device implementations call
    them on purpose)."""
    for module_name, module in list(sys.modules.items()):
        if not module_name.startswith("jitgrad.") or module_name.startswith(__package__):
            continue
        namespace = vars(module)
        for key, value in list(namespace.items()):
            pair = _WRAPPERS.get(id(value))
            if pair is not None and pair[0] is value:
                namespace[key] = pair[1]


def bound_methods() -> list[str]:
    """Every Tensor attribute set after the class body: what :func:`jitgrad.methods.bind`,
    :func:`jitgrad.tensor_api.bind`, ``functional_aliases.bind`` (and any later binder)
    attached. The class itself is the one registry, so a new binder needs no list here."""
    return [n for n, v in vars(Tensor).items() if CLASS_BODY.get(n) is not v]


def _elementwise_inplace(name: str, elementwise_names: set[str]) -> bool:
    """``t.tan_()``, ``t.clamp_min_(0)``: the in-place form of an elementwise op writes
    through ``apply_inplace`` and the pointwise hook, on the device and recorded."""
    return name.endswith("_") and not name.startswith("_") and name[:-1] in elementwise_names


def _query(name: str) -> bool:
    """``t.is_cpu``, ``t.get_device()``, ``t.nbytes``: answers from the tensor's metadata,
    which a host copy would change."""
    return name.startswith("is_") or name in _QUERIES


def _module(fn: Any) -> str:
    return getattr(fn, "__module__", "") or ""


def _is_op(fn: Any) -> bool:
    """Whether ``jitgrad.<name>`` is an op (not a helper the namespace re-exports)."""
    module = _module(fn)
    return (
        callable(fn)
        and not isinstance(fn, type)
        and (module.startswith(("jitgrad.ops.", "jitgrad.nn._functional")) or module in _OP_MODULES)
        and module not in ("jitgrad.ops.pointwise", "jitgrad.ops.functions", "jitgrad.ops.checks")
    )


def _wrap_namespace(namespace: dict, wanted: Callable[[str, Any], bool]) -> None:
    for name, fn in list(namespace.items()):
        if not name.startswith("_") and callable(fn) and wanted(name, fn):
            namespace[name] = wrap(fn, name)


def wrap(fn: Callable, name: str) -> Callable:
    """``fn`` dispatching device operands to the CUDA op or the host fallback."""
    if getattr(fn, "_jitgrad_device_wrapped", False):
        return fn
    impl = native.NATIVE.get(name)
    inplace = name in _INPLACE_DUNDERS or (name.endswith("_") and not name.startswith("__"))

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not _any_device(args) and not _any_device(kwargs.values()):
            return fn(*args, **kwargs)
        if inplace and args and isinstance(args[0], Tensor):
            deferred.flush(args[0])  # deferred results that read it compute first
        if impl is not None:
            result = impl(*args, **kwargs)
            if result is not NotImplemented:
                return result
        return host_call(fn, name, args, kwargs)

    wrapper._jitgrad_device_wrapped = True  # type: ignore[attr-defined]
    inner: Any = fn
    while inner is not None:  # the op itself under an argument guard (argcheck) too
        _WRAPPERS[id(inner)] = (inner, wrapper)
        inner = getattr(inner, "__wrapped__", None)
    return wrapper


#: id(original op) -> (original, its wrapper), for :func:`_reroute_imports`
_WRAPPERS: dict[int, tuple[Callable, Callable]] = {}


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


def host_call(fn: Callable, name: str, args: tuple, kwargs: dict) -> Any:
    """Run ``fn`` on host copies of the device operands; results back to the device."""
    debug_print(1, f"host fallback: {name}")
    if name not in ("__getitem__", "__setitem__", "index_select", "gather", "take_along_dim"):
        _check_same_device(args, kwargs)
    inplace = name in _INPLACE_DUNDERS or (name.endswith("_") and not name.startswith("__"))
    if inplace and GRAD.enabled and _records(args, kwargs):
        if isinstance(args[0], Tensor):
            check_inplace(args[0])  # PyTorch's own refusals (a leaf that requires grad) first
            out_of_place = getattr(Tensor, name[:-1], None) if name.endswith("_") else None
            if callable(out_of_place):  # t.cumsum_(1): t.cumsum(1) copied into t, recorded
                return args[0].copy_(out_of_place(*args, **kwargs))
        raise NotImplementedError(
            f"jitgrad's CUDA backend runs '{name}' through the host and cannot record it for "
            "autograd; run it under no_grad() or on the CPU"
        )
    copies: list[tuple[Tensor, Tensor, int]] = []  # (device operand, host copy, version)

    def to_host(t: Tensor) -> Tensor:
        if not elementwise.on_device(t):
            return t
        h = transfer.to_cpu(t)
        copies.append((t, h, h._vc[0]))
        return h

    host_args = _map(args, to_host)
    host_kwargs = dict(zip(kwargs, _map(tuple(kwargs.values()), to_host), strict=True))
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


def _map(values: tuple, convert: Callable) -> tuple:
    out = []
    for x in values:
        if isinstance(x, Tensor):
            x = convert(x)
        elif type(x) in (list, tuple):
            x = type(x)(convert(y) if isinstance(y, Tensor) else y for y in x)
        out.append(x)
    return tuple(out)


class _Back:
    """Host results back on the device. A result with history gets, as its ``grad_fn``, a
    :class:`HostNode` standing for the CPU op's node: PyTorch's name and inputs, fed the
    device gradients on the host. A host copy of an operand returned as it is maps back to
    the operand itself."""

    def __init__(self, host_args: tuple, args: tuple) -> None:
        self.same = {id(h): a for h, a in zip(host_args, args, strict=True) if h is not a}
        self.nodes: dict[int, Node] = {}

    def __call__(self, result: Any) -> Any:
        if isinstance(result, Tensor):
            same = self.same.get(id(result))
            return self.tensor(result) if same is None else same
        if isinstance(result, tuple) and type(result) is not tuple:  # max's, sort's pairs
            return type(result)(*(self(r) for r in result))
        if type(result) in (list, tuple):
            return type(result)(self(r) for r in result)
        return result

    def tensor(self, r: Tensor) -> Tensor:
        value = runtime.to_device(r._value)
        node = r.grad_fn
        if node is None:
            t = _make(value, r._dtype)
            t._requires_grad = r._requires_grad
            return t
        proxy = self.nodes.get(id(node))
        if proxy is None:
            proxy = self.nodes[id(node)] = _host_node_class(node.name())(node.next_functions)
            proxy._saved = node
        return _make(value, r._dtype, proxy, output_nr=r._output_nr)


class HostNode(Node):
    """The node of an op that ran on the host, in a device graph (see :class:`_Back`)."""

    __slots__ = ()
    on_device = True

    def apply(self, grads: list) -> Any:
        host = [None if g is None else transfer.to_cpu(g) for g in grads]
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
