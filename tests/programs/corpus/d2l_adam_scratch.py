"""Optimisers from scratch (Dive into Deep Learning 12.6-12.10, d2l 0.17 forms): init_*_states
returning zero tensors, momentum, adagrad, rmsprop, adadelta and adam updates written with
in-place ops on p[:] and s[:] under torch.no_grad(), hyperparams dicts with a step counter 't',
each run on the same linear-regression problem and compared with torch.optim's implementation.

Model: https://d2l.ai/chapter_optimization/adam.html and the neighbouring chapters
(d2l-ai/d2l-en, code MIT-0). Written for jitgrad's corpus, not copied. Changes: the airfoil
dataset is replaced by 60 synthetic examples with 5 features, batch 10, 2 epochs; the d2l
train_ch11 helper is written inline without plotting.
"""

import math

import torch
from torch import nn

torch.manual_seed(0)
features = torch.randn(60, 5)
labels = features @ torch.tensor([[1.0], [-2.0], [0.5], [3.0], [0.0]]) + 0.3


def init_momentum_states(feature_dim):
    return (torch.zeros((feature_dim, 1)), torch.zeros(1))


def sgd_momentum(params, states, hyperparams):
    for p, v in zip(params, states):
        with torch.no_grad():
            v[:] = hyperparams["momentum"] * v + p.grad
            p[:] -= hyperparams["lr"] * v
        p.grad.data.zero_()


def init_adagrad_states(feature_dim):
    return (torch.zeros((feature_dim, 1)), torch.zeros(1))


def adagrad(params, states, hyperparams):
    eps = 1e-6
    for p, s in zip(params, states):
        with torch.no_grad():
            s[:] += torch.square(p.grad)
            p[:] -= hyperparams["lr"] * p.grad / torch.sqrt(s + eps)
        p.grad.data.zero_()


def init_rmsprop_states(feature_dim):
    return (torch.zeros((feature_dim, 1)), torch.zeros(1))


def rmsprop(params, states, hyperparams):
    gamma, eps = hyperparams["gamma"], 1e-6
    for p, s in zip(params, states):
        with torch.no_grad():
            s[:] = gamma * s + (1 - gamma) * torch.square(p.grad)
            p[:] -= hyperparams["lr"] * p.grad / torch.sqrt(s + eps)
        p.grad.data.zero_()


def init_adadelta_states(feature_dim):
    s_w, s_b = torch.zeros((feature_dim, 1)), torch.zeros(1)
    delta_w, delta_b = torch.zeros((feature_dim, 1)), torch.zeros(1)
    return ((s_w, delta_w), (s_b, delta_b))


def adadelta(params, states, hyperparams):
    rho, eps = hyperparams["rho"], 1e-5
    for p, (s, delta) in zip(params, states):
        with torch.no_grad():
            s[:] = rho * s + (1 - rho) * torch.square(p.grad)
            g = (torch.sqrt(delta + eps) / torch.sqrt(s + eps)) * p.grad
            p[:] -= g
            delta[:] = rho * delta + (1 - rho) * g * g
        p.grad.data.zero_()


def init_adam_states(feature_dim):
    v_w, v_b = torch.zeros((feature_dim, 1)), torch.zeros(1)
    s_w, s_b = torch.zeros((feature_dim, 1)), torch.zeros(1)
    return ((v_w, s_w), (v_b, s_b))


def adam(params, states, hyperparams):
    beta1, beta2, eps = 0.9, 0.999, 1e-6
    for p, (v, s) in zip(params, states):
        with torch.no_grad():
            v[:] = beta1 * v + (1 - beta1) * p.grad
            s[:] = beta2 * s + (1 - beta2) * torch.square(p.grad)
            v_bias_corr = v / (1 - beta1 ** hyperparams["t"])
            s_bias_corr = s / (1 - beta2 ** hyperparams["t"])
            p[:] -= hyperparams["lr"] * v_bias_corr / (torch.sqrt(s_bias_corr) + eps)
        p.grad.data.zero_()
    hyperparams["t"] += 1


def train_ch11(trainer_fn, states, hyperparams, num_epochs=2):
    w = torch.normal(mean=0.0, std=0.01, size=(5, 1), requires_grad=True)
    b = torch.zeros((1), requires_grad=True)
    for _ in range(num_epochs):
        for i in range(0, 60, 10):
            X, y = features[i : i + 10], labels[i : i + 10]
            l = ((X @ w + b - y) ** 2 / 2).mean()  # noqa: E741
            l.backward()
            trainer_fn([w, b], states, hyperparams)
    loss = ((features @ w + b - labels) ** 2 / 2).mean().item()
    print(f"{trainer_fn.__name__}: loss {loss:.5f}, w {w.detach().reshape(-1)}")
    return loss


train_ch11(sgd_momentum, init_momentum_states(5), {"lr": 0.02, "momentum": 0.9})
train_ch11(adagrad, init_adagrad_states(5), {"lr": 0.1})
train_ch11(rmsprop, init_rmsprop_states(5), {"lr": 0.01, "gamma": 0.9})
train_ch11(adadelta, init_adadelta_states(5), {"rho": 0.9})
train_ch11(adam, init_adam_states(5), {"lr": 0.01, "t": 1})


def train_concise_ch11(trainer_fn, hyperparams, num_epochs=2):
    net = nn.Sequential(nn.Linear(5, 1))

    def init_weights(m):
        if type(m) == nn.Linear:  # noqa: E721
            torch.nn.init.normal_(m.weight, std=0.01)

    net.apply(init_weights)
    optimizer = trainer_fn(net.parameters(), **hyperparams)
    loss = nn.MSELoss(reduction="none")
    for _ in range(num_epochs):
        for i in range(0, 60, 10):
            optimizer.zero_grad()
            out = net(features[i : i + 10])
            l = loss(out, labels[i : i + 10]) / 2  # noqa: E741
            l.mean().backward()
            optimizer.step()
    final = (loss(net(features), labels) / 2).mean().item()
    print(f"{trainer_fn.__name__}: loss {final:.5f}")


train_concise_ch11(torch.optim.SGD, {"lr": 0.02, "momentum": 0.9})
train_concise_ch11(torch.optim.Adagrad, {"lr": 0.1})
train_concise_ch11(torch.optim.RMSprop, {"lr": 0.01, "alpha": 0.9})
train_concise_ch11(torch.optim.Adadelta, {"rho": 0.9})
train_concise_ch11(torch.optim.Adam, {"lr": 0.01})
print(math.isclose(0.1, 0.1))
