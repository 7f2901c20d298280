"""``Module.state_dict``/``load_state_dict`` as PyTorch 2.13 recurses: a shared child under
each of its names, ``get_extra_state``/``set_extra_state``, the state_dict pre/post hooks
and the load pre hooks (their arguments and what they may change), plus ``set_submodule``,
``named_*(remove_duplicate=...)``, ``Module.type`` and ``share_memory``.
Expected values were read off PyTorch 2.13 running the same code."""

from __future__ import annotations

import pytest

import jitgrad as torch
from jitgrad import nn


def test_shared_child_is_saved_under_each_name() -> None:
    lin = nn.Linear(2, 2)
    m = nn.Sequential(lin, lin)
    assert list(m.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias"]
    assert list(m.state_dict(prefix="model."))[0] == "model.0.weight"
    assert m.state_dict()._metadata == {
        "": {"version": 1},
        "0": {"version": 1},
        "1": {"version": 1},
    }


class _Extra(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.lin = nn.Linear(1, 1)
        self.v = 3

    def get_extra_state(self) -> dict:
        return {"v": self.v}

    def set_extra_state(self, state: dict) -> None:
        self.v = state["v"]


def test_extra_state_round_trip_and_missing_key() -> None:
    outer = nn.Sequential(_Extra(), nn.ReLU())
    sd = outer.state_dict()
    assert list(sd) == ["0._extra_state", "0.lin.weight", "0.lin.bias"]
    sd["0._extra_state"] = {"v": 7}
    assert repr(outer.load_state_dict(sd)) == "<All keys matched successfully>"
    assert outer[0].v == 7
    del sd["0._extra_state"]
    with pytest.raises(RuntimeError) as info:
        outer.load_state_dict(sd)
    assert str(info.value) == (
        "Error(s) in loading state_dict for Sequential:\n\tMissing key(s) in state_dict: "
        '"0._extra_state". '
    )
    keys = outer.load_state_dict(sd, strict=False)  # PyTorch reports it even when not strict
    assert keys.missing_keys == ["0._extra_state"] and keys.unexpected_keys == []


def test_base_extra_state_methods_are_never_called() -> None:
    for name, args in (("get_extra_state", ()), ("set_extra_state", (1,))):
        with pytest.raises(RuntimeError) as info:
            getattr(nn.Linear(1, 1), name)(*args)
        assert str(info.value).startswith(f"Reached a code path in Module.{name}() that should")


def test_state_dict_pre_and_post_hooks() -> None:
    lin = nn.Linear(2, 2)
    m = nn.Sequential(lin, lin)
    log: list = []
    m.register_state_dict_pre_hook(lambda mod, prefix, kv: log.append((type(mod), prefix, kv)))
    handle = lin.register_state_dict_post_hook(
        lambda mod, d, prefix, meta: log.append((prefix, sorted(d), meta))
    )
    m.state_dict()
    assert log == [
        (nn.Sequential, "", False),
        ("0.", ["0.bias", "0.weight"], {"version": 1}),
        ("1.", ["0.bias", "0.weight", "1.bias", "1.weight"], {"version": 1}),
    ]
    handle.remove()
    lin.register_state_dict_post_hook(lambda mod, d, prefix, meta: {})
    with pytest.raises(RuntimeError, match="^state_dict post-hook must return None$"):
        m.state_dict()


def test_load_pre_hook_edits_a_copy_and_reports_errors() -> None:
    log: list = []

    def rename(mod, sd, prefix, meta, strict, missing, unexpected, errors):
        log.append((prefix, sorted(sd), meta, strict))
        if prefix + "old_w" in sd:
            sd[prefix + "weight"] = sd.pop(prefix + "old_w")

    lin = nn.Linear(2, 2)
    lin.register_load_state_dict_pre_hook(rename)
    sd = {"old_w": torch.ones(2, 2), "bias": torch.zeros(2)}
    assert repr(lin.load_state_dict(sd)) == "<All keys matched successfully>"
    assert lin.weight.tolist() == [[1.0, 1.0], [1.0, 1.0]] and sorted(sd) == ["bias", "old_w"]
    assert log == [("", ["bias", "old_w"], {}, True)]  # a plain dict: no recorded version

    lin2 = nn.Linear(2, 2)
    lin2.register_load_state_dict_pre_hook(
        lambda mod, sd, prefix, meta, strict, missing, unexpected, errors: errors.append("bad")
    )
    with pytest.raises(RuntimeError) as info:
        lin2.load_state_dict(lin2.state_dict())
    assert str(info.value) == "Error(s) in loading state_dict for Linear:\n\tbad"


def test_set_submodule() -> None:
    s = nn.Sequential(nn.Linear(1, 1), nn.Sequential(nn.ReLU()))
    s.set_submodule("1.0", nn.Tanh())
    s.set_submodule("1.new", nn.Tanh())
    assert repr(s[1]) == "Sequential(\n  (0): Tanh()\n  (new): Tanh()\n)"
    cases = [
        (("", nn.Tanh()), {}, ValueError, "Cannot set the submodule without a target name!"),
        (("0", 3), {}, ValueError, "`module` is not an nn.Module, found <class 'int'>"),
        (("1.x", nn.Tanh()), {"strict": True}, AttributeError, "Sequential has no attribute `x`"),
        (("0.weight", nn.Tanh()), {}, AttributeError, "`weight` is not an nn.Module"),
        (("2.x", nn.Tanh()), {}, AttributeError, "Sequential has no attribute `2`"),
    ]
    for args, kwargs, exc, message in cases:
        with pytest.raises(exc) as info:
            s.set_submodule(*args, **kwargs)
        assert str(info.value) == message


def test_named_members_remove_duplicate() -> None:
    lin = nn.Linear(2, 2)
    m = nn.Sequential(lin, lin)
    m.register_buffer("b", torch.zeros(1))
    m[0].register_buffer("c", torch.zeros(1))
    assert [n for n, _ in m.named_modules(remove_duplicate=False)] == ["", "0", "1"]
    assert [n for n, _ in m.named_parameters()] == ["0.weight", "0.bias"]
    assert [n for n, _ in m.named_parameters(remove_duplicate=False)] == [
        "0.weight", "0.bias", "1.weight", "1.bias"
    ]  # fmt: skip
    assert [n for n, _ in m.named_buffers(remove_duplicate=False)] == ["b", "0.c", "1.c"]
    assert [n for n, _ in m.named_buffers()] == ["b", "0.c"]


def test_module_type_and_share_memory() -> None:
    m = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    w = m[0].weight
    m(torch.ones(3, 2)).sum().backward()
    assert m.type(torch.float64) is m and m[0].weight is w
    assert (w.dtype, w.grad.dtype) == (torch.float64, torch.float64)
    assert m[1].num_batches_tracked.dtype == torch.float64  # integer buffers too, unlike .to()
    with pytest.raises(RuntimeError) as info:
        m.type(torch.int32)
    assert str(info.value) == (
        "data set to a tensor that requires gradients must be floating point or complex dtype"
    )
    assert m.share_memory() is m and w.is_shared()
    assert nn.Linear(2, 2).type("torch.DoubleTensor").weight.dtype == torch.float64
