"""PyTorch's words for a bad argument, built in one place and raised by the op that got it.

PyTorch checks Python arguments in its argument parser (``torch/csrc/utils/
python_arg_parser.cpp``) and answers a wrong one in one of a few shapes, picked by how many
overloads the function has:

* one overload (``exp``, ``reshape``, ``mul``): ``exp(): argument 'input' (position 1) must
  be Tensor, not str``; for a list of ints whose first element is wrong, ``... must be tuple
  of ints, but found element of type float at pos 0``;
* several overloads (``zeros``, ``sum``, ``pow``, ``where``): ``sum() received an invalid
  combination of arguments - got (dim=float, ), but expected one of: ...``;
* a list whose first element passed but a later one did not: ``zeros(): argument 'size'
  failed to unpack the object at pos 2 with error "type must be tuple of ints,but got
  float"`` (that position counts from 1).

jitgrad's ops run their normal path first and call these helpers only once something is
wrong, or in code that runs once per signature (an elementwise op's plan), so the checks cost
the common call nothing. Sizes are checked here too, before anything is allocated: a size
whose byte count overflows gets PyTorch's ``Storage size calculation overflowed`` error, and
an allocation the system refuses becomes PyTorch's ``DefaultCPUAllocator`` RuntimeError
instead of numpy's ``MemoryError``.
"""

from __future__ import annotations

import functools
import inspect
import math
import operator
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..dtypes import dtype as DType
from ..helpers import pass_through
from ..memory import STORAGE_MAX, negative_dim, storage_nbytes
from .overloads import OVERLOADS, format_invalid, type_name
from .tensor import Tensor

__all__ = ["type_name"]  # re-exported: callers take it from here

#: The largest storage PyTorch allows, in bytes (``storage_max()`` in c10: int64's maximum).


def must_be(fn: str, param: str, pos: int | None, want: str, obj: Any) -> TypeError:
    """``fn(): argument 'param' (position pos) must be want, not T`` (keyword: no position)."""
    where = f" (position {pos})" if pos else ""
    return TypeError(f"{fn}(): argument '{param}'{where} must be {want}, not {type_name(obj)}")


def invalid_args(
    fn: str,
    args: Sequence[Any],
    kwargs: dict[str, Any] | None = None,
    options: Sequence[str] | None = None,
) -> TypeError:
    """PyTorch's error for a call no overload of ``fn`` accepts (``options``: the overloads'
    signatures as PyTorch prints them; default ``OVERLOADS[fn]``)."""
    if options is None:
        options = OVERLOADS.get(fn, ())
    return TypeError(format_invalid(fn, args, kwargs or {}, options))


def as_int(obj: Any) -> int | None:
    """``obj`` as an int the way PyTorch's parser takes one (a Python or numpy integer, an
    ``__index__`` object, a one-element integer tensor), else None; never a bool or float."""
    if type(obj) is int:
        return obj
    if isinstance(obj, bool | np.bool_ | float | np.floating):
        return None
    if isinstance(obj, Tensor):
        arr = obj._value
        return int(arr.reshape(-1)[0]) if arr.size == 1 and arr.dtype.kind in "iu" else None
    try:
        return operator.index(obj)
    except TypeError:
        return None


def int_list(
    fn: str, param: str, args: Sequence[Any], pos: int = 1, overloads: bool = False
) -> tuple[int, ...]:
    """A size or dims list given as ``f(2, 3)`` or ``f((2, 3))``, checked as PyTorch does.

    PyTorch reads ``f(2, 3)`` as one int list only when the first argument is an int; else
    the arguments are positional, so ``f(2.0, 3)`` is one argument too many. ``overloads``:
    several of ``fn``'s overloads take this many arguments, so a bad first element gets the
    invalid-combination error instead.
    """
    # f((2, 3)) lists its sizes; f(2, 3) and f(None) are varargs
    listed = len(args) == 1 and isinstance(args[0], tuple | list)
    seq = args[0] if listed else args
    if seq and type(seq[0]) is not int and as_int(seq[0]) is None:
        if overloads:
            raise invalid_args(fn, args)
        if len(args) > 1:
            raise TypeError(f"{fn}() takes 1 positional argument but {len(args)} were given")
        if not listed:
            raise must_be(fn, param, pos, "tuple of ints", args[0])
        raise TypeError(
            f"{fn}(): argument '{param}' (position {pos}) must be tuple of ints, but found "
            f"element of type {type_name(seq[0])} at pos 0"
        )
    out = []
    for k, item in enumerate(seq):
        value = as_int(item)
        if value is None:
            raise _unpack_error(
                fn, param, k, f"type must be tuple of ints,but got {type_name(item)}"
            )
        if not -(1 << 63) <= value < 1 << 63:
            raise _unpack_error(fn, param, k, "Overflow when unpacking long long")
        out.append(value)
    return tuple(out)


