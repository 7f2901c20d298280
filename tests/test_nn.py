"""nn.Module mechanics, hooks (forward, full backward), layers and their default init."""

from __future__ import annotations

import math
from collections import OrderedDict

import numpy as np
import pytest
from recorded_parity_cases import full_backward_hook, recorded

import jitgrad as jg
import jitgrad.nn as nn
import jitgrad.nn.functional as F


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(3, 4)
        self.act = nn.ReLU()
        self.blocks = nn.ModuleList([nn.Linear(4, 4), nn.Tanh()])
        self.scale = nn.Parameter(jg.ones(1))
        self.plain = 5

    def forward(self, x):
        x = self.act(self.fc1(x))
        for b in self.blocks:
            x = b(x)
        return x * self.scale


def test_registration_and_traversal():
    net = Net()
    names = [n for n, _ in net.named_parameters()]
    assert names == ["scale", "fc1.weight", "fc1.bias", "blocks.0.weight", "blocks.0.bias"]
    assert [type(m).__name__ for m in net.children()] == ["Linear", "ReLU", "ModuleList"]
    assert [type(m).__name__ for m in net.modules()] == [
        "Net",
        "Linear",
        "ReLU",
        "ModuleList",
        "Linear",
        "Tanh",
    ]
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in net.parameters())
    assert net.plain == 5 and "plain" not in dict(net.named_parameters())
    shared = nn.Linear(2, 2)
    seq = nn.Sequential(shared, shared)
    assert len(list(seq.parameters())) == 2  # shared parameters are listed once
    with pytest.raises(AttributeError, match="'Net' object has no attribute 'nope'"):
        net.nope  # noqa: B018


def test_repr_matches_torch_layout():
    seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Dropout(0.2), nn.GELU(), nn.Flatten())
    assert repr(seq) == (
        "Sequential(\n"
        "  (0): Linear(in_features=2, out_features=3, bias=True)\n"
        "  (1): ReLU()\n"
        "  (2): Dropout(p=0.2, inplace=False)\n"
        "  (3): GELU(approximate='none')\n"
        "  (4): Flatten(start_dim=1, end_dim=-1)\n"
        ")"
    )
    assert repr(nn.Parameter(jg.tensor([1.0, 2.0]))) == (
        "Parameter containing:\ntensor([1., 2.], requires_grad=True)"
    )


