"""``torch.<name>`` spellings of ``nn.functional`` ops that PyTorch exposes at the top level
with their ATen signatures (positional ``train``, ``value``, ...): thin forwards, so the
node names and errors are the functional ops' own."""

from __future__ import annotations

from typing import Any

from .frontend.linalg_spectral import METHODS as _SPECTRAL_METHODS
from .frontend.tensor import Tensor
from .helpers import warn as warn_user
from .nn import functional as F


def constant_pad_nd(input: Tensor, pad: Any, value: float = 0) -> Tensor:  # noqa: A002
    return F.pad(input, pad, "constant", value)


def alpha_dropout(input: Tensor, p: float, train: bool) -> Tensor:  # noqa: A002
    return F.alpha_dropout(input, p, train)


def alpha_dropout_(input: Tensor, p: float, train: bool) -> Tensor:  # noqa: A002
    return F.alpha_dropout(input, p, train, inplace=True)


def feature_alpha_dropout(input: Tensor, p: float, train: bool) -> Tensor:  # noqa: A002
    return F.feature_alpha_dropout(input, p, train)


def feature_alpha_dropout_(input: Tensor, p: float, train: bool) -> Tensor:  # noqa: A002
    return F.feature_alpha_dropout(input, p, train, inplace=True)


def max_pool1d_with_indices(
    input: Tensor,  # noqa: A002
    kernel_size: Any,
    stride: Any = (),
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
) -> tuple[Tensor, Tensor]:
    """``(values, indices)``; an empty ``stride`` means the kernel size, as in ATen."""
    return F.max_pool1d(
        input, kernel_size, stride or None, padding, dilation, ceil_mode, return_indices=True
    )


_QR_WARNED = [False]


def qr(input: Tensor, some: bool = True) -> Any:  # noqa: A002
    """``torch.qr(A, some=True)``: ``linalg.qr`` with the deprecation warning PyTorch gives
    once per process."""
    if not _QR_WARNED[0]:
        _QR_WARNED[0] = True
        warn_user(
            "torch.qr is deprecated in favor of torch.linalg.qr and will be removed in a "
            "future PyTorch release.\nThe boolean parameter 'some' has been replaced with a "
            "string parameter 'mode'.\nQ, R = torch.qr(A, some)\nshould be replaced with\n"
            "Q, R = torch.linalg.qr(A, 'reduced' if some else 'complete')",
            UserWarning,
            stacklevel=2,
        )
    return _SPECTRAL_METHODS["qr"](input, some)


TOP_LEVEL: dict[str, Any] = {
    "rms_norm": F.rms_norm,
    "conv_transpose1d": F.conv_transpose1d,
    "channel_shuffle": F.channel_shuffle,
    "native_channel_shuffle": F.native_channel_shuffle,
    "constant_pad_nd": constant_pad_nd,
    "alpha_dropout": alpha_dropout,
    "alpha_dropout_": alpha_dropout_,
    "feature_alpha_dropout": feature_alpha_dropout,
    "feature_alpha_dropout_": feature_alpha_dropout_,
    "max_pool1d_with_indices": max_pool1d_with_indices,
    "qr": qr,
}
