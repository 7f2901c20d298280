"""lr_scheduler: each scheduler's learning-rate sequence against its documented closed form
(torch.optim.lr_scheduler docs), plus PyTorch's warnings, checks and state_dict."""

from __future__ import annotations

import math
import warnings

import pytest

import jitgrad as torch
from jitgrad.optim import lr_scheduler as S


def _opt(lr=0.1, cls=torch.optim.SGD, groups=1, **kw):
    params = [torch.nn.Parameter(torch.zeros(1)) for _ in range(groups)]
    return cls([{"params": [p]} for p in params], lr=lr, **kw)


def _sequence(sched, opt, n):
    """lr after construction, then after each of n (optimizer.step, scheduler.step) pairs."""
    out = [opt.param_groups[0]["lr"]]
    for _ in range(n):
        opt.step()
        sched.step()
        out.append(sched.get_last_lr()[0])
        assert out[-1] == opt.param_groups[0]["lr"]
    return out


CLOSED_FORMS = {
    "StepLR": (lambda o: S.StepLR(o, step_size=3, gamma=0.5), lambda e: 0.1 * 0.5 ** (e // 3)),
    "MultiStepLR": (
        lambda o: S.MultiStepLR(o, milestones=[2, 5, 5, 8], gamma=0.1),
        lambda e: 0.1 * 0.1 ** sum(m <= e for m in [2, 5, 5, 8]),
    ),
    "ExponentialLR": (lambda o: S.ExponentialLR(o, gamma=0.9), lambda e: 0.1 * 0.9**e),
    "LambdaLR": (lambda o: S.LambdaLR(o, lambda e: 1 / (e + 1)), lambda e: 0.1 / (e + 1)),
    "ConstantLR": (
        lambda o: S.ConstantLR(o, factor=0.25, total_iters=4),
        lambda e: 0.1 * (0.25 if e < 4 else 1.0),
    ),
    "LinearLR": (
        lambda o: S.LinearLR(o, start_factor=0.2, end_factor=1.0, total_iters=5),
        lambda e: 0.1 * (0.2 + 0.8 * min(e, 5) / 5),
    ),
    "PolynomialLR": (
        lambda o: S.PolynomialLR(o, total_iters=6, power=2.0),
        lambda e: 0.1 * (1 - min(e, 6) / 6) ** 2,
    ),
    "CosineAnnealingLR": (
        lambda o: S.CosineAnnealingLR(o, T_max=5, eta_min=0.01),
        lambda e: 0.01 + (0.1 - 0.01) * (1 + math.cos(math.pi * e / 5)) / 2,
    ),
    "CosineAnnealingWarmRestarts": (
        lambda o: S.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=0.0),
        # restarts at 3, 3+6=9: T_cur counts from the last restart, T_i = 3, 6, 12
        lambda e: (
            0.1
            * (
                1
                + math.cos(
                    math.pi
                    * (e if e < 3 else e - 3 if e < 9 else e - 9)
                    / (3 if e < 3 else 6 if e < 9 else 12)
                )
            )
            / 2
        ),
    ),
}


@pytest.mark.parametrize("name", CLOSED_FORMS)
def test_sequence_matches_closed_form(name: str) -> None:
    build, closed = CLOSED_FORMS[name]
    opt = _opt()
    seq = _sequence(build(opt), opt, 12)
    for epoch, lr in enumerate(seq):
        assert lr == pytest.approx(closed(epoch), rel=1e-12, abs=1e-15), epoch


def test_cosine_annealing_past_t_max_follows_the_cosine_back_up() -> None:
    opt = _opt(lr=1.0)
    seq = _sequence(S.CosineAnnealingLR(opt, T_max=4), opt, 8)
    expected = [(1 + math.cos(math.pi * e / 4)) / 2 for e in range(9)]
    assert seq == pytest.approx(expected, abs=1e-12)


def test_step_with_epoch_uses_closed_form_and_warns() -> None:
    opt = _opt()
    sched = S.StepLR(opt, step_size=2, gamma=0.5)
    opt.step()
    with pytest.warns(UserWarning, match="The epoch parameter in `scheduler.step\\(\\)` was not"):
        sched.step(5)
    assert sched.get_last_lr() == [0.1 * 0.5**2] and sched.last_epoch == 5


def test_lambda_and_multiplicative_per_group() -> None:
    opt = _opt(groups=2)
    sched = S.LambdaLR(opt, [lambda e: 0.5**e, lambda e: e + 1])
    opt.step()
    sched.step()
    sched.step()
    assert sched.get_last_lr() == [0.1 * 0.25, 0.1 * 3]
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas, but got 3"):
        S.LambdaLR(_opt(groups=2), [lambda e: 1.0] * 3)
    opt = _opt()
    mult = S.MultiplicativeLR(opt, lambda e: 0.9)
    assert _sequence(mult, opt, 3) == pytest.approx([0.1, 0.09, 0.081, 0.0729], rel=1e-12)


def test_initial_lr_bookkeeping_and_resume() -> None:
    opt = _opt(lr=0.3)
    S.ExponentialLR(opt, gamma=0.5)
    assert opt.param_groups[0]["initial_lr"] == 0.3
    with pytest.raises(
        KeyError, match="param 'initial_lr' is not specified in param_groups\\[0\\]"
    ):
        S.StepLR(_opt(), step_size=1, last_epoch=3)
    with pytest.raises(TypeError, match="list is not an Optimizer"):
        S.StepLR([], step_size=1)


def test_order_warning_and_get_lr_warning() -> None:
    opt = _opt()
    sched = S.StepLR(opt, step_size=1)
    with pytest.warns(UserWarning, match="Detected call of `lr_scheduler.step\\(\\)` before"):
        sched.step()
    opt = _opt()
    sched = S.StepLR(opt, step_size=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.step()
        sched.step()
        sched.get_last_lr()
    with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
        sched.get_lr()


def test_state_dict_round_trip() -> None:
    opt = _opt()
    sched = S.MultiStepLR(opt, milestones=[2, 4], gamma=0.5)
    for _ in range(3):
        opt.step()
        sched.step()
    state = sched.state_dict()
    assert "optimizer" not in state and state["last_epoch"] == 3
    other = S.MultiStepLR(_opt(), milestones=[9], gamma=0.1)
    other.load_state_dict(state)
    assert other.last_epoch == 3 and other.milestones == sched.milestones
    lam = S.LambdaLR(_opt(), lambda e: 1.0)
    assert lam.state_dict()["lr_lambdas"] == [None]


def test_reduce_lr_on_plateau() -> None:
    opt = _opt(lr=1.0)
    sched = S.ReduceLROnPlateau(opt, mode="min", factor=0.5, patience=2, cooldown=1)
    losses = [1.0, 0.9] + [0.95] * 8
    lrs = []
    for loss in losses:
        opt.step()
        sched.step(loss)
        lrs.append(sched.get_last_lr()[0])
    # bad epochs after 0.9: 1, 2, 3 > patience -> halve at index 4; one cooldown step, then
    # 3 more bad epochs halve again at index 8
    assert lrs == [1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25]
    opt = _opt(lr=1.0)
    sched = S.ReduceLROnPlateau(opt, mode="max", patience=0, min_lr=0.3, factor=0.1)
    for acc in [0.5, 0.4, 0.3]:
        sched.step(acc)
    assert opt.param_groups[0]["lr"] == 0.3  # floored at min_lr
    with pytest.raises(ValueError, match="Factor should be < 1.0."):
        S.ReduceLROnPlateau(_opt(), factor=1.0)
    with pytest.raises(ValueError, match="mode avg is unknown!"):
        S.ReduceLROnPlateau(_opt(), mode="avg")
    abs_sched = S.ReduceLROnPlateau(_opt(), threshold=0.1, threshold_mode="abs")
    abs_sched.step(1.0)
    assert not abs_sched.is_better(0.95, abs_sched.best) and abs_sched.is_better(0.85, 1.0)


def test_one_cycle_lr_and_momentum() -> None:
    opt = _opt(lr=0.1, momentum=0.9)
    sched = S.OneCycleLR(opt, max_lr=1.0, total_steps=10, pct_start=0.3)
    seq = _sequence(sched, opt, 9)
    init, peak, low = 1.0 / 25, 1.0, 1.0 / 25 / 1e4

    def cos_anneal(start, end, pct):
        return end + (start - end) / 2 * (1 + math.cos(math.pi * pct))

    up_end = 0.3 * 10 - 1  # the warm-up ends at step 2
    expected = [
        cos_anneal(init, peak, s / up_end)
        if s <= up_end
        else cos_anneal(peak, low, (s - up_end) / (9 - up_end))
        for s in range(10)
    ]
    assert seq == pytest.approx(expected, rel=1e-12)
    assert opt.param_groups[0]["momentum"] == pytest.approx(cos_anneal(0.85, 0.95, 7 / 7))
    with pytest.raises(ValueError, match="Tried to step 11 times"):
        sched.step()
        sched.step()
    adam = _opt(cls=torch.optim.Adam)
    S.OneCycleLR(adam, max_lr=0.01, epochs=2, steps_per_epoch=5)
    assert adam.param_groups[0]["betas"][0] == 0.95
    with pytest.raises(ValueError, match="You must define either total_steps OR"):
        S.OneCycleLR(_opt(), max_lr=0.1)


def test_sequential_and_chained() -> None:
    opt = _opt(lr=1.0)
    warm = S.LinearLR(opt, start_factor=0.5, total_iters=2)
    decay = S.ExponentialLR(opt, gamma=0.5)
    seq_sched = S.SequentialLR(opt, [warm, decay], milestones=[2])
    assert _sequence(seq_sched, opt, 4) == pytest.approx([0.5, 0.75, 1.0, 0.5, 0.25])
    with pytest.raises(ValueError, match="expects number of schedulers provided to be one more"):
        S.SequentialLR(opt, [warm, decay], milestones=[])
    opt = _opt(lr=1.0)
    chained = S.ChainedScheduler([S.ExponentialLR(opt, 0.5), S.StepLR(opt, 2, 0.1)])
    assert _sequence(chained, opt, 3) == pytest.approx([1.0, 0.5, 0.025, 0.0125])


def test_scheduler_drives_adam_through_its_param_groups() -> None:
    p = torch.nn.Parameter(torch.tensor([1.0]))
    opt = torch.optim.Adam([p], lr=0.1)
    sched = S.StepLR(opt, step_size=1, gamma=0.0)
    p.grad = torch.tensor([1.0])
    opt.step()
    after_first = p.item()
    sched.step()  # lr is now 0: the next step must not move p
    opt.step()
    assert p.item() == after_first
