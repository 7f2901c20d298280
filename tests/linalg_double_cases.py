"""Second derivatives through ``eigh``, ``svd``/``svdvals`` and ``qr``, run the same way on
PyTorch (tests/fixtures/make_linalg_double_torch.py records them into
linalg_double_torch.json) and on jitgrad (tests/test_linalg_double_backward.py).

Each case builds a matrix from a seeded generator (real float64, or complex128), takes the
first gradient of a loss of the factors with ``create_graph=True``, and then the gradient
of a fixed weighted sum of that first gradient: the second derivative PyTorch computes
through the factors. Losses of eigen/singular vectors are phase-invariant (``abs``,
``U @ Vh``) so complex cases are well defined.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def _matrix(t: Any, shape: tuple, dtype: str, seed: int) -> Any:
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape)
    if dtype == "complex128":
        a = a + 1j * rng.standard_normal(shape)
    return t.tensor(a, dtype=getattr(t, dtype), requires_grad=True)


def _weights(t: Any, shape: Any, seed: int) -> Any:
    rng = np.random.default_rng(seed)
    return t.tensor(rng.uniform(-1, 1, tuple(shape)), dtype=t.float64)


def _sym(a: Any) -> Any:
    return a + a.mH


def _eigh(t: Any, a: Any) -> list:
    L, V = t.linalg.eigh(_sym(a))  # noqa: N806
    return [L, V.abs()]


def _svd(full: bool) -> Any:
    def fn(t: Any, a: Any) -> list:
        U, S, Vh = t.linalg.svd(a, full_matrices=full)  # noqa: N806
        k = S.shape[-1]
        return [U[..., :k] @ Vh[..., :k, :], S]

    return fn


def _qr(t: Any, a: Any) -> list:
    return list(t.linalg.qr(a))


#: name -> (shape, dtype, fn(torch, A) -> list of outputs)
CASES: dict[str, tuple] = {
    "eigh_real": ((3, 3), "float64", _eigh),
    "eigh_batch": ((2, 3, 3), "float64", _eigh),
    "eigh_complex": ((3, 3), "complex128", _eigh),
    "eigvalsh_real": ((4, 4), "float64", lambda t, a: [t.linalg.eigvalsh(_sym(a))]),
    "svd_tall": ((4, 3), "float64", _svd(False)),
    "svd_wide_full": ((3, 4), "float64", _svd(True)),
    "svd_complex": ((4, 3), "complex128", _svd(False)),
    "svdvals_real": ((3, 5), "float64", lambda t, a: [t.linalg.svdvals(a)]),
    "svdvals_complex": ((4, 2), "complex128", lambda t, a: [t.linalg.svdvals(a)]),
    "qr_tall": ((4, 3), "float64", _qr),
    "qr_wide": ((3, 4), "float64", _qr),
    "qr_complex": ((4, 3), "complex128", _qr),
}


def _real_sum(x: Any, w: Any) -> Any:
    """A real scalar from ``x`` and real weights ``w`` (real and imaginary parts weighted)."""
    if x.is_complex():
        return (x.real * w).sum() + (x.imag * w.flip(-1)).sum()
    return (x * w).sum()


def _pairs(x: Any) -> list:
    """``x``'s values as nested lists (complex as ``[real, imag]`` pairs)."""
    arr = np.asarray(x.detach().resolve_conj().numpy())
    return np.stack([arr.real, arr.imag], -1).tolist() if arr.dtype.kind == "c" else arr.tolist()


def run_case(t: Any, name: str) -> dict:
    """The first gradient (made with ``create_graph``) and the second derivative."""
    shape, dtype, fn = CASES[name]
    a = _matrix(t, shape, dtype, seed=len(name))
    outs = fn(t, a)
    loss = sum(_real_sum(o, _weights(t, o.shape, seed=i + 1)) for i, o in enumerate(outs))
    (g,) = t.autograd.grad(loss, a, create_graph=True)
    (gg,) = t.autograd.grad(_real_sum(g, _weights(t, g.shape, seed=99)), a)
    return {"grad": _pairs(g), "gradgrad": _pairs(gg)}
