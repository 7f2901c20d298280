"""Lazy modules: ``LazyLinear``, ``LazyConv1d/2d/3d``, ``LazyBatchNorm1d/2d/3d``, whose input
size is read from the first input, and the ``UninitializedParameter``/``UninitializedBuffer``
placeholders they hold until then.

As in PyTorch, the first call materialises the placeholders in place (the same objects become
ordinary Parameters/Tensors, so an optimizer built before the first call trains them),
initialises them as the eager module would, and turns the module into that eager class
(``LazyLinear`` becomes ``Linear``). Using a placeholder before that raises PyTorch's errors.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes as D
from ..engine.grad_mode import no_grad
from ..frontend.tensor import Tensor, _make
from .batchnorm import BatchNorm1d, BatchNorm2d, BatchNorm3d
from .conv import Conv1d, Conv2d, Conv3d, ConvTranspose2d, ConvTranspose3d
from .layers_api import ConvTranspose1d
from .linear import Linear
from .norm_extra import InstanceNorm1d, InstanceNorm2d, InstanceNorm3d
from .parameter import Parameter

_USE_MSG = (
    "Attempted to use an uninitialized parameter in {}. This error happens when you are using "
    "a `LazyModule` or explicitly manipulating `torch.nn.parameter.UninitializedParameter` "
    "objects. When using LazyModules Call `forward` with a dummy batch to initialize the "
    "parameters before calling torch functions"
)
_SHAPE_MSG = (
    "Can't access the shape of an uninitialized parameter or buffer. This error usually happens "
    "in `load_state_dict` when trying to load an uninitialized parameter into an initialized "
    "one. Call `forward` to initialize the parameters before accessing their attributes."
)


class _Uninitialized:
    """Placeholder behaviour: no shape, no data, until ``materialize``."""

    cls_to_become: type = Tensor

    @property
    def shape(self) -> Any:
        raise RuntimeError(_SHAPE_MSG)

    def size(self, dim: int | None = None) -> Any:
        raise RuntimeError(_SHAPE_MSG)

    def numel(self) -> int:
        raise ValueError(_USE_MSG.format("<method 'numel' of 'torch._C.TensorBase' objects>"))

    def dim(self) -> int:
        raise ValueError(_USE_MSG.format("<method 'dim' of 'torch._C.TensorBase' objects>"))

    def _unusable(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError(_USE_MSG.format("<method 'add' of 'torch._C.TensorBase' objects>"))

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __matmul__ = _unusable

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    __str__ = __repr__

    def materialize(self, shape: Any, device: Any = None, dtype: Any = None) -> None:
        """Allocate (uninitialised) storage of ``shape`` and become a normal tensor."""
        dt = self._dtype if dtype is None else dtype
        self._value = np.empty(tuple(shape), dt.np)
        self.__class__ = self.cls_to_become


class UninitializedParameter(_Uninitialized, Parameter):
    """A Parameter whose shape is not known yet."""

    cls_to_become = Parameter

    def __init__(self, requires_grad: bool = True, device: Any = None, dtype: Any = None) -> None:
        super().__init__(None, requires_grad)
        if dtype is not None:
            self._dtype = dtype


class UninitializedBuffer(_Uninitialized, Tensor):
    """A buffer whose shape is not known yet."""

    def __new__(
        cls,
        requires_grad: bool = False,
        device: Any = None,
        dtype: Any = None,
        persistent: bool = True,
    ) -> UninitializedBuffer:
        dt = D.float32 if dtype is None else dtype
        t = _make(np.empty(0, dt.np), dt)
        t.__class__ = cls
        t.requires_grad_(requires_grad)
        t.persistent = persistent
        return t

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass  # all set up by __new__


def _uninitialized(t: Any) -> bool:
    return isinstance(t, _Uninitialized)


class LazyModuleMixin:
    """Infers the placeholders' shapes from the first input, then becomes ``cls_to_become``."""

    cls_to_become: type | None = None

    def has_uninitialized_params(self) -> bool:
        own = [*self._parameters.values(), *self._buffers.values()]
        return any(_uninitialized(t) for t in own)

    def _lazy_setup(self) -> None:
        self._lazy_hook = self.register_forward_pre_hook(_infer_parameters)
        self.register_load_state_dict_pre_hook(_lazy_load_hook)

    def initialize_parameters(self, *args: Any) -> None:
        raise NotImplementedError


