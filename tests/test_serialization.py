"""jitgrad.save / jitgrad.load: round trips of tensors and containers; weights_only refuses code."""

from __future__ import annotations

import io
import pickle
from collections import OrderedDict
from fractions import Fraction

import numpy as np
import pytest

import jitgrad as jg
import jitgrad.nn as nn
import jitgrad.optim as optim
from jitgrad.serialization import UnpicklingError


def test_tensor_and_nested_containers_round_trip(tmp_path):
    obj = {
        "a": jg.tensor([1.5, 2.5]),
        "b": [jg.arange(6).reshape(2, 3), (jg.tensor(3.0, dtype=jg.float64), 7, "x")],
        "c": None,
        "e": jg.empty(0, 4),
        "flag": jg.tensor([True, False]),
    }
    path = tmp_path / "obj.pt"
    jg.save(obj, path)
    back = jg.load(path)
    assert back["a"].tolist() == [1.5, 2.5] and back["a"].dtype == jg.float32
    assert back["b"][0].dtype == jg.int64 and back["b"][0].tolist() == [[0, 1, 2], [3, 4, 5]]
    assert back["b"][1][0].dtype == jg.float64 and back["b"][1][0].shape == ()
    assert back["b"][1][1:] == (7, "x") and back["c"] is None
    assert back["e"].shape == (0, 4) and back["flag"].tolist() == [True, False]


def test_module_and_optimizer_state_dicts(tmp_path):
    jg.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    opt = optim.Adam(model.parameters(), lr=0.1)
    model(jg.randn(5, 3)).sum().backward()
    opt.step()
    buf = io.BytesIO()
    jg.save({"model": model.state_dict(), "opt": opt.state_dict()}, buf)
    buf.seek(0)
    ckpt = jg.load(buf)
    assert isinstance(ckpt["model"], OrderedDict)
    fresh = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    fresh.load_state_dict(ckpt["model"])
    for p, q in zip(model.parameters(), fresh.parameters(), strict=True):
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())
    opt2 = optim.Adam(fresh.parameters(), lr=0.5)
    opt2.load_state_dict(ckpt["opt"])
    assert opt2.param_groups[0]["lr"] == 0.1
    assert opt2.state[fresh[0].weight]["step"].item() == 1.0


def test_weights_only_refuses_arbitrary_objects(tmp_path):
    class Thing:
        pass

    path = tmp_path / "thing.pt"
    jg.save({"thing": Thing.__name__, "t": jg.ones(1)}, path)  # plain data is fine
    assert jg.load(path)["thing"] == "Thing"
    jg.save({"obj": complex(1, 2)}, path)  # PyTorch's allow-list has builtins.complex
    assert jg.load(path) == {"obj": complex(1, 2)}
    jg.save({"obj": Fraction(1, 3)}, path)  # ... but not fractions.Fraction
    with pytest.raises(pickle.UnpicklingError, match="GLOBAL fractions.Fraction was not an"):
        jg.load(path)
    assert jg.load(path, weights_only=False) == {"obj": Fraction(1, 3)}
    path.write_bytes(b"not a zip")
    with pytest.raises(Exception):  # noqa: B017 - any refusal, never code execution
        jg.load(path)
    assert issubclass(UnpicklingError, pickle.UnpicklingError)


def test_parameters_stay_parameters():
    buf = io.BytesIO()
    jg.save([nn.Parameter(jg.ones(2))], buf)
    buf.seek(0)
    (p,) = jg.load(buf)
    assert isinstance(p, nn.Parameter) and p.requires_grad


def test_map_location_to_cuda_without_a_device():
    """PyTorch's ``_validate_device`` message; ``map_location`` to the CPU loads as saved
    (device tensors: tests/cuda_sim/cases_serialization.py)."""
    buf = io.BytesIO()
    jg.save({"w": jg.tensor([1.0, 2.0])}, buf)
    with pytest.raises(RuntimeError) as info:
        jg.load(io.BytesIO(buf.getvalue()), map_location="cuda")
    assert str(info.value) == (
        "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is "
        "False. If you are running on a CPU-only machine, please use torch.load with "
        "map_location=torch.device('cpu') to map your storages to the CPU."
    )
    for where in ("cpu", jg.device("cpu"), {"cuda:0": "cpu"}, lambda s, loc: s):
        out = jg.load(io.BytesIO(buf.getvalue()), map_location=where)
        assert out["w"].device == jg.device("cpu") and out["w"].tolist() == [1.0, 2.0]
    with pytest.raises(RuntimeError) as info:
        jg.load(io.BytesIO(buf.getvalue()), map_location="tpu")
    assert str(info.value) == (
        "don't know how to restore data location of torch.storage.UntypedStorage (tagged with tpu)"
    )
