"""Custom autograd Functions in the newer style of the "Extending torch.func with
autograd.Function" docs: forward without ctx plus a separate setup_context, saved
intermediates returned as extra outputs and marked non-differentiable, a numerically stable
log-sum-exp Function, double backward through a Function whose backward is itself
differentiable, torch.func.grad over such Functions, and gradcheck/gradgradcheck.

Model: https://pytorch.org/docs/stable/notes/extending.func.html and
https://pytorch.org/docs/stable/notes/extending.html (BSD-3-Clause). Written for jitgrad's
corpus, not copied.
"""

import torch
from torch.autograd import Function, gradcheck, gradgradcheck


class MyCube(Function):
    @staticmethod
    def forward(x):
        dx = 3 * x**2
        return x**3, dx

    @staticmethod
    def setup_context(ctx, inputs, output):
        (x,) = inputs
        result, dx = output
        ctx.mark_non_differentiable(dx)
        ctx.save_for_backward(x, dx)

    @staticmethod
    def backward(ctx, grad_output, grad_dx):
        x, dx = ctx.saved_tensors
        return grad_output * dx + grad_dx * 6 * x


def my_cube(x):
    result, _ = MyCube.apply(x)
    return result


x = torch.tensor([1.0, 2.0, -0.5], requires_grad=True)
y = my_cube(x)
print(y, y.grad_fn.name())
(g,) = torch.autograd.grad(y.sum(), x, create_graph=True)
print(g)
(gg,) = torch.autograd.grad(g.sum(), x)
print(gg)
print(torch.func.grad(lambda t: my_cube(t).sum())(torch.tensor([1.0, 3.0])))


class LogSumExp(Function):
    @staticmethod
    def forward(x):
        m = x.max(dim=-1, keepdim=True).values
        return (x - m).exp().sum(-1).log() + m.squeeze(-1)

    @staticmethod
    def setup_context(ctx, inputs, output):
        (x,) = inputs
        ctx.save_for_backward(x, output)

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        return grad.unsqueeze(-1) * (x - out.unsqueeze(-1)).exp()


z = torch.tensor([[1000.0, 1000.0], [0.0, -1.0]], requires_grad=True)
lse = LogSumExp.apply(z)
print(lse, torch.logsumexp(z, dim=-1))
lse.sum().backward()
print(z.grad)
inp = torch.randn(3, 4, dtype=torch.double, requires_grad=True)
print(gradcheck(LogSumExp.apply, (inp,)), gradgradcheck(LogSumExp.apply, (inp,)))
print(gradcheck(my_cube, (torch.randn(4, dtype=torch.double, requires_grad=True),)))
