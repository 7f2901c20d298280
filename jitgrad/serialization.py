"""``jitgrad.save`` / ``jitgrad.load``: tensors, state_dicts and plain containers of them.

:func:`save` writes PyTorch's own zip format (see :mod:`jitgrad._torch_format`), so
``torch.load`` reads jitgrad's checkpoints and :func:`load` reads ``torch.save``'s, with
PyTorch's weights-only unpickler semantics (:mod:`jitgrad._torch_unpickle`).

:func:`load` still reads jitgrad's earlier format, which this module describes from here on:
a zip holding one ``.npy`` per tensor and a JSON description of the container structure;
loading builds tensors and plain containers only, so it never runs code from the file.
``weights_only=False`` additionally allows a pickle for arbitrary objects (trusted files
only), as PyTorch does.

A file may be damaged or forged, so :func:`load` checks everything it reads before it
allocates for it: every entry must lie inside the archive and be stored uncompressed (as
:func:`save` writes it; no zip bomb can inflate), the structure is parsed only after its
nesting depth is measured, every ``.npy`` header is read and checked (a known dtype, a shape
whose bytes equal the entry's) before its data is copied, and every entry must be one the
structure names. Damage to the archive raises PyTorch's ``RuntimeError``
(``PytorchStreamReader failed ...``); a structure that is not jitgrad's raises
``UnpicklingError`` (``Weights only load failed: ...``), as PyTorch's weights-only loader
does for a pickle it refuses.
"""

from __future__ import annotations

import io
import json
import math
import os
import pickle
import re
import struct
import zipfile
from collections import OrderedDict
from typing import IO, Any

import numpy as np

from . import _torch_format, cuda
from . import dtypes as D
from ._torch_unpickle import weights_only_message
from .frontend.tensor import Tensor, _make
from .frontend.tensor import device as torch_device
from .nn.parameter import Parameter

_FORMAT = "jitgrad-save-v1"
PathOrFile = str | os.PathLike | IO[bytes]
#: Deepest container nesting save writes and load reads (JSON nests up to 3 levels per
#: container: the entry, its items list and a dict item's pair). Bounded so that neither
#: the JSON parser nor the walk below can exhaust the interpreter's stack.
MAX_DEPTH = 200
_DTYPES = {d.np.name: d for d in (D.float32, D.float64, D.int32, D.int64, D.bool_)}
_TENSOR_ENTRY = re.compile(r"tensors/(0|[1-9][0-9]{0,8})\.npy")
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_ZIP_ERRORS = (zipfile.BadZipFile, EOFError, ValueError, OverflowError, struct.error)
_ZIP_ERRORS += (NotImplementedError, UnicodeDecodeError, IndexError, KeyError)


class UnpicklingError(pickle.UnpicklingError):
    pass


def _refuse(why: str) -> UnpicklingError:
    return UnpicklingError(f"Weights only load failed: {why}")


def _decode(obj: Any, arrays: dict[int, np.ndarray], used: set[int], depth: int = 0) -> Any:
    """The object ``obj`` describes; every field is checked (the walk is bounded by
    :data:`MAX_DEPTH`, which the JSON depth check before parsing already enforces)."""
    if obj is None or isinstance(obj, bool | int | float | str):
        return obj
    if depth > MAX_DEPTH:
        raise _refuse(f"the structure nests deeper than {MAX_DEPTH} containers")
    if not isinstance(obj, dict):
        raise _refuse(f"unexpected entry of type {type(obj).__name__}")
    kind = obj.get("__kind__")
    if kind in ("tensor", "parameter"):
        if set(obj) != {"__kind__", "index", "dtype", "requires_grad"}:
            raise _refuse(f"a tensor entry with fields {sorted(obj)}")
        index, dtype, grad = obj["index"], obj["dtype"], obj["requires_grad"]
        if type(index) is not int or index < 0 or index in used:
            raise _refuse(f"tensor index {index!r} is not a new tensor's")
        if index not in arrays:
            raise RuntimeError(
                f"PytorchStreamReader failed locating file tensors/{index}.npy: file not found"
            )
        if not isinstance(grad, bool) or dtype not in _DTYPES:
            raise _refuse(f"tensor {index} has dtype {dtype!r}, requires_grad {grad!r}")
        value = arrays[index]
        if value.dtype.name != dtype:
            raise _refuse(f"tensor {index} is stored as {value.dtype.name}, described as {dtype}")
        used.add(index)
        t = _make(value, _DTYPES[dtype])
        if kind == "parameter":
            if grad and not t._dtype.is_floating_point:
                raise _refuse(f"parameter {index} of dtype {dtype} requires grad")
            return Parameter(t, grad)
        if grad:
            if not t._dtype.is_floating_point:
                raise _refuse(f"tensor {index} of dtype {dtype} requires grad")
            t.requires_grad_(True)
        return t
    if kind not in ("dict", "odict", "list", "tuple"):
        raise _refuse(f"unknown entry kind {kind!r}")
    items = obj.get("items")
    if set(obj) != {"__kind__", "items"} or not isinstance(items, list):
        raise _refuse(f"a {kind} entry with fields {sorted(obj)}")
    if kind in ("list", "tuple"):
        values = [_decode(v, arrays, used, depth + 1) for v in items]
        return values if kind == "list" else tuple(values)
    pairs = []
    for item in items:
        if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str | int)):
            raise _refuse(f"a {kind} item that is not a [key, value] pair")
        pairs.append((item[0], _decode(item[1], arrays, used, depth + 1)))
    return OrderedDict(pairs) if kind == "odict" else dict(pairs)


