"""optim: SGD/Adam/AdamW trajectories vs hand-written float64 references (and torch when
installed), parameter groups, state_dict round trips, one group update call per group/dtype."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

import jitgrad as jg
import jitgrad.nn as nn
import jitgrad.nn.functional as F
import jitgrad.optim as optim
from jitgrad.kernels.cpu import optim as K

SHAPES = [(3, 4), (4,), ()]


def ref_sgd(
    p, grads, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False, maximize=False
):
    """PyTorch's documented SGD update, float64, one step per gradient in ``grads``."""
    p = p.astype(np.float64).copy()
    buf = None
    out = []
    for g in grads:
        d = -g if maximize else g.astype(np.float64)
        d = d + weight_decay * p
        if momentum:
            buf = d.copy() if buf is None else momentum * buf + (1 - dampening) * d
            d = d + momentum * buf if nesterov else buf
        p = p - lr * d
        out.append(p.copy())
    return out


def ref_adam(
    p,
    grads,
    lr,
    betas=(0.9, 0.999),
    eps=1e-8,
    weight_decay=0.0,
    amsgrad=False,
    maximize=False,
    decoupled=False,
):
    """PyTorch's documented Adam/AdamW update, float64."""
    b1, b2 = betas
    p = p.astype(np.float64).copy()
    m = np.zeros_like(p)
    v = np.zeros_like(p)
    vmax = np.zeros_like(p)
    out = []
    for t, g in enumerate(grads, start=1):
        g = -g if maximize else g.astype(np.float64)
        if decoupled:
            p = p * (1 - lr * weight_decay)
        elif weight_decay:
            g = g + weight_decay * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        vmax = np.maximum(vmax, v)
        vhat = vmax if amsgrad else v
        p = p - lr / (1 - b1**t) * m / (np.sqrt(vhat) / math.sqrt(1 - b2**t) + eps)
        out.append(p.copy())
    return out


CASES = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.05, "momentum": 0.8, "nesterov": True, "maximize": True}),
    ("Adam", {"lr": 0.01}),
    ("Adam", {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True}),
    ("AdamW", {"lr": 0.01, "amsgrad": True, "maximize": True}),
    ("AdamW", {"lr": 0.02, "betas": (0.5, 0.6), "weight_decay": 0.3}),
]


def _reference(name, init, grads, kw):
    if name == "SGD":
        return ref_sgd(init, grads, **kw)
    kw = dict(kw)
    if name == "AdamW":
        kw.setdefault("weight_decay", 1e-2)
        return ref_adam(init, grads, decoupled=True, **kw)
    return ref_adam(init, grads, **kw)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,kw", CASES)
def test_trajectory_matches_reference(name, kw, dtype):
    rng = np.random.default_rng(1)
    inits = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    grads = [[rng.standard_normal(s).astype(dtype) for s in SHAPES] for _ in range(6)]
    params = [jg.tensor(a.copy(), requires_grad=True) for a in inits]
    opt = getattr(optim, name)(params, **kw)
    got = []
    for step in grads:
        for p, g in zip(params, step, strict=True):
            p.grad = jg.tensor(g)
        opt.step()
        got.append([p.detach().numpy().copy() for p in params])
    tol = 1e-5 if dtype == np.float32 else 1e-12
    for i, init in enumerate(inits):
        want = _reference(name, init, [s[i] for s in grads], kw)
        for t in range(len(grads)):
            assert got[t][i].dtype == dtype
            np.testing.assert_allclose(got[t][i], want[t], rtol=tol, atol=tol)


def trajectory(module, name: str, kw: dict) -> list:
    """8 float32 steps of optimizer ``name`` from ``module`` (jitgrad or torch) on seeded
    parameters and gradients: each step's parameters as lists."""
    rng = np.random.default_rng(2)
    params = [
        module.tensor(rng.standard_normal(s).astype(np.float32), requires_grad=True)
        for s in SHAPES
    ]
    opt = getattr(module.optim, name)(params, **kw)
    steps = []
    for _ in range(8):
        for p, s in zip(params, SHAPES, strict=True):
            p.grad = module.tensor(rng.standard_normal(s).astype(np.float32))
        opt.step()
        steps.append([p.detach().numpy().tolist() for p in params])
    return steps


RECORDED = json.loads((Path(__file__).parent / "fixtures" / "optim_torch.json").read_text())


