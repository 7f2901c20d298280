"""Complex tensors on the device: what runs on the CPU gives the CPU's values, gradients and
node names on "cuda", and what the CPU refuses the device refuses in PyTorch's words (its
CUDA kernel names: "lt_cuda", "max_values_cuda")."""

from __future__ import annotations

import numpy as np
import pytest

import jitgrad as torch

RNG = np.random.default_rng(5)
Z = (RNG.standard_normal((2, 3)) + 1j * RNG.standard_normal((2, 3))).astype(np.complex128)
W = (RNG.standard_normal(3) + 1j * RNG.standard_normal(3)).astype(np.complex128)
TOL = {torch.complex64: dict(rtol=2e-5, atol=2e-6), torch.complex128: dict(rtol=1e-12, atol=1e-13)}

# (lambdas: torch.<name> read at the call, after the first device tensor wrapped the ops)
UNARY = {
    "neg": lambda z: -z,
    "exp": lambda z: torch.exp(z),
    "log": lambda z: torch.log(z),
    "sqrt": lambda z: torch.sqrt(z),
    "square": lambda z: torch.square(z),
    "reciprocal": lambda z: torch.reciprocal(z),
    "sin": lambda z: torch.sin(z),
    "cos": lambda z: torch.cos(z),
    "tanh": lambda z: torch.tanh(z),
    "sinh": lambda z: torch.sinh(z),
    "cosh": lambda z: torch.cosh(z),
    "asin": lambda z: torch.asin(z),
    "acos": lambda z: torch.acos(z),
    "atan": lambda z: torch.atan(z),
    "asinh": lambda z: torch.asinh(z),
    "acosh": lambda z: torch.acosh(z),
    "atanh": lambda z: torch.atanh(z),
    "abs": lambda z: torch.abs(z),
    "sgn": lambda z: torch.sgn(z),
    "conj": lambda z: z.conj() * 1,
    "angle": lambda z: torch.angle(z),
    "real": lambda z: z.real * 1,
    "imag": lambda z: z.imag * 1,
}
BINARY = {
    "add": lambda z, w: z + w,
    "sub": lambda z, w: z - w,
    "mul": lambda z, w: z * w,
    "div": lambda z, w: z / w,
    "pow": lambda z, w: z**w,
    "add_alpha": lambda z, w: torch.add(z, w, alpha=2),
    "scalar": lambda z, w: (z * (0.5 - 2j) + 1) / 3,
    "real_operand": lambda z, w: z * w.real,  # a float tensor meets a complex one
    "where": lambda z, w: torch.where(z.real > 0, z, w),
    "matmul": lambda z, w: z @ w.reshape(3, 1),
    "sum": lambda z, w: (z * w).sum(),
    "sum_dim": lambda z, w: (z * w).sum(0),
    "mean": lambda z, w: (z * w).mean(),
    "mean_dim": lambda z, w: (z - w).mean(1, keepdim=True),
}


def _run(fn, dtype, device, binary):
    z = torch.tensor(Z, dtype=dtype, device=device, requires_grad=True)
    w = torch.tensor(W, dtype=dtype, device=device, requires_grad=True)
    out = fn(z, w) if binary else fn(z)
    weight = torch.ones(out.shape, dtype=out.dtype, device=device) * (0.5 + 0.25j)
    loss = (out * weight).real.sum() if out.is_complex() else (out * 0.75).sum()
    loss.backward()
    grads = (z.grad, w.grad) if binary else (z.grad,)
    return out, [None if g is None else g.cpu().numpy() for g in grads]


#: complex128 too for these (the other ops' kernels differ only in the dtype they are given)
WIDE = ("exp", "abs", "angle", "real", "div", "pow", "scalar", "matmul", "sum_dim", "mean")
CASES = [(n, torch.complex64) for n in [*UNARY, *BINARY]] + [(n, torch.complex128) for n in WIDE]


@pytest.mark.parametrize(("name", "dtype"), CASES)
def test_values_gradients_and_nodes_match_the_cpu(name, dtype):
    binary = name in BINARY
    fn = BINARY[name] if binary else UNARY[name]
    out, grads = _run(fn, dtype, "cuda", binary)
    ref, ref_grads = _run(fn, dtype, "cpu", binary)
    assert out.device == torch.device("cuda", 0) and out.dtype == ref.dtype
    assert type(out.grad_fn).__name__ == type(ref.grad_fn).__name__
    np.testing.assert_allclose(out.detach().cpu().numpy(), ref.detach().numpy(), **TOL[dtype])
    for g, r in zip(grads, ref_grads, strict=True):
        assert (g is None) == (r is None)
        if r is not None:
            np.testing.assert_allclose(g, r, **TOL[dtype])