def save(obj: Any, f: PathOrFile) -> None:
    """Write ``obj`` as ``torch.save`` does (PyTorch's zip layout), so ``torch.load`` reads it
    too. Tensors, Parameters, containers, numbers and strings load with ``weights_only=True``
    in both libraries; other objects are pickled and need ``weights_only=False``."""
    _torch_format.write(obj, f)


def load(
    f: PathOrFile, map_location: Any = None, weights_only: bool = True, *, mmap: bool | None = None
) -> Any:
    """Read a file ``torch.save`` or :func:`save` wrote (or jitgrad's older format). With
    ``weights_only=True`` (the default) only tensors, Parameters, containers and plain values
    are built, as PyTorch's weights-only unpickler does; anything else is refused. A damaged
    or forged file raises (see the module docstring), never allocates for sizes it claims.
    ``mmap=True`` is accepted and reads the file into memory (the same tensors; PyTorch maps
    the storages from the file instead). Each tensor loads on the device it was saved from,
    unless ``map_location`` (a device string or ``torch.device``, a dict from saved location
    to location, or a callable ``(storage, location)``) says otherwise, as in PyTorch."""
    return _load(f, weights_only, _restorer(map_location))


def _restorer(map_location: Any) -> _torch_format.Restore:
    """PyTorch's ``_get_restore_location``: the device each saved location maps to."""
    if map_location is None:
        return lambda storage, location: _restore(location)
    if isinstance(map_location, dict):
        return lambda storage, location: _restore(map_location.get(location, location))
    if isinstance(map_location, str | bytes | torch_device):
        place = map_location.decode() if isinstance(map_location, bytes) else str(map_location)
        return lambda storage, location: _restore(place)

    def call(storage: Tensor, location: str) -> str:
        result = map_location(storage, location)
        return _restore(location) if result is None else str(result.device)

    return call


def _restore(location: str) -> str:
    """PyTorch's ``default_restore_location`` for the CPU and CUDA: the device, checked."""
    if location == "cpu":
        return "cpu"
    if re.match("cuda(:|[0-9]+)", location) or location == "cuda":
        index = torch_device(location).index or 0
        if not cuda.is_available():
            raise RuntimeError(
                "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() "
                "is False. If you are running on a CPU-only machine, please use torch.load with "
                "map_location=torch.device('cpu') to map your storages to the CPU."
            )
        if index >= cuda.device_count():
            raise RuntimeError(
                f"Attempting to deserialize object on CUDA device {index} but "
                f"torch.cuda.device_count() is {cuda.device_count()}. Please use torch.load "
                "with map_location to map your storages to an existing device."
            )
        return f"cuda:{index}"
    raise RuntimeError(
        f"don't know how to restore data location of torch.storage.UntypedStorage (tagged with "
        f"{location})"
    )


