"""Learning rate scheduling (Dive into Deep Learning 12.11): hand-written schedulers
(SquareRootScheduler, FactorScheduler, CosineScheduler with warmup) set through
trainer.param_groups, and the built-in lr_scheduler.MultiStepLR, on LeNet-style training
whose losses are printed per epoch.

Model: https://d2l.ai/chapter_optimization/lr-scheduler.html (d2l-ai/d2l-en, code MIT-0).
Written for jitgrad's corpus, not copied. Changes: Fashion-MNIST is replaced by 64 synthetic
1x12x12 images; a smaller net; 4 epochs per scheduler; schedulers' values printed.
"""
# ruff: noqa: B007, E501  (the source's code and long printouts, kept as written)

import math

import torch
from torch import nn
from torch.optim import lr_scheduler


def net_fn():
    model = nn.Sequential(
        nn.Conv2d(1, 4, kernel_size=5, padding=2), nn.ReLU(), nn.MaxPool2d(kernel_size=2, stride=2),
        nn.Conv2d(4, 8, kernel_size=3), nn.ReLU(), nn.MaxPool2d(kernel_size=2, stride=2),
        nn.Flatten(), nn.Linear(8 * 2 * 2, 16), nn.ReLU(), nn.Linear(16, 10),
    )  # fmt: skip
    return model


loss = nn.CrossEntropyLoss()
X = torch.linspace(-1, 1, 64 * 144).view(64, 1, 12, 12).sin() * torch.arange(64.0).view(64, 1, 1, 1).cos()
y = torch.arange(64) % 10
train_iter = [(X[i : i + 16], y[i : i + 16]) for i in range(0, 64, 16)]


def train(net, train_iter, num_epochs, loss, trainer, scheduler=None):
    for epoch in range(num_epochs):
        total = 0.0
        for i, (X, y) in enumerate(train_iter):
            net.train()
            trainer.zero_grad()
            y_hat = net(X)
            l = loss(y_hat, y)  # noqa: E741 - the book's name
            l.backward()
            trainer.step()
            total += float(l)
        if scheduler:
            if scheduler.__module__ == lr_scheduler.__name__:
                # Using PyTorch In-Built scheduler
                scheduler.step()
            else:
                # Using custom defined scheduler
                for param_group in trainer.param_groups:
                    param_group["lr"] = scheduler(epoch)
        print(f"epoch {epoch + 1}, train loss {total / len(train_iter):.4f}, "
              f"lr {trainer.param_groups[0]['lr']:.4f}")  # fmt: skip


lr, num_epochs = 0.3, 4
torch.manual_seed(0)
net = net_fn()
trainer = torch.optim.SGD(net.parameters(), lr=lr)
train(net, train_iter, num_epochs, loss, trainer)


class SquareRootScheduler:
    def __init__(self, lr=0.1):
        self.lr = lr

    def __call__(self, num_update):
        return self.lr * pow(num_update + 1.0, -0.5)


scheduler = SquareRootScheduler(lr=0.1)
print([round(scheduler(t), 4) for t in range(0, 10, 2)])
torch.manual_seed(0)
net = net_fn()
trainer = torch.optim.SGD(net.parameters(), lr)
train(net, train_iter, num_epochs, loss, trainer, scheduler)


class FactorScheduler:
    def __init__(self, factor=1, stop_factor_lr=1e-7, base_lr=0.1):
        self.factor = factor
        self.stop_factor_lr = stop_factor_lr
        self.base_lr = base_lr

    def __call__(self, num_update):
        self.base_lr = max(self.stop_factor_lr, self.base_lr * self.factor)
        return self.base_lr


scheduler = FactorScheduler(factor=0.9, stop_factor_lr=1e-2, base_lr=2.0)
print([round(scheduler(t), 4) for t in range(0, 50, 10)])

torch.manual_seed(0)
net = net_fn()
trainer = torch.optim.SGD(net.parameters(), lr=0.5)
scheduler = lr_scheduler.MultiStepLR(trainer, milestones=[2, 3], gamma=0.5)


def get_lr(trainer, scheduler):
    lr = scheduler.get_last_lr()[0]
    trainer.step()
    scheduler.step()
    return lr


print([get_lr(trainer, scheduler) for t in range(num_epochs)])
torch.manual_seed(0)
net = net_fn()
trainer = torch.optim.SGD(net.parameters(), lr=0.5)
scheduler = lr_scheduler.MultiStepLR(trainer, milestones=[2, 3], gamma=0.5)
train(net, train_iter, num_epochs, loss, trainer, scheduler)


class CosineScheduler:
    def __init__(self, max_update, base_lr=0.01, final_lr=0, warmup_steps=0, warmup_begin_lr=0):
        self.base_lr_orig = base_lr
        self.max_update = max_update
        self.final_lr = final_lr
        self.warmup_steps = warmup_steps
        self.warmup_begin_lr = warmup_begin_lr
        self.max_steps = self.max_update - self.warmup_steps

    def get_warmup_lr(self, epoch):
        increase = (self.base_lr_orig - self.warmup_begin_lr) * float(epoch) / float(self.warmup_steps)
        return self.warmup_begin_lr + increase

    def __call__(self, epoch):
        if epoch < self.warmup_steps:
            return self.get_warmup_lr(epoch)
        if epoch <= self.max_update:
            self.base_lr = self.final_lr + (self.base_lr_orig - self.final_lr) * (
                1 + math.cos(math.pi * (epoch - self.warmup_steps) / self.max_steps)) / 2  # fmt: skip
        return self.base_lr


scheduler = CosineScheduler(max_update=20, base_lr=0.3, final_lr=0.01)
print([round(scheduler(t), 4) for t in range(0, 30, 5)])
scheduler = CosineScheduler(20, warmup_steps=5, base_lr=0.3, final_lr=0.01)
print([round(scheduler(t), 4) for t in range(0, 30, 5)])
torch.manual_seed(0)
net = net_fn()
trainer = torch.optim.SGD(net.parameters(), lr=0.3)
train(net, train_iter, num_epochs, loss, trainer, scheduler)
