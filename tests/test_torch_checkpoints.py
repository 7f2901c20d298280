"""Checkpoints move between PyTorch and jitgrad: files written by real ``torch.save`` (committed
fixtures, expected values recorded by the same script) load in jitgrad; jitgrad writes
PyTorch's layout; forged pickles and damaged archives are refused with PyTorch's words."""

from __future__ import annotations

import io
import json
import pickle
import struct
import tracemalloc
import zipfile
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest

import jitgrad as jg
import jitgrad.nn as nn
from jitgrad.serialization import UnpicklingError

FIXTURES = Path(__file__).parent / "fixtures"
EXPECTED = json.loads((FIXTURES / "torch_checkpoints.json").read_text())
DTYPES = {
    "torch.float32": jg.float32,
    "torch.float64": jg.float64,
    "torch.int64": jg.int64,
    "torch.int32": jg.int32,
    "torch.bool": jg.bool,
}


def _check(got, want):
    if isinstance(want, dict) and want.get("kind") in ("tensor", "parameter"):
        assert isinstance(got, nn.Parameter) == (want["kind"] == "parameter")
        assert got.dtype == DTYPES[want["dtype"]] and list(got.shape) == want["shape"]
        assert got.reshape(-1).tolist() == want["values"]
        assert got.requires_grad == want["requires_grad"]
    elif isinstance(want, dict):
        kinds = {"OrderedDict": OrderedDict, "dict": dict, "list": list, "tuple": tuple}
        assert type(got) is kinds[want["kind"]]
        pairs = want["items"] if want["kind"] in ("dict", "OrderedDict") else None
        if pairs is None:
            assert len(got) == len(want["items"])
            for g, w in zip(got, want["items"], strict=True):
                _check(g, w)
        else:
            keys = [
                int(k) if isinstance(got, dict) and int in map(type, got) else k for k, _ in pairs
            ]
            assert list(got) == keys
            for k, (_, w) in zip(keys, pairs, strict=True):
                _check(got[k], w)
    else:
        assert got == want and type(got) is type(want)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_torch_written_files_load_with_their_values(name):
    _check(jg.load(FIXTURES / f"torch_{name}.pt"), EXPECTED[name])


def test_views_of_one_storage_share_memory():
    views = jg.load(FIXTURES / "torch_views.pt")
    assert views["t"].tolist() == np.arange(12.0).reshape(3, 4).T.tolist()
    with jg.no_grad():
        views["base"][1, 2] = 100.0
    assert views["t"][2, 1].item() == views["row"][2].item() == views["col"][1].item() == 100.0


def test_torch_state_dicts_load_into_jitgrad_modules():
    mlp = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    mlp.load_state_dict(jg.load(FIXTURES / "torch_mlp_state.pt"))
    want = EXPECTED["mlp_state"]["items"][2][1]["values"]
    assert mlp[2].weight.reshape(-1).tolist() == want
    opt = jg.optim.Adam(mlp.parameters())
    opt.load_state_dict(jg.load(FIXTURES / "torch_adam_state.pt"))
    assert opt.param_groups[0]["lr"] == 0.01


def test_jitgrad_save_writes_pytorch_layout(tmp_path):
    obj = {"w": jg.arange(6.0).reshape(2, 3).t(), "p": nn.Parameter(jg.ones(2)), "n": [1, None]}
    jg.save(obj, tmp_path / "ckpt.pt")
    with zipfile.ZipFile(tmp_path / "ckpt.pt") as z:
        names = z.namelist()
        assert names[0] == "ckpt/data.pkl" and "ckpt/byteorder" in names
        assert z.read("ckpt/version") == b"3\n" and z.read("ckpt/byteorder") == b"little"
        pkl = z.read("ckpt/data.pkl")
        assert pkl[:2] == b"\x80\x02" and b"torch._utils\n_rebuild_tensor_v2\n" in pkl
        raw = (tmp_path / "ckpt.pt").read_bytes()
        for info in z.infolist():  # record data starts on 64-byte boundaries, as torch.save's:
            # the padding is in the local header's extra field (the central directory's
            # extra is empty, in PyTorch's files too), whose length is at offset 28
            name_len, extra_len = struct.unpack(
                "<HH", raw[info.header_offset + 26 : info.header_offset + 30]
            )
            assert (info.header_offset + 30 + name_len + extra_len) % 64 == 0, info.filename
    back = jg.load(tmp_path / "ckpt.pt")
    assert back["w"].tolist() == [[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]]
    assert (
        isinstance(back["p"], nn.Parameter) and back["p"].requires_grad and back["n"] == [1, None]
    )


def test_committed_jitgrad_file_still_loads():
    obj = jg.load(FIXTURES / "jitgrad_written.pt")
    assert obj["i32"].shape == () and obj["i32"].item() == 9 and obj["i32"].dtype == jg.int32
    assert obj["linear"]["bias"].tolist() == [-1.0, 1.0]


