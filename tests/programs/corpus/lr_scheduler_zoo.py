"""Every common torch.optim.lr_scheduler the way training scripts and blog posts plot them:
LinearLR warmup, ConstantLR, PolynomialLR, CosineAnnealingWarmRestarts, CyclicLR (triangular and
exp_range), OneCycleLR (cos and linear), SequentialLR (warmup then cosine), ChainedScheduler,
MultiplicativeLR, param groups with their own lr, and a scheduler state_dict round trip.

Models: https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate and the
lr_scheduler class docstrings (pytorch/pytorch, BSD-3-Clause). Written for jitgrad's corpus, not
copied.
"""
# ruff: noqa: E501  (one-line printouts, as tutorials write them)

import torch
from torch import nn
from torch.optim import lr_scheduler as S

model = nn.Linear(2, 1)


def trace(make, steps=10, lr=0.1, **opt_kwargs):
    opt = torch.optim.SGD(model.parameters(), lr=lr, **opt_kwargs)
    sched = make(opt)
    out = []
    for _ in range(steps):
        opt.step()
        sched.step()
        out.append(round(sched.get_last_lr()[0], 6))
    return out


print(trace(lambda o: S.LinearLR(o, start_factor=0.25, total_iters=4)))
print(trace(lambda o: S.ConstantLR(o, factor=0.5, total_iters=3)))
print(trace(lambda o: S.PolynomialLR(o, total_iters=6, power=2.0)))
print(trace(lambda o: S.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=0.01), steps=12))
print(trace(lambda o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=3), momentum=0.9))
print(trace(lambda o: S.CyclicLR(o, 0.01, 0.1, step_size_up=2, mode="exp_range", gamma=0.9), momentum=0.9))
print(trace(lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=10), steps=9))
print(trace(lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=10, anneal_strategy="linear"), steps=9))
print(trace(lambda o: S.MultiplicativeLR(o, lr_lambda=lambda epoch: 0.9)))


def warm_then_cos(o):
    warm = S.LinearLR(o, start_factor=0.1, total_iters=3)
    cos = S.CosineAnnealingLR(o, T_max=7)
    return S.SequentialLR(o, schedulers=[warm, cos], milestones=[3])


print(trace(warm_then_cos))
print(trace(lambda o: S.ChainedScheduler([S.ConstantLR(o, factor=0.1, total_iters=2), S.ExponentialLR(o, gamma=0.9)])))

opt = torch.optim.SGD([{"params": model.weight}, {"params": model.bias, "lr": 0.01}], lr=0.1)
sched = S.StepLR(opt, step_size=2, gamma=0.5)
for epoch in range(5):
    opt.step()
    sched.step()
    print(epoch, [round(v, 6) for v in sched.get_last_lr()], [g["lr"] for g in opt.param_groups])
state = sched.state_dict()
print(sorted(state), state["last_epoch"], state["step_size"])
opt2 = torch.optim.SGD(model.parameters(), lr=0.1)
sched2 = S.StepLR(opt2, step_size=2, gamma=0.5)
sched2.load_state_dict(state)
print(sched2.last_epoch, sched2.get_last_lr())
