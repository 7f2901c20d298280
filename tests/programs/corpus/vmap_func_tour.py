"""torch.func transforms as the "torch.func whirlwind tour" and JAX-style tutorials use them:
grad and grad of grad, grad with argnums and has_aux, vmap over a batch with in_dims/out_dims,
vmap of grad for per-example gradients of a linear model via functional_call, jacrev/jacfwd,
hessian, vjp and jvp, and torch.autograd.functional.jacobian for comparison.

Models: https://pytorch.org/docs/stable/func.whirlwind_tour.html and
https://pytorch.org/tutorials/intermediate/per_sample_grads.html (BSD-3-Clause). Written for
jitgrad's corpus, not copied.
"""

import torch
from torch.func import functional_call, grad, hessian, jacfwd, jacrev, jvp, vjp, vmap

x = torch.tensor(0.5)
print(grad(torch.sin)(x), torch.cos(x))
print(grad(grad(torch.sin))(x), -torch.sin(x))


def loss(w, b, data):
    return ((data @ w + b) ** 2).mean()


w, b, data = torch.tensor([1.0, -1.0]), torch.tensor(0.5), torch.tensor([[1.0, 2.0], [3.0, 0.5]])
print(grad(loss)(w, b, data), grad(loss, argnums=(0, 1))(w, b, data))


def with_aux(w):
    y = (w**2).sum()
    return y, {"norm": w.norm()}


g, aux = grad(with_aux, has_aux=True)(w)
print(g, aux)
batch = torch.arange(12.0).view(4, 3)
print(vmap(torch.dot)(batch, batch))
print(vmap(lambda row, s: row * s, in_dims=(0, None))(batch, torch.tensor(2.0)))
print(vmap(torch.sum, in_dims=1)(batch), vmap(lambda r: r.unsqueeze(0), out_dims=1)(batch).shape)

torch.manual_seed(0)
model = torch.nn.Linear(3, 1)
params = {k: v.detach() for k, v in model.named_parameters()}


def sample_loss(p, xi, yi):
    pred = functional_call(model, p, (xi.unsqueeze(0),))
    return torch.nn.functional.mse_loss(pred.squeeze(), yi)


xs, ys = torch.randn(5, 3), torch.randn(5)
per_sample = vmap(grad(sample_loss), in_dims=(None, 0, 0))(params, xs, ys)
print({k: tuple(v.shape) for k, v in per_sample.items()})
full = torch.func.grad(lambda p: sum(sample_loss(p, xs[i], ys[i]) for i in range(5)) / 5)(params)
print(torch.allclose(per_sample["weight"].mean(0), full["weight"], atol=1e-6))


def f(v):
    return torch.stack([v[0] * v[1], v[1].exp(), v.sum() ** 2])


v = torch.tensor([1.0, 2.0])
print(jacrev(f)(v), torch.allclose(jacrev(f)(v), jacfwd(f)(v)))
print(torch.autograd.functional.jacobian(f, v))
print(hessian(lambda v: (v**3).sum() + v[0] * v[1])(v))
out, fn = vjp(f, v)
print(out, fn(torch.ones(3)))
print(jvp(f, (v,), (torch.tensor([1.0, 0.0]),)))