def _torch_zip(pkl: bytes, records: dict[str, bytes] | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("archive/data.pkl", pkl)
        for name, data in (records or {}).items():
            z.writestr(f"archive/{name}", data)
    return buf.getvalue()


def _tensor_pickle(numel: int, size: tuple, stride: tuple, offset: int = 0) -> bytes:
    body = b"\x80\x02ctorch._utils\n_rebuild_tensor_v2\n(("
    body += b"X\x07\x00\x00\x00storagectorch\nFloatStorage\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpu"
    body += b"J" + struct.pack("<i", numel) + b"tQJ" + struct.pack("<i", offset)
    body += b"(" + b"".join(b"J" + struct.pack("<i", n) for n in size) + b"t"
    body += b"(" + b"".join(b"J" + struct.pack("<i", n) for n in stride) + b"t"
    return body + b"\x89ccollections\nOrderedDict\n)RtR."


def test_hand_built_torch_pickle_loads():
    data = _torch_zip(
        _tensor_pickle(4, (2, 2), (1, 2)), {"data/0": np.arange(4.0, dtype="<f4").tobytes()}
    )
    assert jg.load(io.BytesIO(data)).tolist() == [[0.0, 2.0], [1.0, 3.0]]


@pytest.mark.parametrize(
    ("numel", "size", "stride", "offset", "record", "words"),
    [
        (10**9, (10**9,), (1,), 0, 16, "claims 1000000000 elements"),
        (4, (4,), (1,), 0, 12, "claims 4 elements of 4 bytes but the record holds 12"),
        (4, (3, 3), (3, 1), 0, 16, "require elements up to 8"),
        (4, (4,), (1,), 1, 16, "require elements up to 4"),
    ],
)
def test_forged_sizes_are_refused_before_allocating(numel, size, stride, offset, record, words):
    data = _torch_zip(_tensor_pickle(numel, size, stride, offset), {"data/0": b"\0" * record})
    with pytest.raises(RuntimeError, match=words):
        jg.load(io.BytesIO(data))
    tracemalloc.start()
    with pytest.raises(RuntimeError):
        jg.load(io.BytesIO(data))
    assert tracemalloc.get_traced_memory()[1] < 1 << 20
    tracemalloc.stop()


@pytest.mark.parametrize(
    ("pkl", "words"),
    [
        (
            b"\x80\x02cos\nsystem\nX\x04\x00\x00\x00echo\x85R.",
            "GLOBAL os.system whose module os is blocked",
        ),
        (
            b"\x80\x02cbuiltins\neval\nX\x01\x00\x00\x001\x85R.",
            "Unsupported global: GLOBAL eval was not an",
        ),
        (b"\x80\x02c__builtin__\nexec\nX\x01\x00\x00\x001\x85R.", "GLOBAL exec was not an allowed"),
        (b"\x80\x02ctorch\nFloatStorage\n)R.", "cannot be called"),
        (b"\x80\x02]q\x00h\x00b.", "Can only build Tensor, Parameter, OrderedDict"),
        (b"\x80\x02}X\x01\x00\x00\x00aa.", "Can only append to lists"),
        (b"\x80\x02cbuiltins\nbytearray\nJ\x00\xca\x9a;\x85R.", "bytearray of ['int']"),
        (
            b"\x80\x02c_codecs\nencode\nX\x01\x00\x00\x00xX\x04\x00\x00\x00zlib\x86R.",
            "encoding 'zlib'",
        ),
        (b"\x80\x02X\x10\x00\x00\x00short.", "malformed"),
        (b"\x80\x02i\x00.", "Unsupported operand 105"),
        (b"\x80\x02X\x01\x00\x00\x00xQ.", "Only persistent_load of storage"),
    ],
)
def test_malicious_pickles_are_refused_in_pytorchs_words(pkl, words):
    with pytest.raises(UnpicklingError, match="^Weights only load failed") as info:
        jg.load(io.BytesIO(_torch_zip(pkl)))
    assert words in str(info.value)
    assert isinstance(info.value, pickle.UnpicklingError)


def test_unsupported_dtype_is_named():
    # (every plain dtype's storage loads since session 18: a quantized one is refused by name)
    pkl = _tensor_pickle(1, (1,), (1,)).replace(b"FloatStorage", b"QInt8Storage")
    with pytest.raises(RuntimeError, match="torch.QInt8Storage, whose dtype jitgrad does"):
        jg.load(io.BytesIO(_torch_zip(pkl, {"data/0": b"\0" * 1})))


def test_damaged_torch_files_fail_cleanly():
    data = (FIXTURES / "torch_mlp_state.pt").read_bytes()
    for cut in range(0, len(data), 97):
        with pytest.raises((RuntimeError, UnpicklingError)):
            jg.load(io.BytesIO(data[:cut]))
    for start in range(0, len(data), 101):
        damaged = data[:start] + b"\xff" * 8 + data[start + 8 :]
        try:
            back = jg.load(io.BytesIO(damaged))
        except (RuntimeError, UnpicklingError):
            continue
        _check(back, EXPECTED["mlp_state"])  # only bytes that are never read were hit
