"""Higher-level autograd: torch.autograd.functional's jacobian, hessian, vjp, jvp, hvp and vhp
on small functions (vectorize=False and create_graph forms), as the torch.autograd.functional
documentation's examples use them.

Model: https://pytorch.org/docs/stable/autograd.html#functional-higher-level-api
(BSD-3-Clause). Written for jitgrad's corpus, not copied.
"""

import torch
from torch.autograd.functional import hessian, hvp, jacobian, jvp, vhp, vjp


def exp_reducer(x):
    return x.exp().sum(dim=1)


inputs = torch.rand(2, 2)
print(jacobian(exp_reducer, inputs))
print(jacobian(exp_reducer, inputs, create_graph=True))


def exp_adder(x, y):
    return 2 * x.exp() + 3 * y


inputs = (torch.rand(2), torch.rand(2))
print(jacobian(exp_adder, inputs))


def pow_reducer(x):
    return x.pow(3).sum()


inputs = torch.rand(2, 2)
print(hessian(pow_reducer, inputs))


def pow_adder_reducer(x, y):
    return (2 * x.pow(2) + 3 * y.pow(2)).sum()


inputs = (torch.rand(2), torch.rand(2))
print(hessian(pow_adder_reducer, inputs))

v = torch.ones(4)
print(vjp(exp_reducer, torch.rand(4, 4), torch.ones(4)))
print(jvp(exp_reducer, torch.rand(4, 4), torch.ones(4, 4)))
x = torch.rand(4, 4)
print(hvp(pow_reducer, x, torch.ones(4, 4)))
print(vhp(pow_reducer, x, torch.ones(4, 4)))
