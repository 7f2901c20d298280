"""torch.linalg's inverses, solves and factorizations, kron and baddbmm: values, node names,
gradients and errors as PyTorch 2.13 recorded them (``tests/linalg_cases.py``, recorded by
``tests/ops_record.py``), float32 and float64; gradcheck and gradgradcheck in float64.
"""

from __future__ import annotations

import json
import pathlib
import sys

import numpy as np
import pytest

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "parity"))

import harness  # noqa: E402
from linalg_cases import programs  # noqa: E402

import jitgrad  # noqa: E402
from jitgrad.autograd import gradcheck, gradgradcheck  # noqa: E402

EXPECTED = json.loads((HERE / "linalg_expected.json").read_text())["programs"]
PROGRAMS = programs()


def test_every_program_is_recorded():
    assert set(PROGRAMS) == set(EXPECTED), "rerun tests/ops_record.py under PyTorch"


#: Known differences (strict xfails): none now (matrix_power(A, 0)'s CopyBackwards carries
#: PyTorch's torch::autograd:: prefix since the node-name fix).
KNOWN: dict[str, str] = {}


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(
            n, marks=[pytest.mark.xfail(strict=True, reason=KNOWN[n])] if n in KNOWN else []
        )
        for n in sorted(PROGRAMS)
    ],
)
def test_program_matches_pytorch(name):
    jitgrad.set_default_dtype(jitgrad.float32)
    got = harness.run(PROGRAMS[name], jitgrad)
    tol = (1e-9, 1e-10) if name.endswith("float64") else (2e-4, 2e-5)
    err = harness.mismatch(got, EXPECTED[name], *tol)
    assert err is None, f"{err}\n got: {json.dumps(got)[:1500]}\nwant: {EXPECTED[name]}"


def test_linalg_error_is_a_runtime_error():
    assert issubclass(jitgrad.linalg.LinAlgError, RuntimeError)
    with pytest.raises(jitgrad.linalg.LinAlgError):
        jitgrad.linalg.inv(jitgrad.zeros(2, 2))


RNG = np.random.default_rng(11)


def _t(a, grad=True):
    return jitgrad.tensor(np.asarray(a, np.float64), dtype=jitgrad.float64, requires_grad=grad)


def _sym(a):
    return (a + a.mT) / 2  # cholesky and eigh read one triangle: differentiate a symmetric input


SQUARE = _t(RNG.standard_normal((2, 3, 3)) + 3 * np.eye(3))
_X = RNG.standard_normal((2, 3, 3))
SPD = _t(_X @ np.swapaxes(_X, -1, -2) + 3 * np.eye(3))
TALL = _t(RNG.standard_normal((4, 3)))
WIDE = _t(RNG.standard_normal((3, 5)))
RHS = _t(RNG.standard_normal((2, 3, 2)))
BIAS = _t(RNG.standard_normal((3, 1)))