def _lazy_load_hook(module: Any, state_dict: dict, prefix: str, *_: Any) -> None:
    """Before ``load_state_dict``: each placeholder with an initialized entry in the state
    dict takes that entry's shape (PyTorch's ``_lazy_load_hook``), so a checkpoint of the
    trained network loads into a fresh lazy one. The module stays lazy until its first call
    (``in_features`` keeps its 0 until then, as in PyTorch)."""
    with no_grad():
        for name, t in [*module._parameters.items(), *module._buffers.items()]:
            src = state_dict.get(prefix + name)
            if _uninitialized(t) and src is not None and not _uninitialized(src):
                t.materialize(src.shape)


def _infer_parameters(module: Any, args: tuple) -> None:
    module.initialize_parameters(*args)
    if module.has_uninitialized_params():
        raise RuntimeError(f"module {module._get_name()} has not been fully initialized")
    device = next((a.device for a in args if isinstance(a, Tensor)), None)
    if device is not None and device.type != "cpu":
        module.to(device)  # materialized (and initialized) on the host: follow the input
    module._lazy_hook.remove()
    del module.__dict__["_lazy_hook"]
    if module.cls_to_become is not None:
        module.__class__ = module.cls_to_become


class LazyLinear(LazyModuleMixin, Linear):
    """``Linear`` whose ``in_features`` is the last dimension of the first input."""

    cls_to_become = Linear

    def __init__(
        self, out_features: int, bias: bool = True, device: Any = None, dtype: Any = None
    ) -> None:
        super().__init__(0, 0, False, device, dtype)
        self.weight = UninitializedParameter(dtype=dtype)
        self.out_features = out_features
        if bias:
            self.bias = UninitializedParameter(dtype=dtype)
        self._lazy_setup()

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.in_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input: Tensor) -> None:  # noqa: A002
        if self.has_uninitialized_params():
            with no_grad():
                self.in_features = input.shape[-1]
                self.weight.materialize((self.out_features, self.in_features))
                if self.bias is not None:
                    self.bias.materialize((self.out_features,))
                self.reset_parameters()


