"""A product's result is a fresh tensor, never a view (PyTorch's matmul ends in
``_unsafe_view`` or an in-place ``squeeze_``), so writing into it records ``CopySlices``
over the product's node; einsum and tensordot results are views in PyTorch and stay so.
Expected names and flags recorded from PyTorch 2.13."""

import pytest

import jitgrad as torch

A_SHAPE, B_SHAPE = (2, 3, 4), (2, 4, 5)

CASES = {  # name: (product, node before the write)
    "3d@3d": (lambda a, b, c: a @ b, "UnsafeViewBackward0"),
    "3d@2d": (lambda a, b, c: a @ b[0], "UnsafeViewBackward0"),
    "3d@1d": (lambda a, b, c: a @ c, "UnsafeViewBackward0"),
    "1d@3d": (lambda a, b, c: c[:3] @ a, "UnsafeViewBackward0"),
    "4d@3d": (lambda a, b, c: a.unsqueeze(0).expand(2, 2, 3, 4) @ b, "UnsafeViewBackward0"),
    "1d@2d": (lambda a, b, c: c @ b[0], "SqueezeBackward4"),
    "kron": (lambda a, b, c: torch.kron(a[0], b[0]), "UnsafeViewBackward0"),
    "bmm": (lambda a, b, c: torch.bmm(a, b), "BmmBackward0"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_product_result_is_not_a_view(name):
    fn, node = CASES[name]
    a = torch.randn(*A_SHAPE, requires_grad=True)
    b, c = torch.randn(*B_SHAPE), torch.randn(4, requires_grad=True)
    y = fn(a, b, c)
    assert y.grad_fn.name() == node
    assert y._base is None
    y[0] = 1.0
    assert y.grad_fn.name() == "torch::autograd::CopySlices"
    assert y.grad_fn.next_functions[0][0].name() == node
    with torch.no_grad():
        assert fn(a, b, c)._base is None


@pytest.mark.parametrize(
    "fn",
    [
        lambda a, b: torch.einsum("bij,bjk->bik", a, b),
        lambda a, b: torch.tensordot(a, b[0], dims=([2], [0])),
    ],
)
def test_einsum_tensordot_results_are_views_as_in_pytorch(fn):
    a = torch.randn(*A_SHAPE, requires_grad=True)
    y = fn(a, torch.randn(*B_SHAPE))
    assert y._base is not None
    y[0] = 1.0
    assert y.grad_fn.name() == "AsStridedBackward0"


def test_write_into_product_gradient():
    a = torch.randn(*A_SHAPE, requires_grad=True)
    b = torch.randn(*B_SHAPE)
    y = a @ b
    y[0] = 0.0
    y.sum().backward()
    expect = b.sum(-1).unsqueeze(1).expand(2, 3, 4).clone()
    expect[0] = 0.0
    assert torch.allclose(a.grad, expect)
