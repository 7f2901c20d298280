"""Programs over torch.stft / torch.istft, run by real PyTorch (the recorder,
tests/fixtures/make_stft_torch.py) and by jitgrad (tests/test_stft.py).

Each case is ``fn(torch) -> dict`` of named results: the transform's value, its dtype and
the input gradient of a scalar loss (``stft(x).abs().sum()``; for ``istft`` a weighted sum
of the signal). The same numpy inputs reach both libraries.
"""

from __future__ import annotations

import numpy as np
from complex_cases import _c, _r


def _stft_case(shape, dtype, n_fft, window=None, **kw):
    """stft of a random signal: value and d(|stft|.sum())/dx."""

    def run(torch):
        x = torch.tensor(_r(shape, 5, dtype), requires_grad=True)
        w = None if window is None else getattr(torch, window[0])(window[1], dtype=x.dtype)
        s = torch.stft(x, n_fft, window=w, return_complex=True, **kw)
        s.abs().sum().backward()
        return {"value": s, "dtype": s.dtype, "grad": x.grad, "node": s.grad_fn.name()}

    return run


def _istft_case(shape, dtype, n_fft, window=None, **kw):
    """istft of a random spectrum: value and the spectrum's gradient of a weighted sum."""

    def run(torch):
        z = torch.tensor(_c(shape, 7, dtype), requires_grad=True)
        w = None if window is None else getattr(torch, window[0])(window[1], dtype=z.real.dtype)
        y = torch.istft(z, n_fft, window=w, **kw)
        weights = torch.tensor(_r(tuple(y.shape), 8, np.float64)).to(y.real.dtype)
        (y * weights).real.sum().backward() if y.is_complex() else (y * weights).sum().backward()
        return {"value": y, "dtype": y.dtype, "grad": z.grad, "node": y.grad_fn.name()}

    return run


def _stft_real_view(torch):
    x = torch.tensor(_r((30,), 6, np.float64))
    s = torch.stft(x, 8, hop_length=3, window=torch.hann_window(8, dtype=x.dtype),
                   return_complex=False)  # fmt: skip
    return {"value": s, "dtype": s.dtype}


def _stft_complex_input(torch):
    x = torch.tensor(_c((2, 24), 9, np.complex64), requires_grad=True)
    s = torch.stft(x, 8, window=torch.hann_window(8), return_complex=True)
    s.abs().sum().backward()
    return {"value": s, "dtype": s.dtype, "grad": x.grad}


def cases() -> dict:
    """name -> program."""
    f32, f64 = np.float32, np.float64
    c64, c128 = np.complex64, np.complex128
    return {
        "stft_1d_hann": _stft_case((40,), f32, 16, ("hann_window", 16)),
        "stft_1d_default_window": _stft_case((33,), f64, 8),
        "stft_batched_center_false": _stft_case(
            (2, 40), f32, 12, ("hamming_window", 12), hop_length=4, center=False
        ),
        "stft_twosided_f64": _stft_case((2, 30), f64, 10, ("hann_window", 10), onesided=False),
        "stft_normalized_constant_pad": _stft_case(
            (25,), f64, 8, ("blackman_window", 8), normalized=True, pad_mode="constant"
        ),
        "stft_win_shorter": _stft_case(
            (2, 37), f32, 16, ("hann_window", 10), win_length=10, hop_length=5
        ),
        "stft_odd_nfft_center_false": _stft_case(
            (31,), f64, 9, ("hann_window", 9), hop_length=2, center=False, onesided=False
        ),
        "stft_align_to_window": _stft_case(
            (2, 40),
            f32,
            16,
            ("hann_window", 10),
            win_length=10,
            hop_length=4,
            center=False,
            align_to_window=True,
        ),
        "stft_circular_pad": _stft_case(
            (2, 26), f64, 8, ("hann_window", 8), hop_length=3, pad_mode="circular"
        ),
        "stft_replicate_pad_bartlett": _stft_case(
            (27,), f32, 8, ("bartlett_window", 8), pad_mode="replicate", normalized=True
        ),
        "stft_real_view": _stft_real_view,
        "stft_complex_input": _stft_complex_input,
        "istft_1d_hann": _istft_case((9, 11), c64, 16, ("hann_window", 16)),
        "istft_batched_length": _istft_case(
            (2, 7, 9), c128, 12, ("hann_window", 12), hop_length=3, length=30
        ),
        "istft_center_false_hamming": _istft_case(
            (5, 6), c128, 8, ("hamming_window", 8), hop_length=2, center=False
        ),
        "istft_twosided_normalized": _istft_case(
            (10, 8), c128, 10, ("hann_window", 10), onesided=False, normalized=True
        ),
        "istft_win_shorter": _istft_case(
            (2, 9, 10), c64, 16, ("hann_window", 12), win_length=12, hop_length=4
        ),
        "istft_return_complex": _istft_case(
            (8, 7), c128, 8, ("hann_window", 8), onesided=False, return_complex=True
        ),
        "istft_length_padded": _istft_case(
            (5, 6), c128, 8, ("hann_window", 8), hop_length=2, length=20
        ),
    }


