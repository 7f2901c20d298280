"""Methods and functions behind PyTorch's argument parser where the Python signature
alone answers differently: more positional arguments than a schema takes (PyTorch counts
no ``self``: ``x.amax(0, 1, 2)`` "takes from 0 to 2"), a function whose varargs only the
method reads as an int list (``torch.hsplit(x, 1, 2)``), and a schema's argument types and
missing arguments in PyTorch's words (``as_strided``, ``new_full``)."""

from __future__ import annotations

import functools
from typing import Any

from .argcheck import invalid_args, must_be
from .overloads import as_written, format_invalid, type_name
from .tensor import Size, Tensor


def overloaded_function(fn: Any, options: tuple[str, ...]) -> Any:
    """``fn(input, x)`` as PyTorch's function of these overloads: more positional arguments
    (``torch.hsplit(x, 1, 2)``, which only the method reads as an int list), or a None no
    overload takes (``torch.squeeze(x, None)``), are its invalid-combination TypeError
    listing ``options``, and so is ``fn``'s own (written for the method's overloads)."""
    name = fn.__name__

    takes_none = any("= None" in option for option in options)

    def function(input: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: A002
        if len(args) > 1 or not takes_none and (None in args or None in kwargs.values()):
            raise TypeError(format_invalid(name, (input, *args), kwargs, options))
        try:
            return fn(input, *args, **kwargs)
        except TypeError as err:  # the argument check's message, for the function's overloads
            given = as_written(err, (input, *args), kwargs, options)
            if given is err:
                raise
            raise given from None

    function.__name__ = function.__qualname__ = name
    function.__doc__ = fn.__doc__  # (no __wrapped__: signature() must show the varargs)
    return function


def no_arguments(fn: Any, name: str) -> Any:
    """``fn(self)`` as the method PyTorch binds with no parameters (CPython's ``METH_NOARGS``),
    which words extra arguments as ``TensorBase.msort() takes no arguments (1 given)``."""

    @functools.wraps(fn)
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        if kwargs:
            raise TypeError(f"TensorBase.{name}() takes no keyword arguments")
        if args:
            raise TypeError(f"TensorBase.{name}() takes no arguments ({len(args)} given)")
        return fn(self)

    method.__name__ = method.__qualname__ = name
    return method


def contiguous_arguments(args: tuple, memory_format: Any, name: str = "contiguous") -> None:
    """``Tensor.contiguous``'s (``name``: ``is_contiguous``'s) schema ``(*, MemoryFormat
    memory_format=contiguous_format)``: PyTorch's parser refuses positional arguments and a
    ``memory_format`` of another type."""
    if args:
        n = len(args)
        raise TypeError(
            f"{name}() takes 0 positional arguments but {n} {'was' if n == 1 else 'were'} given"
        )
    if type_name(memory_format) != "torch.memory_format":
        raise must_be(name, "memory_format", None, "torch.memory_format", memory_format)


def positional_method(fn: Any, name: str, least: int, most: int, options: Any = None) -> Any:
    """``fn(self, ...)`` as a method PyTorch's parser reads: more than ``most`` positional
    arguments (after ``self``) are its TypeError: "takes from ``least`` to ``most``" or,
    with ``options`` (the overloads), the invalid-combination text, which a call with fewer
    than ``least`` positional arguments and no keywords also gets (``x.movedim((0, 1))``)."""

    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        n = len(args)
        if n > most or (options and n < least and not kwargs):
            if options:
                raise invalid_args(name, args, kwargs, options)
            raise TypeError(
                f"{name}() takes from {least} to {most} positional arguments but {n} were given"
            )
        return fn(self, *args, **kwargs)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = fn.__doc__
    return method


def schema_method(fn: Any, name: str, params: str, required: int) -> Any:
    """``fn(self, ...)`` behind PyTorch's parser for one schema (``params``: its positional
    parameters after ``self`` as "type name" pairs, comma-separated; ``required``: how many
    have no default): too many positional arguments, then a Tensor or int-list parameter
    given another type, then missing ones, each in PyTorch's words."""
    spec = [tuple(p.strip().rsplit(" ", 1)) for p in params.split(",")]
    most = len(spec)
    count = f"{most}" if required == most else f"from {required} to {most}"

    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        if len(args) > most:
            raise TypeError(
                f"{name}() takes {count} positional arguments but {len(args)} were given"
            )
        for k, (arg, (kind, param)) in enumerate(zip(args, spec, strict=False)):
            wrong = kind == "Tensor" and not isinstance(arg, Tensor)
            if wrong or kind == "tuple of ints" and not isinstance(arg, tuple | list | Size):
                raise must_be(name, param, k + 1, kind, arg)
        missing = [p for _, p in spec[len(args) : required] if p not in kwargs]
        if missing:
            names = ", ".join(f'"{p}"' for p in missing)
            raise TypeError(
                f"{name}() missing {len(missing)} required positional arguments: {names}"
            )
        return fn(self, *args, **kwargs)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = fn.__doc__
    return method
