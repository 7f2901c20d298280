"""``torch.stft`` and ``torch.istft``: the short-time Fourier transform and its inverse.

Both are compositions of differentiable ops, the way PyTorch's own ``at::stft``/``at::istft``
are, so autograd needs no hand-written backward: ``stft`` pads the signal (``center``), cuts
it into overlapping frames with ``unfold`` (a strided view, PyTorch's ``as_strided``), scales
them by the window and runs :func:`jitgrad.fft.rfft` (or ``fft`` for two-sided/complex
spectra) along each frame. ``istft`` inverts each frame (``irfft``/``ifft``), scales by the
window again, overlap-adds the frames with ``index_add`` (PyTorch's ``unfold_backward``) and
divides by the overlap-added squared window (the envelope), which makes
``istft(stft(x)) == x`` wherever the envelope is nonzero (the NOLA condition).

Error messages repeat PyTorch's, including the ``stft(<type>[<sizes>], n_fft=...)`` prefix
PyTorch's C++ checks put in front of them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import dtypes as D
from .api_names import _LEGACY_NAMES, typename
from .complex_api import view_as_real
from .fft import fft, ifft, irfft, rfft
from .frontend.creation import ones, tensor, zeros
from .frontend.tensor import Tensor
from .helpers import warn as warn_user
from .nn._functional_extra import pad
from .torch_aliases import constant_pad_nd

__all__ = ["stft", "istft"]

_NO_RETURN_COMPLEX = (
    "stft requires the return_complex parameter be given for real inputs, and will further "
    "require that return_complex=True in a future PyTorch release."
)
_STFT_NO_WINDOW = (
    "A window was not provided. A rectangular window will be applied,which is known to cause "
    "spectral leakage. Other windows such as torch.hann_window or torch.hamming_window are "
    "recommended to reduce spectral leakage.To suppress this warning and use a rectangular "
    "window, explicitly set `window=torch.ones(n_fft, device=<device>)`."
)
_STFT_REAL_OUTPUT = (
    "stft with return_complex=False is deprecated. In a future pytorch release, stft "
    "will return complex tensors for all inputs, and return_complex=False will raise "
    "an error.\nNote: you can still call torch.view_as_real on the complex output to "
    "recover the old return format."
)


_ISTFT_NO_WINDOW = (
    "A window was not provided. A rectangular window will be applied.Please provide the same "
    "window used by stft to make the inversion lossless.To suppress this warning and use a "
    "rectangular window, explicitly set `window=torch.ones(n_fft, device=<device>)`."
)
_WARNED: set[str] = set()


def _warn_once(message: str, depth: int = 3) -> None:
    """PyTorch's ``TORCH_WARN_ONCE``: each of these warnings once a process (``depth``: the
    stack level of the user's call)."""
    if message not in _WARNED:
        _WARNED.add(message)
        warn_user(message, UserWarning, stacklevel=depth)


def _opt(v: Any) -> str:
    """An optional argument as PyTorch's messages print it (bools as 0/1, ``None``)."""
    return "None" if v is None else str(int(v) if isinstance(v, bool) else v)


def _window_repr(window: Tensor | None) -> str:
    return "None" if window is None else f"{typename(window)}{{{list(window.shape)}}}"


def _padded_window(window: Tensor | None, win_length: int, n_fft: int, like: Tensor) -> Tensor:
    """The window centred in ``n_fft`` samples (ones when ``None``), PyTorch's layout."""
    if window is None:
        dt = like.dtype if not like.dtype.is_complex else D.real_of(like.dtype)
        window = ones(win_length, dtype=dt)
    if win_length == n_fft:
        return window
    left = (n_fft - win_length) // 2
    return constant_pad_nd(window, [left, n_fft - win_length - left])


