"""``assert_close``: PyTorch's comparison of numbers, tensors, tensor-likes and nested
sequences/mappings of them, with its defaults and its messages word for word.

The comparison walks the two inputs together; the first mismatch raises. A mismatch found
inside a container names its position (``The failure occurred for item [0]['w']``) and a
``msg`` replaces (a string) or rewrites (a callable) the whole message.
"""

from __future__ import annotations

import cmath
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from .. import dtypes as D
from ..frontend.creation import as_tensor
from ..frontend.tensor import Tensor

#: PyTorch's default (rtol, atol) per dtype; every other dtype compares exactly
_PRECISIONS = {
    "float16": (1e-3, 1e-5),
    "bfloat16": (1.6e-2, 1e-5),
    "float32": (1.3e-6, 1e-5),
    "float64": (1e-7, 1e-7),
    "complex64": (1.3e-6, 1e-5),
    "complex128": (1e-7, 1e-7),
}
#: the dtype PyTorch gives a Python number when choosing its tolerances
_NUMBER_DTYPES = {int: "int64", float: "float64"}


class _Mismatch(Exception):  # noqa: N818 - internal signal, carries the error to raise
    def __init__(self, kind: type[Exception], msg: str, where: tuple = ()) -> None:
        super().__init__(msg)
        self.kind, self.msg, self.where = kind, msg, where


def _tolerances(names: Sequence[str], rtol: float | None, atol: float | None, where: tuple):
    if (rtol is None) != (atol is None):
        raise _Mismatch(
            ValueError,
            "Both 'rtol' and 'atol' must be either specified or omitted, "
            f"but got no {'rtol' if rtol is None else 'atol'}.",
            where,
        )
    if rtol is not None:
        return rtol, atol
    pairs = [_PRECISIONS.get(n, (0.0, 0.0)) for n in names]
    return max(p[0] for p in pairs), max(p[1] for p in pairs)


def _diff_line(kind: str, diff: float, idx: tuple | None, tol: float, equality: bool) -> str:
    if idx is None:
        line = f"{kind.title()} difference: {diff}"
    else:
        line = f"Greatest {kind} difference: {diff} at index {idx}"
    return line + ("" if equality else f" (up to {tol} allowed)") + "\n"


def _message(what: str, extra: str, diffs: tuple, rtol: float, atol: float) -> str:
    """PyTorch's ``<what> are not close!`` text (``equal`` when both tolerances are 0)."""
    equality = rtol == 0 and atol == 0
    abs_diff, abs_idx, rel_diff, rel_idx = diffs
    msg = f"{what} are not {'equal' if equality else 'close'}!\n\n{extra.strip()}\n"
    msg += _diff_line("absolute", abs_diff, abs_idx, atol, equality)
    msg += _diff_line("relative", rel_diff, rel_idx, rtol, equality)
    return msg.strip()


def _compare_numbers(actual: Any, expected: Any, opts: dict, where: tuple) -> None:
    a, e = (x.item() if isinstance(x, np.generic) else x for x in (actual, expected))
    rtol, atol = _tolerances(
        [_NUMBER_DTYPES.get(type(x), "float64") for x in (a, e)],
        opts["rtol"],
        opts["atol"],
        where,
    )
    if opts["check_dtype"] and type(a) is not type(e):
        raise _Mismatch(
            AssertionError, f"The (d)types do not match: {type(a)} != {type(e)}.", where
        )
    if a == e or (opts["equal_nan"] and cmath.isnan(a) and cmath.isnan(e)):
        return
    diff = abs(a - e)
    if cmath.isfinite(diff) and diff <= atol + rtol * abs(e):
        return
    rel = math.inf if e == 0 else diff / abs(e)
    msg = _message("Scalars", f"Expected {e} but got {a}.", (diff, None, rel, None), rtol, atol)
    raise _Mismatch(AssertionError, msg, where)


def _attribute(name: str, a: Any, e: Any, where: tuple) -> None:
    raise _Mismatch(
        AssertionError, f"The values for attribute '{name}' do not match: {a} != {e}.", where
    )


def _unravel(flat: int, shape: tuple) -> tuple:
    return tuple(int(i) for i in np.unravel_index(flat, shape)) if shape else ()


