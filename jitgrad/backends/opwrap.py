"""Wrapping every public op once, for a backend whose tensors the CPU paths cannot read.

A backend (the CUDA host fallback, the meta device) needs each public op function
(``jitgrad.<op>``, ``jitgrad.nn.functional.<op>``, ``jitgrad.linalg.<op>``) and each Tensor
method bound after the class body to check its operands first. :func:`install` walks those
namespaces with the backend's ``wrap(fn, name)`` and its ``keep(namespace, name)`` policy,
then points every module's by-name import of a wrapped op at its wrapper
(:func:`reroute_imports`), since the distributions, ``torch.func`` and nn modules import ops
by name, as programs do. Two backends compose: the second wraps the first's wrappers, and
the reroute maps every function in the ``__wrapped__`` chain to the outermost wrapper.

Nothing here runs before a backend activates, so the CPU paths pay nothing until then.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from ..frontend.tensor import CLASS_BODY, Tensor

#: the modules besides ``jitgrad.frontend.*`` whose functions ``jitgrad/__init__`` exports as ops
_OP_MODULES = frozenset(
    "jitgrad." + m
    for m in "argcheck sampling functional_aliases math_extra scatter_extra reduce_extra "
    "random_methods api_small api_more".split()
)
#: front-end modules whose exported functions are machinery, not ops; and the Tensor class's
#: and the constructors' (a constructor places its result itself: ``device=``, ``*_like``)
_NOT_OP_MODULES = frozenset(
    "jitgrad.frontend." + m
    for m in (
        "pointwise pointwise_inplace checks recording lazy pending expression_namespace "
        "tensor tensor_meta tensor_conversion tensor_messages _tensor_data creation"
    ).split()
)
_QUERIES = frozenset("get_device storage_offset nbytes itemsize output_nr dim_order".split())
#: the properties that compute (the rest of the class body's properties are metadata)
_PROPERTIES = ("T", "mT", "H", "mH")

Wrap = Callable[[Callable, str], Callable]
#: ``keep(namespace, name, fn)``: whether to leave an op alone; namespace is one of
#: "method", "torch", "nn.functional", "linalg".
Keep = Callable[[str, str, Any], bool]


def install(wrap: Wrap, keep: Keep, own_package: str) -> None:
    """Wrap the public op functions and the bound Tensor methods with ``wrap``, except what
    ``keep`` leaves, and reroute by-name imports (``own_package``'s modules excepted: a
    backend's own implementations call the raw ops on purpose)."""
    for name in bound_methods():
        fn = Tensor.__dict__.get(name)
        if not (keep("method", name, fn) or is_query(name)):
            if callable(fn) and not isinstance(fn, type):
                setattr(Tensor, name, wrap(fn, name))
    for name in _PROPERTIES:
        prop = Tensor.__dict__.get(name)
        if isinstance(prop, property) and not keep("method", name, prop):
            setattr(Tensor, name, property(wrap(prop.fget, name)))
    top = sys.modules["jitgrad"]
    _wrap_namespace(
        top.__dict__, wrap, lambda n, f: not keep("torch", n, f) and not is_query(n) and _is_op(f)
    )
    nnf = sys.modules["jitgrad.nn.functional"]
    _wrap_namespace(
        nnf.__dict__, wrap, lambda n, f: n in nnf.__all__ and not keep("nn.functional", n, f)
    )
    linalg = sys.modules["jitgrad.linalg"]
    _wrap_namespace(
        linalg.__dict__, wrap, lambda n, f: n in linalg.__all__ and not keep("linalg", n, f)
    )
    reroute_imports(own_package)


def register(original: Callable, wrapper: Callable) -> None:
    """Record ``wrapper`` as the stand-in of ``original`` and of everything it wraps (an op
    under an argument guard, or another backend's wrapper), for :func:`reroute_imports`."""
    inner: Any = original
    while inner is not None:
        WRAPPERS[id(inner)] = (inner, wrapper)
        inner = getattr(inner, "__wrapped__", None)


#: id(original op) -> (original, its outermost wrapper), for :func:`reroute_imports`
WRAPPERS: dict[int, tuple[Callable, Callable]] = {}


def reroute_imports(own_package: str) -> None:
    """Point every module's global reference to a wrapped op at its wrapper: the raw op on a
    backend's tensor would read its buffer as a host array. jitgrad's modules import ops by
    name, and so do programs (``from torch.nn.functional import linear`` before the first
    device tensor); a reference held elsewhere (a closure, a default argument, an unbound
    ``Tensor`` method) is not reached."""
    for module_name, module in list(sys.modules.items()):
        if not module_name.startswith(own_package):
            _reroute(module)


def reroute_package(package: str) -> None:
    """:func:`reroute_imports` for the modules of ``package``, imported after a backend was
    installed: ``jitgrad.distributions`` and ``jitgrad.capture`` load at their first use (see
    ``jitgrad/__init__``), and a program may first reach them after its first device tensor."""
    if WRAPPERS:
        for module_name, module in list(sys.modules.items()):
            if module_name == package or module_name.startswith(package + "."):
                _reroute(module)


def _reroute(module: Any) -> None:
    namespace = getattr(module, "__dict__", None)
    if type(namespace) is not dict:
        return
    for key, value in list(namespace.items()):
        pair = WRAPPERS.get(id(value))
        if pair is not None and pair[0] is value:
            namespace[key] = pair[1]


def bound_methods() -> list[str]:
    """Every Tensor attribute set after the class body: what :func:`jitgrad.methods.bind`,
    :func:`jitgrad.tensor_api.bind`, ``functional_aliases.bind`` (and any later binder)
    attached. The class itself is the one registry, so a new binder needs no list here."""
    return [n for n, v in vars(Tensor).items() if CLASS_BODY.get(n) is not v]


def is_query(name: str) -> bool:
    """``t.is_cpu``, ``t.get_device()``, ``t.nbytes``: answers from the tensor's metadata,
    which a host copy would change."""
    return name.startswith("is_") or name in _QUERIES


def module_of(fn: Any) -> str:
    """The module that defined ``fn`` ("" for one without)."""
    return getattr(fn, "__module__", "") or ""


def _is_op(fn: Any) -> bool:
    """Whether ``jitgrad.<name>`` is an op (not a helper the namespace re-exports)."""
    module = module_of(fn)
    return (
        callable(fn)
        and not isinstance(fn, type)
        and (
            module.startswith(("jitgrad.frontend.", "jitgrad.ops.", "jitgrad.nn._functional"))
            or module in _OP_MODULES
        )
        and module not in _NOT_OP_MODULES
    )


def _wrap_namespace(namespace: dict, wrap: Wrap, wanted: Callable[[str, Any], bool]) -> None:
    """Wrap the public functions of ``namespace``; a class (``linalg.LinAlgError``, a result
    type) stays itself: wrapped, ``except LinAlgError`` would no longer catch anything. A public
    op that extends an internal one (``_jitgrad_extends``: ``torch.norm`` adds the matrix
    orders to the vector norm that clip_grad_norm_, cdist, normalize... import) gets that one
    wrapped under its name as well, or a device tensor's norm would run the host op."""
    for name, fn in list(namespace.items()):
        if (
            not name.startswith("_")
            and callable(fn)
            and not isinstance(fn, type)
            and wanted(name, fn)
        ):
            namespace[name] = wrap(fn, name)
            base = getattr(fn, "_jitgrad_extends", None)
            if base is not None:  # wrapped and registered too: jitgrad's own modules import it
                wrap(base, name)  # by name (reroute_imports points them at this wrapper)


def map_tensors(values: tuple, convert: Callable[[Tensor], Tensor]) -> tuple:
    """``values`` with each Tensor (also inside a plain list or tuple) passed through
    ``convert``: a call's operands swapped for a backend's stand-ins."""
    out = []
    for x in values:
        if isinstance(x, Tensor):
            x = convert(x)
        elif type(x) in (list, tuple):
            x = type(x)(convert(y) if isinstance(y, Tensor) else y for y in x)
        out.append(x)
    return tuple(out)


def map_result(result: Any, convert: Callable[[Tensor], Any]) -> Any:
    """An op's result with each Tensor passed through ``convert``: a Tensor, a named pair
    (``max``'s, ``sort``'s), or a plain list or tuple of them."""
    if isinstance(result, Tensor):
        return convert(result)
    if isinstance(result, tuple) and type(result) is not tuple:
        return type(result)(*(map_result(r, convert) for r in result))
    if type(result) in (list, tuple):
        return type(result)(map_result(r, convert) for r in result)
    return result