def stft(
    input: Tensor,  # noqa: A002
    n_fft: int,
    hop_length: int | None = None,
    win_length: int | None = None,
    window: Tensor | None = None,
    center: bool = True,
    pad_mode: str = "reflect",
    normalized: bool = False,
    onesided: bool | None = None,
    return_complex: bool | None = None,
    align_to_window: bool | None = None,
) -> Tensor:
    """Spectra of overlapping windowed frames: ``(B?, n_fft // 2 + 1 or n_fft, n_frames)``."""
    if center and align_to_window is not None:
        raise RuntimeError("stft align_to_window should only be set when center = false")
    if center:
        input = _center_pad(input, n_fft, pad_mode)  # noqa: A001
    hop = n_fft >> 2 if hop_length is None else hop_length
    win = n_fft if win_length is None else win_length
    is_complex = input.dtype.is_complex or (window is not None and window.dtype.is_complex)
    if return_complex is None and not is_complex:
        raise RuntimeError(_NO_RETURN_COMPLEX)
    returns_complex = is_complex if return_complex is None else bool(return_complex)
    flags = (normalized, onesided, return_complex, align_to_window)
    head = _stft_head(input, n_fft, hop, win, window, flags)
    _check_stft(input, n_fft, hop, win, window, head)
    if window is None:
        _warn_once(_STFT_NO_WINDOW)
    if not returns_complex:
        _warn_once(_STFT_REAL_OUTPUT)
    signal = input if input.dim() == 2 else input.unsqueeze(0)
    if align_to_window and win < n_fft:  # frame t's window starts at t * hop, not its frame
        left = (n_fft - win) // 2
        signal = constant_pad_nd(signal, [left, n_fft - win - left])
    frames = signal.unfold(-1, n_fft, hop)
    if window is not None or win != n_fft:
        frames = frames * _padded_window(window, win, n_fft, input)
    sided = not is_complex if onesided is None else bool(onesided)
    if is_complex and sided:
        raise RuntimeError("Cannot have onesided output if window or input is complex")
    norm = "ortho" if normalized else "backward"
    out = (fft if is_complex or not sided else rfft)(frames, norm=norm)
    out = out.transpose_(1, 2)  # in place, as PyTorch: its node is TransposeBackward1
    if input.dim() == 1:
        out = out.squeeze_(0)
    return out if returns_complex else view_as_real(out)


def _stft_head(x: Tensor, n_fft: int, hop: int, win: int, window: Any, flags: tuple) -> str:
    """PyTorch's prefix of stft's argument errors: the call as its C++ side prints it."""
    normalized, onesided, return_complex, align_to_window = flags
    return (
        f"stft({typename(x)}{list(x.shape)}, n_fft={n_fft}, hop_length={hop}, "
        f"win_length={win}, window={_window_repr(window)}, normalized={_opt(bool(normalized))}, "
        f"onesided={_opt(onesided)}, return_complex={_opt(return_complex)}, "
        f"align_to_window={_opt(align_to_window)}) : "
    )


