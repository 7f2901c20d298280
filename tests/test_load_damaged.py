"""``jitgrad.load`` on damaged and forged files: PyTorch's exception types, clear words, and
no allocation for sizes the file merely claims.

Archive damage (not a zip, cut short, zeroed, entries missing or lying about their size)
raises ``RuntimeError`` (``PytorchStreamReader failed ...``, as ``torch.load``); a structure
that is not jitgrad's raises ``UnpicklingError`` (``Weights only load failed: ...``).
"""

from __future__ import annotations

import io
import json
import struct
import tracemalloc
import zipfile

import numpy as np
import pytest

import jitgrad as jg
from jitgrad.serialization import MAX_DEPTH, UnpicklingError

DAMAGED = (RuntimeError, UnpicklingError)
NO_ZIP = "PytorchStreamReader failed reading zip archive: failed finding central directory"


def _saved(obj) -> bytes:
    buf = io.BytesIO()
    jg.save(obj, buf)
    return buf.getvalue()


def _load(data: bytes, **kwargs):
    return jg.load(io.BytesIO(data), **kwargs)


def _npy(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=False)
    return buf.getvalue()


def _forged_npy(descr: str, shape, payload: bytes = b"") -> bytes:
    """A .npy entry whose header says ``descr``/``shape`` whatever the payload holds."""
    buf = io.BytesIO()
    header = {"descr": descr, "fortran_order": False, "shape": shape}
    np.lib.format.write_array_header_1_0(buf, header)
    return buf.getvalue() + payload


