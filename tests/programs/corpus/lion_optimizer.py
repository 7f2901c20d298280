"""The Lion optimizer after lucidrains/lion-pytorch (lion_pytorch/lion_pytorch.py): a
torch.optim.Optimizer subclass with defaults, a closure run under torch.enable_grad(),
filter(lambda p: exists(p.grad), group['params']), per-parameter state (exp_avg =
torch.zeros_like(p)), decoupled weight decay p.data.mul_(1. - lr * wd), the sign update
exp_avg.clone().mul_(beta1).add(grad, alpha=1.-beta1).sign_() and exp_avg.lerp_, plus the
optimizer's state_dict / load_state_dict round trip and a param group added later.

Source: https://github.com/lucidrains/lion-pytorch (lion_pytorch/lion_pytorch.py; MIT).
Written for jitgrad's corpus after its structure, not copied. Changes: the triton kernel option
dropped, a small regression problem instead of a training script.
"""
# ruff: noqa: E501, UP008, UP031, UP032, UP035, UP006, UP018, UP039, B006, B007, E721, E731, F401, F841  (the original's style, kept)

from __future__ import annotations

from typing import Callable, Tuple

import torch
from torch import nn
from torch.optim.optimizer import Optimizer


def exists(val):
    return val is not None


def update_fn(p, grad, exp_avg, lr, wd, beta1, beta2):
    # stepweight decay
    p.data.mul_(1. - lr * wd)
    # weight update
    update = exp_avg.clone().mul_(beta1).add(grad, alpha=1. - beta1).sign_()
    p.add_(update, alpha=-lr)
    # decay the momentum running average coefficient
    exp_avg.mul_(beta2).add_(grad, alpha=1. - beta2)


class Lion(Optimizer):
    def __init__(
        self,
        params,
        lr: float = 1e-4,
        betas: Tuple[float, float] = (0.9, 0.99),
        weight_decay: float = 0.0,
    ):
        assert lr > 0.
        assert all([0. <= beta <= 1. for beta in betas])

        defaults = dict(
            lr=lr,
            betas=betas,
            weight_decay=weight_decay
        )

        super().__init__(params, defaults)

        self.update_fn = update_fn

    @torch.no_grad()
    def step(
        self,
        closure: Callable | None = None
    ):

        loss = None
        if exists(closure):
            with torch.enable_grad():
                loss = closure()

        for group in self.param_groups:
            for p in filter(lambda p: exists(p.grad), group['params']):

                grad, lr, wd, beta1, beta2, state = p.grad, group['lr'], group['weight_decay'], *group['betas'], self.state[p]

                # init state - exponential moving average of gradient values
                if len(state) == 0:
                    state['exp_avg'] = torch.zeros_like(p)

                exp_avg = state['exp_avg']

                self.update_fn(
                    p,
                    grad,
                    exp_avg,
                    lr,
                    wd,
                    beta1,
                    beta2
                )

        return loss


torch.manual_seed(0)
model = nn.Sequential(nn.Linear(6, 12), nn.Tanh(), nn.Linear(12, 1))
head = nn.Linear(1, 1)
x = torch.randn(32, 6)
y = (x[:, :1] * 2 - x[:, 1:2]).sin()

opt = Lion(model.parameters(), lr=1e-3, weight_decay=1e-2)
print(opt)
print(opt.defaults)
print(len(opt.param_groups), sorted(opt.param_groups[0].keys()))


def closure():
    opt.zero_grad()
    loss = nn.functional.mse_loss(head(model(x)), y)
    loss.backward()
    return loss


for step in range(6):
    loss = opt.step(closure)
    if step % 2 == 0:
        print(step, f"{loss.item():.6f}")

print(opt.state[model[0].weight]['exp_avg'][0, :3])
sd = opt.state_dict()
print(sorted(sd.keys()), list(sd['state'].keys()), sd['param_groups'][0]['params'])
print(sd['param_groups'][0]['betas'], sd['param_groups'][0]['lr'])

opt.add_param_group({'params': head.parameters(), 'lr': 1e-2, 'weight_decay': 0.0})
print([g['lr'] for g in opt.param_groups], [g['betas'] for g in opt.param_groups])
for step in range(3):
    loss = opt.step(closure)
print(f"{loss.item():.6f}", head.weight.data, len(opt.state))

opt2 = Lion(model.parameters(), lr=5e-4)
opt2.load_state_dict(sd)
print(opt2.param_groups[0]['lr'], opt2.param_groups[0]['weight_decay'], torch.equal(opt2.state[model[0].weight]['exp_avg'], sd['state'][0]['exp_avg']))
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt2, T_max=4)
for _ in range(4):
    opt2.step(closure)
    sched.step()
    print(round(sched.get_last_lr()[0], 8), opt2.param_groups[0]['initial_lr'])
