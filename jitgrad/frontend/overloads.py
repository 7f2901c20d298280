"""PyTorch's "invalid combination of arguments" message, written the way its parser writes it.

When no overload of a function accepts a call, PyTorch (``torch/csrc/utils/
invalid_arguments.cpp``) lists every overload's signature, and under each one whose
argument count equals the call's adds why it did not match: the keywords it does not know,
or the call's argument types with the mismatched ones between ``!`` marks (ANSI colours when
stdout and stderr are terminals). Its count and type tests are textual (a signature part
``Tensor min = None`` has type ``Tensor min =``, which nothing matches; ``()`` has one empty
part); this module reproduces them, because the message is compared word for word.

``OVERLOADS`` holds the signatures of the functions whose bad calls get this message, as
PyTorch 2.13 prints them (recorded in ``tests/hostile_expected.json``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

_SUM = (
    "(*, torch.dtype dtype = None)",
    "(tuple of ints dim, bool keepdim = False, *, torch.dtype dtype = None)",
)
_MAX = ("()", "(Tensor other)", "(int dim, bool keepdim = False)")
_VAR = (
    "(tuple of ints dim, bool unbiased = True, bool keepdim = False)",
    "(tuple of ints dim = None, *, Number correction = None, bool keepdim = False)",
    "(bool unbiased = True)",
)
_ALL = ("()", "(tuple of ints dim = None, bool keepdim = False)", "(int dim, bool keepdim = False)")
_COMPARE = (
    "(Tensor input, Tensor other, *, Tensor out = None)",
    "(Tensor input, Number other, *, Tensor out = None)",
)
_FACTORY = (
    "torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, "
    "bool pin_memory = False, bool requires_grad = False)"
)
_RANDOM = (
    f"(tuple of ints size, *, torch.Generator generator, Tensor out = None, {_FACTORY}",
    f"(tuple of ints size, *, Tensor out = None, {_FACTORY}",
)

#: ``torch.sum``/``torch.mean``'s overloads (the function forms: the tensor and ``out``).
FUNCTION_OVERLOADS: dict[str, tuple[str, ...]] = {
    "sum": (
        "(Tensor input, *, torch.dtype dtype = None)",
        "(Tensor input, tuple of ints dim, bool keepdim = False, *, torch.dtype dtype = None, "
        "Tensor out = None)",
    ),
    "mean": (
        "(Tensor input, *, torch.dtype dtype = None, Tensor out = None)",
        "(Tensor input, tuple of ints dim, bool keepdim = False, *, torch.dtype dtype = None, "
        "Tensor out = None)",
    ),
}

#: Each function's overloads, in PyTorch's order (method forms for the reductions).
OVERLOADS: dict[str, tuple[str, ...]] = {
    "sum": _SUM,
    "mean": _SUM,
    "prod": (
        "(*, torch.dtype dtype = None)",
        "(int dim, bool keepdim = False, *, torch.dtype dtype = None)",
    ),
    "max": _MAX,
    "min": _MAX,
    "std": _VAR,
    "var": _VAR,
    "all": _ALL,
    "any": _ALL,
    **dict.fromkeys(("squeeze", "squeeze_"), ("()", "(int dim)", "(tuple of ints dim)")),
    **dict.fromkeys(
        ("movedim", "moveaxis"),
        ("(int source, int destination)", "(tuple of ints source, tuple of ints destination)"),
    ),
    "tensor_split": (
        "(tuple of ints indices, int dim = 0)",
        "(Tensor tensor_indices_or_sections, int dim = 0)",
        "(int sections, int dim = 0)",
    ),
    **dict.fromkeys(("hsplit", "vsplit", "dsplit"), ("(int sections)", "(tuple of ints indices)")),
    "count_nonzero": ("(int dim = None)", "(tuple of ints dim)"),
    "view": ("(torch.dtype dtype)", "(tuple of ints size)"),
    "fill_": ("(Tensor value)", "(Number value)"),
    "masked_fill": ("(Tensor mask, Tensor value)", "(Tensor mask, Number value)"),
    "randn": _RANDOM,
    "rand": _RANDOM,
    "pow": (
        "(Tensor input, Tensor exponent, *, Tensor out = None)",
        "(Number self, Tensor exponent, *, Tensor out = None)",
        "(Tensor input, Number exponent, *, Tensor out = None)",
    ),
    "clamp": (
        "(Tensor input, Tensor min = None, Tensor max = None, *, Tensor out = None)",
        "(Tensor input, Number min = None, Number max = None, *, Tensor out = None)",
    ),
    "where": (
        "(Tensor condition)",
        "(Tensor condition, Tensor input, Tensor other, *, Tensor out = None)",
        "(Tensor condition, Number self, Tensor other)",
        "(Tensor condition, Tensor input, Number other)",
        "(Tensor condition, Number self, Number other)",
    ),
    "floor_divide": (
        "(Tensor input, Tensor other, *, Tensor out = None)",
        "(Tensor input, Number other)",
    ),
    **dict.fromkeys(("eq", "ne", "lt", "le", "gt", "ge"), _COMPARE),
}


#: PyTorch's C types that jitgrad writes as Python classes, by the name PyTorch prints
_TORCH_C_TYPES = {
    "device": "torch.device", "dtype": "torch.dtype", "Size": "torch.Size",
    "Generator": "torch._C.Generator", "layout": "torch.layout",
    "memory_format": "torch.memory_format", "finfo": "torch.finfo", "iinfo": "torch.iinfo",
}  # fmt: skip


def type_name(obj: Any) -> str:
    """The type name PyTorch prints for ``obj`` (CPython's ``tp_name``: ``str``,
    ``NoneType``, ``Tensor``, ``numpy.float64``; ``torch.dtype`` for jitgrad's dtype)."""
    t = type(obj)
    if t.__module__.startswith("jitgrad") and t.__name__ in _TORCH_C_TYPES:
        return _TORCH_C_TYPES[t.__name__]
    if t.__module__ == "builtins" or t.__flags__ & (1 << 9):  # Py_TPFLAGS_HEAPTYPE
        return t.__name__
    return f"{t.__module__.split('.')[0]}.{t.__name__}"


def _parts(option: str) -> list[tuple[str, str]]:
    """A signature's ``(type, name)`` parts as PyTorch's error formatter splits them."""
    out = []
    for arg in option[1:-1].split(", "):
        cut = arg.rfind(" ")
        end = cut - 4 if "..." in arg else cut
        out.append((arg[: max(end, 0)] if cut >= 0 else "", arg[cut + 1 :]))
    return out


def _matches(type_text: str, obj: Any) -> bool:
    name = type_name(obj)
    if type_text == "float":
        return name in ("float", "int", "long")
    if type_text == "int":
        return name in ("int", "long")
    return name == type_text


def _describe(obj: Any) -> str:
    """``str``; ``tuple of (int, float)``; ``list of [int]`` (a sequence names its items)."""
    if not isinstance(obj, tuple | list) or type(obj) not in (tuple, list):
        return type_name(obj)
    items = ", ".join(type_name(v) for v in obj)
    if isinstance(obj, tuple):
        return f"tuple of ({items}{',' if len(obj) == 1 else ''})"
    return f"list of [{items}]"


def _marked(parts: list, args: Sequence[Any], kwargs: dict[str, Any]) -> str:
    """The call's types with mismatches marked (red and green on a terminal)."""
    tty = os.isatty(1) and os.isatty(2)
    red, reset_red = ("\33[31;1m", "\33[0m") if tty else ("!", "!")
    green, reset_green = ("\33[32;1m", "\33[0m") if tty else ("", "")
    given = list(args)
    out = []
    for k in range(len(args) + len(kwargs)):
        name = parts[k][1] if k >= len(args) else ""
        obj = given[k] if k < len(args) else kwargs.get(name)
        ok = k < len(parts) and _matches(parts[k][0], obj)
        text = (f"{name}=" if k >= len(args) else "") + _describe(obj)
        out.append((green if ok else red) + text + (reset_green if ok else reset_red) + ", ")
    text = "".join(out)
    return "(" + (text[:-2] if args else text) + ")"  # keywords only: the ", " stays


def format_invalid(
    fn: str, args: Sequence[Any], kwargs: dict[str, Any], options: Sequence[str]
) -> str:
    """PyTorch's ``fn() received an invalid combination of arguments - got ...`` text
    (``kwargs`` in the call's order: PyTorch lists them last given first)."""
    kwargs = dict(reversed(kwargs.items()))
    desc = "(" + "".join(f"{type_name(a)}, " for a in args)
    desc += "".join(f"{k}={type_name(v)}, " for k, v in kwargs.items())
    desc = (desc[:-2] if args else desc) + ")"  # PyTorch keeps the ", " after kwargs only
    text = (
        f"{fn}() received an invalid combination of arguments - got {desc}, but expected one of:\n"
    )
    for option in options:
        text += f" * {option}\n"
        parts = _parts(option)
        if len(parts) != len(args) + len(kwargs):
            continue
        names = {name for _, name in parts[max(len(parts) - len(kwargs), 0) :]}
        unknown = [k for k in kwargs if k not in names]
        if unknown:
            text += "      didn't match because some of the keywords were incorrect: "
            text += ", ".join(unknown) + "\n"
        else:
            text += (
                "      didn't match because some of the arguments have invalid types: "
                + _marked(parts, args, kwargs)
                + "\n"
            )
    return text


_HEAD = "() received an invalid combination of arguments - got "


def as_written(
    err: TypeError,
    args: Sequence[Any],
    kwargs: dict[str, Any],
    options: Sequence[str] | None = None,
) -> TypeError:
    """``err`` if it is no invalid-combination message, else that message for the call as
    the user wrote it (``args``, ``kwargs``), the same overloads listed (or ``options``,
    those of the function where the check was a method's): PyTorch's parser
    describes ``x.squeeze(axis="a")`` as ``(axis=str, )``, and ``axis`` is then a keyword no
    overload knows, where jitgrad's op saw the ``dim=`` it was renamed to."""
    text = str(err)
    cut = text.find(_HEAD)
    if cut < 0:
        return err
    if options is None:
        options = [line[3:] for line in text.splitlines() if line.startswith(" * ")]
    return TypeError(format_invalid(text[:cut], args, kwargs, options))
