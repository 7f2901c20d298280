"""``nn.init``: in-place initializers with PyTorch's formulas (fan-in/fan-out, gains)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ..engine.grad_mode import no_grad
from ..frontend.creation import empty
from ..frontend.creation import eye as _eye
from ..frontend.creation import tensor as _as_tensor
from ..frontend.sampling import randperm
from ..frontend.tensor import Tensor
from ..helpers import missing_attribute
from ..helpers import warn as warn_user

__all__ = [
    "calculate_gain",
    "constant_",
    "eye_",
    "kaiming_normal_",
    "kaiming_uniform_",
    "normal_",
    "ones_",
    "orthogonal_",
    "uniform_",
    "xavier_normal_",
    "xavier_uniform_",
    "zeros_",
]


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for ``nonlinearity`` (PyTorch's table)."""
    linear = ("linear", "conv1d", "conv2d", "conv3d", "sigmoid")
    if nonlinearity in linear or nonlinearity.startswith("conv_transpose"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(t: Tensor) -> tuple[int, int]:
    """``(fan_in, fan_out)``: PyTorch's private helper, which custom modules' reset_parameters
    call (as nn.Linear's own does)."""
    if t.dim() < 2:
        raise ValueError(
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"
        )
    receptive = 1
    for s in t.shape[2:]:
        receptive *= s
    return t.shape[1] * receptive, t.shape[0] * receptive


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0) -> Tensor:
    with no_grad():
        return tensor.uniform_(a, b)


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0) -> Tensor:
    with no_grad():
        return tensor.normal_(mean, std)


def constant_(tensor: Tensor, val: float) -> Tensor:
    with no_grad():
        return tensor.fill_(val)


def zeros_(tensor: Tensor) -> Tensor:
    return constant_(tensor, 0.0)


def ones_(tensor: Tensor) -> Tensor:
    return constant_(tensor, 1.0)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """U(-a, a) with ``a = gain * sqrt(6 / (fan_in + fan_out))`` (Glorot & Bengio)."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    # as PyTorch rounds it: the std first, then sqrt(3) * std (not gain * sqrt(6 / fan))
    a = math.sqrt(3.0) * (gain * math.sqrt(2.0 / float(fan_in + fan_out)))
    return uniform_(tensor, -a, a)


def xavier_normal_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """N(0, std) with ``std = gain * sqrt(2 / (fan_in + fan_out))`` (Glorot & Bengio)."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / float(fan_in + fan_out)))


def _calculate_correct_fan(tensor: Tensor, mode: str) -> int:
    """The fan ``mode`` names (either case), as PyTorch's private helper of that name."""
    mode = mode.lower()
    valid_modes = ["fan_in", "fan_out"]
    if mode not in valid_modes:
        raise ValueError(f"Mode {mode} not supported, please use one of {valid_modes}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def kaiming_uniform_(
    tensor: Tensor,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
) -> Tensor:
    """U(-b, b) with ``b = gain * sqrt(3 / fan)`` (He et al.); Linear uses ``a=sqrt(5)``."""
    if 0 in tensor.shape:
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    # as PyTorch rounds it: std = gain / sqrt(fan), then sqrt(3) * std
    bound = math.sqrt(3.0) * (calculate_gain(nonlinearity, a) / math.sqrt(fan))
    return uniform_(tensor, -bound, bound)


def kaiming_normal_(
    tensor: Tensor,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
) -> Tensor:
    """N(0, std) with ``std = gain / sqrt(fan)`` (He et al.)."""
    if 0 in tensor.shape:
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    return normal_(tensor, 0.0, calculate_gain(nonlinearity, a) / math.sqrt(fan))


def eye_(tensor: Tensor) -> Tensor:
    """The identity matrix (ones on the diagonal of a 2-D tensor), in place."""
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    with no_grad():
        return tensor.copy_(_eye(*tensor.shape, dtype=tensor.dtype))


def orthogonal_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """A (semi-)orthogonal matrix from the QR decomposition of a standard normal draw, the
    signs fixed by R's diagonal (Saxe et al.), as PyTorch: rows x (numel / rows), scaled by
    ``gain``. The draw is one ``normal_`` of that shape, so a seed fixes it."""
    if tensor.dim() < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    drawn = empty(rows, cols, dtype=tensor.dtype).normal_(0, 1)
    flat = np.asarray(drawn.tolist(), tensor.dtype.np)
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q = q * np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    with no_grad():
        q = _as_tensor(np.ascontiguousarray(q), dtype=tensor.dtype).reshape(tensor.shape)
        tensor.copy_(q).mul_(gain)
    return tensor


