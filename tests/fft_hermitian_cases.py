"""torch.fft's Hermitian transforms (``hfft``/``ihfft`` and their 2-D and n-D forms) as
programs run by real PyTorch (tests/fixtures/make_fft_hermitian_torch.py) and by jitgrad
(tests/test_fft_hermitian.py): value, node name and input gradient for a fixed upstream
gradient (tests/complex_cases.py's ``fft_case``), and the calls that raise."""

from __future__ import annotations

from complex_cases import _c, fft_case

#: complex (one-sided) input; each also runs on a real input (promoted)
HFFT = {
    "hfft": lambda t, x: t.fft.hfft(x),
    "hfft_n_odd": lambda t, x: t.fft.hfft(x, n=7),
    "hfft_n_crop": lambda t, x: t.fft.hfft(x, n=4, norm="ortho"),
    "hfft_forward_dim0": lambda t, x: t.fft.hfft(x, dim=0, norm="forward"),
    "hfft2": lambda t, x: t.fft.hfft2(x),
    "hfft2_s": lambda t, x: t.fft.hfft2(x, s=(4, 6), norm="ortho"),
    "hfftn": lambda t, x: t.fft.hfftn(x),
    "hfftn_dim": lambda t, x: t.fft.hfftn(x, dim=(0,), norm="forward"),
}
#: real input only
IHFFT = {
    "ihfft": lambda t, x: t.fft.ihfft(x),
    "ihfft_n": lambda t, x: t.fft.ihfft(x, n=8),
    "ihfft_ortho_dim0": lambda t, x: t.fft.ihfft(x, dim=0, norm="ortho"),
    "ihfft_forward": lambda t, x: t.fft.ihfft(x, norm="forward"),
    "ihfft2": lambda t, x: t.fft.ihfft2(x),
    "ihfft2_s": lambda t, x: t.fft.ihfft2(x, s=(2, 6), norm="ortho"),
    "ihfftn": lambda t, x: t.fft.ihfftn(x),
    "ihfftn_forward": lambda t, x: t.fft.ihfftn(x, dim=(1, 0), norm="forward"),
}

ERRORS = {
    "ihfft_complex": lambda t, z: t.fft.ihfft(z),
    "ihfft2_complex": lambda t, z: t.fft.ihfft2(z),
    "hfft_n0": lambda t, z: t.fft.hfft(z, n=0),
    "hfft_one_bin": lambda t, z: t.fft.hfft(z[:, :1]),
    "ihfft_norm": lambda t, z: t.fft.ihfft(z.real, norm="bad"),
    "hfft_list": lambda t, z: t.fft.hfft([1.0]),
    "hfftn_s_dim": lambda t, z: t.fft.hfftn(z, s=(2,), dim=(0, 1)),
}


def cases() -> dict:
    out = {}
    for n in HFFT:
        out[f"{n}-c"] = fft_case(HFFT, n, "c")
        out[f"{n}-r"] = fft_case(HFFT, n, "r")
    out.update({n: fft_case(IHFFT, n, "r") for n in IHFFT})
    return out


def error_of(torch, name):
    z = torch.tensor(_c((2, 3), 19))
    try:
        ERRORS[name](torch, z)
    except Exception as exc:  # noqa: BLE001 - recording what is raised
        return [type(exc).__name__, str(exc).split("\n")[0]]
    return None
