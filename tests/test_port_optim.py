"""Cases ported from PyTorch's test/optim/test_optim.py, test/optim/test_lrscheduler.py and
the OptimizerInfo tables' checks (param groups, state_dict round trips, argument errors,
schedulers' learning rates step by step), each named after the PyTorch test it comes from.
Expected learning rates are PyTorch's closed forms; messages are PyTorch 2.13's. The file runs
unchanged against real PyTorch (``jitgrad`` mapped to ``torch``), which is how the
expectations were checked."""

from __future__ import annotations

import copy
import math
import warnings

import numpy as np
import pytest
from port_helpers import close

import jitgrad as torch

optim = torch.optim
sched = torch.optim.lr_scheduler
nn = torch.nn


def two_groups(lr=0.05):
    w = nn.Parameter(torch.randn(3, 2))
    b = nn.Parameter(torch.randn(3))
    return optim.SGD([{"params": [w]}, {"params": [b], "lr": lr * 10}], lr=lr)


# ---- optimizer construction and param groups ------------------------------------------------
# test_optimizer_with_empty_parameter_list (OptimizerInfo error inputs)
def test_empty_parameter_list() -> None:
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        optim.SGD([], lr=0.1)


# test_param_group_with_lrscheduler_goes_right_direction / test_errors (non-tensor params)
def test_params_must_be_tensors() -> None:
    with pytest.raises(
        TypeError, match="optimizer can only optimize Tensors, but one of the params is int"
    ):
        optim.SGD([1, 2], lr=0.1)
    with pytest.raises(
        TypeError, match="params argument given to the optimizer should be an iterable"
    ):
        optim.SGD(torch.ones(2, requires_grad=True), lr=0.1)


# test_errors: a non-leaf tensor cannot be optimized
def test_non_leaf_param_refused() -> None:
    w = torch.ones(2, requires_grad=True) * 2
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        optim.SGD([w], lr=0.1)


# test_duplicate_params_across_param_groups
def test_duplicate_params_across_param_groups() -> None:
    a = nn.Parameter(torch.randn(1))
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        optim.SGD([a, a], lr=0.1)
    assert any("a parameter group with duplicate parameters" in str(m.message) for m in w)
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        optim.SGD([{"params": [a]}, {"params": [a]}], lr=0.1)


# test_add_param_group (defaults fill the new group; overrides stay)
def test_add_param_group() -> None:
    w = nn.Parameter(torch.randn(2))
    b = nn.Parameter(torch.randn(2))
    opt = optim.SGD([w], lr=0.1, momentum=0.9)
    opt.add_param_group({"params": b, "lr": 0.5})
    assert len(opt.param_groups) == 2
    g = opt.param_groups[1]
    assert g["lr"] == 0.5 and g["momentum"] == 0.9
    assert g["params"][0] is b
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        opt.add_param_group({"params": [w]})
    with pytest.raises(TypeError, match="param_group must be a dict"):
        opt.add_param_group([b])


# test_required_lr (an optimizer without a default lr needs one per group)
def test_invalid_hyperparameters() -> None:
    p = [nn.Parameter(torch.randn(2))]
    with pytest.raises(ValueError, match="Invalid learning rate: -0.1"):
        optim.SGD(p, lr=-0.1)
    with pytest.raises(ValueError, match="Invalid momentum value: -0.5"):
        optim.SGD(p, lr=0.1, momentum=-0.5)
    with pytest.raises(ValueError, match="Invalid weight_decay value: -1"):
        optim.SGD(p, lr=0.1, weight_decay=-1)
    with pytest.raises(
        ValueError, match="Nesterov momentum requires a momentum and zero dampening"
    ):
        optim.SGD(p, lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match=r"Invalid beta parameter at index 0: 1.0"):
        optim.Adam(p, betas=(1.0, 0.999))
    with pytest.raises(ValueError, match=r"Invalid beta parameter at index 1: -0.1"):
        optim.Adam(p, betas=(0.9, -0.1))
    with pytest.raises(ValueError, match="Invalid epsilon value: -1e-08"):
        optim.Adam(p, eps=-1e-8)
    with pytest.raises(ValueError, match="Invalid alpha value: -1"):
        optim.RMSprop(p, alpha=-1)
    with pytest.raises(ValueError, match="Invalid lr_decay value: -0.5"):
        optim.Adagrad(p, lr_decay=-0.5)
    with pytest.raises(ValueError, match="Invalid rho value: 1.5"):
        optim.Adadelta(p, rho=1.5)


