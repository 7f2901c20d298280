"""Cases for ``arange`` with float steps and the legacy typed constructors
(``torch.FloatTensor`` ...), run the same way on PyTorch (tests/fixtures/
make_creation_legacy_torch.py records them) and on jitgrad (tests/test_creation_legacy.py).

``run(torch)`` returns a JSON-able dict: per case, the dtype name, the shape and the values
(short ranges), a sha256 of the float64 bytes (long ranges, where PyTorch's vectorised
kernel decides the last bit), or the exception type and message.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np

#: (start, end, step, dtype name or None)
ARANGE = [
    (0, 1, 0.1, None),
    (-1, 1, 0.3, "float32"),
    (0, 1, 0.1, "float64"),
    (1, 2.5, 0.5, None),
    (0.5, 10, 1.3, "float16"),
    (0, 1.0, 1 / 3, "float32"),
    (10, 0, -0.7, None),
    (0.1, 0.35, 0.05, "float64"),
    (-3, 3, 0.25, "bfloat16"),
    (2**24, 2**24 + 10, 1.0, "float32"),
    (0, 5, 1.5, "int64"),
    (0, 5, 1.5, "int32"),
    (0.7, 5.2, 1.9, "int64"),
    (0.7, 5.2, 1.9, "int16"),
    (-1, 5, 2.9, "uint8"),
    (0, 10, 0.5, "int32"),
    (0, 10, 0.5, "int64"),
    (0, -5, -1.5, "int64"),
    (-0.5, 3, 1, "int64"),
    (-0.5, 3, 1, "int32"),
    (0, 0.5, 1, "int64"),
    (0, 0.5, 1, "int32"),
    (0.9, 0.2, 1, "int64"),
    (0, 1, 0, None),
    (0, 1, -0.1, None),
    (1, 0, 0.1, None),
    (0, float("inf"), 1, None),
    (0, float("nan"), 1, None),
]

#: long ranges: compared by a hash of every value
ARANGE_LONG = [
    (0.1, 100, 0.37, "float32"),
    (0.3, 50.7, 0.0123, "float32"),
    (-5.3, 7, 0.001, "float32"),
    (0.1, 100, 0.37, "float64"),
    (10, -3, -0.0173, "float64"),
    (0.5, 3000.5, 0.3, "float64"),
    (0.1, 1000, 0.77, "float16"),
    (0.1, 30, 0.01, "float16"),
    (-3, 300, 0.7, "bfloat16"),
    (-1, 1, 0.001, "bfloat16"),
]


def _catch(fn: Any) -> dict:
    try:
        t = fn()
    except Exception as e:  # noqa: BLE001 - the exception is the recorded answer
        return {"error": type(e).__name__, "message": str(e)}
    return t


def _tensor(t: Any, long: bool = False) -> dict:
    v = t.double() if t.dtype.is_floating_point else t.long()
    arr = np.asarray(v.tolist(), dtype=np.float64 if t.dtype.is_floating_point else np.int64)
    out = {"dtype": str(t.dtype).split(".")[1], "shape": list(t.shape)}
    if long:
        out["sha256"] = hashlib.sha256(arr.tobytes()).hexdigest()
    else:
        out["values"] = arr.tolist()
    return out


def _arange(torch: Any, case: tuple, long: bool) -> dict:
    s, e, st, dt = case
    kw = {} if dt is None else {"dtype": getattr(torch, dt)}
    return _catch(lambda: _tensor(torch.arange(s, e, st, **kw), long))


def _legacy(torch: Any) -> dict:
    T = torch
    cases = {
        "Half-sizes": lambda: T.HalfTensor(2, 3),
        "Half-data": lambda: T.HalfTensor([1.5, 2]),
        "BFloat16-data": lambda: T.BFloat16Tensor([1.5, 2.25]),
        "Byte-data": lambda: T.ByteTensor([1, 2]),
        "Char-data": lambda: T.CharTensor([1, -2]),
        "Short-size": lambda: T.ShortTensor(3),
        "Float-empty": lambda: T.FloatTensor(),
        "Float-Size": lambda: T.FloatTensor(torch.Size([2, 1])),
        "Float-tuple-is-data": lambda: T.FloatTensor((2, 1)),
        "Long-nested": lambda: T.LongTensor([[1, 2], [3, 4]]),
        "Bool-data": lambda: T.BoolTensor([0, 1]),
        "Double-data": lambda: T.DoubleTensor([0.1, 2]),
        "Int-data": lambda: T.IntTensor([7, -1]),
        "Float-same-dtype": lambda: T.FloatTensor(torch.tensor([1.0, 2.0])),
        "Float-from-long": lambda: T.FloatTensor(torch.tensor([1, 2])),
        "Half-from-float": lambda: T.HalfTensor(torch.tensor([1.0])),
        "Float-scalar": lambda: T.FloatTensor(2.5),
        "Float-None": lambda: T.FloatTensor(None),
        "Float-str": lambda: T.FloatTensor("a"),
        "Float-dtype-kw": lambda: T.FloatTensor(2, 3, dtype=torch.float64),
        "Int-negative": lambda: T.IntTensor(-1),
        "Float-bad-size": lambda: T.FloatTensor(2, [3]),
        "Float-device-cpu": lambda: T.FloatTensor([1, 2], device="cpu"),
        "Float-device-meta": lambda: T.FloatTensor(2, device="meta"),
    }
    out = {}
    for name, fn in cases.items():
        got = _catch(fn)
        if not isinstance(got, dict):
            got = _tensor(got) if got.dtype is not torch.bfloat16 else _tensor(got.float())
            if name.startswith(("Half-sizes", "Short-size", "Float-Size")):
                got.pop("values")  # PyTorch leaves the memory unset
        out[name] = got
    zeros = torch.zeros(2)
    checks = {
        "float-is-Float": isinstance(zeros, T.FloatTensor),
        "double-is-Float": isinstance(zeros.double(), T.FloatTensor),
        "half-is-Half": isinstance(zeros.half(), T.HalfTensor),
        "float-is-Half": isinstance(zeros, T.HalfTensor),
        "bf16-is-BFloat16": isinstance(zeros.bfloat16(), T.BFloat16Tensor),
        "uint8-is-Byte": isinstance(zeros.to(torch.uint8), T.ByteTensor),
        "int-is-Float": isinstance(3, T.FloatTensor),
        "param-is-Float": isinstance(torch.nn.Parameter(zeros), T.FloatTensor),
        "Float-is-Tensor-subclass": issubclass(T.FloatTensor, torch.Tensor),
        "type-of-built": type(T.FloatTensor([1])).__name__,
        "names": [c.__name__ for c in (T.HalfTensor, T.BFloat16Tensor, T.ByteTensor)],
        "repr": repr(T.ShortTensor),
        "dtypes": [str(c.dtype) for c in (T.HalfTensor, T.CharTensor)],
        "type-str": T.HalfTensor([1]).type(),
        "to-Half": str(zeros.type(T.HalfTensor).dtype),
        "to-BFloat16": str(zeros.type(T.BFloat16Tensor).dtype),
        "to-Byte-name": str(zeros.type("torch.ByteTensor").dtype),
    }
    out["checks"] = {
        k: v.replace("jitgrad", "torch")
        if isinstance(v, str)
        else [x.replace("jitgrad", "torch") for x in v]
        if isinstance(v, list)
        else v
        for k, v in checks.items()
    }
    return out


def run(torch: Any) -> dict:
    return {
        "arange": [_arange(torch, c, False) for c in ARANGE],
        "arange_long": [_arange(torch, c, True) for c in ARANGE_LONG],
        "legacy": _legacy(torch),
    }
