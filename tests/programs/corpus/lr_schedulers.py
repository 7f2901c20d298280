"""Learning-rate schedulers as the torch.optim documentation's "How to adjust learning rate"
section uses them: scheduler.step() after optimizer.step(), get_last_lr(), chaining two
schedulers, ReduceLROnPlateau on a validation loss, and a scheduler's state_dict.

Model: https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate (BSD-3-Clause).
Written for jitgrad's corpus, not copied.
"""
# ruff: noqa: B007  (the tutorial's loop variables are kept as written)

import torch
from torch import nn
from torch.optim.lr_scheduler import (
    CosineAnnealingLR,
    ExponentialLR,
    LambdaLR,
    MultiStepLR,
    ReduceLROnPlateau,
    StepLR,
)

torch.manual_seed(0)
model = nn.Linear(3, 1)
x, y = torch.randn(16, 3), torch.randn(16, 1)


def run(make, epochs=8, metric=False):
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    sched = make(opt)
    lrs = []
    for epoch in range(epochs):
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        if metric:
            sched.step(1.0)
        else:
            sched.step()
        lrs.append(round(opt.param_groups[0]["lr"], 8))
    return lrs, sched


print(run(lambda o: StepLR(o, step_size=3, gamma=0.5))[0])
print(run(lambda o: MultiStepLR(o, milestones=[2, 5], gamma=0.1))[0])
print(run(lambda o: ExponentialLR(o, gamma=0.9))[0])
print(run(lambda o: CosineAnnealingLR(o, T_max=6))[0])
print(run(lambda o: LambdaLR(o, lr_lambda=lambda epoch: 0.95**epoch))[0])
lrs, sched = run(lambda o: ReduceLROnPlateau(o, mode="min", factor=0.5, patience=1), 8, True)
print(lrs)

optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
scheduler1 = ExponentialLR(optimizer, gamma=0.9)
scheduler2 = MultiStepLR(optimizer, milestones=[3, 6], gamma=0.1)
for epoch in range(8):
    optimizer.zero_grad()
    nn.functional.mse_loss(model(x), y).backward()
    optimizer.step()
    scheduler1.step()
    scheduler2.step()
    print(epoch, scheduler1.get_last_lr(), scheduler2.get_last_lr())
print(sorted(scheduler2.state_dict()))
print(model.weight)
