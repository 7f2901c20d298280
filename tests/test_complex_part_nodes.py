"""``.real``/``.imag`` of a complex tensor record PyTorch 2.13's two nodes,
``SelectBackward0`` over ``ViewAsRealBackward0`` (they are ``view_as_real(z)[..., k]``),
stay views of ``z``, and their gradients are ``g`` and ``i g``."""

import numpy as np

import jitgrad as torch


def _chain(t):
    names = []
    node = t.grad_fn
    while node is not None and type(node).__name__ != "AccumulateGrad":
        names.append(type(node).__name__)
        node = node.next_functions[0][0]
    return names


def test_real_imag_node_chain():
    z = torch.randn(3, dtype=torch.cfloat, requires_grad=True)
    for part in (z.real, z.imag, torch.real(z), torch.imag(z)):
        assert _chain(part) == ["SelectBackward0", "ViewAsRealBackward0"]
        assert part.grad_fn.next_functions[0][0].next_functions[0][0].variable is z
    w = torch.randn(4, 3, dtype=torch.cdouble, requires_grad=True)
    assert _chain(w[:, 1].real) == ["SelectBackward0", "ViewAsRealBackward0", "SelectBackward0"]


def test_views_of_the_complex_tensor():
    z = torch.randn(3, dtype=torch.cfloat, requires_grad=True)
    assert z.real._base is z and z.imag._base is z
    assert z.real.stride() == (2,)
    w = torch.randn(4, 3, dtype=torch.cdouble)
    assert w.t().real.stride() == (2, 6)
    assert w[:, 1].imag.stride() == (6,)
    with torch.no_grad():
        r = z.real
    assert r.grad_fn is None and r._base is z
    u = torch.tensor([-1 + 2j, 1 - 1j])
    u.real.mul_(0)
    u.imag[1] = 5
    assert u._version == 2
    np.testing.assert_array_equal(u.numpy(), np.array([0 + 2j, 0 + 5j]))


def test_gradients():
    z = torch.tensor([1 + 2j, -3 + 0.5j], requires_grad=True)
    (z.real * 2 + z.imag * 3).sum().backward()
    np.testing.assert_array_equal(z.grad.numpy(), np.array([2 + 3j, 2 + 3j]))
    # d/dz of sum(imag^2) is 2 i imag(z) (PyTorch's conjugate Wirtinger convention)
    g, = torch.autograd.grad((z.imag ** 2).sum(), z, create_graph=True)
    np.testing.assert_allclose(g.detach().numpy(), 2j * z.detach().numpy().imag)
    assert type(g.grad_fn).__name__ == "ViewAsComplexBackward0"
    (gg,) = torch.autograd.grad(g.imag.sum(), z)  # d/dz sum(2 imag(z)) = 2i
    np.testing.assert_allclose(gg.numpy(), np.array([2j, 2j]))


def test_real_tensor_is_its_own_real_part():
    x = torch.randn(3)
    assert x.real is x and torch.real(x) is x
