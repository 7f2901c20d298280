"""Custom autograd Functions as the "Extending PyTorch" notes and blog posts write them: a
LinearFunction with save_for_backward and ctx.needs_input_grad, a function returning two
outputs, mark_non_differentiable for an argmax-like output, ctx attributes for non-tensor
arguments, a straight-through estimator, once_differentiable, set_materialize_grads,
gradcheck in float64, and a Function used inside an nn.Module.

Model: https://pytorch.org/docs/stable/notes/extending.html (pytorch/pytorch, BSD-3-Clause).
Written for jitgrad's corpus, not copied.
"""

import torch
from torch.autograd import Function, gradcheck
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
        if ctx.needs_input_grad[0]:
            grad_input = grad_output.mm(weight)
        if ctx.needs_input_grad[1]:
            grad_weight = grad_output.t().mm(input)
        if bias is not None and ctx.needs_input_grad[2]:
            grad_bias = grad_output.sum(0)
        return grad_input, grad_weight, grad_bias


linear = LinearFunction.apply
inp = (torch.randn(5, 4, dtype=torch.double, requires_grad=True),
       torch.randn(3, 4, dtype=torch.double, requires_grad=True),
       torch.randn(3, dtype=torch.double, requires_grad=True))
print(gradcheck(linear, inp, eps=1e-6, atol=1e-4))
out = linear(*inp)
print(out.grad_fn.__class__.__name__, out.shape)
x = torch.randn(2, 4)
w = torch.randn(3, 4, requires_grad=True)
linear(x, w).sum().backward()
print(w.grad)


class MulConstant(Function):
    @staticmethod
    def forward(ctx, tensor, constant):
        ctx.constant = constant
        return tensor * constant

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * ctx.constant, None


a = torch.tensor([1.0, 2.0], requires_grad=True)
MulConstant.apply(a, 5.5).sum().backward()
print(a.grad)


class SortWithIndex(Function):
    @staticmethod
    def forward(ctx, x):
        values, idx = x.sort()
        ctx.mark_non_differentiable(idx)
        ctx.save_for_backward(idx)
        return values, idx

    @staticmethod
    def backward(ctx, g, g_idx):
        (idx,) = ctx.saved_tensors
        grad = torch.zeros_like(g)
        grad.index_add_(0, idx, g)
        return grad


s = torch.tensor([3.0, 1.0, 2.0], requires_grad=True)
vals, idx = SortWithIndex.apply(s)
print(vals, idx, idx.requires_grad)
(vals * torch.tensor([1.0, 10.0, 100.0])).sum().backward()
print(s.grad)


class RoundSTE(Function):
    @staticmethod
    def forward(ctx, x):
        return x.round()

    @staticmethod
    @once_differentiable
    def backward(ctx, g):
        return g


q = torch.tensor([0.4, 1.6, -2.3], requires_grad=True)
r = RoundSTE.apply(q)
(r * r).sum().backward()
print(r, q.grad)


class SplitTwo(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.set_materialize_grads(False)
        return x * 2, x * 3

    @staticmethod
    def backward(ctx, g1, g2):
        grad = torch.zeros(3)
        if g1 is not None:
            grad = grad + 2 * g1
        if g2 is not None:
            grad = grad + 3 * g2
        return grad


y = torch.ones(3, requires_grad=True)
o1, o2 = SplitTwo.apply(y)
o1.sum().backward()
print(y.grad)


class MyLinear(torch.nn.Module):
    def __init__(self, i, o):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.randn(o, i) * 0.1)
        self.bias = torch.nn.Parameter(torch.zeros(o))

    def forward(self, x):
        return LinearFunction.apply(x, self.weight, self.bias)


torch.manual_seed(0)
m = MyLinear(3, 2)
data = torch.randn(8, 3)
tgt = data @ torch.tensor([[1.0, -1.0], [0.5, 0.0], [0.0, 2.0]])
opt = torch.optim.SGD(m.parameters(), lr=0.1)
for _ in range(50):
    opt.zero_grad()
    loss = ((m(data) - tgt) ** 2).mean()
    loss.backward()
    opt.step()
print(round(loss.item(), 5), m.weight.data.round(decimals=3))