@pytest.mark.parametrize("k", range(len(CASES)))
def test_trajectory_matches_recorded_torch(k):
    """8 float32 steps against PyTorch 2.13's trajectory, recorded by
    tests/fixtures/make_optim_torch.py (no torch needed to run this)."""
    name, kw = CASES[k]
    got = trajectory(jg, name, kw)
    for mine, theirs in zip(got, RECORDED["cases"][k], strict=True):
        for a, b in zip(mine, theirs, strict=True):
            np.testing.assert_allclose(np.array(a), np.array(b), rtol=0, atol=2e-6)


def test_hand_computed_sgd_momentum():
    # p=1, g=1 each step, lr=0.1, momentum=0.5: buf 1, 1.5, 1.75 -> p 0.9, 0.75, 0.575
    p = jg.tensor([1.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.1, momentum=0.5)
    seen = []
    for _ in range(3):
        p.grad = jg.tensor([1.0])
        opt.step()
        seen.append(p.item())
    assert seen == pytest.approx([0.9, 0.75, 0.575], abs=1e-7)


def test_one_group_update_per_group_and_dtype(monkeypatch):
    calls = []
    real = K.sgd_step

    def counting(params, *args):
        calls.append(len(params))
        return real(params, *args)

    monkeypatch.setattr(K, "sgd_step", counting)
    a = [jg.ones(3, requires_grad=True) for _ in range(4)]
    b = [jg.ones(2, dtype=jg.float64, requires_grad=True) for _ in range(2)]
    c = [jg.ones(2, requires_grad=True)]
    opt = optim.SGD([{"params": a + b}, {"params": c, "lr": 0.5}], lr=0.1)
    for p in a + b + c:
        p.grad = jg.ones_like(p)
    opt.step()
    assert sorted(calls) == [1, 2, 4]
    assert a[0].tolist() == pytest.approx([0.9] * 3)
    assert c[0].tolist() == pytest.approx([0.5] * 2)


def test_params_without_grad_are_skipped_and_versions_bump():
    p = jg.ones(2, requires_grad=True)
    q = jg.ones(2, requires_grad=True)
    opt = optim.Adam([p, q], lr=0.1)
    p.grad = jg.ones(2)
    v = q._version
    opt.step()
    assert q.tolist() == [1.0, 1.0] and q._version == v
    assert p.tolist() != [1.0, 1.0]
    assert opt.state[p]["step"].item() == 1.0 and q not in opt.state


def test_zero_grad():
    p = jg.ones(2, requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    p.grad = jg.ones(2)
    opt.zero_grad(set_to_none=False)
    assert p.grad.tolist() == [0.0, 0.0]
    opt.zero_grad()
    assert p.grad is None


def test_state_dict_round_trip_continues_identically():
    rng = np.random.default_rng(3)
    init = rng.standard_normal(5).astype(np.float32)
    grads = [rng.standard_normal(5).astype(np.float32) for _ in range(6)]

    def run(split: bool) -> np.ndarray:
        p = jg.tensor(init.copy(), requires_grad=True)
        opt = optim.Adam([p], lr=0.05, amsgrad=True)
        for i, g in enumerate(grads):
            if split and i == 3:
                sd = opt.state_dict()
                opt = optim.Adam([p], lr=123.0)
                opt.load_state_dict(sd)
            p.grad = jg.tensor(g)
            opt.step()
        return p.detach().numpy()

    np.testing.assert_array_equal(run(True), run(False))
    p = jg.ones(1, requires_grad=True)
    sd = optim.SGD([p], lr=0.3, momentum=0.9).state_dict()
    assert sd["param_groups"][0]["lr"] == 0.3 and sd["param_groups"][0]["params"] == [0]


def test_errors_match_torch():
    p = jg.ones(1, requires_grad=True)
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        optim.SGD([p], lr=-1)
    with pytest.raises(ValueError, match="Nesterov momentum requires a momentum and zero damp"):
        optim.SGD([p], lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="Invalid beta parameter at index 0: 1.0"):
        optim.Adam([p], betas=(1.0, 0.9))
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        optim.Adam([])
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter"):
        optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1)


def test_short_training_run_converges():
    jg.manual_seed(0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((128, 4)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] > 0).astype(np.int64) + (x[:, 2] > 0.5).astype(np.int64)
    model = nn.Sequential(nn.Linear(4, 32), nn.ReLU(), nn.Linear(32, 3))
    opt = optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
    xt, yt = jg.from_numpy(x), jg.from_numpy(y)
    for _ in range(150):
        loss = F.cross_entropy(model(xt), yt)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert loss.item() < 0.1
