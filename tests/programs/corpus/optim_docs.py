"""The examples of torch.optim's documentation: per-parameter options (a param group with
its own lr), add_param_group, the optimizer's state_dict and load_state_dict, zero_grad
set_to_none, a closure for LBFGS, and the schedulers the docs show: LambdaLR, MultiplicativeLR,
StepLR, MultiStepLR, ConstantLR, LinearLR, ExponentialLR, PolynomialLR, CosineAnnealingLR,
ChainedScheduler, SequentialLR, CyclicLR, OneCycleLR, CosineAnnealingWarmRestarts (with
fractional epochs) and get_last_lr(); the named-parameter state_dict of 2.6+ is left out.

Docs: https://pytorch.org/docs/stable/optim.html and the scheduler pages
(pytorch/pytorch docstrings, BSD-3-Clause). Written for jitgrad's corpus, not copied.
Changes: "model", "dataset" and "loss_fn" are a small Linear model on fixed data; each
scheduler runs a few steps and prints the learning rates instead of the docs' comments.
"""

import torch
import torch.nn as nn
from torch.optim import lr_scheduler as S

torch.manual_seed(0)
X = torch.arange(12.0).reshape(6, 2) / 10
y = X.sum(1, keepdim=True) * 2 - 1


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.base = nn.Linear(2, 3)
        self.classifier = nn.Linear(3, 1)

    def forward(self, x):
        return self.classifier(torch.relu(self.base(x)))


model = Model()
optimizer = torch.optim.SGD(
    [{"params": model.base.parameters()}, {"params": model.classifier.parameters(), "lr": 1e-3}],
    lr=1e-2,
    momentum=0.9,
)
print([g["lr"] for g in optimizer.param_groups], optimizer.param_groups[1]["momentum"])
for _ in range(3):
    optimizer.zero_grad()
    loss = nn.functional.mse_loss(model(X), y)
    loss.backward()
    optimizer.step()
print(round(loss.item(), 6))
state = optimizer.state_dict()
print(sorted(state), state["param_groups"][1]["params"], sorted(state["state"][0]))
print(state["state"][0]["momentum_buffer"].shape)
opt2 = torch.optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
extra = nn.Parameter(torch.zeros(2))
opt2.add_param_group({"params": [extra], "lr": 0.25})
print(len(opt2.param_groups), opt2.param_groups[1]["lr"], opt2.param_groups[1]["momentum"])
try:
    opt2.load_state_dict(state)
except ValueError as e:
    print("ValueError:", e)
opt3 = torch.optim.SGD(
    [{"params": model.base.parameters()}, {"params": model.classifier.parameters()}],
    lr=0.5,
    momentum=0.9,
)
opt3.load_state_dict(state)
print(
    [g["lr"] for g in opt3.param_groups],
    torch.equal(
        opt3.state[model.base.weight]["momentum_buffer"],
        optimizer.state[model.base.weight]["momentum_buffer"],
    ),
)
optimizer.zero_grad(set_to_none=True)
print(model.base.weight.grad)

lbfgs = torch.optim.LBFGS(model.parameters(), lr=0.5)


def closure():
    lbfgs.zero_grad()
    loss = nn.functional.mse_loss(model(X), y)
    loss.backward()
    return loss


for _ in range(2):
    print(round(lbfgs.step(closure).item(), 5))


def lrs(make, steps=6, lr=0.05, opt_cls=torch.optim.SGD, **kw):
    p = nn.Parameter(torch.zeros(1))
    opt = opt_cls([p], lr=lr, **kw)
    sched = make(opt)
    out = []
    for _ in range(steps):
        opt.step()
        sched.step()
        out.append(round(sched.get_last_lr()[0], 6))
    return out


print("LambdaLR", lrs(lambda o: S.LambdaLR(o, lr_lambda=lambda epoch: 0.95**epoch)))
print("MultiplicativeLR", lrs(lambda o: S.MultiplicativeLR(o, lr_lambda=lambda epoch: 0.95)))
print("StepLR", lrs(lambda o: S.StepLR(o, step_size=2, gamma=0.1)))
print("MultiStepLR", lrs(lambda o: S.MultiStepLR(o, milestones=[2, 4], gamma=0.1)))
print("ConstantLR", lrs(lambda o: S.ConstantLR(o, factor=0.5, total_iters=4)))
print("LinearLR", lrs(lambda o: S.LinearLR(o, start_factor=0.5, total_iters=4)))
print("ExponentialLR", lrs(lambda o: S.ExponentialLR(o, gamma=0.9)))
print("PolynomialLR", lrs(lambda o: S.PolynomialLR(o, total_iters=4, power=1.0), lr=0.001))
print("CosineAnnealingLR", lrs(lambda o: S.CosineAnnealingLR(o, T_max=4, eta_min=0.001), steps=8))
print(
    "ChainedScheduler",
    lrs(
        lambda o: S.ChainedScheduler(
            [S.ConstantLR(o, factor=0.1, total_iters=2), S.ExponentialLR(o, gamma=0.9)]
        ),
        lr=1.0,
    ),
)
print(
    "SequentialLR",
    lrs(
        lambda o: S.SequentialLR(
            o,
            schedulers=[S.ConstantLR(o, factor=0.1, total_iters=2), S.ExponentialLR(o, gamma=0.9)],
            milestones=[2],
        ),
        lr=1.0,
    ),
)
print(
    "CyclicLR",
    lrs(
        lambda o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=2),
        steps=8,
        lr=0.1,
        momentum=0.9,
    ),
)
print(
    "CyclicLR triangular2",
    lrs(
        lambda o: S.CyclicLR(
            o, 0.01, 0.1, step_size_up=2, mode="triangular2", cycle_momentum=False
        ),
        steps=10,
    ),
)
print(
    "OneCycleLR", lrs(lambda o: S.OneCycleLR(o, max_lr=0.01, total_steps=10), steps=9, momentum=0.9)
)
print(
    "OneCycleLR linear",
    lrs(
        lambda o: S.OneCycleLR(
            o, max_lr=0.1, steps_per_epoch=4, epochs=2, anneal_strategy="linear"
        ),
        steps=7,
        opt_cls=torch.optim.Adam,
    ),
)
print(
    "CosineAnnealingWarmRestarts",
    lrs(lambda o: S.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=0.001), steps=10),
)

p = nn.Parameter(torch.zeros(1))
opt = torch.optim.SGD([p], lr=0.1)
scheduler = S.CosineAnnealingWarmRestarts(opt, T_0=2)
iters = 4
out = []
for epoch in range(2):
    for i in range(iters):
        opt.step()
        scheduler.step(epoch + i / iters)
        out.append(round(opt.param_groups[0]["lr"], 6))
print(out)
scheduler = S.OneCycleLR(torch.optim.SGD([p], lr=0.1, momentum=0.9), max_lr=0.1, total_steps=5)
print(scheduler.state_dict()["total_steps"], scheduler.optimizer.param_groups[0]["momentum"])