GRADCHECK = {
    "inv": (lambda a: jitgrad.linalg.inv(a), (SQUARE,), True),
    "det": (lambda a: jitgrad.linalg.det(a), (SQUARE,), True),
    "slogdet": (lambda a: jitgrad.linalg.slogdet(a)[1], (SQUARE,), True),
    "logdet": (lambda a: jitgrad.logdet(a), (SPD,), True),
    "solve": (lambda a, b: jitgrad.linalg.solve(a, b), (SQUARE, RHS), True),
    "solve_vector": (lambda a, b: jitgrad.linalg.solve(a, b[..., 0]), (SQUARE, RHS), True),
    "cholesky": (lambda a: jitgrad.linalg.cholesky(_sym(a)), (SPD,), True),
    "cholesky_upper": (lambda a: jitgrad.linalg.cholesky(_sym(a), upper=True), (SPD,), False),
    "eigh": (lambda a: [t.abs() for t in jitgrad.linalg.eigh(_sym(a))], (SPD,), False),
    "qr_tall": (lambda a: [t.abs() for t in jitgrad.linalg.qr(a)], (TALL,), False),
    "qr_wide": (lambda a: [t.abs() for t in jitgrad.linalg.qr(a)], (WIDE,), False),
    "svd_tall": (
        lambda a: [t.abs() for t in jitgrad.linalg.svd(a, full_matrices=False)],
        (TALL,),
        False,
    ),
    "svd_wide": (
        lambda a: [t.abs() for t in jitgrad.linalg.svd(a, full_matrices=False)],
        (WIDE,),
        False,
    ),
    "svdvals": (lambda a: jitgrad.linalg.svdvals(a), (WIDE,), False),
    "matrix_norm_nuc": (lambda a: jitgrad.linalg.matrix_norm(a, "nuc"), (TALL,), False),
    "kron": (lambda a, b: jitgrad.kron(a, b), (TALL, WIDE), True),
    "solve_triangular": (
        lambda a, b: jitgrad.linalg.solve_triangular(a, b, upper=True),
        (SQUARE, RHS),
        True,
    ),
    "solve_triangular_right_unit": (
        lambda a, b: jitgrad.linalg.solve_triangular(
            a, b.mT, upper=False, left=False, unitriangular=True
        ),
        (SQUARE, RHS),
        True,
    ),
    "pinv_tall": (lambda a: jitgrad.linalg.pinv(a), (TALL,), True),
    "pinv_wide": (lambda a: jitgrad.linalg.pinv(a), (WIDE,), False),
    "lstsq": (
        lambda a, b: jitgrad.linalg.lstsq(a, b).solution,
        (TALL, _t(RNG.standard_normal((4, 2)))),
        False,
    ),
    "matrix_power": (lambda a: jitgrad.linalg.matrix_power(a, -5), (SQUARE,), True),
    "multi_dot": (lambda a, b: jitgrad.linalg.multi_dot([a, b, a.mT]), (TALL, SPD[0]), True),
    "baddbmm": (
        lambda a, b, c: jitgrad.baddbmm(a, b, c, beta=0.5, alpha=2.0),
        (BIAS, SQUARE, RHS),
        True,
    ),
}


@pytest.mark.parametrize("name", sorted(GRADCHECK))
def test_gradcheck_float64(name):
    fn, inputs, _ = GRADCHECK[name]
    assert gradcheck(fn, inputs)


@pytest.mark.parametrize("name", sorted(n for n, c in GRADCHECK.items() if c[2]))
def test_gradgradcheck_float64(name):
    """The backwards are Tensor ops: create_graph differentiates them again."""
    fn, inputs, _ = GRADCHECK[name]
    assert gradgradcheck(fn, inputs)


def test_float32_stays_float32():
    a = jitgrad.tensor([[2.0, 0.5], [0.5, 3.0]], requires_grad=True)
    outs = [
        jitgrad.linalg.inv(a),
        jitgrad.linalg.det(a),
        jitgrad.linalg.cholesky(a),
        jitgrad.linalg.eigh(a)[0],
        jitgrad.linalg.svdvals(a),
        jitgrad.linalg.qr(a)[1],
        jitgrad.linalg.solve(a, jitgrad.ones(2)),
    ]
    for out in outs:
        assert out.dtype is jitgrad.float32
        out.sum().backward()
        assert a.grad.dtype is jitgrad.float32
        a.grad = None


def test_methods_and_top_level_names():
    m = jitgrad.tensor([[2.0, 0.5], [0.5, 3.0]])
    np.testing.assert_allclose(m.inverse().numpy(), np.linalg.inv(m.numpy()), rtol=1e-6)
    np.testing.assert_allclose(jitgrad.det(m).item(), 5.75, rtol=1e-6)
    np.testing.assert_allclose(m.logdet().item(), np.log(5.75), rtol=1e-6)
    np.testing.assert_allclose(jitgrad.slogdet(m)[1].item(), np.log(5.75), rtol=1e-6)
    u, s, v = jitgrad.svd(m)
    np.testing.assert_allclose((u * s) @ v.t(), m.numpy(), atol=1e-6)
    q, r = m.qr()
    np.testing.assert_allclose((q @ r).numpy(), m.numpy(), atol=1e-6)
    result = jitgrad.linalg.slogdet(m)
    assert result.logabsdet is result[1] and result.sign is result[0]
    assert jitgrad.linalg.eigh(m).eigenvalues.shape == (2,)