def int_list_method(fn: Any, name: str, param: str) -> Any:
    """``fn(self, dims)`` as the method PyTorch's parser makes of it: when the one positional
    parameter is an int list, ``x.flip(0, 1)`` means ``x.flip((0, 1))`` (the function
    ``torch.flip(x, 0, 1)`` stays an error), and one argument gets the int list's checks.
    ``param=`` is that list; other keywords, and the single argument of a method with other
    overloads, go to ``fn``."""

    several = name in OVERLOADS  # squeeze(): also squeeze(int); squeeze() with none

    def method(self: Tensor, *args: Any, **kwargs: Any) -> Any:
        given = kwargs
        if not args and param in kwargs:  # x.permute(dims=(1, 0)): as one positional
            kwargs = dict(kwargs)
            args = (kwargs.pop(param),)
        n = len(args)
        if several and n == 1 and not _fits_one_overload(name, args[0]):
            # x.squeeze(None), x.hsplit("a"), x.hsplit((1.0, 2)); x.squeeze(dim="a") as written
            raise invalid_args(name, args) if given is kwargs else invalid_args(name, (), given)
        if not n or (several and n == 1):
            return fn(self, *args, **kwargs)
        # plain ints (x.view(4, 6), x.view((4, 6))) are what int_list returns: no checks
        # to run (reshape and view are per-op paths)
        seq = args[0] if n == 1 and type(args[0]) is tuple else args
        for item in seq:
            if type(item) is not int:
                return fn(self, int_list(name, param, args, overloads=several), **kwargs)
        return fn(self, seq, **kwargs)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = fn.__doc__
    return method


def _fits_one_overload(name: str, arg: Any) -> bool:
    """Whether the one argument of a method with an int overload and an int-list overload
    (squeeze, hsplit, count_nonzero...) fits one of them: an int, a list of ints, None
    where an overload's parameter defaults to None, or a dtype where one takes it
    (``x.view(torch.int32)``)."""
    if isinstance(arg, DType):
        return any("torch.dtype" in option for option in OVERLOADS[name])
    if arg is None:
        return any("= None" in option for option in OVERLOADS[name])
    if isinstance(arg, tuple | list):  # (PyTorch's int-list test reads the first item only;
        return not arg or as_int(arg[0]) is not None  # a later one fails to unpack)
    return as_int(arg) is not None


def _unpack_error(fn: str, param: str, k: int, error: str) -> TypeError:
    return TypeError(
        f"{fn}(): argument '{param}' failed to unpack the object at pos {k + 1} with error "
        f'"{error}"'
    )


def keepdim_bool(fn: str, keepdim: Any, pos: int = 2) -> None:
    """PyTorch's parser takes only a bool for ``keepdim``: ``x.sum(0, 1)`` is its TypeError
    (the int list is not varargs there). ``pos`` is the method's position."""
    if keepdim is not None and not isinstance(keepdim, bool | np.bool_):
        raise must_be(fn, "keepdim", pos, "bool", keepdim)


def reduction_arity(fn: str, method: bool, given: int) -> TypeError:
    """PyTorch's parser on a ``(dim, keepdim)`` reduction given ``given`` positional
    arguments after the tensor (``x.sum(0, 1, 2)``: the dims are not varargs there); the
    function form counts the tensor too."""
    least, most, n = (1, 2, given) if method else (2, 3, given + 1)
    return TypeError(f"{fn}() takes from {least} to {most} positional arguments but {n} were given")


def dim_int(fn: str, dim: Any, pos: int | None = 1, param: str = "dim") -> int:
    """A single ``dim`` argument as an int, or PyTorch's single-overload TypeError."""
    value = as_int(dim)
    if value is None:
        raise must_be(fn, param, pos, "int", dim)
    return value


def alloc_error(nbytes: int) -> RuntimeError:
    """PyTorch's CPU allocator error, for an allocation the system refused (ENOMEM)."""
    return RuntimeError(
        f"DefaultCPUAllocator: can't allocate memory: you tried to allocate {nbytes} bytes. "
        "Error code 12 (Cannot allocate memory)"
    )


