"""``out=`` for the public functions, PyTorch's rules in one place.

A function given ``out`` computes its result as usual (without recording a graph: PyTorch's
``out=`` variants are not differentiable and say so when an argument requires grad), checks
that the result's dtype can be cast to ``out``'s, resizes ``out`` when its shape differs
(warning, as PyTorch does, unless ``out`` was empty) and copies the result into it. The
elementwise functions (frontend/functions.py) test ``out is not None`` themselves and call
:func:`write_out`, so their ``out=None`` path costs only the keyword default; the others are
wrapped once at import (:func:`accept_out`), like ``argcheck.guard_inputs``.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import dtypes as D
from ..backends import STATE as DEVICE
from ..engine.grad_mode import STATE, no_grad
from ..helpers import pass_through
from ..helpers import warn as warn_user
from .tensor import Tensor

RESIZE_WARNING = (
    "An output with one or more elements was resized since it had shape {old}, which does not "
    "match the required output shape {new}. This behavior is deprecated, and in a future "
    "PyTorch release outputs will not be resized unless they have zero elements. You can "
    "explicitly reuse an out tensor t by resizing it, inplace, to zero elements with "
    "t.resize_(0)."
)


def can_cast(src: D.dtype, dst: D.dtype) -> bool:
    """PyTorch's ``canCast``: no floating to integral and nothing but bool to bool."""
    if dst._category < src._category:
        return False
    return True


def _requires_grad(args: Any) -> bool:
    for a in args:
        if isinstance(a, Tensor):
            if a._requires_grad:
                return True
        elif isinstance(a, list | tuple) and _requires_grad(a):
            return True
    return False


def write_out(
    name: str, out: Any, compute: Callable[[], Any], args: tuple, warn: bool = True
) -> Any:
    """``compute()`` written into ``out`` (a Tensor, or a tuple of them for several results);
    ``warn``: whether resizing a non-empty ``out`` warns (the factories resize silently)."""
    outs = out if isinstance(out, tuple | list) else (out,)
    for o in outs:
        if not isinstance(o, Tensor):
            raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(o).__name__}")
    if STATE.enabled and (_requires_grad(args) or _requires_grad(outs)):
        raise RuntimeError(
            f"{name}(): functions with out=... arguments don't support automatic "
            "differentiation, but one of the arguments requires grad."
        )
    if name not in _UNCHECKED:
        _no_overlap(outs, args[0] if name in _JOINS else args, full_ok=name not in _JOINS)
    with no_grad():
        res = compute()
    results = tuple(res) if isinstance(res, tuple) else (res,)
    if len(results) != len(outs):
        raise TypeError(f"{name}(): expected {len(results)} out tensors, got {len(outs)}")
    for o, r in zip(outs, results, strict=True):
        copy_into(o, r, warn)
    if isinstance(res, tuple):
        return tuple(outs) if type(res) is tuple else type(res)(*outs)
    return out


#: the joins whose ``out`` may not share memory with an input (ATen's ``assert_no_overlap``);
#: the elementwise ops (TensorIterator's) refuse a partial overlap; these others check none
_JOINS = frozenset("cat concat concatenate stack hstack vstack".split())
_UNCHECKED = frozenset(
    "matmul mm bmm mv dot addmm outer sum mean prod max min amax amin argmax argmin cumsum "
    "cumprod logsumexp std var norm sort topk index_select gather masked_select diag triu tril "
    "nonzero mode".split()
)


def _no_overlap(outs: tuple, inputs: Any, full_ok: bool) -> None:
    """PyTorch's refusal of an ``out`` overlapping an input: partly (``full_ok``: the
    elementwise ops may write over an input exactly), or at all (the joins)."""
    for o in outs:
        for t in inputs if isinstance(inputs, list | tuple) else ():
            if not isinstance(t, Tensor):
                continue
            a, b = t._value, o._value  # host arrays (a device buffer is not compared)
            if full_ok and (t is o or _same_view(a, b)):
                continue
            if t is o or (type(a) is type(b) is np.ndarray and _overlap(a, b)):
                raise RuntimeError(
                    "unsupported operation: some elements of the input tensor and the "
                    "written-to tensor refer to a single memory location. Please clone() the "
                    "tensor before performing the operation."
                )


