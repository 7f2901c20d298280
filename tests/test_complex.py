"""Complex tensors and torch.fft against PyTorch's recorded answers
(tests/fixtures/complex_torch.json, written by tests/fixtures/make_complex_torch.py with
PyTorch 2.13 CPU from the programs in tests/complex_cases.py).

Values are compared to within the dtype's rounding (numpy's pocketfft and PyTorch's FFT, or
numpy's complex ufuncs and PyTorch's, round differently); dtypes, node names, reprs and
error messages exactly.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
from complex_cases import ERRORS, cases, encode, error_of
from complex_cases import same as _same

import jitgrad

DATA = json.loads((Path(__file__).resolve().parent / "fixtures" / "complex_torch.json").read_text())
CASES = cases()


@pytest.mark.parametrize("name", sorted(CASES))
def test_case(name: str) -> None:
    want = DATA["cases"][name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = {k: encode(v) for k, v in CASES[name](jitgrad).items()}
    assert sorted(got) == sorted(want)
    for key in want:
        _same(got[key], want[key], f"{name}:{key}")


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_error(name: str) -> None:
    want = DATA["errors"][name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = error_of(jitgrad, name)
    if want is None:
        assert got is None
    else:
        # jitgrad's dtype reprs name it (jitgrad.complex64); PyTorch's other names stay torch.
        assert [got[0], got[1].replace("jitgrad.", "torch.")] == want


def test_real_part_is_a_view_sharing_the_version_counter() -> None:
    z = jitgrad.tensor([1 + 2j, 3 - 4j])
    r = z.real
    r.mul_(2)
    assert z.tolist() == [2 + 2j, 6 - 4j]
    assert z._version == r._version == 1


def test_clone_and_casts_copy_the_buffer() -> None:
    z = jitgrad.tensor([1 + 2j, 3 - 4j])
    for copy in (z.clone(), z.to(jitgrad.complex128).to(jitgrad.complex64), jitgrad.clone(z)):
        copy[0] = 5j
        assert z.tolist() == [1 + 2j, 3 - 4j]


def test_cast_to_real_warns_and_keeps_the_real_part() -> None:
    z = jitgrad.tensor([1.5 + 2j])
    with pytest.warns(UserWarning, match="discards the imaginary part"):
        assert z.to(jitgrad.float32).tolist() == [1.5]
    assert z.to(jitgrad.complex128).dtype is jitgrad.complex128
    assert jitgrad.ones(2).to(jitgrad.cfloat).tolist() == [1 + 0j, 1 + 0j]


def _c128(shape, seed):
    rng = np.random.default_rng(seed)
    z = rng.standard_normal(shape) + 1j * rng.standard_normal(shape)
    return jitgrad.tensor(z, requires_grad=True)


GRADCHECKS = {
    "mul_div": lambda a, b: (a * b.conj() / (b + 3)).exp(),
    "log_sqrt_pow": lambda a, b: (a.log() + (b * b).sqrt()) ** (0.5 + 0.25j),
    "abs_angle": lambda a, b: a.abs() * b.angle() + (a / b).sin().real,
    "views": lambda a, b: jitgrad.view_as_real(a * b).sum(-1) + a.imag,
    "sum_mean": lambda a, b: a.sum(0) * b.mean(),
    "fft": lambda a, b: jitgrad.fft.fft(a, n=5, norm="ortho") * jitgrad.fft.ifft(b, n=5),
    "fft2": lambda a, b: jitgrad.fft.fftn(a * b, s=(2, 6), norm="forward"),
    "irfft": lambda a, b: (
        jitgrad.fft.irfft(a * b, n=7) + jitgrad.fft.irfft2(b, norm="ortho")[..., :1]
    ),
}


@pytest.mark.parametrize("name", sorted(GRADCHECKS))
def test_gradcheck_complex(name: str) -> None:
    a, b = _c128((2, 4), 1), _c128((2, 4), 2)
    assert jitgrad.autograd.gradcheck(GRADCHECKS[name], (a, b))


def test_gradcheck_real_to_complex() -> None:
    x = jitgrad.tensor(np.random.default_rng(3).standard_normal((3, 4)), requires_grad=True)
    r = x.detach().abs().requires_grad_()
    checks = (
        lambda x, r: jitgrad.fft.rfft(x, n=6),
        lambda x, r: jitgrad.fft.rfftn(x, norm="ortho"),
        lambda x, r: jitgrad.polar(r, x) * jitgrad.complex(x, r),
        lambda x, r: (x * 1j + r).exp(),
    )
    for fn in checks:
        assert jitgrad.autograd.gradcheck(fn, (x, r))


def test_gradcheck_catches_a_wrong_complex_gradient() -> None:
    bad = jitgrad.autograd.Function

    class Wrong(bad):  # the conjugate of the right gradient (the other Wirtinger derivative)
        @staticmethod
        def forward(ctx, z):
            ctx.save_for_backward(z)
            return z * z

        @staticmethod
        def backward(ctx, g):
            (z,) = ctx.saved_tensors
            return g * 2 * z

    a = _c128((3,), 4)
    assert not jitgrad.autograd.gradcheck(Wrong.apply, (a,), raise_exception=False)
    assert jitgrad.autograd.gradcheck(lambda z: z * z, (a,))


def test_explain_says_small_complex_ops_run_eagerly_as_real_ones() -> None:
    z = jitgrad.tensor([1 + 2j, 3 - 1j], requires_grad=True)
    loss = (z * z).exp().abs().sum()
    text = str(jitgrad.explain(loss))
    assert "forward 0: mul [eager, 2 elements]" in text and "never fused" not in text
    assert "complex values" not in text


def test_complex_chains_past_the_deferral_size_give_numpys_values() -> None:
    # (tests/test_complex_fusion.py checks that such a chain is one fused kernel)
    z = jitgrad.tensor(np.full(70000, 1 + 1j, np.complex64))  # past the deferral size
    y = (z * 2 + 1j).exp()
    np.testing.assert_allclose(y.numpy()[:2], np.exp(np.full(2, 2 + 3j)), rtol=1e-5)


def test_inplace_on_complex_with_history_matches_torch() -> None:
    # recorded with PyTorch 2.13: w = z * 1; w.mul_(2j); w.real.sum().backward()
    z = jitgrad.tensor([1 + 2j, 3 - 1j], requires_grad=True)
    w = z * 1
    w.mul_(2j)
    assert w.grad_fn.name() == "MulBackward0" and w._version == 1
    w.real.sum().backward()
    assert z.grad.tolist() == [-2j, -2j]
    w = z.detach() * 1
    w.requires_grad_()
    v = w * 1
    v.add_(v)  # add saves nothing: reading v again is fine, as in PyTorch
    v.abs().sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), 2 * np.array([1 + 2j, 3 - 1j]) / np.sqrt([5, 10]))


def test_randn_and_rand_complex() -> None:
    jitgrad.manual_seed(0)
    z = jitgrad.randn(20000, dtype=jitgrad.cfloat)
    assert z.dtype is jitgrad.complex64 and z.shape == (20000,)
    parts = jitgrad.view_as_real(z).numpy()
    np.testing.assert_allclose(parts.var(0), [0.5, 0.5], atol=0.03)  # E|z|^2 = 1, as PyTorch
    u = jitgrad.rand(3, 4, dtype=jitgrad.complex128).numpy()
    assert u.dtype == np.complex128 and u.shape == (3, 4)
    assert (0 <= u.real).all() and (u.real < 1).all() and (0 <= u.imag).all() and (u.imag < 1).all()


def test_load_complex_tensors_pytorch_wrote_and_save_them_back(tmp_path) -> None:
    got = jitgrad.load(Path(__file__).resolve().parent / "fixtures" / "complex_torch.pt")
    assert got["c64"].dtype is jitgrad.complex64 and got["c64"].tolist() == [1 + 2j, -3.5j]
    assert got["c128"].dtype is jitgrad.complex128 and got["c128"].tolist() == [[0.25 - 1j]]
    jitgrad.save(got, tmp_path / "c.pt")
    again = jitgrad.load(tmp_path / "c.pt")
    assert again["c128"].dtype is jitgrad.complex128 and again["c128"].tolist() == [[0.25 - 1j]]
    assert again["c64"].tolist() == [1 + 2j, -3.5j]
