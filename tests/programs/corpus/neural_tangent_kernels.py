"""Neural tangent kernels with torch.func: functional_call over detached parameters, per-sample
Jacobians by vmap(jacrev), the empirical NTK as a contraction of Jacobians (einsum over the
full, trace and diagonal forms), and the NTK-vector-product form with vjp/jvp.

Model: https://pytorch.org/tutorials/intermediate/neural_tangent_kernels.html
(pytorch/tutorials, BSD-3-Clause). Written for jitgrad's corpus, not copied. Changes: inputs
are 3x8x8 instead of 3x32x32 with narrower convolutions; batches of 4 and 5.
"""

# ruff: noqa: B011  (the original's style, kept)

from functools import partial

import torch
import torch.nn as nn
from torch.func import functional_call, jacrev, jvp, vjp, vmap

torch.manual_seed(0)


class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 4, (3, 3))
        self.conv2 = nn.Conv2d(4, 4, (3, 3))
        self.conv3 = nn.Conv2d(4, 4, (3, 3))
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        x = self.conv1(x)
        x = x.relu()
        x = self.conv2(x)
        x = x.relu()
        x = self.conv3(x)
        x = x.mean((-1, -2))
        x = self.fc(x)
        return x


x_train = torch.randn(4, 3, 8, 8)
x_test = torch.randn(5, 3, 8, 8)
net = CNN()
params = {k: v.detach() for k, v in net.named_parameters()}


def fnet_single(params, x):
    return functional_call(net, params, (x.unsqueeze(0),)).squeeze(0)


def empirical_ntk_jacobian_contraction(fnet_single, params, x1, x2, compute="full"):
    jac1 = vmap(jacrev(fnet_single), (None, 0))(params, x1)
    jac1 = jac1.values()
    jac1 = [j.flatten(2) for j in jac1]
    jac2 = vmap(jacrev(fnet_single), (None, 0))(params, x2)
    jac2 = jac2.values()
    jac2 = [j.flatten(2) for j in jac2]
    if compute == "full":
        einsum_expr = "Naf,Mbf->NMab"
    elif compute == "trace":
        einsum_expr = "Naf,Maf->NM"
    elif compute == "diagonal":
        einsum_expr = "Naf,Maf->NMa"
    else:
        assert False
    result = torch.stack([torch.einsum(einsum_expr, j1, j2) for j1, j2 in zip(jac1, jac2)])
    result = result.sum(0)
    return result


result = empirical_ntk_jacobian_contraction(fnet_single, params, x_train, x_test)
print(result.shape)
print(result[0, 0])
trace = empirical_ntk_jacobian_contraction(fnet_single, params, x_train, x_test, "trace")
diag = empirical_ntk_jacobian_contraction(fnet_single, params, x_train, x_test, "diagonal")
print(trace.shape, diag.shape)
print(
    torch.allclose(trace, diag.sum(-1), atol=1e-4),
    torch.allclose(diag[..., 1], result[..., 1, 1], atol=1e-4),
)


def empirical_ntk_ntk_vps(func, params, x1, x2, compute="full"):
    def get_ntk(x1, x2):
        def func_x1(params):
            return func(params, x1)

        def func_x2(params):
            return func(params, x2)

        output, vjp_fn = vjp(func_x1, params)

        def get_ntk_slice(vec):
            vjps = vjp_fn(vec)
            _, jvps = jvp(func_x2, (params,), vjps)
            return jvps

        basis = torch.eye(output.numel(), dtype=output.dtype, device=output.device).view(
            output.numel(), -1
        )
        return vmap(get_ntk_slice)(basis)

    result = vmap(vmap(get_ntk, (None, 0)), (0, None))(x1, x2)
    if compute == "diagonal":
        result = torch.diagonal(result, dim1=-1, dim2=-2)
    return result


result_from_ntk_vps = empirical_ntk_ntk_vps(fnet_single, params, x_train, x_test)
print(result_from_ntk_vps.shape)
assert torch.allclose(result, result_from_ntk_vps, atol=1e-4)
print(partial(empirical_ntk_ntk_vps, fnet_single)(params, x_train[:1], x_test[:1], "diagonal"))