def _same_view(a: Any, b: Any) -> bool:
    """Two arrays over exactly the same elements (a full overlap, which PyTorch allows)."""
    return (
        type(a) is type(b) is np.ndarray
        and a.shape == b.shape
        and a.strides == b.strides
        and a.__array_interface__["data"][0] == b.__array_interface__["data"][0]
    )


def _overlap(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether ``a`` and ``b`` share an element (bounds first; an undecidable case counts
    as no overlap, as the cheap check PyTorch's is)."""
    if not a.size or not b.size or not np.may_share_memory(a, b):
        return False
    try:
        return bool(np.shares_memory(a, b, max_work=10_000))
    except np.exceptions.TooHardError:
        return False


def dtype_matches_out(dtype: Any, out: Any) -> None:
    """A reduction given both ``dtype=`` and ``out=`` (``sum``, ``prod``, ``cumsum``, ``mean``,
    ``norm``...): PyTorch computes in ``dtype`` and refuses an ``out`` of another dtype."""
    if dtype is not None and isinstance(out, Tensor) and dtype is not out._dtype:
        raise RuntimeError(
            f"Expected out tensor to have dtype {D.cpp_name(dtype)}, but got "
            f"{D.cpp_name(out._dtype)} instead"
        )


def copy_into(out: Tensor, res: Tensor, warn: bool = True) -> Tensor:
    """``res`` cast and copied into ``out``, resized first when the shapes differ."""
    if not can_cast(res._dtype, out._dtype):
        raise RuntimeError(
            f"result type {D.scalar_name(res._dtype)} can't be cast to the desired output type "
            f"{D.scalar_name(out._dtype)}"
        )
    on_device = DEVICE.active and DEVICE.backend.owns(out)
    if DEVICE.active and on_device != DEVICE.backend.owns(res):
        raise RuntimeError(  # PyTorch's error: copy_ would move it, an out= op must not
            "Expected all tensors to be on the same device, but found at least two devices, "
            "cuda:0 and cpu!"
        )
    shape = tuple(res.shape)
    if tuple(out.shape) != shape:
        if warn and out.numel():
            warn_user(
                RESIZE_WARNING.format(old=list(out.shape), new=list(shape)),
                UserWarning,
                stacklevel=4,
            )
        if on_device:  # a new device buffer (a view stops writing into its old base)
            DEVICE.backend.resize(out, shape)
        else:
            out._value = np.empty(shape, out._dtype.np)  # a new storage, as PyTorch's resize
        out._base = None
    with no_grad():
        out.copy_(res)
    return out


def creation_out(name: str, fn: Callable) -> Callable:
    """``zeros(..., out=t)``: the values made in ``t``'s dtype (a different ``dtype=`` is
    PyTorch's error), then written into ``t``."""

    def wrapper(*args: Any, out: Any = None, **kwargs: Any) -> Any:
        if out is None:
            return fn(*args, **kwargs)
        dt = kwargs.get("dtype")
        if dt is not None and dt is not out._dtype:
            raise RuntimeError(
                f"dtype {D.scalar_name(dt)} does not match dtype of out parameter "
                f"({D.scalar_name(out._dtype)})"
            )
        kwargs["dtype"] = out._dtype
        if isinstance(out, Tensor) and kwargs.get("device") is None:
            kwargs["device"] = out.device  # made where out lives (a different one is refused)
        requires_grad = kwargs.pop("requires_grad", False)
        res = write_out(name, out, lambda: fn(*args, **kwargs), (), warn=False)
        return res.requires_grad_() if requires_grad else res

    return _named(wrapper, fn, name)


def function_out(name: str, fn: Callable) -> Callable:
    """``fn`` accepting ``out=``: computed without a graph and written into ``out``.

    The wrapper is generated with ``fn``'s own signature plus ``out=None`` (as
    ``argcheck.guard_inputs`` does), so a call without ``out`` costs one frame and a test,
    not an ``*args``/``**kwargs`` repacking (nor a closure cell per argument: the call
    ``out=`` needs is a ``functools.partial``).
    """
    params, call, keyword_only = [], [], False
    for p in inspect.signature(fn).parameters.values():
        if p.name == "out":  # accepted but not honoured by fn itself: handled here
            continue
        default = "" if p.default is p.empty else f"=_defaults[{p.name!r}]"
        if p.kind is p.VAR_POSITIONAL:
            params.append(f"*{p.name}")
            call.append(f"*{p.name}")
            keyword_only = True
        elif p.kind is p.VAR_KEYWORD:
            params.append(f"out=None, **{p.name}" if keyword_only else f"*, out=None, **{p.name}")
            call.append(f"**{p.name}")
            keyword_only = None
        elif p.kind is p.KEYWORD_ONLY:
            if not keyword_only:
                params.append("*")
                keyword_only = True
            params.append(p.name + default)
            call.append(f"{p.name}={p.name}")
        else:
            params.append(p.name + default)
            call.append(p.name)
    if keyword_only is not None:
        params.append("out=None" if keyword_only else "*, out=None")
    args = ", ".join(c.partition("=")[0] if "=" in c else c for c in call if c[:2] != "**")
    source = (
        f"def {name}({', '.join(params)}):\n"
        f"    if out is not None:\n"
        + _dtype_check(fn)
        + f"        return _write({name!r}, out, _partial(_fn, {', '.join(call)}), ({args},))\n"
        + _without_extra(call)
        + f"    return _fn({', '.join(call)})\n"
    )
    scope = {
        "_fn": fn,
        "_write": write_out,
        "_dtype_matches": dtype_matches_out,
        "_partial": functools.partial,  # not a lambda: that would make every argument a cell
        "_defaults": {p.name: p.default for p in inspect.signature(fn).parameters.values()},
    }
    exec(source, scope)  # noqa: S102 - our own text, built from the signature
    return functools.update_wrapper(pass_through(scope[name]), fn)


def _dtype_check(fn: Callable) -> str:
    """:func:`function_out`'s line checking ``dtype=`` against ``out`` (for a function that
    takes a ``dtype``: the reductions), or ''."""
    takes_dtype = "dtype" in inspect.signature(fn).parameters
    return "        _dtype_matches(dtype, out)\n" if takes_dtype else ""


def _without_extra(call: list) -> str:
    """:func:`function_out`'s lines for a call whose ``*args`` is empty (the usual
    ``stack(xs, dim=0)``): a plain call, not one that repacks a tuple and a dict ('' for a
    function without ``*args``)."""
    star = [c for c in call if c[:1] == "*" and c[:2] != "**"]
    if not star:
        return ""
    plain = ", ".join(c for c in call if c not in star)
    return f"    if not {star[0][1:]}:\n        return _fn({plain})\n"


def _named(wrapper: Callable, fn: Callable, name: str) -> Callable:
    wrapper.__name__ = wrapper.__qualname__ = name
    wrapper.__doc__ = fn.__doc__
    wrapper.__wrapped__ = fn  # type: ignore[attr-defined]
    return wrapper


def accept_out(namespace: dict[str, Any], functions: str, creations: str) -> None:
    """Give the public ``functions`` and ``creations`` of ``namespace`` an ``out=`` keyword."""
    for name in functions.split():
        namespace[name] = function_out(name, namespace[name])
    for name in creations.split():
        namespace[name] = creation_out(name, namespace[name])