def test_train_eval_requires_grad_apply_zero_grad():
    net = Net()
    net.eval()
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())
    net.requires_grad_(True)
    seen = []
    net.apply(lambda m: seen.append(type(m).__name__))
    assert seen[-1] == "Net" and seen[0] == "Linear"
    net(jg.randn(2, 3)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(float(p.grad.abs().sum()) == 0.0 for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_to_dtype_converts_parameters_in_place():
    lin = nn.Linear(2, 2)
    w = lin.weight
    lin.to(jg.float64)
    assert lin.weight is w and w.dtype == jg.float64 and lin.bias.dtype == jg.float64
    assert lin(jg.ones(1, 2, dtype=jg.float64)).dtype == jg.float64


def test_state_dict_round_trip_and_strict_errors():
    a, b = Net(), Net()
    sd = a.state_dict()
    assert list(sd) == ["scale", "fc1.weight", "fc1.bias", "blocks.0.weight", "blocks.0.bias"]
    assert not sd["fc1.weight"].requires_grad
    result = b.load_state_dict(sd)
    assert repr(result) == "<All keys matched successfully>"
    for (_, p), (_, q) in zip(a.named_parameters(), b.named_parameters(), strict=True):
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())
    lin = nn.Linear(2, 3)
    with pytest.raises(RuntimeError) as e:
        lin.load_state_dict({"weight": jg.ones(3, 2), "foo": jg.ones(1)})
    assert str(e.value) == (
        "Error(s) in loading state_dict for Linear:\n"
        '\tMissing key(s) in state_dict: "bias". \n'
        '\tUnexpected key(s) in state_dict: "foo". '
    )
    with pytest.raises(RuntimeError, match="size mismatch for weight: copying a param with sh"):
        lin.load_state_dict({"weight": jg.ones(2, 2), "bias": jg.ones(3)})
    res = lin.load_state_dict({"weight": jg.ones(3, 2)}, strict=False)
    assert res.missing_keys == ["bias"] and res.unexpected_keys == []
    assert lin.weight.tolist() == [[1.0, 1.0]] * 3


def test_linear_default_init_bounds_and_values():
    jg.manual_seed(0)
    lin = nn.Linear(100, 50)
    w = lin.weight.detach().numpy()
    b = lin.bias.detach().numpy()
    bound = 1 / math.sqrt(100)  # kaiming_uniform(a=sqrt(5)) gives the same bound as the bias
    assert w.shape == (50, 100) and b.shape == (50,)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert np.abs(b).max() <= bound
    x = np.random.default_rng(0).standard_normal((7, 100)).astype(np.float32)
    y = lin(jg.from_numpy(x))
    np.testing.assert_allclose(y.detach().numpy(), x @ w.T + b, rtol=1e-5, atol=1e-5)
    assert y.grad_fn.name() == "AddmmBackward0"
    assert nn.Linear(3, 2, bias=False)(jg.ones(4, 3)).grad_fn.name() == "MmBackward0"
    assert lin(jg.ones(2, 5, 100)).shape == (2, 5, 50)


def test_forward_hooks_order_and_replacement():
    lin = nn.Linear(2, 2)
    log = []
    h1 = lin.register_forward_pre_hook(lambda m, args: log.append("pre") or (args[0] * 0,))
    h2 = lin.register_forward_hook(lambda m, args, out: log.append("post") or out + 1)
    out = lin(jg.ones(1, 2))
    assert log == ["pre", "post"]
    np.testing.assert_allclose(out.detach().numpy(), lin.bias.detach().numpy()[None] + 1)
    h1.remove()
    h2.remove()
    lin(jg.ones(1, 2))
    assert log == ["pre", "post"]


class TwoOps(nn.Module):
    """Several ops inside: the hook must see gradients w.r.t. the module's inputs/outputs."""

    def forward(self, x, y):
        return (x * y).exp() * 2, x + y


def test_full_backward_hook_sees_module_level_gradients():
    x = jg.tensor([0.5, -1.0], requires_grad=True)
    y = jg.tensor([2.0, 3.0], requires_grad=True)
    m = TwoOps()
    seen = {}

    def hook(module, grad_input, grad_output):
        seen["gi"] = [g.tolist() for g in grad_input]
        seen["go"] = [g.tolist() for g in grad_output]

    m.register_full_backward_hook(hook)
    a, b = m(x, y)
    (a.sum() + 3 * b.sum()).backward()
    e = np.exp(np.array([0.5 * 2.0, -1.0 * 3.0]))
    assert seen["go"] == [[1.0, 1.0], [3.0, 3.0]]
    np.testing.assert_allclose(seen["gi"][0], 2 * e * [2.0, 3.0] + 3, rtol=1e-6)
    np.testing.assert_allclose(seen["gi"][1], 2 * e * [0.5, -1.0] + 3, rtol=1e-6)
    np.testing.assert_allclose(x.grad.numpy(), seen["gi"][0])


def test_backward_hook_replaces_grad_input_and_handles_no_grad_inputs():
    lin = nn.Linear(2, 1)
    x = jg.ones(3, 2, requires_grad=True)
    lin.register_full_backward_hook(lambda m, gi, go: (gi[0] * 0 + 7,))
    lin(x).sum().backward()
    assert x.grad.tolist() == [[7.0, 7.0]] * 3
    assert lin.weight.grad is not None  # parameter gradients are untouched by the hook
    calls = []
    lin2 = nn.Linear(2, 1)
    lin2.register_backward_hook(lambda m, gi, go: calls.append((gi, go[0].shape)))
    lin2(jg.ones(3, 2)).sum().backward()  # the input needs no grad: grad_input is (None,)
    assert calls == [((None,), (3, 1))]


def test_full_backward_hook_matches_torch_recorded():
    got, want = full_backward_hook(jg), recorded("full_backward_hook")
    np.testing.assert_allclose(np.array(got[0]), np.array(want[0]), rtol=1e-5)
    np.testing.assert_allclose(np.array(got[1]), np.array(want[1]), rtol=1e-5)


def test_layers_against_references():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 5)).astype(np.float32)
    t = jg.from_numpy(x)
    np.testing.assert_allclose(nn.ReLU()(t).numpy(), np.maximum(x, 0))
    np.testing.assert_allclose(nn.Sigmoid()(t).numpy(), 1 / (1 + np.exp(-x)), rtol=1e-6)
    np.testing.assert_allclose(nn.Tanh()(t).numpy(), np.tanh(x), rtol=1e-6)
    sm = nn.Softmax(dim=1)(t).numpy()
    np.testing.assert_allclose(sm, np.exp(x) / np.exp(x).sum(1, keepdims=True), rtol=1e-5)
    assert nn.Flatten()(jg.ones(2, 3, 4)).shape == (2, 12)
    ln = nn.LayerNorm(5)
    mu, var = x.mean(1, keepdims=True), x.var(1, keepdims=True)
    np.testing.assert_allclose(ln(t).detach().numpy(), (x - mu) / np.sqrt(var + 1e-5), atol=1e-5)
    emb = nn.Embedding(10, 3, padding_idx=0)
    assert emb.weight[0].tolist() == [0.0, 0.0, 0.0]
    idx = jg.tensor([[1, 2], [1, 0]])
    out = emb(idx)
    assert out.shape == (2, 2, 3) and out.grad_fn.name() == "EmbeddingBackward0"
    out.sum().backward()
    g = emb.weight.grad.numpy()
    assert g[1].tolist() == [2.0] * 3 and g[2].tolist() == [1.0] * 3 and g[0].tolist() == [0.0] * 3


