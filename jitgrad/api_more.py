"""More of PyTorch's public names, each a thin form of something jitgrad has:
``torch.convolution`` (the ATen entry of every convolution), ``index_reduce`` (over
``scatter_reduce``, under PyTorch's node name), ``empty_permuted``, the deterministic debug
mode, ``get_device_module``, ``is_distributed``, ``init_num_threads``; and the Tensor methods
``resize_``/``resize_as_``, ``is_set_to``, ``const_data_ptr``, ``dense_dim``/``sparse_dim``,
``name``, ``grad_dtype`` and the moves to devices jitgrad has none of (PyTorch's errors).
"""

from __future__ import annotations

import builtins
import math
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any

import numpy as np

from .frontend import argcheck as A
from .frontend import creation
from .frontend.copy_ops import under_node
from .frontend.inplace_result import written_into_self
from .frontend.tensor import Tensor
from .helpers import warn as warn_user
from .nn import functional as F
from .ops.return_types import named_result
from .reduce_extra import scatter_reduce

_CONVOLUTIONS = {
    (1, False): F.conv1d,
    (2, False): F.conv2d,
    (1, True): F.conv_transpose1d,
    (2, True): F.conv_transpose2d,
}


def convolution(
    input: Tensor,  # noqa: A002 - PyTorch's name
    weight: Tensor,
    bias: Tensor | None,
    stride: Sequence[int],
    padding: Sequence[int],
    dilation: Sequence[int],
    transposed: bool,
    output_padding: Sequence[int],
    groups: int,
) -> Tensor:
    """``torch.convolution``: the 1-D or 2-D (transposed) convolution ``weight`` implies."""
    dims = weight.dim() - 2
    conv = _CONVOLUTIONS.get((dims, bool(transposed)))
    if conv is None:
        raise NotImplementedError(f"jitgrad has no {dims}-D convolution")
    if transposed:
        return conv(input, weight, bias, stride, padding, output_padding, groups, dilation)
    return conv(input, weight, bias, stride, padding, dilation, groups)


_INDEX_REDUCTIONS = ("prod", "mean", "amax", "amin")
_BETA_WARNED = [False]  # PyTorch warns once per process


def index_reduce(
    input: Tensor,  # noqa: A002 - PyTorch's name
    dim: int,
    index: Tensor,
    source: Tensor,
    reduce: str,
    *,
    include_self: bool = True,
) -> Tensor:
    """Reduce ``source``'s slices into ``input``'s slices ``index`` along ``dim``."""
    if not _BETA_WARNED[0]:
        _BETA_WARNED[0] = True
        warn_user(
            "index_reduce() is in beta and the API may change at any time.", UserWarning, 2
        )
    if reduce not in _INDEX_REDUCTIONS:
        raise RuntimeError(
            "index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got "
            f"{reduce}."
        )
    shape = [1] * source.dim()
    dim = dim % max(source.dim(), 1)
    shape[dim] = -1
    spread = index.reshape(shape).expand(*source.shape)
    out = scatter_reduce(input, dim, spread, source, reduce, include_self=include_self)
    return under_node(out, "IndexReduceBackward0", copy=False)


def empty_permuted(
    size: Sequence[int],
    physical_layout: Sequence[int],
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    **kwargs: Any,
) -> Tensor:
    """An uninitialized tensor of ``size`` whose dimensions lie in memory in the order
    ``physical_layout`` (outermost first): a permuted view of a contiguous buffer."""
    size, layout = tuple(size), tuple(physical_layout)
    if len(size) != len(layout):
        raise RuntimeError(
            "Number of dimensions in size does not match the length of the physical_layout; "
            f"i.e. len(size) = {len(size)} is not equal to len(physical_layout) = {len(layout)}"
        )
    inverse = [0] * len(layout)
    for position, d in enumerate(layout):
        inverse[d] = position
    base = creation.empty(tuple(size[d] for d in layout), dtype=dtype, device=device)
    out = base.permute(*inverse)
    return out.requires_grad_() if requires_grad else out


_DEBUG_MODES = ("default", "warn", "error")
_DEBUG_MODE = [0]


def set_deterministic_debug_mode(debug_mode: str | int) -> None:
    """Record the mode (jitgrad's kernels are deterministic, so nothing ever warns)."""
    if isinstance(debug_mode, str):
        if debug_mode not in _DEBUG_MODES:
            raise RuntimeError(
                "invalid value of debug_mode, expected one of `default`, `warn`, `error`, but "
                f"got {debug_mode}"
            )
        debug_mode = _DEBUG_MODES.index(debug_mode)
    if debug_mode not in (0, 1, 2):
        raise RuntimeError(
            f"invalid value of debug_mode, expected 0, 1, or 2, but got {debug_mode}"
        )
    _DEBUG_MODE[0] = debug_mode


def get_deterministic_debug_mode() -> int:
    return _DEBUG_MODE[0]


