"""Optimizers on the Rosenbrock function, the way optimizer comparison blog posts run them:
SGD (plain, momentum, nesterov, weight decay), Adam (amsgrad), AdamW, RMSprop (centered),
Adagrad, Adadelta, Adamax, NAdam, RAdam and LBFGS with a closure; then an optimizer's
state_dict (param_groups and per-parameter state), zero_grad(set_to_none) and add_param_group.

Models: https://pytorch.org/docs/stable/optim.html (BSD-3-Clause) and the Rosenbrock
comparisons in jettify/pytorch-optimizer's README (Apache-2.0). Written for jitgrad's corpus,
not copied.
"""
# ruff: noqa: E501  (one-line printouts, as tutorials write them)

import torch


def rosenbrock(p):
    x, y = p[0], p[1]
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def run(make, steps=50):
    p = torch.tensor([-1.5, 2.0], requires_grad=True)
    opt = make([p])
    for _ in range(steps):
        opt.zero_grad()
        loss = rosenbrock(p)
        loss.backward()
        opt.step()
    return [round(v, 4) for v in p.tolist()], round(rosenbrock(p).item(), 4)


O = torch.optim
print("sgd", run(lambda ps: O.SGD(ps, lr=1e-4)))
print("momentum", run(lambda ps: O.SGD(ps, lr=1e-4, momentum=0.9)))
print("nesterov", run(lambda ps: O.SGD(ps, lr=1e-4, momentum=0.9, nesterov=True, weight_decay=0.01)))
print("adam", run(lambda ps: O.Adam(ps, lr=0.05)))
print("amsgrad", run(lambda ps: O.Adam(ps, lr=0.05, amsgrad=True, betas=(0.8, 0.99))))
print("adamw", run(lambda ps: O.AdamW(ps, lr=0.05, weight_decay=0.1)))
print("adam decoupled", run(lambda ps: O.Adam(ps, lr=0.05, weight_decay=0.1, decoupled_weight_decay=True)))
print("rmsprop", run(lambda ps: O.RMSprop(ps, lr=0.01)))
print("rmsprop centered", run(lambda ps: O.RMSprop(ps, lr=0.01, centered=True, momentum=0.5)))
print("adagrad", run(lambda ps: O.Adagrad(ps, lr=0.5)))
print("adadelta", run(lambda ps: O.Adadelta(ps, lr=1.0)))
print("adamax", run(lambda ps: O.Adamax(ps, lr=0.05)))
print("nadam", run(lambda ps: O.NAdam(ps, lr=0.05)))
print("radam", run(lambda ps: O.RAdam(ps, lr=0.05)))

p = torch.tensor([-1.5, 2.0], requires_grad=True)
lbfgs = O.LBFGS([p], lr=1, max_iter=20, history_size=10, line_search_fn="strong_wolfe")


def closure():
    lbfgs.zero_grad()
    loss = rosenbrock(p)
    loss.backward()
    return loss


for _ in range(3):
    loss = lbfgs.step(closure)
print("lbfgs", [round(v, 3) for v in p.tolist()], round(rosenbrock(p).item(), 5))

w = torch.nn.Parameter(torch.ones(3))
b = torch.nn.Parameter(torch.zeros(1))
opt = O.Adam([w], lr=0.1)
(w.sum() * 2).backward()
opt.step()
sd = opt.state_dict()
print(sd["param_groups"])
print(sorted(sd["state"][0]), sd["state"][0]["step"], sd["state"][0]["exp_avg"])
opt.add_param_group({"params": [b], "lr": 0.01})
print(len(opt.param_groups), opt.param_groups[1]["lr"], opt.param_groups[1]["betas"])
opt.zero_grad()
print(w.grad)
(w.sum()).backward()
opt.zero_grad(set_to_none=False)
print(w.grad)
opt2 = O.Adam([w], lr=0.5)
opt2.add_param_group({"params": [b]})
opt2.load_state_dict(opt.state_dict())
print(opt2.param_groups[0]["lr"], opt2.state[w]["exp_avg_sq"])
print(opt)