def _compare_tensors(actual: Tensor, expected: Tensor, opts: dict, where: tuple) -> None:
    rtol, atol = _tolerances(
        [actual._dtype.name, expected._dtype.name], opts["rtol"], opts["atol"], where
    )
    if actual.shape != expected.shape:
        _attribute("shape", actual.shape, expected.shape, where)
    if opts["check_stride"] and actual.stride() != expected.stride():
        _attribute("stride()", actual.stride(), expected.stride(), where)
    if opts["check_device"] and actual.device != expected.device:
        _attribute("device", actual.device, expected.device, where)
    if opts["check_dtype"] and actual._dtype is not expected._dtype:
        _attribute("dtype", actual._dtype, expected._dtype, where)
    dt = D.promote(actual._dtype, expected._dtype)
    a = np.asarray(actual.detach().cpu()._value).astype(dt.np)
    e = np.asarray(expected.detach().cpu()._value).astype(dt.np)
    with np.errstate(all="ignore"):
        matches = np.isclose(a, e, rtol=rtol, atol=atol, equal_nan=opts["equal_nan"])
        inexact = dt.is_floating_point or dt.is_complex
        if dt is D.bool_ or not inexact:  # exact, like isclose on integers
            matches = a == e
        if matches.all():
            return
        if a.ndim == 0:
            _compare_numbers(a.item(), e.item(), {**opts, "rtol": rtol, "atol": atol}, where)
            return
        if not inexact:
            a, e = a.astype(np.int64), e.astype(np.int64)
        abs_diff = np.abs(a - e).reshape(-1)  # real even for complex inputs
        abs_diff[matches.reshape(-1)] = 0
        rel_dtype = abs_diff.dtype if inexact else D.get_default_dtype().np
        rel_diff = (abs_diff / np.abs(e.reshape(-1))).astype(rel_dtype)
        rel_diff[matches.reshape(-1)] = 0
    total, bad = matches.size, int(matches.size - matches.sum())
    extra = f"Mismatched elements: {bad} / {total} ({bad / total:.1%})"
    ia, ir = _argmax(abs_diff), _argmax(rel_diff)
    diffs = (abs_diff[ia].item(), _unravel(ia, a.shape), rel_diff[ir].item(), _unravel(ir, a.shape))
    raise _Mismatch(AssertionError, _message("Tensor-likes", extra, diffs, rtol, atol), where)


def _argmax(x: np.ndarray) -> int:
    """torch.max's index: the first NaN if any, else the first maximum."""
    nan = np.isnan(x) if x.dtype.kind == "f" else np.zeros(x.shape, bool)
    return int(np.argmax(nan)) if nan.any() else int(np.argmax(x))


def _is_sequence(x: Any) -> bool:
    return isinstance(x, Sequence) and not isinstance(x, str)


def _compare(actual: Any, expected: Any, opts: dict, where: tuple) -> None:
    if _is_sequence(actual) and _is_sequence(expected):
        if len(actual) != len(expected):
            raise _Mismatch(
                AssertionError,
                f"The length of the sequences mismatch: {len(actual)} != {len(expected)}",
                where,
            )
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            _compare(a, e, opts, (*where, i))
        return
    if isinstance(actual, Mapping) and isinstance(expected, Mapping):
        keys_a, keys_e = set(actual), set(expected)
        if keys_a != keys_e:
            raise _Mismatch(
                AssertionError,
                "The keys of the mappings do not match:\n"
                f"Missing keys in the actual mapping: {sorted(keys_e - keys_a)}\n"
                f"Additional keys in the actual mapping: {sorted(keys_a - keys_e)}",
                where,
            )
        try:
            keys = sorted(keys_a)
        except TypeError:
            keys = list(actual)
        for k in keys:
            _compare(actual[k], expected[k], opts, (*where, k))
        return
    _compare_leaves(actual, expected, opts, where)


def _compare_leaves(actual: Any, expected: Any, opts: dict, where: tuple) -> None:
    if actual is None or expected is None:
        if actual is not expected:
            raise _Mismatch(AssertionError, f"None mismatch: {actual} is not {expected}", where)
        return
    booleans = (bool, np.bool_)
    if isinstance(actual, booleans) and isinstance(expected, booleans):
        if bool(actual) is not bool(expected):
            raise _Mismatch(
                AssertionError,
                f"Booleans mismatch: {bool(actual)} is not {bool(expected)}",
                where,
            )
        return
    numbers = (int, float, np.number)
    if isinstance(actual, numbers) and isinstance(expected, numbers):
        _compare_numbers(actual, expected, opts, where)
        return
    related = isinstance(actual, type(expected)) or isinstance(expected, type(actual))
    if related and (opts["allow_subclasses"] or type(actual) is type(expected)):
        try:
            a = actual if isinstance(actual, Tensor) else as_tensor(actual)
            e = expected if isinstance(expected, Tensor) else as_tensor(expected)
        except (TypeError, ValueError, RuntimeError):
            a = e = None
        if a is not None:
            _compare_tensors(a, e, opts, where)
            return
    raise _Mismatch(
        TypeError,
        f"No comparison pair was able to handle inputs of type {type(actual)} and "
        f"{type(expected)}.",
        where,
    )


def assert_close(
    actual: Any,
    expected: Any,
    *,
    allow_subclasses: bool = True,
    rtol: float | None = None,
    atol: float | None = None,
    equal_nan: bool = False,
    check_device: bool = True,
    check_dtype: bool = True,
    check_layout: bool = True,
    check_stride: bool = False,
    msg: str | Callable[[str], str] | None = None,
) -> None:
    """Assert ``actual`` and ``expected`` are close: ``|actual - expected| <= atol + rtol *
    |expected|`` elementwise, with PyTorch's defaults per dtype (float32: 1.3e-6 / 1e-5,
    float64: 1e-7 / 1e-7, integers and bool: exact), after checking shape, device and dtype."""
    opts = {
        "allow_subclasses": allow_subclasses,
        "rtol": rtol,
        "atol": atol,
        "equal_nan": equal_nan,
        "check_device": check_device,
        "check_dtype": check_dtype,
        "check_stride": check_stride,
    }
    try:
        _compare(actual, expected, opts, ())
    except _Mismatch as m:
        if isinstance(msg, str):
            raise m.kind(msg) from None
        text = m.msg
        if m.where:
            text += f"\n\nThe failure occurred for item {''.join(str([i]) for i in m.where)}"
        raise m.kind(msg(text) if callable(msg) else text) from None
