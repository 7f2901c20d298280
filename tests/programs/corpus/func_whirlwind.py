"""torch.func whirlwind tour: grad (and grad of grad), vmap over a model's batch (in_dims,
out_dims, nested vmap), vjp and jvp, jacrev / jacfwd (argnums, has_aux), hessian, and
functional_call with a module's parameters, as the tutorial walks through them.

Model: https://pytorch.org/tutorials/intermediate/torch_func_tutorial.html (pytorch/tutorials,
BSD-3-Clause) and the torch.func API pages' examples. Written for jitgrad's corpus, not copied.
Changes: seeded small inputs; printed results in place of the tutorial's asserts.
"""

import torch
from torch.func import functional_call, grad, hessian, jacfwd, jacrev, jvp, vjp, vmap

x = torch.randn([])
cos_x = grad(lambda x: torch.sin(x))(x)
print(torch.allclose(cos_x, x.cos()))

# Second-order gradients
neg_sin_x = grad(grad(lambda x: torch.sin(x)))(x)
print(torch.allclose(neg_sin_x, -x.sin()))

torch.manual_seed(0)
batch_size, feature_size = 3, 5
weights = torch.randn(feature_size, requires_grad=True)


def model(feature_vec):
    # Very simple linear model with activation
    assert feature_vec.dim() == 1
    return feature_vec.dot(weights).relu()


examples = torch.randn(batch_size, feature_size)
result = vmap(model)(examples)
print(result)

batched_dot = vmap(torch.dot)  # [N, D], [N, D] -> [N]
x, y = torch.randn(2, 5), torch.randn(2, 5)
print(batched_dot(x, y))
batched_pow = vmap(torch.pow, in_dims=(0, None))
print(batched_pow(torch.arange(6.0).view(3, 2), 2.0))
print(vmap(lambda v: v * 2, out_dims=1)(torch.arange(6.0).view(3, 2)))
print(vmap(vmap(torch.outer))(torch.ones(2, 3, 2), torch.arange(12.0).view(2, 3, 2)).shape)

x = torch.randn(5)
y = torch.randn(5)


def f(x, y):
    return x.sin() * y.cos()


output, vjp_fn = vjp(f, x, y)
vjps = vjp_fn(torch.ones_like(output))
print(torch.allclose(vjps[0], x.cos() * y.cos()), torch.allclose(vjps[1], -x.sin() * y.sin()))

x = torch.randn([])
f = lambda x: x * torch.tensor([1.0, 2.0, 3])  # noqa: E731 - the tutorial's lambda
value, grad_out = jvp(f, (x,), (torch.tensor(1.0),))
print(torch.allclose(value, f(x)), grad_out)

x = torch.randn(5)
jacobian = jacrev(torch.sin)(x)
expected = torch.diag(torch.cos(x))
print(torch.allclose(jacobian, expected))
jacobian = jacfwd(torch.sin)(x)
print(torch.allclose(jacobian, expected))


def f(x, y):
    return x + y**2


x, y = torch.randn(5), torch.randn(5)
jacobian = jacrev(f, argnums=1)(x, y)
print(torch.allclose(jacobian, torch.diag(2 * y)))
jx, jy = jacfwd(f, argnums=(0, 1))(x, y)
print(torch.allclose(jx, torch.eye(5)), torch.allclose(jy, torch.diag(2 * y)))


def f(x):
    y = x.sin()
    return y, y.sum()


jac, aux = jacrev(f, has_aux=True)(x)
print(torch.allclose(jac, torch.diag(x.cos())), torch.allclose(aux, x.sin().sum()))

x = torch.randn(5)
hess = hessian(torch.sin)(x)
print(torch.allclose(hess, torch.diag(-x.sin())))
hess2 = jacfwd(jacrev(lambda x: (x**3).sum()))(x)
print(torch.allclose(hess2, torch.diag(6 * x)))

model = torch.nn.Sequential(torch.nn.Linear(3, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1))
params = dict(model.named_parameters())
inputs = torch.randn(4, 3)
print(torch.allclose(functional_call(model, params, (inputs,)), model(inputs)))
zeroed = {k: torch.zeros_like(v) for k, v in params.items()}
print(functional_call(model, zeroed, (inputs,)))


def loss_fn(p, x):
    return functional_call(model, p, (x,)).pow(2).mean()


grads = grad(loss_fn)(params, inputs)
loss_fn(params, inputs).backward()
print({k: torch.allclose(g, params[k].grad, atol=1e-6) for k, g in grads.items()})