#: real and imaginary parts for the edge values: zeros of both signs, small and large, parts
#: that overflow exp/sinh/cosh in float32, huge arguments of sin/cos, infinities and NaN
PARTS = [0.0, -0.0, 1.0, -2.5, 1e-3, 30.0, -100.0, 1e5, -1e30, np.inf, -np.inf, np.nan]
EDGE = np.array([complex(a, b) for a in PARTS for b in PARTS], np.complex64)
#: (not the inverse trigonometric functions: their device versions are the CPU's source,
#: jitgrad.kernels.cpu.complex_inverse, which a GPU compiles with Numba's cmath as the CPU does,
#: but the simulator runs with Python's cmath: other special values, ValueError at some poles)
EDGE_FUNCTIONS = "exp log sqrt sin cos tanh sinh cosh sgn abs reciprocal angle".split()


def _assert_parts_match(got, want):
    """Each part inf/NaN where the other is (signs included); the finite ones within 2e-5 of
    the value's magnitude (the CPU computes some steps in float64, the device in float32)."""
    g = got.astype(np.complex64).view(np.float32).reshape(-1, 2)
    w = want.astype(np.complex64).view(np.float32).reshape(-1, 2)
    special = ~np.isfinite(g) | ~np.isfinite(w)
    np.testing.assert_array_equal(np.where(special, g, 0), np.where(special, w, 0))
    scale = np.hypot(*np.where(np.isfinite(w), w, 0).T)[:, None]
    err = np.where(special, 0, np.abs(g - w))
    assert np.all(err <= 2e-5 * scale + 1e-37), np.max(err / np.maximum(scale, 1e-37))


@pytest.mark.parametrize("name", EDGE_FUNCTIONS)
def test_complex64_functions_at_edge_values_match_the_cpu(name):
    """The device's float32 complex64 math (jitgrad.backends.cuda.devcomplex) against the CPU's
    kernels (Numba's cmath): the special values of CPython's and NumPy's algorithms, overflow
    and huge arguments."""
    fn = getattr(torch, name)
    got = fn(torch.tensor(EDGE, device="cuda")).cpu().numpy()
    _assert_parts_match(got, fn(torch.tensor(EDGE)).numpy())


def test_complex64_pow_matches_the_cpu():
    """``a ** b`` over finite bases (zero included) and exponents: b == 2 a product, 0 ** b
    NaN for a negative or complex b. (Infinite or NaN parts are left out: the CPU's complex64
    pow rounds CPython's complex128 result and rebuilds it as ``re + I * im`` in C, which makes
    the real part NaN wherever the imaginary one is inf; PyTorch's differ from both there.)"""
    base = EDGE[np.isfinite(EDGE)]
    exponents = np.array([0, 2, 1, -1, 0.5, -2.5 + 1j, 3j, 1e-3 - 2j], np.complex64)
    a, b = np.meshgrid(base[::3], exponents)
    a, b = a.ravel(), b.ravel()
    got = (torch.tensor(a, device="cuda") ** torch.tensor(b, device="cuda")).cpu().numpy()
    _assert_parts_match(got, (torch.tensor(a) ** torch.tensor(b)).numpy())


def test_exp_of_a_complex_value_is_complex_not_its_real_part():
    z = torch.tensor([1j * np.pi], dtype=torch.complex64, device="cuda")
    out = z.exp().cpu()
    assert out.dtype == torch.complex64
    np.testing.assert_allclose(out.numpy(), [-1 + 0j], atol=1e-6)


def _writes_through_views(device):
    z = torch.tensor(Z, dtype=torch.complex64, device=device)
    r, i = z.real, z.imag
    assert r._base is z and r.dtype == torch.float32 and r.device.type == device
    r[0, 0] = 7.0  # a write through a view reaches z
    i.mul_(0)
    z.add_(1 + 2j)  # and z's writes reach the views
    seen = (r.cpu().numpy().copy(), i.cpu().numpy().copy())
    back = torch.view_as_complex(torch.view_as_real(z))
    back[1, 2] = 5j
    return z.cpu().numpy(), *seen


def test_real_and_imag_are_views_of_the_complex_tensor():
    for got, want in zip(_writes_through_views("cuda"), _writes_through_views("cpu"), strict=True):
        np.testing.assert_array_equal(got, want)
    assert _writes_through_views("cuda")[0][1, 2] == 5j


def test_real_records_select_over_view_as_real_as_pytorch():
    z = torch.tensor(W, dtype=torch.complex64, device="cuda", requires_grad=True)
    node = z.real.grad_fn
    assert type(node).__name__ == "SelectBackward0"
    assert type(node.next_functions[0][0]).__name__ == "ViewAsRealBackward0"