def _x(torch, shape=(20,), dtype=np.float32):
    return torch.tensor(_r(shape, 1, dtype))


def _s(torch):
    return torch.stft(_x(torch), 8, window=torch.hann_window(8), return_complex=True)


ERRORS = {
    "no_return_complex": lambda t: t.stft(_x(t), 8),
    "window_size": lambda t: t.stft(_x(t), 8, window=t.hann_window(7), return_complex=True),
    "window_2d": lambda t: t.stft(_x(t), 8, window=t.ones(1, 8), return_complex=True),
    "window_vs_win_length": lambda t: t.stft(
        _x(t), 8, win_length=6, window=t.hann_window(7), return_complex=True
    ),
    "nfft_too_long": lambda t: t.stft(_x(t), 30, center=False, return_complex=True),
    "nfft_zero": lambda t: t.stft(_x(t), 0, center=False, return_complex=True),
    "nfft_too_long_center": lambda t: t.stft(_x(t), 40, return_complex=True),
    "input_3d": lambda t: t.stft(_x(t, (2, 3, 20)), 8, return_complex=True),
    "input_3d_center_false": lambda t: t.stft(
        _x(t, (2, 3, 20), np.float64), 8, center=False, return_complex=True
    ),
    "hop_zero": lambda t: t.stft(_x(t), 8, hop_length=0, return_complex=True),
    "win_length_too_long": lambda t: t.stft(_x(t), 8, win_length=9, return_complex=True),
    "integer_input": lambda t: t.stft(_x(t).long(), 8, center=False, return_complex=True),
    "bad_pad_mode": lambda t: t.stft(_x(t), 8, pad_mode="bogus", return_complex=True),
    "complex_onesided": lambda t: t.stft(
        _x(t).to(t.complex64), 8, onesided=True, return_complex=True
    ),
    "align_with_center": lambda t: t.stft(_x(t), 8, align_to_window=True, return_complex=True),
    "istft_real_input": lambda t: t.istft(_s(t).real, 8, window=t.hann_window(8)),
    "istft_bins": lambda t: t.istft(_s(t), 10, window=t.hann_window(10)),
    "istft_bins_twosided": lambda t: t.istft(_s(t), 8, window=t.hann_window(8), onesided=False),
    "istft_window_size": lambda t: t.istft(_s(t), 8, window=t.hann_window(7)),
    "istft_nola": lambda t: t.istft(_s(t), 8, window=t.hann_window(8), center=False),
    "istft_4d": lambda t: t.istft(_s(t)[None, None], 8, window=t.hann_window(8)),
    "istft_1d": lambda t: t.istft(_s(t)[0], 8, window=t.hann_window(8)),
    "istft_hop": lambda t: t.istft(_s(t), 8, hop_length=9, window=t.hann_window(8)),
    "istft_complex_onesided": lambda t: t.istft(
        _s(t), 8, window=t.hann_window(8), return_complex=True
    ),
    "istft_double": lambda t: t.istft(_s(t).to(t.complex128), 8, window=t.hann_window(7)),
}


def error_of(torch, name):
    """[type name, first message line] of what ``ERRORS[name]`` raises, or None."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ERRORS[name](torch)
        except Exception as exc:  # noqa: BLE001 - recording what is raised
            return [type(exc).__name__, str(exc).split("\n")[0]]
    return None


def warning_of(torch, fn):
    """The messages of the warnings ``fn(torch)`` raises."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn(torch)
    return [str(w.message) for w in caught]


WARNINGS = {
    "stft_no_window": lambda t: t.stft(_x(t), 8, return_complex=True),
    "stft_return_complex_false": lambda t: t.stft(
        _x(t), 8, window=t.hann_window(8), return_complex=False
    ),
    "istft_no_window": lambda t: t.istft(_s(t), 8),
    "istft_length_longer": lambda t: t.istft(_s(t), 8, window=t.hann_window(8), length=30),
}
