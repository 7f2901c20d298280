"""RMSprop and Adagrad against float64 numpy loops written from PyTorch's documented
algorithms (torch.optim docs), step by step, with every option."""

from __future__ import annotations

import numpy as np
import pytest

import jitgrad as torch

STEPS = 7


def _grads(rng, shape, n):
    return [rng.standard_normal(shape) for _ in range(n)]


def rmsprop_reference(p, grads, lr, alpha, eps, wd, momentum, centered, maximize):
    """The algorithm box of torch.optim.RMSprop, in float64."""
    p = p.copy()
    v = np.zeros_like(p)
    b = np.zeros_like(p)
    g_avg = np.zeros_like(p)
    for g in grads:
        g = -g if maximize else g
        if wd:
            g = g + wd * p
        v = alpha * v + (1 - alpha) * g * g
        v_tilde = v
        if centered:
            g_avg = alpha * g_avg + (1 - alpha) * g
            v_tilde = v - g_avg * g_avg
        if momentum > 0:
            b = momentum * b + g / (np.sqrt(v_tilde) + eps)
            p = p - lr * b
        else:
            p = p - lr * g / (np.sqrt(v_tilde) + eps)
    return p, v, b, g_avg


def adagrad_reference(p, grads, lr, lr_decay, wd, init, eps, maximize):
    """The algorithm box of torch.optim.Adagrad, in float64."""
    p = p.copy()
    s = np.full_like(p, init)
    for t, g in enumerate(grads, start=1):
        g = -g if maximize else g
        clr = lr / (1 + (t - 1) * lr_decay)
        if wd:
            g = g + wd * p
        s = s + g * g
        p = p - clr * g / (np.sqrt(s) + eps)
    return p, s


def _run(opt_cls, p0, grads, dtype, **kw):
    p = torch.nn.Parameter(torch.tensor(p0, dtype=dtype))
    opt = opt_cls([p], **kw)
    for g in grads:
        p.grad = torch.tensor(g, dtype=dtype)
        opt.step()
    return p, opt


RMS_OPTIONS = [
    {},
    {"momentum": 0.9},
    {"centered": True},
    {"centered": True, "momentum": 0.5, "weight_decay": 0.1},
    {"maximize": True, "alpha": 0.9, "eps": 1e-3},
]


@pytest.mark.parametrize("options", RMS_OPTIONS, ids=lambda o: ",".join(o) or "default")
def test_rmsprop_matches_the_documented_algorithm(options) -> None:
    rng = np.random.default_rng(0)
    p0 = rng.standard_normal((3, 4))
    grads = _grads(rng, (3, 4), STEPS)
    kw = dict(lr=0.01, alpha=0.99, eps=1e-8, wd=0.0, momentum=0.0, centered=False, maximize=False)
    kw.update({"wd" if k == "weight_decay" else k: v for k, v in options.items()})
    want_p, want_v, want_b, want_g = rmsprop_reference(p0, grads, **kw)
    p, opt = _run(torch.optim.RMSprop, p0, grads, torch.float64, **options)
    np.testing.assert_allclose(p.detach().numpy(), want_p, rtol=1e-12, atol=1e-14)
    state = opt.state[p]
    np.testing.assert_allclose(state["square_avg"].numpy(), want_v, rtol=1e-12)
    assert ("momentum_buffer" in state) == (kw["momentum"] > 0)
    if kw["momentum"] > 0:
        np.testing.assert_allclose(state["momentum_buffer"].numpy(), want_b, rtol=1e-10)
    assert ("grad_avg" in state) == kw["centered"]
    if kw["centered"]:
        np.testing.assert_allclose(state["grad_avg"].numpy(), want_g, rtol=1e-12, atol=1e-15)
    assert state["step"].item() == STEPS
    p32, _ = _run(torch.optim.RMSprop, p0, grads, torch.float32, **options)
    assert p32.dtype is torch.float32
    np.testing.assert_allclose(p32.detach().numpy(), want_p, rtol=1e-4, atol=1e-5)


ADAGRAD_OPTIONS = [
    {},
    {"lr_decay": 0.1},
    {"weight_decay": 0.2, "initial_accumulator_value": 0.5},
    {"maximize": True, "eps": 1e-4, "lr": 0.3},
]


@pytest.mark.parametrize("options", ADAGRAD_OPTIONS, ids=lambda o: ",".join(o) or "default")
def test_adagrad_matches_the_documented_algorithm(options) -> None:
    rng = np.random.default_rng(1)
    p0 = rng.standard_normal(5)
    grads = _grads(rng, 5, STEPS)
    kw = dict(lr=0.01, lr_decay=0.0, wd=0.0, init=0.0, eps=1e-10, maximize=False)
    names = {"weight_decay": "wd", "initial_accumulator_value": "init"}
    kw.update({names.get(k, k): v for k, v in options.items()})
    want_p, want_s = adagrad_reference(p0, grads, **kw)
    p, opt = _run(torch.optim.Adagrad, p0, grads, torch.float64, **options)
    np.testing.assert_allclose(p.detach().numpy(), want_p, rtol=1e-12)
    np.testing.assert_allclose(opt.state[p]["sum"].numpy(), want_s, rtol=1e-12)
    p32, _ = _run(torch.optim.Adagrad, p0, grads, torch.float32, **options)
    np.testing.assert_allclose(p32.detach().numpy(), want_p, rtol=1e-4, atol=1e-5)


