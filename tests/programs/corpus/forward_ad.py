"""Forward-mode automatic differentiation, after the tutorial of that name: dual tensors with
fwAD.dual_level / make_dual / unpack_dual, a tangent through an nn.Module's parameters and a
custom Function with jvp.

Model: https://pytorch.org/tutorials/intermediate/forward_ad_usage.html (pytorch/tutorials,
BSD-3-Clause). Written for jitgrad's corpus, not copied. (The tutorial's functorch parts are
left out.)
"""

import torch
import torch.autograd.forward_ad as fwAD

primal = torch.randn(10, 10)
tangent = torch.randn(10, 10)


def fn(x, y):
    return x**2 + y**2


with fwAD.dual_level():
    dual_input = fwAD.make_dual(primal, tangent)
    assert fwAD.unpack_dual(dual_input).tangent is tangent
    dual_output = fn(dual_input, 1.0)
    jvp = fwAD.unpack_dual(dual_output).tangent
print(fwAD.unpack_dual(dual_output).tangent is None, jvp[0, :3])

model = torch.nn.Linear(5, 5)
input = torch.randn(16, 5)
params = {name: p for name, p in model.named_parameters()}
tangents = {name: torch.rand_like(p) for name, p in params.items()}
with fwAD.dual_level():
    for name, p in params.items():
        delattr(model, name)
        setattr(model, name, fwAD.make_dual(p, tangents[name]))
    out = model(input)
    jvp = fwAD.unpack_dual(out).tangent
print(jvp[0])


class Fn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, foo):
        result = torch.exp(foo)
        ctx.result = result
        return result

    @staticmethod
    def jvp(ctx, gI):
        gO = gI * ctx.result
        del ctx.result
        return gO


fn = Fn.apply
primal = torch.randn(10, 10, dtype=torch.double, requires_grad=True)
tangent = torch.randn(10, 10)
with fwAD.dual_level():
    dual_input = fwAD.make_dual(primal, tangent)
    dual_output = fn(dual_input)
    jvp = fwAD.unpack_dual(dual_output).tangent
print(jvp[0, :3])
