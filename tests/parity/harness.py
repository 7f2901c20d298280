"""Run one parity program under a torch-like module and encode what it produced as JSON data.

Shared by ``record.py`` (run under real PyTorch) and ``tests/test_parity.py`` (run under
jitgrad), so both sides are encoded by the same code. It imports neither library: a tensor is
recognised by its attributes, a dtype by its type name, so the two encodings are comparable.
"""

from __future__ import annotations

import math
import warnings
from typing import Any


def _dtype_name(dtype: Any) -> str:
    """``torch.float32`` and ``jitgrad.float32`` both become ``float32``."""
    return str(dtype).rsplit(".", 1)[-1]


def _is_tensor(v: Any) -> bool:
    return hasattr(v, "grad_fn") and hasattr(v, "tolist") and hasattr(v, "dtype")


def encode(v: Any) -> Any:
    """A JSON-ready description: tensors keep values, dtype, shape, requires_grad and node name."""
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, float):
        return {"float": v if math.isfinite(v) else repr(v)}
    if _is_tensor(v):
        node = v.grad_fn
        return {
            "tensor": _plain(v.detach().tolist()),
            "dtype": _dtype_name(v.dtype),
            "shape": list(v.shape),
            "requires_grad": bool(v.requires_grad),
            "grad_fn": None if node is None else node.name(),
        }
    if hasattr(v, "next_functions") and hasattr(v, "name"):
        return {"node": v.name()}
    if type(v).__name__ == "dtype":
        return {"dtype": _dtype_name(v)}
    if isinstance(v, (tuple, list)):
        kind = type(v).__name__ if type(v).__name__ in ("tuple", "list", "Size") else "tuple"
        return {kind: [encode(x) for x in v]}
    if isinstance(v, dict):
        return {"dict": {str(k): encode(x) for k, x in v.items()}}
    return {"object": type(v).__name__}


def _plain(values: Any) -> Any:
    """Nested lists with non-finite floats spelled as strings (JSON has no NaN)."""
    if isinstance(values, list):
        return [_plain(x) for x in values]
    if isinstance(values, float) and not math.isfinite(values):
        return repr(values)
    return values


def _renamed(v: Any, prefix: str) -> Any:
    """Strings with ``jitgrad.`` read as ``torch.``: the library names itself (``jitgrad.float32``,
    ``jitgrad.FloatTensor``) where PyTorch names ``torch``; nothing else is rewritten."""
    if isinstance(v, str):
        return v.replace(prefix, "torch.")
    if isinstance(v, list):
        return [_renamed(x, prefix) for x in v]
    if isinstance(v, dict):
        return {k: _renamed(x, prefix) for k, x in v.items()}
    return v


def run(code: str, module: Any) -> dict:
    """Execute ``code`` with ``torch`` bound to ``module``; return its ``result`` or its error."""
    return _renamed(_run(code, module), module.__name__ + ".")


def _run(code: str, module: Any) -> dict:
    namespace = {"torch": module, "nn": module.nn, "F": module.nn.functional}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(code, namespace)
    except Exception as exc:  # the error itself is what is recorded
        return {"error": [type(exc).__name__, str(exc)]}
    return {"result": encode(namespace.get("result"))}


def mismatch(got: Any, want: Any, rtol: float, atol: float, path: str = "") -> str | None:
    """The first difference between two encodings (floats within tolerance), or None."""
    if isinstance(want, dict) and isinstance(got, dict):
        if set(got) != set(want):
            return f"{path}: keys {sorted(got)} != {sorted(want)}"
        for key in want:
            if key == "float" or key == "tensor":
                err = _close(got[key], want[key], rtol, atol, f"{path}.{key}")
            else:
                err = mismatch(got[key], want[key], rtol, atol, f"{path}.{key}")
            if err:
                return err
        return None
    if isinstance(want, list) and isinstance(got, list):
        if len(got) != len(want):
            return f"{path}: length {len(got)} != {len(want)}"
        for i, (g, w) in enumerate(zip(got, want)):
            err = mismatch(g, w, rtol, atol, f"{path}[{i}]")
            if err:
                return err
        return None
    if got != want or type(got) is not type(want):
        return f"{path}: {got!r} != {want!r}"
    return None


def _close(got: Any, want: Any, rtol: float, atol: float, path: str) -> str | None:
    if isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            return f"{path}: {got!r} != {want!r}"
        for i, (g, w) in enumerate(zip(got, want)):
            err = _close(g, w, rtol, atol, f"{path}[{i}]")
            if err:
                return err
        return None
    if isinstance(want, float) and isinstance(got, float):
        if abs(got - want) <= atol + rtol * abs(want):
            return None
        return f"{path}: {got!r} != {want!r} (rtol={rtol}, atol={atol})"
    if got != want or type(got) is not type(want):
        return f"{path}: {got!r} != {want!r}"
    return None