def get_device_module(device: Any = None) -> ModuleType:
    """``torch.cuda`` or ``torch.cpu`` ..., for a device or its type (default: the CPU)."""
    kind = "cpu" if device is None else getattr(device, "type", str(device).split(":")[0])
    module = sys.modules.get(f"jitgrad.{kind}")
    if module is None:
        raise RuntimeError(
            f"Device '{kind}' does not have a corresponding module registered as 'torch.{kind}'."
        )
    return module


HistogramddResult = named_result("histogramdd", ("hist", "bin_edges"))


def histogramdd(
    input: Tensor,  # noqa: A002 - PyTorch's name
    bins: Any,
    *,
    range: Sequence[float] | None = None,  # noqa: A002 - PyTorch's name
    weight: Tensor | None = None,
    density: bool = False,
) -> Any:
    """The D-dimensional histogram of the points in ``input``'s last dimension (NumPy's
    ``histogramdd``: the last bin of each dimension includes its right edge)."""
    if not input.dtype.is_floating_point:
        names = {"int64": "Long", "int32": "Int", "bool": "Bool"}
        kind = names.get(input.dtype.name, input.dtype.name)
        raise NotImplementedError(f"\"histogramdd\" not implemented for '{kind}'")
    if input.dim() < 2:
        raise RuntimeError("torch.histogramdd: input tensor should have at least 2 dimensions")
    points = input.detach().numpy().reshape(-1, input.shape[-1])
    if isinstance(bins, list | tuple) and bins and isinstance(bins[0], Tensor):
        bins = [b.detach().numpy() for b in bins]
    pairs = (
        None
        if range is None
        else [tuple(range[i : i + 2]) for i in builtins.range(0, len(range), 2)]
    )
    w = None if weight is None else weight.detach().numpy().reshape(-1)
    hist, edges = np.histogramdd(points, bins=bins, range=pairs, weights=w, density=density)
    dt = input.dtype
    return HistogramddResult(
        creation.tensor(hist.astype(dt.np), dtype=dt),
        tuple(creation.tensor(e.astype(dt.np), dtype=dt) for e in edges),
    )


def is_distributed(input: Tensor) -> bool:  # noqa: A002 - PyTorch's name
    return False


def init_num_threads() -> None:
    """Numba's thread pool starts with its first parallel kernel: nothing to do here."""


def _resize_(self: Tensor, *sizes: Any, memory_format: Any = None) -> Tensor:
    """Resize in place: the first elements kept (a view of them when fewer), zeros after."""
    shape = A.int_list("resize_", "size", sizes)
    if self.requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    n = math.prod(shape)
    flat = self._value.reshape(-1)
    if n <= flat.size:
        self._value = flat[:n].reshape(shape)
    else:
        grown = np.zeros(n, dtype=flat.dtype)
        grown[: flat.size] = flat
        self._value = grown.reshape(shape)
    self._bump()
    return self


def _resize_as_(self: Tensor, other: Tensor, *, memory_format: Any = None) -> Tensor:
    return _resize_(self, tuple(other.shape))


def _is_set_to(self: Tensor, other: Tensor) -> bool:
    """Whether both are the same view of the same memory (pointer, shape and strides)."""
    return (
        self.data_ptr() == other.data_ptr()
        and self.shape == other.shape
        and self.stride() == other.stride()
    )


def _raise(kind: type, message: str) -> Any:
    def move(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        raise kind(message)

    return move


METHODS: dict[str, Any] = {
    "index_reduce": index_reduce,
    "index_reduce_": written_into_self(index_reduce, "index_reduce_"),
    "resize_": A.int_list_method(_resize_, "resize_", "size"),  # (x.resize_(size=...))
    "resize_as_": _resize_as_,
    "is_set_to": _is_set_to,
    "const_data_ptr": lambda self: self.data_ptr(),
    "dense_dim": lambda self: self.dim(),
    "sparse_dim": lambda self: 0,
    "name": property(lambda self: None),
    "grad_dtype": property(lambda self: self.dtype),
    "xpu": _raise(AssertionError, "Torch not compiled with XPU enabled"),
    "ipu": _raise(RuntimeError, "PyTorch is not linked with support for ipu devices"),
    "mtia": _raise(
        AssertionError,
        "Torch not compiled with MTIA enabled. Ensure you have `import "
        "mtia.host_runtime.torch_mtia.dynamic_library` in your python src file and include "
        "`//mtia/host_runtime/torch_mtia:torch_mtia` as your target dependency!",
    ),
}

TOP_LEVEL: dict[str, Any] = {
    "convolution": convolution,
    "index_reduce": index_reduce,
    "empty_permuted": empty_permuted,
    "histogramdd": histogramdd,
    "set_deterministic_debug_mode": set_deterministic_debug_mode,
    "get_deterministic_debug_mode": get_deterministic_debug_mode,
    "get_device_module": get_device_module,
    "is_distributed": is_distributed,
    "init_num_threads": init_num_threads,
}


def bind() -> dict[str, Any]:
    """Attach :data:`METHODS` to ``Tensor``; return :data:`TOP_LEVEL` for the namespace."""
    for name, fn in METHODS.items():
        setattr(Tensor, name, fn)
    return TOP_LEVEL