def _load(f: PathOrFile, weights_only: bool, restore: _torch_format.Restore) -> Any:
    """:func:`load`'s work (jitgrad's older format loads every tensor on the CPU)."""
    try:
        z = zipfile.ZipFile(f, "r")  # type: ignore[arg-type]
    except _ZIP_ERRORS:
        raise RuntimeError(
            "PytorchStreamReader failed reading zip archive: failed finding central directory"
        ) from None
    with z:
        entries = _entries(z)
        prefix = _torch_format.archive_prefix(list(entries))
        if prefix is not None:
            sizes = {name: info.file_size for name, info in entries.items()}
            try:
                reader = lambda n: _read(z, entries, n)  # noqa: E731
                return _torch_format.read(reader, sizes, prefix, weights_only, restore)
            except pickle.UnpicklingError as e:
                if not weights_only or isinstance(e, UnpicklingError):
                    raise
                raise UnpicklingError(weights_only_message(str(e))) from None
        structure = _parse(_read(z, entries, "structure.json"))
        if structure.get("pickle") is True and set(structure) == {"format", "pickle"}:
            if weights_only:
                raise UnpicklingError(
                    "Weights only load failed. This file holds arbitrary Python objects and "
                    "loading it would run code from the file. Re-running `jitgrad.load` with "
                    "`weights_only` set to `False` will likely succeed, but it can result in "
                    "arbitrary code execution. Do it only if you got the file from a trusted "
                    "source."
                )
            return pickle.loads(_read(z, entries, "data.pkl"))
        if set(structure) != {"format", "root"}:
            raise _refuse(f"a structure with fields {sorted(structure)}")
        arrays = {}
        for name in entries:
            match = _TENSOR_ENTRY.fullmatch(name)
            if match is None:
                if name != "structure.json":
                    raise _refuse(f"unexpected entry {name!r} in the archive")
                continue
            arrays[int(match.group(1))] = _array(name, _read(z, entries, name))
        used: set[int] = set()
        result = _decode(structure["root"], arrays, used)
        if used != set(arrays):
            raise _refuse(f"tensors {sorted(set(arrays) - used)} are stored but not used")
        return result


def _entries(z: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """The archive's entries by name, each checked to lie inside the archive, stored (not
    compressed), and named once."""
    fp = z.fp
    assert fp is not None
    size = fp.seek(0, io.SEEK_END)
    entries: dict[str, zipfile.ZipInfo] = {}
    for info in z.infolist():
        if info.filename in entries:
            raise RuntimeError(
                f"PytorchStreamReader failed reading zip archive: two entries {info.filename}"
            )
        stored = info.compress_type == zipfile.ZIP_STORED and info.compress_size == info.file_size
        if not stored or info.header_offset + info.file_size > size:
            raise RuntimeError(
                f"PytorchStreamReader failed reading file {info.filename}: invalid header or "
                "archive is corrupted"
            )
        entries[info.filename] = info
    return entries


def _read(z: zipfile.ZipFile, entries: dict[str, zipfile.ZipInfo], name: str) -> bytes:
    if name not in entries:
        raise RuntimeError(f"PytorchStreamReader failed locating file {name}: file not found")
    try:
        return z.read(entries[name])
    except _ZIP_ERRORS:
        raise RuntimeError(
            f"PytorchStreamReader failed reading file {name}: invalid header or archive is "
            "corrupted"
        ) from None


def _parse(raw: bytes) -> dict:
    """``structure.json``, its nesting measured before the (recursive) JSON parser runs."""
    if _depth(raw) > 3 * MAX_DEPTH + 4:
        raise _refuse(f"the structure nests deeper than {MAX_DEPTH} containers")
    try:
        structure = json.loads(raw)
    except (ValueError, RecursionError):  # JSONDecodeError and UnicodeDecodeError
        raise _refuse("structure.json is not valid JSON") from None
    if not isinstance(structure, dict) or structure.get("format") != _FORMAT:
        raise _refuse("not a jitgrad.save file")
    return structure


def _depth(raw: bytes) -> int:
    """How deep ``[`` and ``{`` nest in JSON text (strings removed first), without recursion."""
    brackets = np.frombuffer(_JSON_STRING.sub(b'""', raw), np.uint8)
    step = (brackets == ord("[")).astype(np.int64) + (brackets == ord("{"))
    step -= (brackets == ord("]")).astype(np.int64) + (brackets == ord("}"))
    return int(np.cumsum(step).max(initial=0))


def _array(name: str, data: bytes) -> np.ndarray:
    """A ``.npy`` entry as an array, its header checked against the bytes that follow."""
    buf = io.BytesIO(data)
    try:
        version = np.lib.format.read_magic(buf)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(buf)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(buf)
        else:
            raise ValueError(f"npy version {version}")
    except (ValueError, SyntaxError, TypeError, struct.error, RecursionError, MemoryError) as exc:
        raise _refuse(f"{name} has no valid .npy header ({exc})") from None
    if dtype.name not in _DTYPES or dtype.hasobject or not dtype.isnative and dtype.itemsize > 1:
        raise _refuse(f"{name} holds dtype {dtype.str}, which jitgrad does not store")
    if not all(type(n) is int and n >= 0 for n in shape) or len(shape) > 64:
        raise _refuse(f"{name} has shape {shape}")
    count = math.prod(shape)
    if count * dtype.itemsize != len(data) - buf.tell():
        raise _refuse(
            f"{name} claims shape {list(shape)} ({count * dtype.itemsize} bytes) but holds "
            f"{len(data) - buf.tell()} bytes"
        )
    flat = np.frombuffer(data, dtype, count, buf.tell()).copy()
    return flat.reshape(shape, order="F" if fortran else "C")