# test_zero_grad (set_to_none defaults to True)
def test_zero_grad() -> None:
    w = nn.Parameter(torch.ones(2))
    opt = optim.SGD([w], lr=0.1)
    (w * 2).sum().backward()
    opt.zero_grad()
    assert w.grad is None
    (w * 2).sum().backward()
    opt.zero_grad(set_to_none=False)
    close(w.grad, torch.zeros(2))


# test_step_skips_params_without_grad
def test_step_skips_params_without_grad() -> None:
    w = nn.Parameter(torch.ones(2))
    b = nn.Parameter(torch.ones(2))
    opt = optim.Adam([w, b], lr=0.1)
    (w * 3).sum().backward()
    opt.step()
    close(b, torch.ones(2))
    assert len(opt.state) == 1
    assert opt.state[w]["step"] == 1 or float(opt.state[w]["step"]) == 1.0


# test_sgd values (momentum, dampening, nesterov, weight_decay, maximize) in closed form
@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_momentum_closed_form(nesterov) -> None:
    w = nn.Parameter(torch.tensor([1.0, -2.0], dtype=torch.float64))
    lr, mom, wd = 0.1, 0.9, 0.01
    opt = optim.SGD([w], lr=lr, momentum=mom, weight_decay=wd, nesterov=nesterov)
    x = np.array([1.0, -2.0])
    buf = None
    for _ in range(4):
        opt.zero_grad()
        (w**2).sum().backward()
        opt.step()
        g = 2 * x + wd * x
        buf = g if buf is None else mom * buf + g
        x = x - lr * (g + mom * buf if nesterov else buf)
    close(w, x, tol=1e-12)


def test_sgd_maximize_and_dampening() -> None:
    w = nn.Parameter(torch.tensor([1.0], dtype=torch.float64))
    opt = optim.SGD([w], lr=0.1, momentum=0.5, dampening=0.5, maximize=True)
    x, buf = 1.0, None
    for _ in range(3):
        opt.zero_grad()
        (w**2).sum().backward()
        opt.step()
        g = -2 * x
        buf = g if buf is None else 0.5 * buf + 0.5 * g
        x -= 0.1 * buf
    close(w, [x], tol=1e-12)


# test_adam closed form (bias correction, amsgrad)
@pytest.mark.parametrize("amsgrad", [False, True])
def test_adam_closed_form(amsgrad) -> None:
    w = nn.Parameter(torch.tensor([1.0, -3.0], dtype=torch.float64))
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    opt = optim.Adam([w], lr=lr, betas=(b1, b2), eps=eps, amsgrad=amsgrad)
    x = np.array([1.0, -3.0])
    m = v = vmax = np.zeros(2)
    for t in range(1, 6):
        opt.zero_grad()
        (w**3).sum().backward()
        opt.step()
        g = 3 * x**2
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        vmax = np.maximum(vmax, v)
        vh = (vmax if amsgrad else v) / (1 - b2**t)
        x = x - lr * (m / (1 - b1**t)) / (np.sqrt(vh) + eps)
    close(w, x, tol=1e-10)


