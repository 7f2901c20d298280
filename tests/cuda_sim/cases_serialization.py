"""``torch.save`` / ``torch.load`` of device tensors: each storage's location tag is written as
PyTorch writes it (``cuda:0``), and loading honours ``map_location`` as PyTorch's
``_get_restore_location`` does."""

from __future__ import annotations

import io
import zipfile

import pytest

import jitgrad as torch


def _round_trip(obj, **kwargs):
    buf = io.BytesIO()
    torch.save(obj, buf)
    buf.seek(0)
    return torch.load(buf, **kwargs)


def test_device_tensor_loads_back_on_the_device():
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], device="cuda")
    buf = io.BytesIO()
    torch.save({"x": x, "n": torch.arange(3)}, buf)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
        pkl = z.read("archive/data.pkl")
    assert b"cuda:0" in pkl and b"cpu" in pkl  # the storages' location tags
    buf.seek(0)
    out = torch.load(buf)
    assert out["x"].device == torch.device("cuda", 0) and out["x"].tolist() == x.tolist()
    assert out["n"].device == torch.device("cpu") and out["n"].tolist() == [0, 1, 2]


@pytest.mark.parametrize(
    "map_location",
    ["cpu", torch.device("cpu"), {"cuda:0": "cpu"}, lambda storage, loc: storage],
)
def test_map_location_to_the_cpu(map_location):
    y = _round_trip(torch.tensor([1.5, -2.0], device="cuda"), map_location=map_location)
    assert y.device == torch.device("cpu") and y.tolist() == [1.5, -2.0]


@pytest.mark.parametrize(
    "map_location",
    ["cuda", "cuda:0", torch.device("cuda"), {"cpu": "cuda:0"}, lambda s, loc: s.cuda()],
)
def test_map_location_to_the_device(map_location):
    y = _round_trip(torch.tensor([1.5, -2.0], requires_grad=True), map_location=map_location)
    assert y.device == torch.device("cuda", 0) and y.tolist() == [1.5, -2.0]
    assert y.requires_grad and y.is_leaf


def test_callable_returning_none_restores_the_saved_location():
    seen = []
    y = _round_trip(torch.ones(2, device="cuda"), map_location=lambda s, loc: seen.append(loc))
    assert seen == ["cuda:0"] and y.is_cuda


def test_bad_locations_raise_pytorchs_errors():
    x = torch.ones(2)
    with pytest.raises(RuntimeError, match=r"CUDA device 3 but torch.cuda.device_count\(\) is 1"):
        _round_trip(x, map_location="cuda:3")
    with pytest.raises(RuntimeError, match=r"don't know how to restore data location of"):
        _round_trip(x, map_location={"cpu": "tpu"})


def test_state_dict_of_a_module_on_the_device():
    torch.manual_seed(0)
    net = torch.nn.Linear(3, 2).cuda()
    state = _round_trip(net.state_dict())
    assert list(state) == ["weight", "bias"]
    assert all(v.is_cuda for v in state.values())
    other = torch.nn.Linear(3, 2).cuda()
    other.load_state_dict(state)
    assert other.weight.is_cuda and other.weight.tolist() == net.weight.tolist()
    on_host = _round_trip(net.state_dict(), map_location="cpu")
    assert not on_host["bias"].is_cuda and on_host["bias"].tolist() == net.bias.tolist()
