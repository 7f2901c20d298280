"""torch.autograd.Function's documentation and the extending notes' details: the Exp example
(saving the output), a Function with a separate setup_context (the 2.0 style) used with
torch.func.grad and vmap (generate_vmap_rule), mark_non_differentiable (a sort returning
indices), mark_dirty (an in-place Function), set_materialize_grads(False) with None
gradients, ctx.needs_input_grad, once_differentiable, non-tensor outputs, a jvp via
forward-mode AD (ctx.save_for_forward), and the error of returning too few gradients.

Docs: https://pytorch.org/docs/stable/autograd.html#function and
https://pytorch.org/docs/stable/notes/extending.html (pytorch/pytorch docs, BSD-3-Clause).
Written for jitgrad's corpus, not copied. Changes: fixed small inputs; printed results.
"""

import torch
import torch.autograd.forward_ad as fwAD
from torch.autograd import Function
from torch.autograd.function import once_differentiable


class Exp(Function):
    @staticmethod
    def forward(ctx, i):
        result = i.exp()
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        (result,) = ctx.saved_tensors
        return grad_output * result


# Use it by calling the apply method:
input = torch.tensor([0.0, 0.5, 1.0], requires_grad=True)
output = Exp.apply(input)
output.sum().backward()
print(output, input.grad, output.grad_fn)


class MyCube(torch.autograd.Function):
    @staticmethod
    def forward(x):
        # We wish to save dx for backward. In order to do so, it must
        # be returned as an output.
        dx = 3 * x**2
        result = x**3
        return result, dx

    @staticmethod
    def setup_context(ctx, inputs, output):
        (x,) = inputs
        result, dx = output
        ctx.save_for_backward(x, dx)

    @staticmethod
    def backward(ctx, grad_output, grad_dx):
        x, dx = ctx.saved_tensors
        # In order for the autograd.Function to work with higher-order
        # gradients, we must add the gradient contribution of `dx`,
        # which is grad_dx * 6 * x.
        result = grad_output * dx + grad_dx * 6 * x
        return result

    generate_vmap_rule = True


def my_cube(x):
    result, dx = MyCube.apply(x)
    return result


x = torch.tensor(2.0)
print(torch.func.grad(my_cube)(x), torch.func.grad(torch.func.grad(my_cube))(x))
print(torch.func.vmap(my_cube)(torch.arange(4.0)))
print(torch.func.jacrev(my_cube)(torch.arange(1.0, 4.0)))


class Sort(Function):
    @staticmethod
    def forward(ctx, x):
        values, indices = x.sort()
        ctx.mark_non_differentiable(indices)
        ctx.save_for_backward(indices)
        return values, indices

    @staticmethod
    def backward(ctx, g1, g2):
        (indices,) = ctx.saved_tensors
        grad_input = torch.zeros_like(g1)
        grad_input.index_add_(0, indices, g1)
        return grad_input


x = torch.tensor([3.0, 1.0, 2.0], requires_grad=True)
values, indices = Sort.apply(x)
print(values, indices, indices.requires_grad)
(values * torch.tensor([1.0, 10.0, 100.0])).sum().backward()
print(x.grad)


class AddOneInplace(Function):
    @staticmethod
    def forward(ctx, x):
        x.add_(1)
        ctx.mark_dirty(x)
        return x

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output


a = torch.tensor([1.0, 2.0], requires_grad=True)
b = a.clone()
c = AddOneInplace.apply(b)
print(c is b, c, c.grad_fn)
(c * c).sum().backward()
print(a.grad)


class SimpleFunc(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.set_materialize_grads(False)
        ctx.save_for_backward(x)
        return x.clone(), x.clone()

    @staticmethod
    @once_differentiable
    def backward(ctx, g1, g2):  # g1 and g2 may be None
        (x,) = ctx.saved_tensors
        grad_input = torch.zeros_like(x)
        if g1 is not None:  # We must check for None now
            grad_input += g1
        if g2 is not None:
            grad_input += g2
        print("g1 is None:", g1 is None, "g2 is None:", g2 is None)
        return grad_input


a = torch.tensor([1.0, 2.0], requires_grad=True)
out1, out2 = SimpleFunc.apply(a)
out1.sum().backward()
print(a.grad)


class ScaleWithFlag(Function):
    @staticmethod
    def forward(ctx, x, w, scale, name):
        ctx.save_for_backward(x, w)
        ctx.scale = scale
        print("forward", name, ctx.needs_input_grad)
        return x * w * scale

    @staticmethod
    def backward(ctx, grad_output):
        x, w = ctx.saved_tensors
        print("needs_input_grad", ctx.needs_input_grad)
        gx = grad_output * w * ctx.scale if ctx.needs_input_grad[0] else None
        gw = grad_output * x * ctx.scale if ctx.needs_input_grad[1] else None
        return gx, gw, None, None


x = torch.tensor([1.0, 2.0], requires_grad=True)
w = torch.tensor([3.0, 4.0])
ScaleWithFlag.apply(x, w, 0.5, "first").sum().backward()
print(x.grad, w.grad)


class MulJvp(Function):
    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_forward(x, y)
        return x * y

    @staticmethod
    def jvp(ctx, x_t, y_t):
        x, y = ctx.saved_tensors
        return x_t * y + x * y_t


with fwAD.dual_level():
    x = fwAD.make_dual(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 0.0]))
    y = torch.tensor([3.0, 5.0])
    out = MulJvp.apply(x, y)
    print(fwAD.unpack_dual(out).tangent)


class TooFew(Function):
    @staticmethod
    def forward(ctx, x, y):
        return x + y

    @staticmethod
    def backward(ctx, g):
        return g


try:
    TooFew.apply(torch.ones(2, requires_grad=True), torch.ones(2)).sum().backward()
except RuntimeError as e:
    print("RuntimeError:", e)


class WrongShape(Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, g):
        return g.sum()


try:
    WrongShape.apply(torch.ones(2, 3, requires_grad=True)).sum().backward()
except RuntimeError as e:
    print("RuntimeError:", e)