def test_adagrad_state_exists_from_construction() -> None:
    p = torch.nn.Parameter(torch.zeros(3))
    opt = torch.optim.Adagrad([p], initial_accumulator_value=0.25)
    assert opt.state[p]["sum"].tolist() == [0.25] * 3 and opt.state[p]["step"].item() == 0.0
    assert opt.state[p]["step"].dtype is torch.float32


def test_parameters_without_grad_are_skipped_and_groups_keep_their_lr() -> None:
    a = torch.nn.Parameter(torch.ones(2))
    b = torch.nn.Parameter(torch.ones(2))
    c = torch.nn.Parameter(torch.ones(2))
    opt = torch.optim.RMSprop([{"params": [a, c]}, {"params": [b], "lr": 0.1}], lr=0.01)
    a.grad = torch.ones(2)
    b.grad = torch.ones(2)
    opt.step()
    # first step: v = (1 - alpha) g^2, so p -= lr * 1 / (sqrt(0.01) + eps)
    assert a.tolist() == pytest.approx([1 - 0.01 / (0.1 + 1e-8)] * 2, rel=1e-6)
    assert b.tolist() == pytest.approx([1 - 0.1 / (0.1 + 1e-8)] * 2, abs=1e-6)
    assert c.tolist() == [1.0, 1.0] and c not in opt.state


def test_state_dict_round_trip_continues_identically() -> None:
    rng = np.random.default_rng(2)
    p0 = rng.standard_normal(4)
    grads = _grads(rng, 4, 6)
    for cls, kw in (
        (torch.optim.RMSprop, {"momentum": 0.9, "centered": True}),
        (torch.optim.Adagrad, {"lr_decay": 0.05}),
    ):
        whole, _ = _run(cls, p0, grads, torch.float64, **kw)
        p, opt = _run(cls, p0, grads[:3], torch.float64, **kw)
        saved = opt.state_dict()
        q = torch.nn.Parameter(p.detach().clone())
        opt2 = cls([q], **kw)
        opt2.load_state_dict(saved)
        for g in grads[3:]:
            q.grad = torch.tensor(g)
            opt2.step()
        assert q.tolist() == whole.tolist()


@pytest.mark.parametrize(
    ("cls", "kwargs", "message"),
    [
        (torch.optim.RMSprop, {"lr": -1}, "Invalid learning rate: -1"),
        (torch.optim.RMSprop, {"alpha": -0.5}, "Invalid alpha value: -0.5"),
        (torch.optim.RMSprop, {"momentum": -1}, "Invalid momentum value: -1"),
        (torch.optim.RMSprop, {"eps": -1}, "Invalid epsilon value: -1"),
        (torch.optim.Adagrad, {"lr_decay": -1}, "Invalid lr_decay value: -1"),
        (
            torch.optim.Adagrad,
            {"initial_accumulator_value": -1},
            "Invalid initial_accumulator_value value: -1",
        ),
        (torch.optim.Adagrad, {"weight_decay": -1}, "Invalid weight_decay value: -1"),
    ],
)
def test_invalid_hyperparameters(cls, kwargs, message) -> None:
    with pytest.raises(ValueError, match=message):
        cls([torch.nn.Parameter(torch.ones(1))], **kwargs)


def test_repr_and_defaults() -> None:
    opt = torch.optim.RMSprop([torch.nn.Parameter(torch.ones(1))])
    g = opt.param_groups[0]
    assert (g["lr"], g["alpha"], g["eps"], g["momentum"], g["centered"]) == (
        0.01,
        0.99,
        1e-08,
        0,
        False,
    )
    assert repr(opt).startswith("RMSprop (\nParameter Group 0\n    alpha: 0.99\n")
    ada = torch.optim.Adagrad([torch.nn.Parameter(torch.ones(1))])
    assert ada.param_groups[0]["eps"] == 1e-10 and ada.param_groups[0]["lr"] == 0.01


@pytest.mark.parametrize("cls", [torch.optim.RMSprop, torch.optim.Adagrad])
def test_training_a_model_reduces_the_loss(cls) -> None:
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1))
    x = torch.randn(128, 3)
    y = x[:, :1] * 2 - x[:, 1:2]
    opt = cls(model.parameters(), lr=0.01 if cls is torch.optim.RMSprop else 0.1)
    losses = []
    for _ in range(80):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.1 * losses[0]
