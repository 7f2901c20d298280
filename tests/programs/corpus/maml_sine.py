"""Model-agnostic meta-learning (MAML) on sine regression: a functional MLP (F.linear with an
explicit list of parameters), an inner SGD step on each task's support set with
torch.autograd.grad(..., create_graph=True) producing fast weights, the query losses of a
meta-batch averaged and backpropagated through the inner step (second order) into the
meta-parameters, Adam as the meta-optimizer, and fine-tuning on a new task at test time.

After the sinusoid experiment of Finn, Abbeel and Levine (2017), reference code
https://github.com/cbfinn/maml (MIT licence), in the PyTorch form common to MAML
reimplementations (e.g. https://github.com/dragen1860/MAML-Pytorch, MIT licence). Written for
jitgrad's corpus, not copied. Changes: hidden width 20 instead of 40, meta-batch 3, 10 support
and 10 query points, 8 meta-steps; tasks are drawn with torch.rand.
"""

import math

import torch
import torch.nn.functional as F


def sample_task():
    amplitude = 0.1 + 4.9 * torch.rand(1).item()
    phase = math.pi * torch.rand(1).item()

    def draw(n):
        x = 10 * torch.rand(n, 1) - 5
        return x, amplitude * torch.sin(x + phase)

    return draw


def init_params(hidden=20):
    params = []
    for fan_in, fan_out in ((1, hidden), (hidden, hidden), (hidden, 1)):
        bound = 1.0 / math.sqrt(fan_in)
        w = torch.empty(fan_out, fan_in).uniform_(-bound, bound).requires_grad_()
        b = torch.zeros(fan_out, requires_grad=True)
        params += [w, b]
    return params


def forward(x, params):
    x = F.relu(F.linear(x, params[0], params[1]))
    x = F.relu(F.linear(x, params[2], params[3]))
    return F.linear(x, params[4], params[5])


def adapt(params, x, y, inner_lr=0.01, steps=1, create_graph=True):
    fast = params
    for _ in range(steps):
        loss = F.mse_loss(forward(x, fast), y)
        grads = torch.autograd.grad(loss, fast, create_graph=create_graph)
        fast = [p - inner_lr * g for p, g in zip(fast, grads)]
    return fast


torch.manual_seed(0)
params = init_params()
meta_opt = torch.optim.Adam(params, lr=1e-3)
for step in range(8):
    meta_opt.zero_grad()
    meta_loss = 0.0
    for _ in range(3):
        draw = sample_task()
        x_s, y_s = draw(10)
        x_q, y_q = draw(10)
        fast = adapt(params, x_s, y_s)
        meta_loss = meta_loss + F.mse_loss(forward(x_q, fast), y_q)
    meta_loss = meta_loss / 3
    meta_loss.backward()
    meta_opt.step()
    if step % 3 == 0:
        print(f"step {step}: meta loss {meta_loss.item():.4f}")
print(meta_loss.grad_fn, params[0].grad.shape, params[5].grad)

draw = sample_task()
x_s, y_s = draw(10)
x_t, y_t = draw(20)
with torch.no_grad():
    before = F.mse_loss(forward(x_t, params), y_t).item()
fast = params
for k in range(3):
    fast = [p.detach().requires_grad_() for p in fast]
    fast = adapt(fast, x_s, y_s, create_graph=False)
    with torch.no_grad():
        print(
            k + 1,
            "step(s):",
            round(F.mse_loss(forward(x_t, fast), y_t).item(), 4),
            "before",
            round(before, 4),
        )
