"""Extending torch.autograd (PyTorch notes "Extending PyTorch"): a Function with
save_for_backward, needs_input_grad, mark_non_differentiable, set_materialize_grads,
once_differentiable, non-tensor arguments, and gradcheck on it.

Model: https://pytorch.org/docs/stable/notes/extending.html (pytorch/pytorch, BSD-3-Clause).
Written for jitgrad's corpus, not copied. Changes: small float64 tensors.
"""

import torch
from torch.autograd import Function
from torch.autograd.function import once_differentiable


class LinearFunction(Function):
    @staticmethod
    def forward(ctx, input, weight, bias=None):
        ctx.save_for_backward(input, weight, bias)
        output = input.mm(weight.t())
        if bias is not None:
            output += bias.unsqueeze(0).expand_as(output)
        return output

    @staticmethod
    def backward(ctx, grad_output):
        input, weight, bias = ctx.saved_tensors
        grad_input = grad_weight = grad_bias = None
        print("needs", ctx.needs_input_grad)
        if ctx.needs_input_grad[0]:
            grad_input = grad_output.mm(weight)
        if ctx.needs_input_grad[1]:
            grad_weight = grad_output.t().mm(input)
        if bias is not None and ctx.needs_input_grad[2]:
            grad_bias = grad_output.sum(0)
        return grad_input, grad_weight, grad_bias


class MulConstant(Function):
    @staticmethod
    def forward(ctx, tensor, constant):
        ctx.constant = constant
        return tensor * constant

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * ctx.constant, None


class SortWithIndex(Function):
    @staticmethod
    def forward(ctx, x):
        values, idx = x.sort()
        ctx.mark_non_differentiable(idx)
        ctx.save_for_backward(idx)
        return values, idx

    @staticmethod
    @once_differentiable
    def backward(ctx, g, _):
        (idx,) = ctx.saved_tensors
        out = torch.zeros_like(g)
        out[idx] = g
        return out


class Split(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.set_materialize_grads(False)
        return x.clone(), x.clone()

    @staticmethod
    def backward(ctx, g1, g2):
        print("g2 is None:", g2 is None)
        return g1 if g2 is None else g1 + g2


torch.manual_seed(0)
x = torch.randn(4, 3, dtype=torch.double, requires_grad=True)
w = torch.randn(2, 3, dtype=torch.double, requires_grad=True)
b = torch.randn(2, dtype=torch.double, requires_grad=False)
out = LinearFunction.apply(x, w, b)
print(out.grad_fn, out.shape)
out.sum().backward()
print(x.grad.sum().item(), w.grad.shape, b.grad)
print(torch.autograd.gradcheck(LinearFunction.apply, (x, w), eps=1e-6, atol=1e-4))
y = MulConstant.apply(x, 5.0)
y.sum().backward()
print(x.grad[0])
v, i = SortWithIndex.apply(torch.tensor([3.0, 1.0, 2.0], requires_grad=True))
print(v.requires_grad, i.requires_grad, i.dtype)
(v * torch.tensor([1.0, 10.0, 100.0])).sum().backward()
z = torch.tensor([1.0, 2.0], requires_grad=True)
a, c = Split.apply(z)
a.sum().backward()
print(z.grad)
v2, _ = SortWithIndex.apply(torch.tensor([2.0, 1.0], requires_grad=True))
try:
    torch.autograd.grad(torch.autograd.grad(v2.sum(), v2, create_graph=True)[0].sum(), v2)
except RuntimeError as e:
    print("RuntimeError:", str(e)[:90])
print(LinearFunction.apply(x.detach(), w.detach()).requires_grad)