# test_adamw closed form (decoupled weight decay)
def test_adamw_closed_form() -> None:
    w = nn.Parameter(torch.tensor([2.0], dtype=torch.float64))
    lr, wd = 0.1, 0.1
    opt = optim.AdamW([w], lr=lr, weight_decay=wd)
    x, m, v = 2.0, 0.0, 0.0
    for t in range(1, 4):
        opt.zero_grad()
        (w**2).sum().backward()
        opt.step()
        g = 2 * x
        x *= 1 - lr * wd
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        x -= lr * (m / (1 - 0.9**t)) / (math.sqrt(v / (1 - 0.999**t)) + 1e-8)
    close(w, [x], tol=1e-10)


# ---- state_dict -------------------------------------------------------------------------------
# test_state_dict_deterministic / test_load_nontensor_step (state_dict layout)
def test_state_dict_layout() -> None:
    w = nn.Parameter(torch.randn(3, 2))
    b = nn.Parameter(torch.randn(3))
    opt = optim.SGD([{"params": [w]}, {"params": [b], "lr": 0.5}], lr=0.05, momentum=0.9)
    for p in (w, b):
        p.grad = torch.ones_like(p)
    opt.step()
    sd = opt.state_dict()
    assert set(sd) == {"state", "param_groups"}
    assert [g["params"] for g in sd["param_groups"]] == [[0], [1]]
    assert sd["param_groups"][1]["lr"] == pytest.approx(0.5)
    assert set(sd["state"]) == {0, 1}
    assert "momentum_buffer" in sd["state"][0]


# test_state_dict_with_cuda_params / test_load_state_dict (continue identically)
@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta"])
def test_state_dict_roundtrip_continues_identically(name) -> None:
    kwargs = {"SGD": {"lr": 0.1, "momentum": 0.9}}.get(name, {"lr": 0.05})
    torch.manual_seed(0)
    w = nn.Parameter(torch.randn(4, dtype=torch.float64))
    opt = getattr(optim, name)([w], **kwargs)

    def step(o, p):
        o.zero_grad()
        (p**2).sum().backward()
        o.step()

    for _ in range(3):
        step(opt, w)
    w2 = nn.Parameter(w.detach().clone())
    opt2 = getattr(optim, name)([w2], **kwargs)
    opt2.load_state_dict(copy.deepcopy(opt.state_dict()))
    for _ in range(3):
        step(opt, w)
        step(opt2, w2)
    close(w2, w, tol=1e-12)
    # the loaded state is a copy, not the same tensors
    k = next(iter(opt.state[w]))
    if isinstance(opt.state[w][k], torch.Tensor) and opt.state[w][k].dim() > 0:
        assert opt.state[w][k].data_ptr() != opt2.state[w2][k].data_ptr()


# test_load_state_dict errors (group counts and sizes)
def test_load_state_dict_mismatch_errors() -> None:
    opt = two_groups()
    sd = opt.state_dict()
    one = optim.SGD([nn.Parameter(torch.randn(1))], lr=0.1)
    with pytest.raises(
        ValueError, match="loaded state dict has a different number of parameter groups"
    ):
        one.load_state_dict(sd)
    w = nn.Parameter(torch.randn(1))
    b1 = nn.Parameter(torch.randn(1))
    b2 = nn.Parameter(torch.randn(1))
    other = optim.SGD([{"params": [w]}, {"params": [b1, b2]}], lr=0.1)
    with pytest.raises(
        ValueError,
        match="loaded state dict contains a parameter group that doesn't match the size of "
        "optimizer's group",
    ):
        other.load_state_dict(sd)


# test_load_state_dict keeps the optimizer's own lr hyperparameters from the state dict
def test_load_state_dict_restores_hyperparameters() -> None:
    opt = two_groups(lr=0.05)
    sd = opt.state_dict()
    opt2 = two_groups(lr=1.0)
    opt2.load_state_dict(sd)
    assert [g["lr"] for g in opt2.param_groups] == pytest.approx([0.05, 0.5])


# ---- lr schedulers ---------------------------------------------------------------------------
def lrs(scheduler, opt, epochs):
    """The learning rates of every group before each of ``epochs`` steps."""
    out = []
    for _ in range(epochs):
        out.append([g["lr"] for g in opt.param_groups])
        opt.step()
        scheduler.step()
    return out