class _LazyConvMixin(LazyModuleMixin):
    _nd = 2

    def _lazy_conv_init(self, bias: bool, dtype: Any) -> None:
        self.weight = UninitializedParameter(dtype=dtype)
        if bias:
            self.bias = UninitializedParameter(dtype=dtype)
        self._lazy_setup()

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.in_channels != 0:
            super().reset_parameters()

    def initialize_parameters(self, input: Tensor, *args: Any) -> None:  # noqa: A002
        if self.has_uninitialized_params():
            with no_grad():
                batched = input.dim() == self._nd + 2
                self.in_channels = input.shape[1] if batched else input.shape[0]
                if self.in_channels % self.groups != 0:
                    raise ValueError("in_channels must be divisible by groups")
                if self._transposed:
                    shape = (self.in_channels, self.out_channels // self.groups)
                else:
                    shape = (self.out_channels, self.in_channels // self.groups)
                self.weight.materialize((*shape, *self.kernel_size))
                if self.bias is not None:
                    self.bias.materialize((self.out_channels,))
                self.reset_parameters()


def _lazy_type(mixin: type, eager: type, init: Any, learned: str, extra: dict) -> type:
    """``Lazy<eager>``: ``mixin`` over ``eager`` with ``init``, turning into ``eager`` once
    ``learned`` (its input size) is read from the first input."""
    doc = f"``{eager.__name__}`` whose ``{learned}`` is read from the first input."
    return type(
        f"Lazy{eager.__name__}",
        (mixin, eager),
        {"__init__": init, "cls_to_become": eager, **extra, "__doc__": doc},
    )


def _conv_class(eager: type, nd: int) -> type:
    def __init__(  # noqa: N807
        self: Any,
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
    ) -> None:
        # in/out channels 0 and no bias, as PyTorch builds it; the placeholders follow
        eager.__init__(
            self, 0, 0, kernel_size, stride, padding, dilation, 1, False, padding_mode,
            device, dtype,
        )  # fmt: skip
        self.out_channels = out_channels
        self.groups = groups
        self._lazy_conv_init(bias, dtype)

    return _lazy_type(_LazyConvMixin, eager, __init__, "in_channels", {"_nd": nd})


LazyConv1d = _conv_class(Conv1d, 1)
LazyConv2d = _conv_class(Conv2d, 2)
LazyConv3d = _conv_class(Conv3d, 3)


def _conv_transpose_class(eager: type, nd: int) -> type:
    def __init__(  # noqa: N807
        self: Any,
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
        eager.__init__(
            self, 0, 0, kernel_size, stride, padding, output_padding, groups, False, dilation,
            padding_mode, device, dtype,
        )  # fmt: skip
        self.out_channels = out_channels
        self._lazy_conv_init(bias, dtype)

    return _lazy_type(_LazyConvMixin, eager, __init__, "in_channels", {"_nd": nd})


LazyConvTranspose1d = _conv_transpose_class(ConvTranspose1d, 1)
LazyConvTranspose2d = _conv_transpose_class(ConvTranspose2d, 2)
LazyConvTranspose3d = _conv_transpose_class(ConvTranspose3d, 3)


class _LazyNormMixin(LazyModuleMixin):
    def _lazy_norm_init(self, affine: bool, bias: bool, track: bool, dtype: Any) -> None:
        self.affine = affine
        self.track_running_stats = track
        if track:
            self.register_buffer("num_batches_tracked", _zero_count())
        if affine:
            self.weight = UninitializedParameter(dtype=dtype)
            if bias:
                self.bias = UninitializedParameter(dtype=dtype)
        if track:
            self.running_mean = UninitializedBuffer(dtype=dtype)
            self.running_var = UninitializedBuffer(dtype=dtype)
        self._lazy_setup()

    def reset_parameters(self) -> None:
        """Running mean 0, variance 1, count 0; weight 1, bias 0 (BatchNorm's and
        InstanceNorm's defaults)."""
        if self.has_uninitialized_params() or self.num_features == 0:
            return
        with no_grad():
            for name, value in (("running_mean", 0), ("running_var", 1), ("weight", 1)):
                t = getattr(self, name, None)
                if t is not None:
                    t.fill_(value)
            for name in ("num_batches_tracked", "bias"):
                t = getattr(self, name, None)
                if t is not None:
                    t.zero_()

    def initialize_parameters(self, input: Tensor) -> None:  # noqa: A002
        if self.has_uninitialized_params():
            self.num_features = input.shape[1] if input.dim() > 1 else input.shape[0]
            for t in [*self._parameters.values(), *self._buffers.values()]:
                if _uninitialized(t):
                    t.materialize((self.num_features,))
            self.reset_parameters()


def _norm_class(eager: type) -> type:
    def __init__(  # noqa: N807
        self: Any,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        eager.__init__(self, 0, eps, momentum, False, False, device, dtype, bias=bias)
        self._lazy_norm_init(affine, bias, track_running_stats, dtype)

    return _lazy_type(_LazyNormMixin, eager, __init__, "num_features", {})


def _zero_count() -> Tensor:
    return _make(np.array(0, np.int64), D.int64)


LazyBatchNorm1d = _norm_class(BatchNorm1d)
LazyBatchNorm2d = _norm_class(BatchNorm2d)
LazyBatchNorm3d = _norm_class(BatchNorm3d)


def _instance_norm_class(eager: type) -> type:
    def __init__(  # noqa: N807
        self: Any,
        eps: float = 1e-5,
        momentum: float = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        # affine and tracking on by default, unlike the eager InstanceNorm (as PyTorch's)
        eager.__init__(self, 0, eps, momentum, False, False, device, dtype)
        self._lazy_norm_init(affine, True, track_running_stats, dtype)

    return _lazy_type(_LazyNormMixin, eager, __init__, "num_features", {})


LazyInstanceNorm1d = _instance_norm_class(InstanceNorm1d)
LazyInstanceNorm2d = _instance_norm_class(InstanceNorm2d)
LazyInstanceNorm3d = _instance_norm_class(InstanceNorm3d)

__all__ = [
    "LazyBatchNorm1d",
    "LazyBatchNorm2d",
    "LazyBatchNorm3d",
    "LazyConv1d",
    "LazyConv2d",
    "LazyConv3d",
    "LazyConvTranspose1d",
    "LazyConvTranspose2d",
    "LazyConvTranspose3d",
    "LazyInstanceNorm1d",
    "LazyInstanceNorm2d",
    "LazyInstanceNorm3d",
    "LazyLinear",
    "UninitializedBuffer",
    "UninitializedParameter",
]