def alloc_failed(shape: Sequence[int], itemsize: int) -> RuntimeError:
    """What to raise when numpy could not allocate ``shape`` (MemoryError, or ValueError for
    a size past its limit): PyTorch's overflow or allocator error; past 64 dims, NumPy's
    limit (not PyTorch's), jitgrad's own words."""
    if len(shape) > 64:
        return RuntimeError(f"jitgrad holds up to 64 dims (NumPy's limit), not {len(shape)}")
    nbytes = math.prod(shape) * itemsize
    if nbytes > STORAGE_MAX:
        return RuntimeError(f"Storage size calculation overflowed with sizes={list(shape)}")
    return alloc_error(nbytes)


def allocate(shape: Sequence[int], dtype: np.dtype, fill: Any = None) -> np.ndarray:
    """``np.empty`` (``fill`` None) or ``np.full`` with the size checked first and an
    allocation failure reported as PyTorch reports it."""
    dtype = np.dtype(dtype)
    nbytes = storage_nbytes(shape, dtype.itemsize)
    try:
        if fill is None:
            return np.empty(tuple(shape), dtype)
        if fill == 0:
            return np.zeros(tuple(shape), dtype)
        return np.full(tuple(shape), fill, dtype)
    except MemoryError:
        raise alloc_error(nbytes) from None


# ---- dims -------------------------------------------------------------------------------------
#: Single-overload functions and what their ``dim`` must be (the others, ``sum`` or ``max``,
#: get the invalid-combination error with their ``OVERLOADS``). PyTorch 2.13 has no
#: named-tensor overloads, so a ``str`` dim is just a wrong type.
_SINGLE = {"amax": "tuple of ints", "amin": "tuple of ints", "logsumexp": "tuple of ints"}
_SINGLE.update(
    dict.fromkeys(
        "argmax argmin unsqueeze movedim moveaxis narrow softmax log_softmax cumsum cumprod "
        "unbind select flatten transpose".split(),
        "int",
    )
)


def dims_arg(fn: str, dim: Any, ndim: int, pos: int | None = None) -> tuple[int, ...]:
    """A reduction's ``dim=`` that is not a plain int: a list of ints, or PyTorch's error
    (``pos``: the call gave ``dim`` by that position, which PyTorch's words reflect)."""
    if not isinstance(dim, tuple | list):
        if fn in _SINGLE:
            raise must_be(fn, "dim", pos, _SINGLE[fn], dim)
        raise invalid_args(fn, (dim,)) if pos else invalid_args(fn, (), {"dim": dim})
    out = []
    for k, item in enumerate(dim):
        value = as_int(item)
        if value is None and k == 0:
            if fn in _SINGLE:
                raise TypeError(
                    f"{fn}(): argument 'dim' must be tuple of ints, but found element of type "
                    f"{type_name(item)} at pos 0"
                )
            raise invalid_args(fn, (dim,)) if pos else invalid_args(fn, (), {"dim": dim})
        if value is None:
            raise _unpack_error(
                fn, "dim", k, f"type must be tuple of ints,but got {type_name(item)}"
            )
        out.append(value)
    return tuple(out)


def dim_arg(fn: str, dim: Any, ndim: int, args: Sequence[Any] | None = None) -> int:
    """One ``dim`` argument as an int, or PyTorch's error (``args``: the call's arguments for
    an invalid-combination message; default just ``dim``)."""
    value = as_int(dim)
    if value is not None:
        return value
    if fn in _SINGLE:
        raise must_be(fn, "dim", 1, _SINGLE[fn], dim)
    raise invalid_args(fn, (dim,) if args is None else args)


def tensor_list(fn: str, tensors: Any) -> list:
    """``cat``/``stack``'s first argument: a list or tuple of tensors, checked as PyTorch's
    parser checks a ``TensorList``."""
    if not isinstance(tensors, list | tuple):
        raise must_be(fn, "tensors", 1, "tuple of Tensors", tensors)
    for k, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {k} in argument 0, but got {type_name(t)}")
    return list(tensors)


def list_dim(fn: str, args: Sequence[Any], dim: Any) -> int:
    """``cat``/``stack``'s ``dim``, given by position (``args``) or keyword: PyTorch's error
    names the position only for a positional one, so the functions take ``*args``."""
    pos = None
    if args:
        if len(args) > 1:
            raise TypeError(
                f"{fn}() takes from 1 to 2 positional arguments but {len(args) + 1} were given"
            )
        dim, pos = args[0], 2
    if type(dim) is int:
        return dim
    value = as_int(dim)
    if value is None:
        raise must_be(fn, "dim", pos, "int", dim)
    return value


