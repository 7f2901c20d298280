"""Calls that give an int list as varargs, one tuple, one list, one int, or mis-typed, run
with either library (``torch``: PyTorch 2.13 by tests/fixtures/make_varargs_torch.py into
tests/fixtures/varargs_torch.json; jitgrad by tests/test_varargs.py).

PyTorch's parser reads ``x.flip(0, 1)`` as ``x.flip((0, 1))`` only when the signature's one
positional parameter (after ``self``) is an int list; ``x.std(0, 1)`` (``dim`` then
``unbiased``) is refused. The recorder takes both method lists from PyTorch's own stubs.
"""

# ruff: noqa: B023 - each lambda is called at once, inside its loop turn
from __future__ import annotations

from typing import Any

import numpy as np

#: The int list each varargs method gets, fitting the (1, 2, 1, 3) base tensor
GOOD = {
    "broadcast_to": (2, 2, 1, 3), "count_nonzero": (0, 1), "dsplit": (1, 2),
    "expand": (2, 2, 2, 3), "flip": (0, 1), "hsplit": (1, 2),
    "new_empty": (2, 3), "new_ones": (2, 3), "new_zeros": (2, 3), "permute": (3, 1, 0, 2),
    "repeat": (1, 2, 1, 2), "reshape": (3, 2), "resize_": (2, 3), "squeeze": (0, 2),
    "squeeze_": (0, 2), "sum_to_size": (1, 3), "tile": (2, 1), "view": (3, 2),
    "vsplit": (1, 1),
}  # fmt: skip


def _result(out: Any, values: bool) -> Any:
    if isinstance(out, tuple | list):
        return [_result(t, values) for t in out]
    if not hasattr(out, "shape"):
        return repr(out)
    shape = list(out.shape)
    if not values:  # new_empty: its values are whatever memory held
        return {"shape": shape}
    return {"shape": shape, "values": np.asarray(out.tolist(), dtype=float).ravel().tolist()}


def _outcome(call: Any, values: bool = True) -> Any:
    try:
        return _result(call(), values)
    except Exception as err:  # noqa: BLE001 - recording whatever the library raises
        return {"error": [type(err).__name__, str(err)]}


def _forms(good: tuple[int, ...]) -> dict[str, tuple]:
    """Each way of passing ``good`` (and a few wrong ones) as positional arguments."""
    first, rest = good[0], good[1:]
    return {
        "varargs": good, "tuple": (good,), "list": (list(good),), "int": (first,),
        "float_varargs": (float(first), *rest), "float_last": (*good[:-1], float(good[-1])),
        "float_in_tuple": ((float(first), *rest),), "list_then_int": (list(good), first),
        "int_then_list": (first, list(rest)), "bool_varargs": (True, *rest),
        "none": (None,), "str": ("a",),
    }  # fmt: skip


def run(torch: Any, varargs: dict[str, str], others: list[str]) -> dict:
    """``varargs``: method -> its int-list parameter; ``others``: methods whose int list is
    one of several positional parameters. Keys ``method.form``; torch.* functions ``fn:``."""
    base = lambda: torch.arange(6.0, dtype=torch.float64).reshape(1, 2, 1, 3)  # noqa: E731
    out: dict[str, Any] = {}
    for name, param in sorted(varargs.items()):
        good = GOOD[name]
        values = name not in ("new_empty", "resize_")
        for form, args in _forms(good).items():
            out[f"{name}.{form}"] = _outcome(lambda: getattr(base(), name)(*args), values)
        out[f"{name}.keyword"] = _outcome(lambda: getattr(base(), name)(**{param: good}), values)
        if hasattr(torch, name):
            out[f"fn:{name}.varargs"] = _outcome(lambda: getattr(torch, name)(base(), *good))
            out[f"fn:{name}.tuple"] = _outcome(lambda: getattr(torch, name)(base(), good))
    for name in sorted(others):
        for form, args in {"two_ints": (0, 1), "three_ints": (0, 1, 2), "tuple": ((0, 1),)}.items():
            out[f"{name}.{form}"] = _outcome(lambda: getattr(base(), name)(*args))
    return out
