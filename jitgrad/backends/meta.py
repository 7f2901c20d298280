"""PyTorch's ``meta`` device: tensors with a shape and a dtype but no data.

Programs use it to build a model without memory (``Module.to("meta")``, then
``functional_call`` with real parameters; ``torch.empty(..., device="meta")``; shape
inference). A meta tensor's buffer is a :class:`~.meta_array.MetaArray` (zero strides, no
memory), so the core's metadata queries work on it unchanged.

Like the CUDA backend, this one activates at the first meta tensor, and then wraps every
public op once through :func:`.opwrap.install` (so CPU-only programs pay nothing). A call
with a meta operand goes to :func:`call`: each meta operand is replaced by a zero-filled CPU
stand-in, the CPU op runs (so output shapes and dtypes, broadcasting and the shape errors are
the CPU's, worded as PyTorch words them), and each tensor result becomes a meta tensor of
its shape and dtype. The stand-ins are short-lived: the peak memory of a meta call is the
CPU op's. In-place fills (``uniform_``, ``zero_``, the ``nn.init`` family) change no shape
and run nothing.

Autograd: a result with history gets a :class:`MetaNode` named after the CPU op's node
(``AddmmBackward0``), whose backward asks the CPU graph over the stand-ins for the input
gradients and returns them as meta tensors; so ``backward()`` through a meta graph leaves
meta ``.grad``\\s, as in PyTorch.

What cannot work without data raises PyTorch's words: ``item()`` and what converts to a
Python number, ``numpy()``, ``tolist()``, copies to the CPU, and the data-dependent ops
(``nonzero``, ``unique``, ``masked_select``, ...).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import dtypes as D
from .. import helpers
from ..engine.node import Node
from ..engine.targets import edge_of
from ..frontend.tensor import CLASS_BODY, CPU, CUDA0, Tensor, _make, _on_device, device
from . import meta_tensor, opwrap
from .meta_array import MetaArray, meta_array
from .meta_tensor import (  # noqa: F401 - empty, move: the front end's, reached here too
    _STORED,
    META,
    NO_DATA,
    _node_class,
    _to_meta,
    empty,
    is_meta,
    move,
)

NO_ITEM = "Tensor.item() cannot be called on meta tensors"
_NO_META_KERNEL = (
    "aten::{}: attempted to run this operator with Meta tensors, but there was no fake impl "
    "or Meta kernel registered. You may have run into this message while using an operator "
    "with PT2 compilation APIs (torch.compile/torch.export); in order to use this operator "
    "with those APIs you'll need to add a fake impl. Please see the following for next "
    "steps:  https://pytorch.org/tutorials/advanced/custom_ops_landing_page.html"
)
_NONZERO = (
    "The register_meta function for torch.nonzero() raises unimplemented by default, as a "
    "correct data-independent implementation does not exist. This implementation returns a "
    "fake value, assuming all elements of the tensor are non-zero. To enable this "
    "registration, please set 'torch.fx.experimental._config.meta_nonzero_assume_all_nonzero' "
    "to True."
)
#: ops whose output shape depends on the data: (exception type, PyTorch's message)
_DATA_DEPENDENT: dict[str, tuple[type, str]] = {
    "nonzero": (NotImplementedError, _NONZERO),
    "argwhere": (NotImplementedError, _NONZERO),
    "unique": (NotImplementedError, _NO_META_KERNEL.format("_unique2")),
    "unique_consecutive": (NotImplementedError, _NO_META_KERNEL.format("unique_consecutive")),
    "masked_select": (NotImplementedError, _NO_META_KERNEL.format("masked_select")),
    "equal": (NotImplementedError, _NO_META_KERNEL.format("equal")),
    "bincount": (NotImplementedError, _NO_META_KERNEL.format("bincount")),
    "allclose": (RuntimeError, NO_ITEM),
    "tolist": (NotImplementedError, NO_DATA),
}
#: in-place ops that only write values: on a meta tensor they have nothing to do
_FILLS = frozenset(
    "uniform_ normal_ fill_ zero_ random_ bernoulli_ exponential_ geometric_ cauchy_ "
    "log_normal_ clamp_ clip_ detach_ requires_grad_ retain_grad share_memory_".split()
)
#: methods left alone: conversions that route through :func:`move`, and the autograd API
_KEEP = frozenset(
    "to type cpu cuda backward register_hook register_post_accumulate_grad_hook "
    "retain_grad requires_grad_ __hash__ __array_priority__ __deepcopy__ __reduce_ex__ "
    "__getstate__ __setstate__ __dlpack__ __dlpack_device__".split()
)
_INPLACE_DUNDERS = frozenset({"__setitem__"})


def _stand_in(t: Tensor) -> Tensor:
    """Zeros of ``t``'s shape and dtype on the CPU (calloc'd: untouched pages cost nothing)."""
    return _make(np.zeros(t._value.shape, t._dtype.np), t._dtype)


def _check_devices(args: tuple, kwargs: dict) -> None:
    """PyTorch's error when a meta op meets a CPU tensor with dimensions."""
    for x in (*args, *kwargs.values()):
        for y in x if type(x) in (list, tuple) else (x,):
            if isinstance(y, Tensor) and y.dim() and not is_meta(y):
                where = "cuda:0" if _on_device(y) else "cpu"
                raise RuntimeError(f"Tensor on device {where} is not on the expected device meta!")