def tensor_args(fn: str, names: Sequence[str], values: Sequence[Any]) -> None:
    """PyTorch's error for the first of ``values`` that is not a Tensor (a no-op otherwise)."""
    for k, (name, value) in enumerate(zip(names, values)):
        if not isinstance(value, Tensor):
            raise must_be(fn, name, k + 1, "Tensor", value)


def shape_of(fn: str, other: Any) -> tuple[int, ...]:
    """``other.shape`` for ``x.view_as(other)`` and friends; PyTorch's error for a non-Tensor."""
    if not isinstance(other, Tensor):
        raise must_be(fn, "other", 1, "Tensor", other)
    return other.shape


def guard_inputs(namespace: dict[str, Any], names: str) -> None:
    """Wrap the public functions ``names`` of ``namespace`` (``jitgrad.sum`` ...) so that a
    first argument that is not a Tensor gets PyTorch's TypeError at the call.

    Only the function forms are wrapped: methods and jitgrad's own calls (which import the
    op modules' functions) pay nothing. Each wrapper has its function's own signature, so
    the check costs one frame (about 80 ns on the project machine), not an ``*args``
    repacking (200-500 ns).
    """
    for name in names.split():
        namespace[name] = _guarded(namespace[name], name)


def _guarded(fn: Any, name: str) -> Any:
    sig = inspect.signature(fn)
    params, call = [], []
    for p in sig.parameters.values():
        default = "" if p.default is p.empty else f"=_defaults[{p.name!r}]"
        if p.kind is p.VAR_POSITIONAL:
            params.append(f"*{p.name}")
            call.append(f"*{p.name}")
        elif p.kind is p.VAR_KEYWORD:
            params.append(f"**{p.name}")
            call.append(f"**{p.name}")
        elif p.kind is p.KEYWORD_ONLY:
            if not any(q.startswith("*") for q in params):
                params.append("*")
            params.append(p.name + default)
            call.append(f"{p.name}={p.name}")
        else:
            params.append(p.name + default)
            call.append(p.name)
    first = next(iter(sig.parameters))
    source = (
        f"def {name}({', '.join(params)}):\n"
        f"    if {first}.__class__ is not Tensor and not isinstance({first}, Tensor):\n"
        f"        _refuse({first})\n"
        f"    return _fn({', '.join(call)})\n"
    )

    def refuse(value: Any) -> None:  # one argument: one overload takes it, so no list
        raise must_be(name, first, 1, "Tensor", value)

    scope = {
        "Tensor": Tensor,
        "_fn": fn,
        "_refuse": refuse,
        "_defaults": {p.name: p.default for p in sig.parameters.values()},
    }
    exec(source, scope)  # noqa: S102 - our own text, built from the signature
    return functools.update_wrapper(pass_through(scope[name]), fn)


# ---- the size of a factory function (zeros, ones, empty, rand, randn ...) -----------------
def size_arg(size: tuple, kwargs: dict[str, Any], name: str) -> tuple:
    """``size`` given as varargs, one sequence, or the ``size=`` keyword (PyTorch takes all)."""
    if kwargs:
        extra = set(kwargs) - {"size", "generator", "layout", "pin_memory", "memory_format"}
        if extra:
            raise TypeError(f"{name}() got an unexpected keyword argument '{sorted(extra)[0]}'")
        if "size" in kwargs:
            if size:
                raise TypeError(f"{name}() got multiple values for argument 'size'")
            return (kwargs["size"],)
    return size


def shape_arg(fn: str, size: Sequence[Any]) -> tuple[int, ...]:
    """``f(2, 3)`` or ``f((2, 3))`` as a shape; PyTorch's errors for anything else."""
    if not size and fn in ("zeros", "ones", "empty", "rand", "randn"):
        raise TypeError(f'{fn}() missing 1 required positional arguments: "size"')
    shape = int_list(fn, "size", size, overloads=len(size) > 1 and fn in OVERLOADS)
    if shape and min(shape) < 0:
        if fn == "zeros":  # PyTorch 2.13 checks zeros' sizes itself
            raise RuntimeError("zeros: Dimension size must be non-negative.")
        negative_dim(shape)
    return shape
