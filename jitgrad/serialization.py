"""``jitgrad.save`` / ``jitgrad.load``: tensors, state_dicts and plain containers of them.

The file is a zip holding one ``.npy`` per tensor and a JSON description of the container
structure; loading builds tensors and plain containers only, so it never runs code from the
file. ``weights_only=False`` additionally allows a pickle for arbitrary objects (trusted
files only), as PyTorch does.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import zipfile
from collections import OrderedDict
from typing import IO, Any

import numpy as np

from . import dtypes as D
from .tensor import Tensor, _make

_FORMAT = "jitgrad-save-v1"
PathOrFile = str | os.PathLike | IO[bytes]


class UnpicklingError(pickle.UnpicklingError):
    pass


def _encode(obj: Any, arrays: list[np.ndarray]) -> Any:
    from .nn.parameter import Parameter

    if isinstance(obj, Tensor):
        arrays.append(np.asarray(obj._value, order="C"))  # ascontiguousarray makes 0-d 1-d
        kind = "parameter" if isinstance(obj, Parameter) else "tensor"
        return {
            "__kind__": kind,
            "index": len(arrays) - 1,
            "dtype": obj._dtype.np.name,
            "requires_grad": bool(obj._requires_grad),
        }
    if isinstance(obj, OrderedDict | dict):
        if not all(isinstance(k, str | int) for k in obj):
            raise TypeError("jitgrad.save: dict keys must be str or int")
        return {
            "__kind__": "odict" if isinstance(obj, OrderedDict) else "dict",
            "items": [[k, _encode(v, arrays)] for k, v in obj.items()],
        }
    if isinstance(obj, list | tuple):
        kind = "list" if isinstance(obj, list) else "tuple"
        return {"__kind__": kind, "items": [_encode(v, arrays) for v in obj]}
    if obj is None or isinstance(obj, bool | int | float | str):
        return obj
    raise TypeError(f"jitgrad.save cannot store an object of type {type(obj).__name__}")


def _decode(obj: Any, arrays: dict[int, np.ndarray]) -> Any:
    if not isinstance(obj, dict):
        return obj
    kind = obj.get("__kind__")
    if kind in ("tensor", "parameter"):
        value = arrays[obj["index"]]
        t = _make(value, _dtype(value.dtype))
        if kind == "parameter":
            from .nn.parameter import Parameter

            return Parameter(t, obj["requires_grad"])
        if obj["requires_grad"]:
            t.requires_grad_(True)
        return t
    if kind in ("dict", "odict"):
        items = [(k, _decode(v, arrays)) for k, v in obj["items"]]
        return OrderedDict(items) if kind == "odict" else dict(items)
    if kind in ("list", "tuple"):
        items = [_decode(v, arrays) for v in obj["items"]]
        return items if kind == "list" else tuple(items)
    raise UnpicklingError(f"Weights only load failed: unknown entry kind {kind!r}")


def _dtype(np_dtype: np.dtype) -> D.dtype:
    for name in ("float32", "float64", "int32", "int64", "bool_"):
        dt = getattr(D, name)
        if dt.np == np_dtype:
            return dt
    raise UnpicklingError(f"Weights only load failed: unsupported dtype {np_dtype}")


def save(obj: Any, f: PathOrFile) -> None:
    """Write ``obj`` (tensors, dicts, lists, tuples, numbers, strings) to ``f``."""
    arrays: list[np.ndarray] = []
    try:
        structure = {"format": _FORMAT, "root": _encode(obj, arrays)}
        pickled = None
    except TypeError:
        structure = {"format": _FORMAT, "pickle": True}
        pickled = pickle.dumps(obj)
    with zipfile.ZipFile(f, "w") as z:  # type: ignore[arg-type]
        z.writestr("structure.json", json.dumps(structure))
        for i, a in enumerate(arrays):
            buf = io.BytesIO()
            np.save(buf, a, allow_pickle=False)
            z.writestr(f"tensors/{i}.npy", buf.getvalue())
        if pickled is not None:
            z.writestr("data.pkl", pickled)


def load(f: PathOrFile, map_location: Any = None, weights_only: bool = True) -> Any:
    """Read what :func:`save` wrote. With ``weights_only=True`` (the default) only tensors and
    plain containers are accepted; anything needing unpickling is refused."""
    with zipfile.ZipFile(f, "r") as z:  # type: ignore[arg-type]
        structure = json.loads(z.read("structure.json"))
        if structure.get("format") != _FORMAT:
            raise UnpicklingError("Weights only load failed: not a jitgrad.save file")
        if structure.get("pickle"):
            if weights_only:
                raise UnpicklingError(
                    "Weights only load failed. This file holds arbitrary Python objects and "
                    "loading it would run code from the file. Re-running `jitgrad.load` with "
                    "`weights_only` set to `False` will likely succeed, but it can result in "
                    "arbitrary code execution. Do it only if you got the file from a trusted "
                    "source."
                )
            return pickle.loads(z.read("data.pkl"))
        arrays = {}
        for name in z.namelist():
            if name.startswith("tensors/"):
                index = int(name[len("tensors/") : -len(".npy")])
                arrays[index] = np.load(io.BytesIO(z.read(name)), allow_pickle=False)
        return _decode(structure["root"], arrays)