def _archive(entries: dict[str, bytes], compression: int = zipfile.ZIP_STORED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return buf.getvalue()


def _structure(root, fmt: str = "jitgrad-save-v1") -> bytes:
    return json.dumps({"format": fmt, "root": root}).encode()


def _tensor_entry(index: int = 0, dtype: str = "float32") -> dict:
    return {"__kind__": "tensor", "index": index, "dtype": dtype, "requires_grad": False}


SAMPLE = {"w": jg.arange(12.0).reshape(3, 4), "b": [jg.tensor([1, 2]), (jg.tensor(True), 3)]}


def test_round_trip_still_works():
    back = _load(_saved(SAMPLE))
    assert back["w"].tolist() == SAMPLE["w"].tolist() and back["b"][1][1] == 3


@pytest.mark.parametrize("data", [b"", b"\0" * 100, b"PK\x05\x06" + b"\0" * 10, b"not a zip"])
def test_empty_or_garbage_is_no_zip_archive(data):
    with pytest.raises(RuntimeError, match=f"^{NO_ZIP}$"):
        _load(data)


def test_every_truncation_fails_cleanly():
    data = _saved(SAMPLE)
    for cut in range(0, len(data), 7):
        with pytest.raises(DAMAGED):
            _load(data[:cut])


def test_zeroed_windows_fail_cleanly_or_change_nothing():
    data = _saved(SAMPLE)
    for start in range(0, len(data), 11):
        damaged = data[:start] + b"\0" * 16 + data[start + 16 :]
        try:
            back = _load(damaged[: len(data)])
        except DAMAGED:
            continue
        assert back["w"].tolist() == SAMPLE["w"].tolist()  # only unread bytes were hit


def _peak_bytes(fn) -> int:
    tracemalloc.start()
    try:
        fn()
    except DAMAGED:
        pass
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


@pytest.mark.parametrize(
    ("shape", "payload"),
    [((10**10,), b""), ((2**31, 2**31), b"\0" * 16), ((3, -5), b"\0" * 60), ((4,), b"\0" * 8)],
)
def test_forged_npy_shape_is_refused_before_allocating(shape, payload):
    data = _archive(
        {
            "structure.json": _structure(_tensor_entry()),
            "tensors/0.npy": _forged_npy("<f4", shape, payload),
        }
    )
    with pytest.raises(UnpicklingError, match="^Weights only load failed: tensors/0.npy "):
        _load(data)
    assert _peak_bytes(lambda: _load(data)) < 1 << 20


def _patch_sizes(data: bytes, size: int) -> bytes:
    """Every local and central header's sizes set to ``size`` (a forged 37 GB entry)."""
    out = bytearray(data)
    for sig, offset in ((b"PK\x03\x04", 18), (b"PK\x01\x02", 20)):
        pos = out.find(sig)
        while pos >= 0:
            out[pos + offset : pos + offset + 8] = struct.pack("<II", size, size)
            pos = out.find(sig, pos + 4)
    return bytes(out)


def test_forged_entry_sizes_are_refused_before_reading():
    data = _patch_sizes(_saved(SAMPLE), 37 * 10**9 // 16)
    with pytest.raises(RuntimeError, match="^PytorchStreamReader failed reading"):
        _load(data)
    assert _peak_bytes(lambda: _load(data)) < 1 << 20


def test_compressed_entries_are_refused_so_nothing_inflates():
    bomb = _archive(
        {"structure.json": _structure(_tensor_entry()), "tensors/0.npy": _npy(np.zeros(10**6))},
        zipfile.ZIP_DEFLATED,
    )
    with pytest.raises(RuntimeError, match="invalid header or archive is corrupted"):
        _load(bomb)


def test_deep_nesting_is_refused_without_recursion_error():
    depth = 100_000
    raw = b'{"format": "jitgrad-save-v1", "root": ' + b"[" * depth + b"]" * depth + b"}"
    with pytest.raises(UnpicklingError, match=f"nests deeper than {MAX_DEPTH} containers"):
        _load(_archive({"structure.json": raw}))
    root = {"__kind__": "list", "items": []}
    for _ in range(MAX_DEPTH + 5):  # well-formed entries, too many of them
        root = {"__kind__": "list", "items": [root]}
    with pytest.raises(UnpicklingError, match="Weights only load failed"):
        _load(_archive({"structure.json": _structure(root)}))


def test_nesting_up_to_the_limit_round_trips():
    obj: list = [jg.tensor([1.0])]
    for _ in range(MAX_DEPTH - 1):
        obj = [obj]
    back = _load(_saved(obj))
    for _ in range(MAX_DEPTH - 1):
        back = back[0]
    assert back[0].tolist() == [1.0]


def test_missing_tensor_entry_names_it():
    data = _archive({"structure.json": _structure(_tensor_entry(3))})
    with pytest.raises(
        RuntimeError, match="^PytorchStreamReader failed locating file tensors/3.npy: file not"
    ):
        _load(data)
    data = _archive({"tensors/0.npy": _npy(np.zeros(2, np.float32))})
    with pytest.raises(
        RuntimeError, match="^PytorchStreamReader failed locating file structure.json"
    ):
        _load(data)


@pytest.mark.parametrize(
    ("entries", "words"),
    [
        ({"tensors/0.npy": _npy(np.zeros(2, np.float32))}, "tensor 0 is stored as float32"),
        ({"tensors/0.npy": _npy(np.zeros(2, np.complex64))}, "which jitgrad does not store"),
        ({"tensors/0.npy": _npy(np.zeros(2, ">f8"))}, "which jitgrad does not store"),
        ({"tensors/0.npy": b"\x93NUMPY\x09\x00garbage"}, "has no valid .npy header"),
        ({"tensors/0.npy": _npy(np.zeros(2)), "evil.py": b"x"}, "unexpected entry 'evil.py'"),
        ({"tensors/0.npy": _npy(np.zeros(2)), "tensors/1.npy": _npy(np.zeros(1))}, "not used"),
    ],
)
def test_entries_that_do_not_match_the_structure_are_refused(entries, words):
    data = _archive({"structure.json": _structure(_tensor_entry(0, "float64")), **entries})
    with pytest.raises(UnpicklingError, match=words):
        _load(data)


@pytest.mark.parametrize(
    "structure",
    [
        b"{not json",
        b"\xff\xfe",
        b"[1, 2]",
        _structure(None, fmt="other"),
        _structure({"__kind__": "tensor", "index": 0, "dtype": "float64"}),
        _structure({"__kind__": "weird", "items": []}),
        _structure({"__kind__": "dict", "items": [[1, 2, 3]]}),
        _structure({"__kind__": "list", "items": "abc"}),
        _structure({"__kind__": "tensor", "index": True, "dtype": "float64", "requires_grad": 0}),
        _structure({"__kind__": "tensor", "index": 0, "dtype": "int64", "requires_grad": True}),
        json.dumps({"format": "jitgrad-save-v1", "root": None, "x": 1}).encode(),
    ],
)
def test_malformed_structures_are_refused(structure):
    data = _archive({"structure.json": structure, "tensors/0.npy": _npy(np.zeros(2, np.int64))})
    with pytest.raises(UnpicklingError, match="^Weights only load failed"):
        _load(data)
