"""Programs over complex tensors and torch.fft, run by real PyTorch (the recorder,
tests/fixtures/make_complex_torch.py) and by jitgrad (tests/test_complex.py).

Each case is ``fn(torch) -> dict``: named results (tensors, dtypes, strings). A tensor that
requires grad is reported with its value; leaves' ``.grad`` after the case's ``backward``
are results of their own. The same numpy inputs reach both libraries.
"""

from __future__ import annotations

import numpy as np


def _c(shape, seed=0, dtype=np.complex64):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)


def _r(shape, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _leaf(torch, arr):
    return torch.tensor(arr, requires_grad=True)


# ---- elementwise and views: value, node name, gradient for a fixed upstream gradient ---------
UNARY = {
    "neg": lambda t, z: -z,
    "exp": lambda t, z: z.exp(),
    "log": lambda t, z: t.log(z),
    "sqrt": lambda t, z: z.sqrt(),
    "abs": lambda t, z: z.abs(),
    "angle": lambda t, z: z.angle(),
    "conj": lambda t, z: z.conj() * 1,
    "real": lambda t, z: z.real,
    "imag": lambda t, z: z.imag,
    "square": lambda t, z: z**2,
    "reciprocal": lambda t, z: 1 / z,
    "sin": lambda t, z: z.sin(),
    "cos": lambda t, z: t.cos(z),
    "tanh": lambda t, z: z.tanh(),
    "view_as_real": lambda t, z: t.view_as_real(z),
    "sum": lambda t, z: z.sum(),
    "sum_dim": lambda t, z: z.sum(1, keepdim=True),
    "mean": lambda t, z: z.mean(),
    "mean_dim": lambda t, z: z.mean(0),
    "pow_scalar": lambda t, z: z**2.5,
    "rpow": lambda t, z: 2**z,
    "mul_complex_scalar": lambda t, z: z * (1.5 - 2j),
    "add_alpha": lambda t, z: t.add(z, z.exp(), alpha=2j),
    "where": lambda t, z: t.where(z.real > 0, z, 0.5j),
    "masked_fill": lambda t, z: z.masked_fill(z.imag > 0, 1 - 1j),
    "matmul": lambda t, z: z @ z.mT,
    "cat_index": lambda t, z: t.cat([z[:, :2], z[:, 1:]], 1).flip(0) * 1,
    "to_complex128": lambda t, z: z.to(t.complex128) ** 2,
    "norm": lambda t, z: z.norm(),
    "sgn_with_zero": lambda t, z: (z * (z.real > 0)).sgn() * 1,
    "vector_norm_1_dim": lambda t, z: t.linalg.vector_norm(z, 1, dim=1),
    "inplace_mul": lambda t, z: (z * 1).mul_(2j).add_(z),
}

BINARY = {
    "add": lambda t, a, b: a + b,
    "sub": lambda t, a, b: a - b,
    "mul": lambda t, a, b: a * b,
    "div": lambda t, a, b: a / b,
    "pow": lambda t, a, b: a**b,
}


def _upstream(torch, y, seed):
    """A fixed gradient for ``y``: complex for a complex result, real otherwise."""
    shape = tuple(y.shape)
    if y.dtype.is_complex:
        return torch.tensor(_c(shape, seed, np.complex128)).to(y.dtype)
    return torch.tensor(_r(shape, seed, np.float64)).to(y.dtype)


def unary_case(name):
    def run(torch):
        z = _leaf(torch, _c((3, 4), 1) * 0.8)
        y = UNARY[name](torch, z)
        y.backward(_upstream(torch, y, 2))
        return {"y": y, "grad_fn": y.grad_fn.name(), "grad": z.grad}

    return run


def binary_case(name, kinds):
    """``kinds``: the operands' dtypes, ``c`` complex64, ``r`` float32, ``d`` float64, ``C``
    complex128; the second operand broadcasts along the first dimension."""

    def make(torch, k, shape, seed):
        if k in "cC":
            return _leaf(torch, _c(shape, seed, np.complex64 if k == "c" else np.complex128))
        return _leaf(torch, _r(shape, seed, np.float32 if k == "r" else np.float64) + 2.0)

    def run(torch):
        a = make(torch, kinds[0], (3, 4), 3)
        b = make(torch, kinds[1], (4,), 4)
        y = BINARY[name](torch, a, b)
        y.backward(_upstream(torch, y, 5))
        return {"y": y, "dtype": y.dtype, "grad_fn": y.grad_fn.name(), "ga": a.grad, "gb": b.grad}

    return run


def _creation(torch):
    re, im = _leaf(torch, _r((2, 3), 6)), _leaf(torch, _r((2, 3), 7))
    c = torch.complex(re, im)
    absval = _leaf(torch, np.abs(_r((4,), 8)) + 0.5)
    ang = _leaf(torch, _r((4,), 9))
    p = torch.polar(absval, ang)
    (c.abs().sum() + (p * (0.5 + 1j)).real.sum()).backward()
    pair = _leaf(torch, _r((3, 2), 10))
    vc = torch.view_as_complex(pair)
    (vc * vc).imag.sum().backward()
    return {
        "complex": c, "polar": p, "g_re": re.grad, "g_im": im.grad, "g_abs": absval.grad,
        "g_angle": ang.grad, "view_as_complex": vc, "g_pair": pair.grad,
        "zeros": torch.zeros(2, dtype=torch.cfloat), "full": torch.full((2, 1), 1 - 2j),
        "full_real": torch.full((2,), 1 + 0j, dtype=torch.float64),
        "ones": torch.ones(2, dtype=torch.cdouble),
        "from_list": torch.tensor([1, 2.5, 3j]), "from_numpy": torch.tensor(_c((2,), 11)),
        "is_complex": str((c.is_complex(), torch.is_complex(re), c.is_floating_point())),
        "type": c.type().split(".")[-1],
        "finfo": repr(torch.finfo(torch.complex64)).replace("torch.", ""),
        "python_complex": str(complex(c[0, 1])),
        "dtype_flags": str((torch.cfloat.is_complex, torch.complex64.is_floating_point,
                            torch.cdouble is torch.complex128, torch.complex64.itemsize)),
    }  # fmt: skip


def _var_std(torch):
    """(Values and gradients only: jitgrad composes them, so its node names differ.)"""
    z = _leaf(torch, _c((3, 5), 20))
    v, s = z.var(), z.std(dim=1, correction=0)
    (v + s.sum()).backward()
    return {"var": v, "std": s, "grad": z.grad}


def _views(torch):
    z = torch.tensor(_c((2, 3), 12))
    r = z.real
    r[0, 0] = 10.0  # a view: writes reach z
    torch.view_as_real(z)[1, 2, 1] = -7.0
    return {"z": z, "real_after": r, "imag": z.imag}


def _promotion(torch):
    f32, f64 = torch.ones(2), torch.ones(2, dtype=torch.float64)
    i64, c64 = torch.ones(2, dtype=torch.int64), torch.ones(2, dtype=torch.complex64)
    c128 = torch.ones(2, dtype=torch.complex128)
    return {
        "f32+1j": (f32 + 1j).dtype, "f64+1j": (f64 + 1j).dtype, "i64+1j": (i64 + 1j).dtype,
        "c64*f64": (c64 * f64).dtype,
        "c64+f64_0d": (c64 + torch.tensor(1.0, dtype=torch.float64)).dtype,
        "f32+c128_0d": (f32 + torch.tensor(1j, dtype=torch.complex128)).dtype,
        "i64+c128_0d": (i64 + torch.tensor(1j, dtype=torch.complex128)).dtype,
        "c64+c128": (c64 + c128).dtype, "c64*2": (c64 * 2).dtype, "c64*2.5": (c64 * 2.5).dtype,
        "tensor_1j": torch.tensor(1j).dtype, "abs_c128": c128.abs().dtype,
        "exp_i64_complex": (i64 * 1j).exp().dtype,
    }  # fmt: skip


def _default_float64(torch):
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        return {"dtype": torch.tensor([1j]).dtype, "repr": repr(torch.tensor([1 + 1j, 2])),
                "repr64": repr(torch.tensor([1j], dtype=torch.complex64))}  # fmt: skip
    finally:
        torch.set_default_dtype(old)


REPRS = {
    "simple": lambda t: t.tensor([1 + 2j, 3.5 - 1j]),
    "c128": lambda t: t.tensor([1 + 2j], dtype=t.complex128),
    "zero_d": lambda t: t.tensor(1j),
    "sci": lambda t: t.tensor([[1.123456 + 2j, -3e-5j], [1e10, 0]]),
    "neg_zero": lambda t: t.tensor([complex(-0.0, -0.0), complex(1, -0.0)]),
    "nan_inf": lambda t: t.tensor([complex(float("nan"), 1), complex(float("inf"), -float("inf"))]),
    "ints": lambda t: t.tensor([[1 + 1j, -2 - 20j], [300, 4j]]),
    "empty": lambda t: t.tensor([], dtype=t.cfloat),
    "empty2d": lambda t: t.zeros(0, 2, dtype=t.cdouble),
    "grad": lambda t: t.tensor([1 + 2j, 3.5 - 1j], requires_grad=True),
    "grad_fn": lambda t: t.tensor([1 + 2j, 3.5 - 1j], requires_grad=True) * 2,
    "wide": lambda t: t.tensor(_c((3, 9), 13)),
    "summarized": lambda t: t.tensor(_c((1200,), 14)),
    "real_view": lambda t: t.tensor([1 + 2j, 3.5 - 1j], requires_grad=True).real,
}

ERRORS = {
    "lt": lambda t, z: z < z,
    "ge_scalar": lambda t, z: z >= 1,
    "max": lambda t, z: z.max(),
    "min": lambda t, z: z.min(),
    "amax": lambda t, z: z.amax(),
    "max_dim": lambda t, z: z.max(0),
    "maximum": lambda t, z: t.maximum(z, z),
    "clamp": lambda t, z: z.clamp(0, 1),
    "relu": lambda t, z: t.relu(z),
    "floor": lambda t, z: z.floor(),
    "backward_complex": lambda t, z: z.sum().backward(),
    "rfft_complex": lambda t, z: t.fft.rfft(z),
    "fft_norm": lambda t, z: t.fft.fft(z, norm="bad"),
    "fft_n0": lambda t, z: t.fft.fft(z, n=0),
    "fft_dim": lambda t, z: t.fft.fft(z, dim=2),
    "fft_0d": lambda t, z: t.fft.fft(z.sum()),
    "fftn_s_dim": lambda t, z: t.fft.fftn(z, s=(2,), dim=(0, 1)),
    "irfft_1": lambda t, z: t.fft.irfft(z[:, :1]),
    "fft_half": lambda t, z: t.fft.fft(t.ones(4, dtype=t.float16)),
    "view_as_real_real": lambda t, z: t.view_as_real(z.real),
    "view_as_complex_shape": lambda t, z: t.view_as_complex(t.ones(3)),
    "real_inplace_complex": lambda t, z: t.ones(2).add_(1j),
    "requires_grad_int": lambda t, z: t.tensor([1j]).to(t.int64).requires_grad_(),
    "sign": lambda t, z: z.sign(),
    "full_lost_imag": lambda t, z: t.full((2,), 1j, dtype=t.float32),
    "sort": lambda t, z: z.sort(),
    "argmax": lambda t, z: z.argmax(),
}

# ---- torch.fft: value, node name and input gradient for a fixed upstream gradient -------------
FFT = {
    "fft": lambda t, x: t.fft.fft(x),
    "fft_n_pad": lambda t, x: t.fft.fft(x, n=7),
    "fft_n_crop_dim0": lambda t, x: t.fft.fft(x, n=2, dim=0),
    "fft_ortho": lambda t, x: t.fft.fft(x, norm="ortho"),
    "fft_forward": lambda t, x: t.fft.fft(x, norm="forward"),
    "ifft": lambda t, x: t.fft.ifft(x),
    "ifft_ortho_n": lambda t, x: t.fft.ifft(x, n=6, norm="ortho"),
    "fft2": lambda t, x: t.fft.fft2(x),
    "ifft2_s": lambda t, x: t.fft.ifft2(x, s=(4, 3), norm="forward"),
    "fftn": lambda t, x: t.fft.fftn(x),
    "fftn_dim": lambda t, x: t.fft.fftn(x, dim=(0,), norm="ortho"),
    "ifftn": lambda t, x: t.fft.ifftn(x, s=(2, 6)),
}
#: real input only
RFFT = {
    "rfft": lambda t, x: t.fft.rfft(x),
    "rfft_n_odd": lambda t, x: t.fft.rfft(x, n=7),
    "rfft_ortho_dim0": lambda t, x: t.fft.rfft(x, dim=0, norm="ortho"),
    "rfft_forward": lambda t, x: t.fft.rfft(x, norm="forward"),
    "rfft2": lambda t, x: t.fft.rfft2(x),
    "rfftn_s": lambda t, x: t.fft.rfftn(x, s=(4, 4)),
}
#: complex (one-sided) input only
IRFFT = {
    "irfft": lambda t, x: t.fft.irfft(x),
    "irfft_n_odd": lambda t, x: t.fft.irfft(x, n=7),
    "irfft_n_even_pad": lambda t, x: t.fft.irfft(x, n=12, norm="ortho"),
    "irfft_forward": lambda t, x: t.fft.irfft(x, norm="forward"),
    "irfft_dim0": lambda t, x: t.fft.irfft(x, dim=0),
    "irfft2": lambda t, x: t.fft.irfft2(x),
    "irfft2_s_odd": lambda t, x: t.fft.irfft2(x, s=(3, 5), norm="ortho"),
    "irfftn": lambda t, x: t.fft.irfftn(x),
}


def fft_case(table, name, kind):
    def run(torch):
        x = _leaf(torch, _c((3, 5), 15) if kind == "c" else _r((3, 5), 15))
        y = table[name](torch, x)
        y.backward(_upstream(torch, y, 16))
        return {"y": y, "grad_fn": y.grad_fn.name(), "grad": x.grad}

    return run


def _fft_helpers(torch):
    x = torch.tensor(_r((4, 5), 17))
    return {
        "fftfreq": torch.fft.fftfreq(5), "fftfreq_d": torch.fft.fftfreq(8, d=0.3),
        "rfftfreq": torch.fft.rfftfreq(7, 0.1),
        "rfftfreq64": torch.fft.rfftfreq(4, dtype=torch.float64),
        "fftshift": torch.fft.fftshift(x), "ifftshift": torch.fft.ifftshift(x, dim=1),
        "fftshift_dims": torch.fft.fftshift(x, dim=(0, 1)),
        "int_fft": torch.fft.fft(torch.arange(4)),
        "roundtrip64": torch.fft.irfftn(torch.fft.rfftn(torch.tensor(_r((4, 6), 18, np.float64)))),
    }  # fmt: skip


#: second derivatives (create_graph=True through each op's backward)
DOUBLE = {
    "absq": lambda t, z: (z * z.conj()).real.sum(),
    "exp_imag": lambda t, z: (z * z).exp().imag.sum(),
    "fft_abs": lambda t, z: t.fft.fft(z * z).abs().sum(),
    "angle": lambda t, z: z.angle().sum(),
    "div_sqrt_log": lambda t, z: (1 / z + z.sqrt() * z.log()).real.sum(),
    "irfft": lambda t, z: t.fft.irfft(z * z, n=3).sum() ** 2,
    "rfft": lambda t, z: t.fft.rfft(z.real * z.imag, n=3).abs().sum(),
    "matmul": lambda t, z: (z[:, None] @ z[None, :].conj()).abs().sum(),
}


def double_case(name):
    def run(torch):
        z = torch.tensor([1 + 2j, 3 - 1j, -0.5 + 0.25j], requires_grad=True)
        (g,) = torch.autograd.grad(DOUBLE[name](torch, z), z, create_graph=True)
        (h,) = torch.autograd.grad((g * g.conj()).real.sum(), z)
        return {"g": g, "h": h}

    return run


def cases() -> dict:
    out = {f"unary-{n}": unary_case(n) for n in UNARY}
    for n in BINARY:
        for kinds in ("cc", "cr", "rc", "cd", "Cr"):
            out[f"binary-{n}-{kinds}"] = binary_case(n, kinds)
    out["creation"] = _creation
    out["views"] = _views
    out["var_std"] = _var_std
    out["promotion"] = _promotion
    out["default_float64"] = _default_float64
    out["reprs"] = lambda torch: {k: repr(f(torch)) for k, f in REPRS.items()}
    for n in FFT:
        out[f"fft-{n}-c"] = fft_case(FFT, n, "c")
        out[f"fft-{n}-r"] = fft_case(FFT, n, "r")
    for n in RFFT:
        out[f"fft-{n}"] = fft_case(RFFT, n, "r")
    for n in IRFFT:
        out[f"fft-{n}"] = fft_case(IRFFT, n, "c")
    out["fft-helpers"] = _fft_helpers
    out.update({f"double-{n}": double_case(n) for n in DOUBLE})
    return out


def error_of(torch, name):
    z = torch.tensor(_c((2, 3), 19))
    try:
        ERRORS[name](torch, z)
    except Exception as exc:  # noqa: BLE001 - recording what is raised
        return [type(exc).__name__, str(exc).split("\n")[0]]
    return None


def encode(value):
    """A result as JSON: tensors as {dtype, shape, re, im}, dtypes and strings as text."""
    if hasattr(value, "detach"):
        arr = value.detach().resolve_conj().resolve_neg().numpy()
        dt = str(value.dtype).rsplit(".", 1)[-1]
        entry = {"dtype": dt, "shape": list(arr.shape)}
        if np.iscomplexobj(arr):
            entry["re"], entry["im"] = arr.real.tolist(), arr.imag.tolist()
        else:
            entry["re"] = arr.tolist()
        return entry
    if value is None or isinstance(value, str):
        return value
    return str(value).rsplit(".", 1)[-1]  # a dtype


#: Relative tolerance per dtype when comparing with recorded PyTorch values.
TOL = {"complex64": 2e-5, "float32": 2e-5, "complex128": 1e-11, "float64": 1e-11, "int64": 0}


def decode(entry: dict) -> np.ndarray:
    """An :func:`encode`d tensor back as a float64 or complex128 array."""
    re = np.array(entry["re"], dtype=np.float64).reshape(entry["shape"])
    if "im" not in entry:
        return re
    return re + 1j * np.array(entry["im"], dtype=np.float64).reshape(entry["shape"])


def same(got, want, where: str) -> None:
    """A jitgrad result (:func:`encode`d) equal to a recorded PyTorch one: values to within
    the dtype's rounding (:data:`TOL`), dtypes, shapes and texts exactly."""
    if isinstance(want, dict):
        assert isinstance(got, dict), f"{where}: got {got!r}"
        assert got["dtype"] == want["dtype"], where
        assert got["shape"] == want["shape"], where
        a, b = decode(got), decode(want)
        tol = TOL.get(want["dtype"], 0)
        scale = max(1.0, float(np.nanmax(np.abs(b), initial=0.0)))
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol * scale, err_msg=where)
    elif isinstance(want, str):
        assert got == want.replace("torch.", "jitgrad."), where
    else:
        assert got == want, where