def call(fn: Callable, name: str, args: tuple, kwargs: dict) -> Any:
    """``fn`` on stand-ins of the meta operands; tensor results as meta tensors."""
    bad = _DATA_DEPENDENT.get(name)
    if bad is not None:
        raise bad[0](bad[1])
    inplace = name in _INPLACE_DUNDERS or (name.endswith("_") and not name.startswith("__"))
    if inplace and name in _FILLS and isinstance(args[0], Tensor):
        return args[0]
    if name == "copy_" and isinstance(args[0], Tensor):  # into a meta tensor: nothing to copy
        if not is_meta(args[0]):
            raise NotImplementedError(NO_DATA)
        return args[0]
    _check_devices(args, kwargs)
    pairs: list[tuple[Tensor, Tensor]] = []  # (meta operand, its stand-in)

    def stand(t: Tensor) -> Tensor:
        if not is_meta(t):
            return t
        s = _stand_in(t)
        if t._requires_grad:
            s._requires_grad = True
            if inplace and t.grad_fn is not None:  # a non-leaf may be written in place
                s = s.clone()
        pairs.append((t, s))
        return s

    host_args = opwrap.map_tensors(args, stand)
    host_kwargs = dict(zip(kwargs, opwrap.map_tensors(tuple(kwargs.values()), stand), strict=True))
    result = fn(*host_args, **host_kwargs)
    if inplace and isinstance(args[0], Tensor) and is_meta(args[0]):
        target, host = args[0], host_args[0]
        if host._value.shape != target._value.shape or host._dtype is not target._dtype:
            target._value = meta_array(host._value.shape, host._dtype.np)  # t_(), squeeze_()
        if result is host or result is None:
            return target
    return _Results(pairs)(result)


class _Results:
    """CPU results as meta tensors; a stand-in returned as it is maps back to its operand."""

    def __init__(self, pairs: list[tuple[Tensor, Tensor]]) -> None:
        self.same = {id(s): t for t, s in pairs}
        self.pairs = pairs
        self.nodes: dict[int, Node] = {}

    def __call__(self, result: Any) -> Any:
        return opwrap.map_result(result, self.tensor)

    def tensor(self, r: Tensor) -> Tensor:
        same = self.same.get(id(r))
        if same is not None:
            return same
        cpu_node = r.grad_fn
        if cpu_node is None:
            t = _to_meta(r)
            t._requires_grad = r._requires_grad
            return t
        node = self.nodes.get(id(cpu_node))
        if node is None:
            wanted = [(t, s) for t, s in self.pairs if s._requires_grad]
            node = _node_class(type(cpu_node).__name__)(tuple(edge_of(t) for t, _ in wanted))
            node._saved = ({}, [s for _, s in wanted])
            self.nodes[id(cpu_node)] = node
        node._saved[0][r._output_nr] = r
        return _make(meta_array(r._value.shape, r._dtype.np), r._dtype, node, r._output_nr)


