"""Focused tests for what the docstring-example corpus programs (session 7, ``docs_*``) found
broken in jitgrad.

* ``torch.testing.assert_close`` compared complex tensors exactly (no complex64/complex128
  tolerances, complex treated as an integer dtype);
* ``linalg.lstsq`` returned empty singular values and residuals whatever the driver;
* out-of-place ``masked_scatter`` did not broadcast ``input`` against ``mask``;
* ``isreal`` was True for every complex value;
* ``asarray(t, requires_grad=False)`` kept ``t``'s graph (PyTorch detaches);
* a post-accumulate-grad hook that returned the leaf itself (``lambda p: p.add_(...)``, the
  docstring's example) raised;
* ``typename`` of a class named ``type``;
* ``adjoint``/``mH``/``H`` of a complex tensor did not conjugate, and ``vdot`` did not
  conjugate its first argument.

Expected values are worked out by hand here, or PyTorch 2.13's printed texts; never the code
under test.
"""

from __future__ import annotations

import numpy as np
import pytest

import jitgrad as torch


def test_assert_close_complex_within_tolerance_passes() -> None:
    a = torch.tensor([1 + 1j, 2 + 2j, 3 - 1j], dtype=torch.complex64)
    torch.testing.assert_close(a, a + 1e-6)


def test_assert_close_complex_mismatch_message() -> None:
    a = torch.tensor([1 + 1j, 2 + 2j, 3 - 1j], dtype=torch.complex64)
    with pytest.raises(AssertionError) as err:
        torch.testing.assert_close(a, a + torch.tensor([0, 0.5j, 0.1]))
    # PyTorch 2.13's text for the same call
    assert str(err.value) == (
        "Tensor-likes are not close!\n\nMismatched elements: 2 / 3 (66.7%)\n"
        "Greatest absolute difference: 0.5 at index (1,) (up to 1e-05 allowed)\n"
        "Greatest relative difference: 0.15617376565933228 at index (1,) (up to 1.3e-06 allowed)"
    )


_A = [[1.0, 2.0], [3.0, 4.0], [5.0, 7.0]]
_B = [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]


@pytest.mark.parametrize(
    ("driver", "residuals", "rank", "svals"),
    [
        (None, False, True, False),
        ("gelsy", False, True, False),
        ("gelsd", True, True, True),
        ("gelss", True, True, True),
        ("gels", True, False, False),
    ],
)
def test_lstsq_driver_outputs(driver, residuals, rank, svals) -> None:  # noqa: ANN001
    A, B = torch.tensor(_A), torch.tensor(_B)  # noqa: N806
    r = torch.linalg.lstsq(A, B, driver=driver)
    x = np.linalg.lstsq(np.array(_A), np.array(_B), rcond=None)
    np.testing.assert_allclose(r.solution.numpy(), x[0], rtol=1e-5, atol=1e-5)
    assert r.residuals.shape == ((2,) if residuals else (0,))
    if residuals:
        np.testing.assert_allclose(r.residuals.numpy(), x[1], rtol=1e-4)
    assert r.rank.shape == (() if rank else (0,))
    assert r.singular_values.shape == ((2,) if svals else (0,))
    if svals:
        np.testing.assert_allclose(r.singular_values.numpy(), x[3], rtol=1e-5)


def test_masked_scatter_broadcasts_input_against_mask() -> None:
    # the torch.Tensor.masked_scatter docstring's example and its printed result
    self = torch.tensor([0, 0, 0, 0, 0])
    mask = torch.tensor([[0, 0, 0, 1, 1], [1, 1, 0, 1, 1]], dtype=torch.bool)
    source = torch.tensor([[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]])
    assert self.masked_scatter(mask, source).tolist() == [[0, 0, 0, 0, 1], [2, 3, 0, 4, 5]]


def test_masked_scatter_broadcast_gradient_sums_over_the_broadcast() -> None:
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    mask = torch.tensor([[True, False], [True, True]])
    y = x.masked_scatter(mask, torch.tensor([5.0, 6.0, 7.0]))
    assert y.tolist() == [[5.0, 2.0], [6.0, 7.0]]
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 1.0]  # only the unmasked (0, 1) position keeps x


def test_isreal_complex() -> None:
    assert torch.isreal(torch.tensor([1, 1 + 1j, 2 + 0j])).tolist() == [True, False, True]
    assert torch.isreal(torch.tensor([1.0, 2.0])).tolist() == [True, True]


def test_asarray_requires_grad_false_detaches() -> None:
    a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = a + 2
    c = torch.asarray(b, requires_grad=False)
    assert c.grad_fn is None and not c.requires_grad
    assert c.data_ptr() == b.data_ptr()
    assert torch.asarray(b) is b and torch.asarray(b, requires_grad=True) is b


def test_post_accumulate_hook_may_return_the_leaf() -> None:
    v = torch.tensor([0.0, 0.0, 0.0], requires_grad=True)
    v.register_post_accumulate_grad_hook(lambda p: p.add_(p.grad, alpha=-0.01))
    v.backward(torch.tensor([1.0, 2.0, 3.0]))
    assert np.allclose(v.detach().numpy(), [-0.01, -0.02, -0.03])


def test_post_accumulate_hook_other_results_refused() -> None:
    v = torch.tensor([0.0], requires_grad=True)
    v.register_post_accumulate_grad_hook(lambda p: 5)
    with pytest.raises(TypeError, match="^expected Variable, but hook returned 'int'$"):
        v.backward(torch.tensor([1.0]))
    w = torch.tensor([0.0], requires_grad=True)
    w.register_post_accumulate_grad_hook(lambda p: p.clone())
    with pytest.raises(RuntimeError, match="^Tensor post accumulate grad hooks should return"):
        w.backward(torch.tensor([1.0]))


def test_typename_of_classes_and_objects() -> None:
    assert torch.typename(torch.tensor([1, 2, 3])) == "torch.LongTensor"
    assert torch.typename(torch.nn.Parameter).endswith("nn.parameter.Parameter")
    assert torch.typename(3) == "int"
    assert torch.typename(int) == "int"


def test_adjoint_conjugates_complex() -> None:
    x = torch.tensor([[1 + 2j, 3 - 1j], [0j, 2 + 2j]])
    want = [[1 - 2j, 0j], [3 + 1j, 2 - 2j]]
    for got in (x.adjoint(), x.mH, x.H, torch.adjoint(x)):
        assert got.tolist() == want
    assert torch.ones(2, 3).adjoint().shape == (3, 2)


def test_vdot_conjugates_first_argument() -> None:
    a = torch.tensor((1 + 2j, 3 - 1j))
    b = torch.tensor((2 + 1j, 4 - 0j))
    # (1-2j)(2+1j) + (3+1j)4 = 16+1j; the other way round its conjugate
    assert torch.vdot(a, b).item() == 16 + 1j
    assert torch.vdot(b, a).item() == 16 - 1j
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = torch.vdot(x, torch.tensor([3.0, 4.0]))
    assert y.item() == 11.0 and y.grad_fn.name() == "VdotBackward0"
    y.backward()
    assert x.grad.tolist() == [3.0, 4.0]