def test_dropout_train_and_eval():
    jg.manual_seed(0)
    d = nn.Dropout(0.25)
    x = jg.ones(4000)
    y = d(x).numpy()
    kept = y != 0
    np.testing.assert_allclose(y[kept], 1 / 0.75)
    assert abs(kept.mean() - 0.75) < 0.03
    d.eval()
    assert d(x) is x
    with pytest.raises(
        ValueError, match="dropout probability has to be between 0 and 1, but got 2"
    ):
        nn.Dropout(2)


def test_init_functions():
    jg.manual_seed(0)
    w = jg.empty(200, 300)
    nn.init.xavier_uniform_(w)
    a = math.sqrt(6 / 500)
    assert float(w.abs().max()) <= a and float(w.abs().max()) > 0.95 * a
    nn.init.kaiming_uniform_(w, nonlinearity="relu")
    assert float(w.abs().max()) <= math.sqrt(6 / 300)
    nn.init.normal_(w, 2.0, 0.5)
    assert abs(float(w.mean()) - 2.0) < 0.01 and abs(float(w.std()) - 0.5) < 0.01
    nn.init.constant_(w, 3.0)
    assert float(w.min()) == 3.0 == float(w.max())
    nn.init.zeros_(w)
    assert float(w.abs().sum()) == 0
    nn.init.ones_(w)
    nn.init.uniform_(w, -1, 1)
    assert -1 <= float(w.min()) and float(w.max()) <= 1
    with pytest.raises(ValueError, match="Fan in and fan out can not be computed"):
        nn.init.xavier_uniform_(jg.empty(3))


def test_sequential_ordered_dict_and_indexing():
    seq = nn.Sequential(OrderedDict([("a", nn.Linear(2, 2)), ("b", nn.ReLU())]))
    assert list(seq.state_dict()) == ["a.weight", "a.bias"]
    assert isinstance(seq[1], nn.ReLU) and len(seq) == 2 and len(seq[:1]) == 1
    x = jg.randn(3, 2)
    np.testing.assert_allclose(seq(x).detach().numpy(), F.relu(seq.a(x)).detach().numpy())