def _center_pad(x: Tensor, n_fft: int, pad_mode: str) -> Tensor:
    """``x`` padded by ``n_fft // 2`` on both ends of its last dimension (``center=True``);
    ``pad`` wants a batch and a channel dimension, so 1-D and 2-D signals are viewed as 3-D."""
    signal_dim = x.dim()
    half = int(n_fft // 2)
    padded = pad(x.view([1] * (3 - signal_dim) + list(x.shape)), [half, half], pad_mode)
    return padded.view(padded.shape[-signal_dim:])


def _check_stft(x: Tensor, n_fft: int, hop: int, win: int, window: Any, head: str) -> None:
    if not (x.dtype.is_floating_point or x.dtype.is_complex):
        raise RuntimeError(head + "expected a tensor of floating point or complex values")
    if x.dim() not in (1, 2):
        raise RuntimeError(head + "expected a 1D or 2D tensor")
    length = x.shape[-1]
    if n_fft <= 0 or n_fft > length:
        raise RuntimeError(head + f"expected 0 < n_fft < {length}, but got n_fft={n_fft}")
    if hop <= 0:
        raise RuntimeError(head + f"expected hop_length > 0, but got hop_length={hop}")
    if win <= 0 or win > n_fft:
        raise RuntimeError(head + f"expected 0 < win_length <= n_fft, but got win_length={win}")
    if window is not None and (window.dim() != 1 or window.shape[0] != win):
        raise RuntimeError(
            head + f"expected a 1D window tensor of size equal to win_length={win}, but got "
            f"window with size {list(window.shape)}"
        )


def istft(
    input: Tensor,  # noqa: A002
    n_fft: int,
    hop_length: int | None = None,
    win_length: int | None = None,
    window: Tensor | None = None,
    center: bool = True,
    normalized: bool = False,
    onesided: bool | None = None,
    length: int | None = None,
    return_complex: bool = False,
) -> Tensor:
    """The signal whose :func:`stft` is ``input`` (least squares where frames overlap)."""
    if window is None:
        _warn_once(_ISTFT_NO_WINDOW)
    hop = n_fft >> 2 if hop_length is None else hop_length
    win = n_fft if win_length is None else win_length
    if not input.dtype.is_complex:
        raise RuntimeError(
            "istft requires a complex-valued input tensor matching the output from stft with "
            "return_complex=True."
        )
    kind = "CPU" + _LEGACY_NAMES[input.dtype.name].removesuffix("Tensor") + "Type"
    head = (
        f"istft({kind}{list(input.shape)}, n_fft={n_fft}, hop_length={hop}, "
        f"win_length={win}, window={_window_repr(window)}, center={_opt(bool(center))}, "
        f"normalized={_opt(bool(normalized))}, onesided={_opt(onesided)}, "
        f"length={_opt(length)}, return_complex={_opt(bool(return_complex))}) "
    )
    sided = _check_istft(input, n_fft, hop, win, window, onesided, head)
    batched = input.dim() == 3
    if not batched:
        input = input.unsqueeze(0)  # noqa: A001
    frames = input.transpose(1, 2)  # (batch, n_frames, bins)
    norm = "ortho" if normalized else "backward"
    if return_complex:
        if sided:
            raise RuntimeError("Cannot have onesided output if window or input is complex")
        frames = ifft(frames, norm=norm)
    else:
        if window is not None and window.dtype.is_complex:
            raise RuntimeError("Complex windows are incompatible with return_complex=False")
        if not sided:
            frames = frames.narrow(-1, 0, n_fft // 2 + 1)
        frames = irfft(frames, n=n_fft, norm=norm)
    w = _padded_window(window, win, n_fft, frames)
    return _overlap_add(frames * w, w, hop, center, length, batched, head)


def _check_istft(
    x: Tensor, n_fft: int, hop: int, win: int, window: Any, onesided: Any, head: str
) -> bool:
    """PyTorch's argument checks; returns whether the spectrum is one-sided."""
    if x.dim() < 2:  # PyTorch reads size(-3) of view_as_real(input) before checking
        r = x.dim() + 1
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-r}, {r - 1}], but got -3)"
        )
    if x.dim() not in (2, 3):
        raise RuntimeError(
            head + f": expected a tensor with 3 or 4 dimensions, but got {x.dim() + 1}"
        )
    bins = x.shape[-2]
    sided = bins != n_fft if onesided is None else bool(onesided)
    if sided and n_fft // 2 + 1 != bins:
        raise RuntimeError(
            head + ": expected the frequency dimension (3rd to the last) of the input tensor to "
            f"match n_fft / 2 + 1 when onesided=True, but got {bins}"
        )
    if not sided and n_fft != bins:
        raise RuntimeError(
            head + ": expected the frequency dimension (3rd to the last) of the input tensor to "
            f"match n_fft when onesided=False, but got {bins}"
        )
    if not 0 < hop <= win:
        raise RuntimeError(head + ": expected 0 < hop_length <= win_length")
    if not 0 < win <= n_fft:
        raise RuntimeError(head + ": expected 0 < win_length <= n_fft")
    if window is not None and (window.dim() != 1 or window.shape[0] != win):
        raise RuntimeError(
            head + ": Invalid window shape. window has to be 1D and length of `win_length`"
        )
    return sided


def _overlap_add(
    frames: Tensor, w: Tensor, hop: int, center: bool, length: int | None, batched: bool, head: str
) -> Tensor:
    """Sum the windowed frames at their offsets and divide by the summed squared window."""
    batch, n_frames, n_fft = frames.shape
    total = n_fft + hop * (n_frames - 1)
    index = (np.arange(n_frames)[:, None] * hop + np.arange(n_fft)).reshape(-1)
    idx = tensor(index, dtype=D.int64)
    y = zeros(batch, total, dtype=frames.dtype).index_add(1, idx, frames.reshape(batch, -1))
    sq = (w * w).reshape(1, 1, n_fft).expand(1, n_frames, n_fft).reshape(1, -1)
    envelope = zeros(1, total, dtype=sq.dtype).index_add(1, idx, sq)
    start = n_fft // 2 if center else 0
    if length is not None:
        end = start + length
    else:
        end = total - n_fft // 2 if center else total
    stop = min(end, total)
    y = y[:, start:stop]
    envelope = envelope[:, start:stop]
    if bool((envelope.abs().min() < 1e-11).item()):
        raise RuntimeError(head + "window overlap add min: 1")
    y = y / envelope
    if not batched:
        y = y.squeeze(0)
    if end > total:
        _warn_once(
            "The length of signal is shorter than the length parameter. Result is being padded "
            "with zeros in the tail. Please check your center and hop_length settings.",
            depth=4,
        )
        y = constant_pad_nd(y, [0, end - total])
    return y


TOP_LEVEL: dict[str, Any] = {"stft": stft, "istft": istft}
METHODS: dict[str, Any] = {"stft": stft, "istft": istft}