def _any_meta(values: Any) -> bool:
    for x in values:
        if isinstance(x, Tensor):
            if type(_STORED(x)) is MetaArray:
                return True
        elif type(x) in (list, tuple):
            for y in x:
                if isinstance(y, Tensor) and type(_STORED(y)) is MetaArray:
                    return True
    return False


def wrap(fn: Callable, name: str) -> Callable:
    """``fn`` sending calls with a meta operand to :func:`call`."""
    if getattr(fn, "_jitgrad_meta_wrapped", False):
        return fn

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not _any_meta(args) and not (kwargs and _any_meta(kwargs.values())):
            return fn(*args, **kwargs)
        return call(fn, name, args, kwargs)

    wrapper._jitgrad_meta_wrapped = True  # type: ignore[attr-defined]
    helpers.pass_through(wrapper)
    opwrap.register(fn, wrapper)
    return wrapper


def _keep(namespace: str, name: str, fn: Any) -> bool:
    return namespace == "method" and name in _KEEP


# ---- the Tensor members that read data or name the device ---------------------------------
def _guard(name: str, refuse: Callable[..., Any]) -> None:
    """Replace ``Tensor.<name>`` by one that calls ``refuse(t, ...)`` for a meta tensor (and is
    recorded as class body, so another backend's wrapping leaves it as it left the old)."""
    original = Tensor.__dict__[name]

    @functools.wraps(original)
    def member(self: Tensor, *args: Any, **kwargs: Any) -> Any:
        if is_meta(self):
            return refuse(self, *args, **kwargs)
        return original(self, *args, **kwargs)

    setattr(Tensor, name, member)
    CLASS_BODY[name] = member


def _raise(kind: type, message: str) -> Callable[..., Any]:
    def refuse(t: Tensor, *args: Any, **kwargs: Any) -> Any:
        raise kind(message)

    return refuse


def _item(t: Tensor, *args: Any) -> Any:
    n = t._value.size
    if n != 1:
        raise RuntimeError(f"a Tensor with {n} elements cannot be converted to Scalar")
    raise RuntimeError(NO_ITEM)


def _accumulate(t: Tensor, other: Tensor) -> None:
    """A second gradient into a meta ``.grad``: the sum's shape is the grad's own."""


def _repr(t: Tensor, *args: Any) -> str:
    """PyTorch's ``tensor(..., device='meta', size=(2, 3), dtype=..., requires_grad=True)``."""
    suffixes = ["device='meta'", f"size={tuple(t._value.shape)}"]
    if t._dtype is not D.get_default_dtype():
        suffixes.append(f"dtype={t._dtype!r}")
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{type(t.grad_fn).__name__}>")
    elif t._requires_grad:
        suffixes.append("requires_grad=True")
    return f"tensor(..., {', '.join(suffixes)})"


def _device(t: Tensor) -> device:
    if is_meta(t):
        return META
    return CUDA0 if _on_device(t) else CPU


_ACTIVE = [False]


def activate() -> None:
    """Wrap the ops and guard the data readers (once, at the first meta tensor)."""
    if _ACTIVE[0]:
        return
    _ACTIVE[0] = True
    opwrap.install(wrap, _keep, __name__)
    for name in ("__float__", "__int__", "__bool__", "__index__", "item"):
        _guard(name, _item)
    _guard(
        "numpy",
        _raise(
            TypeError,
            "can't convert meta device type tensor to numpy. Use Tensor.cpu() to copy the "
            "tensor to host memory first.",
        ),
    )
    _guard("__array__", _raise(NotImplementedError, NO_DATA))
    _guard("tolist", _raise(NotImplementedError, NO_DATA))
    _guard("data_ptr", lambda t: 0)
    _guard("_accumulate_", _accumulate)
    for name in ("__repr__", "__str__"):
        _guard(name, _repr)
    Tensor.device = property(_device)  # type: ignore[assignment,method-assign]
    Tensor.is_meta = property(is_meta)  # type: ignore[attr-defined]


meta_tensor.ABOVE.activate = activate  # the front end activates the device through this