def test_complex_and_polar_build_device_tensors():
    a = torch.tensor([1.0, -2.0], device="cuda", requires_grad=True)
    b = torch.tensor([0.5, 3.0], device="cuda", requires_grad=True)
    c = torch.complex(a, b)
    assert c.device.type == "cuda" and type(c.grad_fn).__name__ == "ComplexBackward0"
    assert c.cpu().tolist() == [1 + 0.5j, -2 + 3j]
    (c * (2 - 1j)).real.sum().backward()
    assert a.grad.cpu().tolist() == [2.0, 2.0] and b.grad.cpu().tolist() == [1.0, 1.0]
    p = torch.polar(torch.ones(2, device="cuda"), torch.tensor([0.0, np.pi / 2], device="cuda"))
    np.testing.assert_allclose(p.cpu().numpy(), [1, 1j], atol=1e-7)


def test_in_place_ops_on_complex_device_tensors():
    z = torch.tensor(Z, dtype=torch.complex128, device="cuda")
    z.mul_(torch.tensor(W, dtype=torch.complex128, device="cuda")).add_(1j)
    np.testing.assert_allclose(z.cpu().numpy(), Z * W + 1j, rtol=1e-13)


@pytest.mark.parametrize(
    ("fn", "error", "message"),
    [
        (lambda z: z < z, NotImplementedError, "\"lt_cuda\" not implemented for 'ComplexFloat'"),
        (lambda z: z.amax(), NotImplementedError,
         "\"max_values_cuda\" not implemented for 'ComplexFloat'"),
        (lambda z: z.clamp(0, 1), NotImplementedError, "clamp is not supported for complex types"),
        (lambda z: torch.maximum(z, z), RuntimeError,
         "maximum not implemented for complex tensors."),
        (lambda z: z.floor(), NotImplementedError, "floor is not supported for complex inputs"),
        (lambda z: z.argmax(), RuntimeError, "argmax(): does not support complex input"),
    ],
)  # fmt: skip
def test_what_the_cpu_refuses_the_device_refuses_in_pytorchs_words(fn, error, message):
    z = torch.tensor(W, dtype=torch.complex64, device="cuda")
    with pytest.raises(error) as info:
        fn(z)
    assert str(info.value) == message


def test_a_complex_result_into_a_real_out_is_refused():
    z = torch.tensor(W, dtype=torch.complex64, device="cuda")
    out = torch.empty(3, device="cuda")
    with pytest.raises(RuntimeError, match="result type ComplexFloat can't be cast to the desired"):
        torch.mul(z, z, out=out)


def _recorded_in_place(device):
    z = torch.tensor(Z, dtype=torch.complex64, device=device, requires_grad=True)
    w = torch.tensor(W, dtype=torch.complex64, device=device, requires_grad=True)
    a = z.clone()
    a.mul_(w)
    a.add_(1j).exp_()
    assert a.device.type == device and type(a.grad_fn).__name__ == "ExpBackward0"
    a.abs().sum().backward()
    return a.detach().cpu().numpy(), z.grad.cpu().numpy(), w.grad.cpu().numpy()


def test_recorded_in_place_ops_on_complex_device_tensors_match_the_cpu():
    for got, want in zip(_recorded_in_place("cuda"), _recorded_in_place("cpu"), strict=True):
        np.testing.assert_allclose(got, want, rtol=2e-5, atol=2e-6)


def test_fft_of_a_device_tensor_stays_on_the_device():
    got = {}
    for dev in ("cuda", "cpu"):
        z = torch.tensor(Z, dtype=torch.complex64, device=dev, requires_grad=True)
        out = torch.fft.fft(z)
        assert out.device.type == dev
        out.abs().sum().backward()
        got[dev] = (out.detach().cpu().numpy(), z.grad.cpu().numpy())
    for d, c in zip(got["cuda"], got["cpu"], strict=True):
        np.testing.assert_allclose(d, c, rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize(
    ("fn", "message"),
    [
        (lambda o: torch.view_as_complex(o(3)), "Tensor must have a last dimension of size 2"),
        (lambda o: torch.view_as_real(o(3)), "view_as_real is only supported for complex tensors"),
        (lambda o: torch.complex(o(2), o(2).double()),
         "Expected object of scalar type Float but got scalar type Double for second argument"),
    ],
)  # fmt: skip
def test_the_view_and_constructor_refusals_are_the_cpus(fn, message):
    with pytest.raises(RuntimeError) as info:
        fn(lambda n: torch.ones(n, device="cuda"))
    assert str(info.value) == message
