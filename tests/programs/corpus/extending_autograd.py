"""Extending torch.autograd: LinearFunction (ctx.save_for_backward, ctx.needs_input_grad, an
optional bias), MulConstant (a non-tensor argument whose gradient is None), a Module wrapping
the Function, and torch.autograd.gradcheck on double inputs.

Model: https://pytorch.org/docs/stable/notes/extending.html (pytorch/pytorch docs,
BSD-3-Clause). Written for jitgrad's corpus, not copied. Changes: gradcheck's inputs are 6x5 and 4x5
instead of 20x20 and 30x20; a few prints of the results.
"""

# ruff: noqa: UP032  (the original's style, kept)

import torch
import torch.nn as nn
from torch.autograd import Function, gradcheck


class LinearFunction(Function):
    @staticmethod
    def forward(input, weight, bias):
        output = input.mm(weight.t())
        if bias is not None:
            output += bias.unsqueeze(0).expand_as(output)
        return output

    @staticmethod
    def setup_context(ctx, inputs, output):
        input, weight, bias = inputs
        ctx.save_for_backward(input, weight, bias)

    @staticmethod
    def backward(ctx, grad_output):
        input, weight, bias = ctx.saved_tensors
        grad_input = grad_weight = grad_bias = None
        if ctx.needs_input_grad[0]:
            grad_input = grad_output.mm(weight)
        if ctx.needs_input_grad[1]:
            grad_weight = grad_output.t().mm(input)
        if bias is not None and ctx.needs_input_grad[2]:
            grad_bias = grad_output.sum(0)
        return grad_input, grad_weight, grad_bias


linear = LinearFunction.apply


class MulConstant(Function):
    @staticmethod
    def forward(tensor, constant):
        return tensor * constant

    @staticmethod
    def setup_context(ctx, inputs, output):
        _, constant = inputs
        ctx.constant = constant

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * ctx.constant, None


class Linear(nn.Module):
    def __init__(self, input_features, output_features, bias=True):
        super().__init__()
        self.input_features = input_features
        self.output_features = output_features
        self.weight = nn.Parameter(torch.empty(output_features, input_features))
        if bias:
            self.bias = nn.Parameter(torch.empty(output_features))
        else:
            self.register_parameter("bias", None)
        nn.init.uniform_(self.weight, -0.1, 0.1)
        if self.bias is not None:
            nn.init.uniform_(self.bias, -0.1, 0.1)

    def forward(self, input):
        return LinearFunction.apply(input, self.weight, self.bias)

    def extra_repr(self):
        return "input_features={}, output_features={}, bias={}".format(
            self.input_features, self.output_features, self.bias is not None
        )


input = (
    torch.randn(6, 5, dtype=torch.double, requires_grad=True),
    torch.randn(4, 5, dtype=torch.double, requires_grad=True),
)
test = gradcheck(linear, input + (None,), eps=1e-6, atol=1e-4)
print(test)
bias = torch.randn(4, dtype=torch.double, requires_grad=True)
print(gradcheck(linear, input + (bias,), eps=1e-6, atol=1e-4))

x = torch.randn(3, 4, requires_grad=True)
y = MulConstant.apply(x, 2.5)
print(y.grad_fn.__class__.__name__)
y.sum().backward()
print(x.grad)

m = Linear(4, 3)
print(m)
out = m(torch.ones(2, 4))
print(out.grad_fn.__class__.__name__, out.shape)
out.pow(2).sum().backward()
print(m.weight.grad)
print(m.bias.grad)
m2 = Linear(4, 2, bias=False)
print(m2, m2.bias)
print(m2(torch.ones(1, 4)))