def make_opt(lrs_=(0.05, 0.5)):
    params = [nn.Parameter(torch.zeros(1)) for _ in lrs_]
    return optim.SGD([{"params": [p], "lr": lr} for p, lr in zip(params, lrs_)], lr=lrs_[0])


def check(got, want) -> None:
    np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=1e-9, atol=1e-12)


# test_step_lr
def test_step_lr() -> None:
    opt = make_opt()
    s = sched.StepLR(opt, step_size=3, gamma=0.1)
    want = [[0.05 * 0.1 ** (e // 3), 0.5 * 0.1 ** (e // 3)] for e in range(10)]
    check(lrs(s, opt, 10), want)


# test_multi_step_lr
def test_multi_step_lr() -> None:
    opt = make_opt()
    s = sched.MultiStepLR(opt, milestones=[2, 5, 9], gamma=0.1)
    k = [0, 0, 1, 1, 1, 2, 2, 2, 2, 3]
    check(lrs(s, opt, 10), [[0.05 * 0.1**i, 0.5 * 0.1**i] for i in k])


# test_multi_step_lr_with_epoch (repeated milestones multiply)
def test_multi_step_lr_repeated_milestone() -> None:
    opt = make_opt((1.0,))
    s = sched.MultiStepLR(opt, milestones=[2, 2, 4], gamma=0.5)
    check(lrs(s, opt, 6), [[1.0], [1.0], [0.25], [0.25], [0.125], [0.125]])


# test_exp_lr
def test_exp_lr() -> None:
    opt = make_opt()
    s = sched.ExponentialLR(opt, gamma=0.9)
    check(lrs(s, opt, 10), [[0.05 * 0.9**e, 0.5 * 0.9**e] for e in range(10)])


# test_cos_anneal_lr
def test_cos_anneal_lr() -> None:
    epochs, eta_min = 10, 1e-10
    opt = make_opt()
    s = sched.CosineAnnealingLR(opt, T_max=epochs, eta_min=eta_min)
    want = [
        [eta_min + (b - eta_min) * (1 + math.cos(math.pi * e / epochs)) / 2 for b in (0.05, 0.5)]
        for e in range(epochs)
    ]
    check(lrs(s, opt, epochs), want)


# test_closed_form_cos_anneal_lr past T_max (the recursive form follows the cosine back up)
def test_cos_anneal_lr_past_t_max() -> None:
    opt = make_opt((1.0,))
    s = sched.CosineAnnealingLR(opt, T_max=4, eta_min=0.0)
    got = [g[0] for g in lrs(s, opt, 9)]
    want = [(1 + math.cos(math.pi * e / 4)) / 2 for e in range(9)]
    check(got, want)


# test_lambda_lr
def test_lambda_lr() -> None:
    opt = make_opt()
    s = sched.LambdaLR(opt, lr_lambda=[lambda x1: 0.9**x1, lambda x2: 0.8**x2])
    check(lrs(s, opt, 10), [[0.05 * 0.9**e, 0.5 * 0.8**e] for e in range(10)])


# test_multiplicative_lr
def test_multiplicative_lr() -> None:
    opt = make_opt()
    s = sched.MultiplicativeLR(opt, lr_lambda=[lambda x1: 0.9, lambda x2: 0.8])
    check(lrs(s, opt, 10), [[0.05 * 0.9**e, 0.5 * 0.8**e] for e in range(10)])


# test_linearlr
def test_linearlr() -> None:
    start, iters = 1 / 2, 4
    opt = make_opt()
    s = sched.LinearLR(opt, start_factor=start, total_iters=iters)
    f = [start + (1 - start) * min(e, iters) / iters for e in range(10)]
    check(lrs(s, opt, 10), [[0.05 * x, 0.5 * x] for x in f])


# test_linearlr_start_factor_limits
def test_linearlr_arguments() -> None:
    opt = make_opt()
    with pytest.raises(
        ValueError,
        match="Starting multiplicative factor expected to be greater than 0 and less or "
        "equal to 1.",
    ):
        sched.LinearLR(opt, start_factor=0, total_iters=4)
    with pytest.raises(
        ValueError,
        match="Starting multiplicative factor expected to be greater than 0 and less or "
        "equal to 1.",
    ):
        sched.LinearLR(opt, start_factor=1.1, total_iters=4)
    with pytest.raises(
        ValueError, match="Ending multiplicative factor expected to be between 0 and 1."
    ):
        sched.LinearLR(opt, end_factor=1.5)


# test_constantlr
def test_constantlr() -> None:
    opt = make_opt()
    s = sched.ConstantLR(opt, factor=1 / 2, total_iters=4)
    f = [0.5] * 4 + [1.0] * 6
    check(lrs(s, opt, 10), [[0.05 * x, 0.5 * x] for x in f])
    with pytest.raises(
        ValueError, match="Constant multiplicative factor expected to be between 0 and 1."
    ):
        sched.ConstantLR(make_opt(), factor=1.5)


# test_polynomial_lr
def test_polynomial_lr() -> None:
    iters, power = 4, 2.0
    opt = make_opt()
    s = sched.PolynomialLR(opt, total_iters=iters, power=power)
    f = [(1 - min(e, iters) / iters) ** power for e in range(8)]
    check(lrs(s, opt, 8), [[0.05 * x, 0.5 * x] for x in f])


# test_sequentiallr1
def test_sequential_lr() -> None:
    opt = make_opt((1.0,))
    s1 = sched.ConstantLR(opt, factor=0.1, total_iters=2)
    s2 = sched.ExponentialLR(opt, gamma=0.9)
    s = sched.SequentialLR(opt, schedulers=[s1, s2], milestones=[3])
    got = [g[0] for g in lrs(s, opt, 7)]
    check(got, [0.1, 0.1, 1.0, 1.0, 0.9, 0.81, 0.729])
    with pytest.raises(
        ValueError,
        match="Sequential Schedulers expects number of schedulers provided to be one more than "
        "the number of milestone points",
    ):
        sched.SequentialLR(opt, schedulers=[s1, s2], milestones=[3, 4])


# test_chained_lr1
def test_chained_scheduler() -> None:
    opt = make_opt((1.0,))
    s1 = sched.ConstantLR(opt, factor=0.1, total_iters=2)
    s2 = sched.ExponentialLR(opt, gamma=0.9)
    s = sched.ChainedScheduler([s1, s2])
    got = [g[0] for g in lrs(s, opt, 5)]
    check(got, [0.1 * 0.9**0, 0.1 * 0.9**1, 0.9**2, 0.9**3, 0.9**4])
    assert s.get_last_lr() == pytest.approx([0.9**5])


# test_cycle_lr_triangular_mode
def test_cyclic_lr_triangular() -> None:
    opt = optim.SGD([nn.Parameter(torch.zeros(1))], lr=1.0, momentum=0.9)
    s = sched.CyclicLR(
        opt,
        base_lr=1.0,
        max_lr=5.0,
        step_size_up=4,
        cycle_momentum=True,
        base_momentum=0.8,
        max_momentum=0.9,
    )
    want_lr = [1, 2, 3, 4, 5, 4, 3, 2, 1, 2, 3]
    want_m = [0.9, 0.875, 0.85, 0.825, 0.8, 0.825, 0.85, 0.875, 0.9, 0.875, 0.85]
    got_lr, got_m = [], []
    for _ in range(11):
        got_lr.append(opt.param_groups[0]["lr"])
        got_m.append(opt.param_groups[0]["momentum"])
        opt.step()
        s.step()
    check(got_lr, want_lr)
    check(got_m, want_m)


# test_cycle_lr_triangular2_mode / exp_range
def test_cyclic_lr_modes() -> None:
    opt = optim.SGD([nn.Parameter(torch.zeros(1))], lr=1.0)
    s = sched.CyclicLR(
        opt, base_lr=1.0, max_lr=5.0, step_size_up=2, mode="triangular2", cycle_momentum=False
    )
    got = [g[0] for g in lrs(s, opt, 9)]
    check(got, [1, 3, 5, 3, 1, 2, 3, 2, 1])
    opt = optim.SGD([nn.Parameter(torch.zeros(1))], lr=1.0)
    gamma = 0.9
    s = sched.CyclicLR(
        opt,
        base_lr=1.0,
        max_lr=5.0,
        step_size_up=2,
        mode="exp_range",
        gamma=gamma,
        cycle_momentum=False,
    )
    got = [g[0] for g in lrs(s, opt, 6)]
    tri = [1, 3, 5, 3, 1, 3]
    want = [1 + (t - 1) * gamma**i for i, t in enumerate(tri)]
    check(got, want)
    with pytest.raises(ValueError, match="mode is invalid and scale_fn is None"):
        sched.CyclicLR(opt, base_lr=1.0, max_lr=5.0, mode="foo")


# test_onecycle_lr_cosine_annealing / linear
@pytest.mark.parametrize("strategy", ["cos", "linear"])
def test_onecycle_lr(strategy) -> None:
    opt = optim.SGD([nn.Parameter(torch.zeros(1))], lr=1.0, momentum=0.9)
    total = 10
    s = sched.OneCycleLR(
        opt,
        max_lr=25.0,
        total_steps=total,
        pct_start=0.3,
        anneal_strategy=strategy,
        div_factor=25.0,
        final_div_factor=1e4,
    )
    initial, final = 1.0, 1.0 / 1e4
    up_end = float(0.3 * total) - 1  # 2.0
    down_end = total - 1

    def anneal(start, end, pct):
        if strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    want_lr, want_m = [], []
    for step in range(total):
        if step <= up_end:
            pct = step / up_end
            want_lr.append(anneal(initial, 25.0, pct))
            want_m.append(anneal(0.95, 0.85, pct))
        else:
            pct = (step - up_end) / (down_end - up_end)
            want_lr.append(anneal(25.0, final, pct))
            want_m.append(anneal(0.85, 0.95, pct))
    got_lr, got_m = [], []
    for _ in range(total):
        got_lr.append(opt.param_groups[0]["lr"])
        got_m.append(opt.param_groups[0]["momentum"])
        opt.step()
        s.step()
    check(got_lr, want_lr)
    check(got_m, want_m)
    with pytest.raises(
        ValueError, match="Tried to step 11 times. The specified number of total steps is 10"
    ):
        s.step()


# test_cosine_then_cyclic / test_CosineAnnealingWarmRestarts_lr1
def test_cosine_annealing_warm_restarts() -> None:
    opt = make_opt((1.0,))
    T_0, T_mult, eta_min = 2, 2, 0.1
    s = sched.CosineAnnealingWarmRestarts(opt, T_0=T_0, T_mult=T_mult, eta_min=eta_min)
    got = [g[0] for g in lrs(s, opt, 14)]
    want = []
    T_cur, T_i = 0, T_0
    for _ in range(14):
        want.append(eta_min + (1 - eta_min) * (1 + math.cos(math.pi * T_cur / T_i)) / 2)
        T_cur += 1
        if T_cur >= T_i:
            T_cur -= T_i
            T_i *= T_mult
    check(got, want)
    with pytest.raises(ValueError, match="Expected positive integer T_0, but got -1"):
        sched.CosineAnnealingWarmRestarts(opt, T_0=-1)


# test_reduce_lr_on_plateau1..8 (mode, threshold_mode, cooldown, min_lr)
def test_reduce_lr_on_plateau() -> None:
    opt = make_opt((1.0,))
    s = sched.ReduceLROnPlateau(
        opt, mode="min", factor=0.5, patience=2, threshold=0.01, cooldown=1, min_lr=0.1
    )
    metrics = [10, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9]
    got = []
    for m in metrics:
        s.step(m)
        got.append(opt.param_groups[0]["lr"])
    # bad epochs reach patience+1 = 3 after epochs 2,3,4 -> halve at index 4; cooldown 1, then
    # 3 more bad epochs -> index 8; then index 12; floored at min_lr 0.1
    want = [1.0] * 4 + [0.5] * 4 + [0.25] * 4 + [0.125] * 2
    check(got, want)
    assert s.get_last_lr() == pytest.approx([0.125])
    with pytest.raises(ValueError, match="Factor should be < 1.0."):
        sched.ReduceLROnPlateau(opt, factor=1.0)
    with pytest.raises(ValueError, match="mode foo is unknown!"):
        sched.ReduceLROnPlateau(opt, mode="foo")
    with pytest.raises(ValueError, match="threshold mode foo is unknown!"):
        sched.ReduceLROnPlateau(opt, threshold_mode="foo")


def test_reduce_lr_on_plateau_max_abs() -> None:
    opt = make_opt((1.0,))
    s = sched.ReduceLROnPlateau(
        opt, mode="max", factor=0.1, patience=0, threshold=0.5, threshold_mode="abs"
    )
    got = []
    for m in [1.0, 2.0, 2.4, 3.0, 3.2]:
        s.step(m)
        got.append(opt.param_groups[0]["lr"])
    check(got, [1.0, 1.0, 0.1, 0.1, 0.01])


# test_get_last_lr / test_scheduler_state_dict round trip
def test_scheduler_state_dict_roundtrip() -> None:
    opt = make_opt()
    s = sched.StepLR(opt, step_size=2, gamma=0.5)
    lrs(s, opt, 3)
    sd = s.state_dict()
    assert sd["last_epoch"] == 3
    assert "optimizer" not in sd
    opt2 = make_opt()
    s2 = sched.StepLR(opt2, step_size=5, gamma=0.9)
    s2.load_state_dict(sd)
    assert s2.step_size == 2 and s2.gamma == 0.5 and s2.last_epoch == 3
    assert s2.get_last_lr() == pytest.approx(s.get_last_lr())


# test_lambda_lr_state_dict (a function lambda is not saved, a callable object's dict is)
def test_lambda_lr_state_dict() -> None:
    class LambdaObj:
        def __init__(self, value):
            self.value = value

        def __call__(self, epoch):
            return self.value * epoch

    opt = make_opt((1.0,))
    s = sched.LambdaLR(opt, lr_lambda=LambdaObj(10))
    sd = s.state_dict()
    assert sd["lr_lambdas"] == [{"value": 10}]
    s2 = sched.LambdaLR(opt, lr_lambda=LambdaObj(5))
    s2.load_state_dict(sd)
    assert s2.lr_lambdas[0].value == 10
    s3 = sched.LambdaLR(opt, lr_lambda=lambda e: 0.5)
    assert s3.state_dict()["lr_lambdas"] == [None]


# test_old_pattern_warning (scheduler.step() before optimizer.step())
def test_scheduler_step_before_optimizer_step_warns() -> None:
    opt = make_opt()
    s = sched.StepLR(opt, step_size=3)
    with pytest.warns(
        UserWarning, match=r"Detected call of `lr_scheduler.step\(\)` before `optimizer.step\(\)`"
    ):
        s.step()


# test_no_cyclic_references / initial_lr is set on the groups
def test_initial_lr_and_last_epoch_resume() -> None:
    opt = make_opt()
    sched.StepLR(opt, step_size=3)
    assert [g["initial_lr"] for g in opt.param_groups] == [0.05, 0.5]
    opt2 = make_opt()
    with pytest.raises(
        KeyError,
        match="param 'initial_lr' is not specified in param_groups\\[0\\] when resuming",
    ):
        sched.StepLR(opt2, step_size=3, last_epoch=4)
