"""Complex matrices through ``torch.linalg``: node names, dtypes, values and gradients against
PyTorch 2.13's recorded ones (tests/fixtures/complex_linalg_torch.json, from
tests/fixtures/make_complex_linalg_torch.py over tests/complex_linalg_cases.py), gradients
against finite differences (gradcheck perturbs real and imaginary parts), forwards against
numpy complex128, and PyTorch's errors for a loss that depends on the phase of eigen/singular
vectors.

Eigen/singular vectors are compared only through phase-free quantities: PyTorch's LAPACK build
is not numpy's, so a column may come back multiplied by a different unit phase.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
from complex_linalg_cases import (
    A_VALUE,
    H_BAD_LOWER,
    H_BAD_UPPER,
    H_VALUE,
    PHASE_FREE,
    SINGULAR,
    det_loss,
    dtype_errors,
    ops,
    phase_losses,
)

import jitgrad as torch
from jitgrad.autograd import gradcheck, gradgradcheck

DATA = json.loads((Path(__file__).parent / "fixtures" / "complex_linalg_torch.json").read_text())
OPS = ops(torch)
L = torch.linalg


def _pairs(pairs: list) -> np.ndarray:
    """Recorded ``[real, imag]`` pairs as a complex array."""
    a = np.asarray(pairs, dtype=np.float64)
    return a[..., 0] + 1j * a[..., 1]


def _complex(pairs: list, dtype: str) -> np.ndarray:
    return _pairs(pairs) if dtype.startswith("complex") else np.asarray(pairs)


def _leaf(which: str, dtype=torch.complex128) -> torch.Tensor:
    value = A_VALUE if which == "A" else H_VALUE
    return torch.tensor(value).to(dtype).requires_grad_()


def _hermitian(x: torch.Tensor) -> torch.Tensor:
    """``x x^H + 3I``: the Hermitian positive-definite matrices the "H" ops take, so that
    gradcheck perturbs only along them (cholesky/eigh read one triangle)."""
    return x @ x.mH + 3 * torch.eye(x.shape[-1], dtype=x.dtype)


@pytest.mark.parametrize("name", sorted(OPS))
def test_matches_pytorch(name: str) -> None:
    which, fn, loss = OPS[name]
    want = DATA["ops"][name]
    x = _leaf(which)
    outs = fn(x)
    assert [o.grad_fn.name() for o in outs] == want["nodes"]
    assert [str(o.dtype) for o in outs] == [f"jitgrad.{d}" for d in want["dtypes"]]
    for k in PHASE_FREE.get(name, range(len(outs))):
        expected = _complex(want["values"][k], want["dtypes"][k])
        np.testing.assert_allclose(outs[k].detach().numpy(), expected, rtol=1e-10, atol=1e-12)
    loss(outs).backward()
    np.testing.assert_allclose(x.grad.numpy(), _pairs(want["grad"]), rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("name", sorted(OPS))
def test_complex64_follows_complex128(name: str) -> None:
    which, fn, loss = OPS[name]
    want = DATA["ops"][name]
    x = _leaf(which, torch.complex64)
    outs = fn(x)
    single = {"complex128": "complex64", "float64": "float32"}
    assert [str(o.dtype) for o in outs] == [f"jitgrad.{single[d]}" for d in want["dtypes"]]
    for k in PHASE_FREE.get(name, range(len(outs))):
        expected = _complex(want["values"][k], want["dtypes"][k])
        np.testing.assert_allclose(outs[k].detach().numpy(), expected, rtol=2e-4, atol=2e-5)
    loss(outs).backward()
    assert x.grad.dtype is torch.complex64
    np.testing.assert_allclose(x.grad.numpy(), _pairs(want["grad"]), rtol=2e-3, atol=2e-4)


@pytest.mark.parametrize("name", sorted(OPS))
def test_gradcheck(name: str) -> None:
    """Every output's full Jacobian (real and imaginary parts) for the ops whose outputs are
    unique; the phase-free loss for eigh/svd."""
    which, fn, loss = OPS[name]
    wrap = _hermitian if which == "H" else (lambda x: x)
    if name in PHASE_FREE:

        def f(x):
            return loss(fn(wrap(x)))
    else:

        def f(x):
            return fn(wrap(x))

    assert gradcheck(f, (_leaf("A"),))


@pytest.mark.parametrize(
    "fn",
    [L.inv, L.det, lambda a: L.cholesky(_hermitian(a)), L.svdvals, L.pinv],
    ids=["inv", "det", "cholesky", "svdvals", "pinv"],
)
def test_batched_gradcheck(fn) -> None:
    rng = np.random.default_rng(3)
    a = rng.standard_normal((2, 3, 3)) + 1j * rng.standard_normal((2, 3, 3))
    assert gradcheck(fn, (torch.tensor(a, requires_grad=True),))


def _gauge_free(pair):  # eigenvalues and |eigenvectors|
    return pair[0], pair[1].abs()


MORE_SHAPES = {
    "svd_tall_full": (lambda x: (lambda r: (r[1], r[0][..., :2] @ r[2]))(L.svd(x)), (4, 2)),
    "svd_wide_full": (lambda x: (lambda r: (r[1], r[0] @ r[2][..., :2, :]))(L.svd(x)), (2, 4)),
    "qr_complete": (lambda x: L.qr(x, mode="complete"), (3, 3)),
    "qr_complete_wide": (lambda x: L.qr(x, mode="complete"), (2, 3)),
    "eigh_batched": (lambda x: _gauge_free(L.eigh(_hermitian(x))), (2, 3, 3)),
    "eigh_upper": (lambda x: _gauge_free(L.eigh(_hermitian(x), UPLO="U")), (3, 3)),
    "eig_batched": (lambda x: _gauge_free(L.eig(x)), (2, 3, 3)),
    "slogdet_batched": (lambda x: tuple(L.slogdet(x)), (2, 3, 3)),
    "solve_right": (lambda x: L.solve(x, x[..., :1, :].clone(), left=False), (3, 3)),
    "lstsq_tall": (lambda x: L.lstsq(x, x[..., :1]).solution, (4, 2)),
    "pinv_tall": (L.pinv, (4, 2)),
    "matrix_exp_batched": (L.matrix_exp, (2, 2, 2)),
    "cholesky_solve": (lambda x: torch.cholesky_solve(x, L.cholesky(_hermitian(x))), (3, 3)),
}


@pytest.mark.parametrize("name", sorted(MORE_SHAPES))
def test_gradcheck_more_shapes(name: str) -> None:
    fn, shape = MORE_SHAPES[name]
    rng = np.random.default_rng(5)
    x = rng.standard_normal(shape) + 1j * rng.standard_normal(shape)
    assert gradcheck(fn, (torch.tensor(x, requires_grad=True),))


@pytest.mark.parametrize(
    "fn",
    [
        L.inv,
        L.det,
        lambda a: L.cholesky(_hermitian(a)),
        L.pinv,
        L.matrix_exp,
        lambda a: L.slogdet(a)[1],
    ],
    ids=["inv", "det", "cholesky", "pinv", "matrix_exp", "slogdet"],
)
def test_double_backward(fn) -> None:
    """Backwards written with Tensor ops differentiate again (not eigh/svd/qr: their
    factors are saved as constants, as for real matrices)."""
    rng = np.random.default_rng(7)
    a = rng.standard_normal((2, 2)) + 1j * rng.standard_normal((2, 2))
    assert gradgradcheck(fn, (torch.tensor(a, requires_grad=True),))


@pytest.mark.parametrize("name", sorted(DATA["messages"]))
def test_phase_dependent_loss_raises_pytorch_error(name: str) -> None:
    which, loss = phase_losses(torch)[name]
    with pytest.raises(RuntimeError) as err:
        loss(_leaf(which)).backward()
    assert str(err.value) == DATA["messages"][name]


def test_what_is_read_of_a_non_hermitian_matrix() -> None:
    want = DATA["forward"]
    a, h = torch.tensor(A_VALUE), torch.tensor(H_VALUE)
    np.testing.assert_allclose(L.eigvalsh(a).numpy(), want["eigvalsh_L"], rtol=1e-12)
    np.testing.assert_allclose(L.eigvalsh(a, UPLO="U").numpy(), want["eigvalsh_U"], rtol=1e-12)
    low = L.cholesky(h + 0.5j * torch.eye(3))  # the imaginary diagonal is ignored
    np.testing.assert_allclose(low.numpy(), _pairs(want["cholesky_imag_diagonal"]), rtol=1e-12)
    bad = L.cholesky_ex(a)
    assert int(bad.info) == want["cholesky_ex_info"] and bad.info.dtype is torch.int32
    np.testing.assert_allclose(bad.L.numpy(), _pairs(want["cholesky_ex_L"]), rtol=1e-12, atol=1e-15)


def test_forwards_match_numpy() -> None:
    a, h = torch.tensor(A_VALUE), torch.tensor(H_VALUE)
    close = np.testing.assert_allclose
    close(L.inv(a).numpy(), np.linalg.inv(A_VALUE), rtol=1e-12)
    close(L.det(a).numpy(), np.linalg.det(A_VALUE), rtol=1e-12)
    sign, logabs = L.slogdet(a)
    close(sign.numpy() * np.exp(logabs.numpy()), np.linalg.det(A_VALUE), rtol=1e-12)
    close(torch.logdet(a).numpy(), np.log(np.linalg.det(A_VALUE)), rtol=1e-12)
    low = L.cholesky(h).numpy()
    close(low @ low.conj().T, H_VALUE, rtol=1e-12)
    assert np.allclose(low, np.tril(low))
    w, v = L.eigh(h)
    close(w.numpy(), np.linalg.eigvalsh(H_VALUE), rtol=1e-12)
    close((v.numpy() * w.numpy()) @ v.numpy().conj().T, H_VALUE, rtol=1e-12)
    u, s, vh = L.svd(a[:2])
    close(s.numpy(), np.linalg.svd(A_VALUE[:2], compute_uv=False), rtol=1e-12)
    close((u.numpy() * s.numpy()) @ vh.numpy()[:2], A_VALUE[:2], atol=1e-12)
    close(L.pinv(a[:2]).numpy(), np.linalg.pinv(A_VALUE[:2]), rtol=1e-12)
    q, r = L.qr(a[:, :2])
    close(q.numpy() @ r.numpy(), A_VALUE[:, :2], atol=1e-12)
    close(q.numpy().conj().T @ q.numpy(), np.eye(2), atol=1e-12)
    lam, vec = np.linalg.eig(A_VALUE)  # exp(A) = V exp(diag) V^-1
    expm = (vec * np.exp(lam)) @ np.linalg.inv(vec)
    close(L.matrix_exp(a).numpy(), expm, rtol=1e-12)
    close(L.matrix_power(a, -2).numpy(), np.linalg.matrix_power(A_VALUE, -2), rtol=1e-12)
    close(L.vecdot(a, a).numpy(), np.einsum("ij,ij->i", A_VALUE.conj(), A_VALUE), rtol=1e-12)
    close(torch.cholesky_solve(a, L.cholesky(h)).numpy(), np.linalg.solve(H_VALUE, A_VALUE))
    assert int(L.matrix_rank(a)) == 3


def test_deprecated_svd_returns_v_not_vh() -> None:
    a = torch.tensor(A_VALUE)
    u, s, v = torch.svd(a)
    assert v.is_conj()  # V = Vh.mH, a conj view as PyTorch's (numpy() needs resolve_conj())
    v = v.resolve_conj().numpy()
    np.testing.assert_allclose((u.numpy() * s.numpy()) @ v.conj().T, A_VALUE, atol=1e-12)


def test_singular_complex_inverse_ex() -> None:
    """A failed matrix's inverse is NaN in both parts, as PyTorch's (``nan+nanj``)."""
    out, info = L.inv_ex(torch.tensor(np.array([[1, 1j], [1j, -1]])))
    assert int(info) == 2
    assert np.isnan(out.numpy().real).all() and np.isnan(out.numpy().imag).all()
    with pytest.raises(torch.linalg.LinAlgError, match="The diagonal element 2 is zero"):
        L.inv(torch.tensor(np.array([[1, 1j], [1j, -1]])))


def test_integer_input_still_refused() -> None:
    with pytest.raises(
        RuntimeError, match="Expected a floating point or complex tensor as input. Got Long"
    ):
        L.inv(torch.ones(2, 2, dtype=torch.int64))


def test_cholesky_reads_the_triangle_upper_names() -> None:
    """``upper=False`` reads the lower triangle, ``upper=True`` the upper one (potrf 'L'/'U'),
    and ``U = L^H`` carries no -0 imaginary parts (PyTorch prints none)."""
    want = DATA["forward"]
    low = L.cholesky(torch.tensor(H_BAD_UPPER))
    np.testing.assert_allclose(low.numpy(), _pairs(want["cholesky_reads_lower"]), rtol=1e-12)
    up = L.cholesky(torch.tensor(H_BAD_LOWER), upper=True).numpy()
    np.testing.assert_allclose(up, _pairs(want["cholesky_upper_reads_upper"]), rtol=1e-12)
    assert not np.signbit(up.imag[np.diag_indices(2)]).any()
    bad = L.cholesky_ex(torch.tensor(H_BAD_UPPER), upper=True)
    assert int(bad.info) == 2
    np.testing.assert_allclose(bad.L.numpy(), _pairs(want["cholesky_ex_upper_bad"]), rtol=1e-12)
    with pytest.raises(torch.linalg.LinAlgError, match="leading minor of order 2"):
        L.cholesky(torch.tensor(H_BAD_UPPER), upper=True)


@pytest.mark.parametrize("name", sorted(SINGULAR))
@pytest.mark.parametrize("create_graph", [False, True], ids=["no_graph", "create_graph"])
def test_det_gradient_of_a_singular_matrix(name: str, create_graph: bool) -> None:
    """No LinAlgError: PyTorch's SVD form of the cofactors, which PyTorch 2.13 zeroes for a
    singular matrix unless the backward is recorded."""
    value = np.asarray(SINGULAR[name], dtype=np.complex128 if name == "complex" else np.float64)
    x = torch.tensor(value, requires_grad=True)
    (g,) = torch.autograd.grad(det_loss(L.det(x)), x, create_graph=create_graph)
    raw = DATA["singular_det"][name]["create_graph" if create_graph else "no_graph"]
    want = _pairs(raw) if name == "complex" else np.asarray(raw)
    np.testing.assert_allclose(g.detach().numpy(), want, atol=1e-12)


@pytest.mark.parametrize("name", sorted(DATA["dtype_errors"]))
def test_norm_dtype_errors(name: str) -> None:
    kind, message = DATA["dtype_errors"][name]
    with pytest.raises(RuntimeError) as err:
        dtype_errors(torch)[name]()
    assert type(err.value).__name__ == kind and str(err.value) == message


def test_norm_dtype_widening_is_allowed() -> None:
    c64 = torch.tensor(A_VALUE.astype(np.complex64))
    out = torch.linalg.vector_norm(c64, dtype=torch.complex128)
    assert out.dtype is torch.float64
    np.testing.assert_allclose(out.numpy(), np.linalg.norm(A_VALUE.astype(np.complex64)))


def test_deprecated_cholesky_and_chain_matmul_warn_once(monkeypatch) -> None:
    """PyTorch's TORCH_WARN_ONCE texts (without its "Triggered internally" suffix)."""
    from jitgrad.frontend import linalg_decomp

    monkeypatch.setattr(linalg_decomp, "_WARNED", set())
    h = torch.tensor(H_VALUE)
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        torch.cholesky(h)
        h.cholesky(upper=True)
        torch.chain_matmul(h, h)
        torch.chain_matmul(h, h)
    texts = [str(w.message) for w in rec if w.category is UserWarning]
    assert len(texts) == 2 and texts[0].startswith("torch.cholesky is deprecated in favor of")
    assert texts[0].endswith("(symmetric positive definite) inputs.")
    assert texts[1].startswith("torch.chain_matmul is deprecated and will be removed")


def test_svd_driver_is_cuda_only() -> None:
    a = torch.tensor(A_VALUE)
    assert L.svd(a, driver=None).S.dtype is torch.float64
    for call in (lambda: L.svd(a, driver="gesvd"), lambda: L.svdvals(a, driver="gesvdj")):
        with pytest.raises(RuntimeError) as err:
            call()
        assert str(err.value) == (
            "torch.linalg.svd: keyword argument `driver=` is only supported on CUDA inputs "
            "with cuSOLVER backend."
        )