def trunc_normal_(
    tensor: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0, b: float = 2.0
) -> Tensor:
    """N(mean, std) restricted to [a, b]. PyTorch inverts the CDF of a uniform draw; here
    out-of-range normal draws are redrawn (the same distribution, other numbers). After 100
    rounds (only when [a, b] is far in the tail) the rest is clamped, as PyTorch clamps."""
    n = tensor.numel()
    out = np.empty(n, tensor.dtype.np)
    filled = 0
    for _ in range(100):
        if filled == n:
            break
        draw = empty(n, dtype=tensor.dtype).normal_(mean, std).numpy()
        ok = draw[(draw >= a) & (draw <= b)][: n - filled]
        out[filled : filled + len(ok)] = ok
        filled += len(ok)
    if filled < n:
        out[filled:] = np.clip(empty(n - filled).normal_(mean, std).numpy(), a, b)
    with no_grad():
        return tensor.copy_(_as_tensor(out.reshape(tensor.shape), dtype=tensor.dtype))


def sparse_(tensor: Tensor, sparsity: float, std: float = 0.01) -> Tensor:
    """N(0, std) with ``ceil(sparsity * rows)`` random entries of each column set to zero."""
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    rows, cols = tensor.shape
    num_zeros = int(math.ceil(sparsity * rows))
    with no_grad():
        tensor.normal_(0, std)
        for col in range(cols):
            zero_rows = randperm(rows)[:num_zeros]
            tensor[zero_rows, col] = 0
    return tensor


def dirac_(tensor: Tensor, groups: int = 1) -> Tensor:
    """The Dirac delta of a 3-, 4- or 5-D convolution weight, in place: each of the first
    ``min(out_channels / groups, in_channels)`` output channels of a group passes its input
    channel through unchanged (a one at the kernel's centre), everything else zero."""
    dims = tensor.dim()
    if dims not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    sizes = tuple(tensor.shape)
    if sizes[0] % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    out_per_group = sizes[0] // groups
    centre = tuple(k // 2 for k in sizes[2:])
    with no_grad():
        tensor.zero_()
        for g in range(groups):
            for d in range(min(out_per_group, sizes[1])):
                tensor[(g * out_per_group + d, d, *centre)] = 1
    return tensor


__all__ += ["dirac_", "sparse_", "trunc_normal_"]


def _make_deprecate(meth: Callable[..., Tensor]) -> Callable[..., Tensor]:
    """The pre-0.4 name without the underscore (old tutorials call ``nn.init.xavier_uniform``):
    PyTorch keeps it, warning that it is deprecated."""
    new_name = meth.__name__
    old_name = new_name[:-1]

    def deprecated_init(*args: Any, **kwargs: Any) -> Tensor:
        warn_user(
            f"`nn.init.{old_name}` is now deprecated in favor of `nn.init.{new_name}`.",
            FutureWarning,
            stacklevel=2,
        )
        return meth(*args, **kwargs)

    deprecated_init.__doc__ = f"``{old_name}(...)``: deprecated, see :func:`{new_name}`."
    deprecated_init.__name__ = deprecated_init.__qualname__ = old_name
    return deprecated_init


uniform = _make_deprecate(uniform_)
normal = _make_deprecate(normal_)
constant = _make_deprecate(constant_)
eye = _make_deprecate(eye_)
dirac = _make_deprecate(dirac_)
xavier_uniform = _make_deprecate(xavier_uniform_)
xavier_normal = _make_deprecate(xavier_normal_)
kaiming_uniform = _make_deprecate(kaiming_uniform_)
kaiming_normal = _make_deprecate(kaiming_normal_)
orthogonal = _make_deprecate(orthogonal_)
sparse = _make_deprecate(sparse_)
__all__ += "uniform normal constant eye dirac xavier_uniform xavier_normal".split()
__all__ += "kaiming_uniform kaiming_normal orthogonal sparse".split()

#: ``jitgrad.nn.init.<name>`` for a PyTorch name jitgrad lacks says so (AttributeError).
__getattr__ = missing_attribute("jitgrad.nn.init")
del annotations, missing_attribute  # not PyTorch's names
