"""``Conv1d/2d/3d``, ``ConvTranspose2d/3d``: PyTorch's init, padding modes and repr."""

from __future__ import annotations

from typing import Any

from ..frontend.tensor import Tensor
from . import functional as F
from ._functional_conv import ntuple
from .linear import add_weight_and_bias, reset_weight_and_bias
from .module import Module

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")



def _check_args(
    in_channels: int,
    out_channels: int,
    stride: Any,
    padding: Any,
    groups: int,
    padding_mode: str,
    nd: int,
) -> None:
    """The constructor's argument checks, in PyTorch's order and words (``_ConvNd``), before
    any parameter is made: a bad module fails when it is built, not at its first call."""
    if groups <= 0:
        raise ValueError("groups must be a positive integer")
    if in_channels % groups != 0:
        raise ValueError("in_channels must be divisible by groups")
    if out_channels % groups != 0:
        raise ValueError("out_channels must be divisible by groups")
    if isinstance(padding, str):
        if padding not in ("same", "valid"):
            raise ValueError(
                f"Invalid padding string {padding!r}, should be one of {{'valid', 'same'}}"
            )
        if padding == "same" and any(s != 1 for s in ntuple(stride, nd)):
            raise ValueError("padding='same' is not supported for strided convolutions")
    if padding_mode not in _PADDING_MODES:
        raise ValueError(
            f"padding_mode must be one of {list(_PADDING_MODES)}, but got "
            f"padding_mode='{padding_mode}'"
        )


class _ConvNd(Module):
    """Shared state: weight ``(out, in/groups, *kernel)``, optional bias, geometry."""

    _nd = 2
    #: A transposed convolution's weight is ``(in, out/groups, *kernel)``.
    _transposed = False

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
        *,
        output_padding: Any = 0,
    ) -> None:
        super().__init__()
        nd = self._nd
        _check_args(in_channels, out_channels, stride, padding, groups, padding_mode, nd)
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = ntuple(kernel_size, nd)
        self.stride = ntuple(stride, nd)
        self.padding = padding if isinstance(padding, str) else ntuple(padding, nd)
        self.dilation = ntuple(dilation, nd)
        self.transposed = self._transposed
        self.output_padding = ntuple(output_padding, nd)
        self.groups = groups
        self.padding_mode = padding_mode
        if self._transposed:
            shape = (in_channels, out_channels // groups, *self.kernel_size)
        else:
            shape = (out_channels, in_channels // groups, *self.kernel_size)
        add_weight_and_bias(self, shape, bias, dtype, bias_size=out_channels)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """kaiming_uniform_(a=sqrt(5)) weight; bias U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
        reset_weight_and_bias(self.weight, self.bias, fill_without_fan_in=False)

    def extra_repr(self) -> str:
        nd = self._nd
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}"
        s += f", stride={self.stride}"
        if self.padding != (0,) * nd:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * nd:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * nd:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s

    def _conv(self, input: Tensor, fn: Any) -> Tensor:  # noqa: A002
        if self.padding_mode == "zeros":
            return fn(
                input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups
            )
        # the other modes pad explicitly (F.pad's reflect/replicate/circular), then convolve
        # without padding, as PyTorch does
        padded = F.pad(input, _reversed_padding(self), mode=self.padding_mode)
        return fn(padded, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)


def _reversed_padding(conv: _ConvNd) -> list[int]:
    """``(left, right)`` per spatial dim, last dim first (``F.pad``'s order); ``"same"``
    puts the odd extra element on the right."""
    pads: list[int] = []
    for i in reversed(range(conv._nd)):
        if conv.padding == "valid":
            left = right = 0
        elif conv.padding == "same":
            total = conv.dilation[i] * (conv.kernel_size[i] - 1)
            left, right = total // 2, total - total // 2
        else:
            left = right = conv.padding[i]
        pads += [left, right]
    return pads


class Conv1d(_ConvNd):
    """1-d convolution over ``(N, C_in, L)`` or ``(C_in, L)``."""

    _nd = 1

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return self._conv(input, F.conv1d)


class Conv2d(_ConvNd):
    """2-d convolution over ``(N, C_in, H, W)`` or ``(C_in, H, W)``.

    >>> import jitgrad as torch
    >>> torch.nn.Conv2d(1, 32, 3)
    Conv2d(1, 32, kernel_size=(3, 3), stride=(1, 1))
    """

    _nd = 2

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return self._conv(input, F.conv2d)


class Conv3d(_ConvNd):
    """3-d convolution over ``(N, C_in, D, H, W)`` or ``(C_in, D, H, W)``."""

    _nd = 3

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return self._conv(input, F.conv3d)


class ConvTranspose2d(_ConvNd):
    """2-d transposed convolution (the adjoint of ``Conv2d``) over ``(N, C_in, H, W)``; weight
    ``(in, out/groups, kh, kw)``, initialised as PyTorch does (fan-in from that layout).

    >>> import jitgrad as torch
    >>> torch.nn.ConvTranspose2d(16, 8, 4, 2, 1, bias=False)
    ConvTranspose2d(16, 8, kernel_size=(4, 4), stride=(2, 2), padding=(1, 1), bias=False)
    """

    _nd = 2
    _transposed = True

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        output_padding: Any = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: Any = 1,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        if isinstance(padding, str):
            raise ValueError(f"padding={padding!r} is not supported for {type(self).__name__}")
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            stride,
            padding,
            dilation,
            groups,
            bias,
            padding_mode,
            device,
            dtype,
            output_padding=output_padding,
        )

    def forward(self, input: Tensor, output_size: Any = None) -> Tensor:  # noqa: A002
        output_padding, nd = self.output_padding, self._nd
        if output_size is not None:
            base = [
                (input.shape[-nd + i] - 1) * self.stride[i]
                - 2 * self.padding[i]
                + self.dilation[i] * (self.kernel_size[i] - 1)
                + 1
                for i in range(nd)
            ]
            output_padding = tuple(int(output_size[-nd + i]) - base[i] for i in range(nd))
        fn = F.conv_transpose2d if nd == 2 else F.conv_transpose3d
        return fn(
            input,
            self.weight,
            self.bias,
            self.stride,
            self.padding,
            output_padding,
            self.groups,
            self.dilation,
        )


class ConvTranspose3d(ConvTranspose2d):
    """3-d transposed convolution (the adjoint of ``Conv3d``) over ``(N, C_in, D, H, W)``."""

    _nd = 3
