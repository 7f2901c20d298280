"""PyTorch's argument parser (``torch/csrc/utils/python_arg_parser.cpp``) for ops given as their
printed overloads: which call no overload accepts, and the error PyTorch raises for it.

``FunctionSignature::parse`` takes positional arguments in order (a keyword-only parameter
given positionally, or more positional arguments than the schema has, is ``extra_args``:
"takes from <min_args> to <max_pos_args> positional arguments"), then keywords (NumPy's
``axis``/``keepdims`` too), checks each value's type, and reports a missing required one or a
keyword it does not know. With one overload its error is the answer; with several,
``print_error`` re-parses the one overload whose argument count fits the call, if exactly one
does, else lists them all (:func:`.argcheck.invalid_args`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..helpers import pass_through
from .argcheck import invalid_args
from .overloads import type_name
from .tensor import Tensor

_NUMPY = {"dim": "axis", "keepdim": "keepdims"}


@dataclass(frozen=True)
class Param:
    kind: str
    name: str
    optional: bool
    keyword_only: bool
    none_ok: bool


def _is_int(v: Any) -> bool:
    if isinstance(v, Tensor):
        return v.dim() == 0 and not v._dtype.is_floating_point and not v._dtype.is_complex
    return isinstance(v, int | np.integer) and not isinstance(v, bool | np.bool_)


_CHECKS = {
    "Tensor": lambda v: isinstance(v, Tensor),
    "int": _is_int,
    "bool": lambda v: isinstance(v, bool | np.bool_),
    "tuple of Tensors": lambda v: (
        isinstance(v, tuple | list) and all(isinstance(t, Tensor) for t in v)
    ),
}


def signature(text: str, none_ok: tuple[str, ...] = ()) -> tuple[Param, ...]:
    """``"(Tensor input, *, bool stable, int dim = -1)"`` as its parameters (``none_ok``:
    ones declared optional, ``bool?``, though printed without a default)."""
    params, keyword_only = [], False
    for part in (p.strip() for p in text.strip()[1:-1].split(",")):
        if part == "*":
            keyword_only = True
        elif part:
            decl, _, default = part.partition(" = ")
            kind, name = decl.rsplit(" ", 1)
            none = default == "None" or name in none_ok
            params.append(Param(kind, name, bool(default), keyword_only, none))
    return tuple(params)


def _extra_args(name: str, params: tuple[Param, ...], n: int) -> TypeError:
    least = sum(not p.optional for p in params)
    most = sum(not p.keyword_only for p in params)
    if least != most:
        return TypeError(
            f"{name}() takes from {least} to {most} positional arguments but {n} were given"
        )
    s = "" if most == 1 else "s"
    return TypeError(f"{name}() takes {most} positional argument{s} but {n} were given")


def _parse(name: str, params: tuple, args: tuple, kwargs: dict, raise_: bool) -> bool:
    """``FunctionSignature::parse``: whether the call fits ``params`` (``raise_``: its error)."""
    if len(args) > sum(not p.keyword_only for p in params):
        if raise_:
            raise _extra_args(name, params, len(args))
        return False
    used = 0
    for i, p in enumerate(params):
        if i < len(args):
            if p.keyword_only:
                if raise_:
                    raise _extra_args(name, params, len(args))
                return False
            value, keyword = args[i], False
        else:
            key = p.name if p.name in kwargs else _NUMPY.get(p.name)
            if key not in kwargs:
                if p.optional:
                    continue
                if raise_:
                    missing = [f'"{q.name}"' for q in params[i:] if not q.optional]
                    s = "s" if len(missing) == 1 else ""  # (PyTorch's plural, as it prints it)
                    raise TypeError(
                        f"{name}() missing {len(missing)} required positional argument{s}: "
                        + ", ".join(missing)
                    )
                return False
            value, keyword = kwargs[key], True
            used += 1
        if (value is None and p.none_ok) or _CHECKS[p.kind](value):
            continue
        if raise_:
            where = "" if keyword else f" (position {i + 1})"
            raise TypeError(
                f"{name}(): argument '{p.name}'{where} must be {p.kind}, not {type_name(value)}"
            )
        return False
    if used < len(kwargs):
        if raise_:
            names = {p.name: k for k, p in enumerate(params)}
            names.update({_NUMPY[p.name]: k for k, p in enumerate(params) if p.name in _NUMPY})
            for key in kwargs:
                if key not in names:
                    raise TypeError(f"{name}() got an unexpected keyword argument '{key}'")
                if names[key] < len(args):
                    raise TypeError(f"{name}() got multiple values for argument '{key}'")
        return False
    return True


def check(name: str, options: tuple[str, ...], sigs: tuple, args: tuple, kwargs: dict) -> None:
    """Raise PyTorch's error when no overload in ``sigs`` (printed as ``options``) takes the
    call; return when one does."""
    if any(_parse(name, s, args, kwargs, False) for s in sigs):
        return
    if len(sigs) == 1:
        _parse(name, sigs[0], args, kwargs, True)
    n = len(args) + len(kwargs)
    fits = [s for s in sigs if sum(not p.optional for p in s) <= n <= len(s)]
    if len(fits) == 1:
        _parse(name, fits[0], args, kwargs, True)
    raise invalid_args(name, args, kwargs, options)


_SORT = "bool stable, int dim = -1, bool descending = False"
#: ``name: (method overloads, function overloads, parameters that take None)``, as PyTorch
#: 2.13 prints them
SCHEMAS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "sort": (
        (f"(*, {_SORT})", "(int dim = -1, bool descending = False)"),
        (
            f"(Tensor input, *, {_SORT}, tuple of Tensors out = None)",
            "(Tensor input, int dim = -1, bool descending = False, *, tuple of Tensors out = None)",
        ),
        ("stable",),
    ),
    "argsort": (
        (f"(*, {_SORT})", "(int dim = -1, bool descending = False)"),
        (
            f"(Tensor input, *, {_SORT}, Tensor out = None)",
            "(Tensor input, int dim = -1, bool descending = False)",
        ),
        ("stable",),
    ),
    "topk": (
        ("(int k, int dim = -1, bool largest = True, bool sorted = True)",),
        (
            "(Tensor input, int k, int dim = -1, bool largest = True, bool sorted = True, *, "
            "tuple of Tensors out = None)",
        ),
        (),
    ),
}


def parsed(
    fn: Callable, name: str, options: tuple[str, ...], none_ok: tuple, method: bool
) -> Callable:
    """``fn`` behind PyTorch's parser for ``options`` (a method's: ``self`` not counted)."""
    sigs = tuple(signature(o, none_ok) for o in options)
    accepted: set = set()  # the argument types of calls that passed (a Tensor only as input)
    first = 0 if method else 1

    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        given = args[1:] if method else args
        key = (tuple(map(type, given)), tuple(kwargs), tuple(map(type, kwargs.values())))
        if key not in accepted:
            check(name, options, sigs, given, kwargs)
            values = [*given[first:], *(v for k, v in kwargs.items() if k != "input")]
            if not any(isinstance(v, Tensor) for v in values):  # (a 0-d int tensor's dtype)
                accepted.add(key)
        return fn(*args, **kwargs)

    return pass_through(call)


def bind(namespace: dict[str, Any], cls: type) -> None:
    """Put ``SCHEMAS``' ops behind the parser, as ``jitgrad.<name>`` and ``Tensor.<name>``."""
    for name, (methods, functions, none_ok) in SCHEMAS.items():
        namespace[name] = parsed(namespace[name], name, functions, none_ok, False)
        setattr(cls, name, parsed(cls.__dict__[name], name, methods, none_ok, True))
