"""jitgrad: PyTorch's autograd dialect, every kernel compiled by Numba.

``import jitgrad as torch`` runs ordinary PyTorch autograd code. Elementwise ops are
declared once as expressions (``jitgrad/ops/elementwise.py``); their kernels, fused kernels
and differentiable backwards are generated from those declarations.
"""

from __future__ import annotations

from . import autograd, cuda
from ._printing import set_printoptions
from .autograd.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .creation import (
    BoolTensor,
    DoubleTensor,
    FloatTensor,
    IntTensor,
    LongTensor,
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    ones,
    ones_like,
    tensor,
    zeros,
    zeros_like,
)
from .dtypes import (
    bool_ as bool,  # noqa: A004 - PyTorch's name
)
from .dtypes import (
    dtype,
    float32,
    float64,
    get_default_dtype,
    int32,
    int64,
    set_default_dtype,
)
from .methods import bind as _bind
from .ops.functions import *  # noqa: F403
from .ops.functions import abs, pow, round  # noqa: A004 - PyTorch's names
from .ops.indexing import *  # noqa: F403
from .ops.linalg import *  # noqa: F403
from .ops.movement import *  # noqa: F403
from .ops.reduce import *  # noqa: F403
from .random import manual_seed, rand, randint, randn, randperm, seed
from .tensor import Size, Tensor, device

float = float32  # noqa: A001
double = float64
long = int64
int = int32  # noqa: A001
half = float32
cfloat = None

_bind()

# After the package jitgrad.fusion is imported: the name ``jitgrad.fusion`` becomes the
# switch (its submodules stay importable through sys.modules).
from . import viz  # noqa: E402
from .explain import cache_info, clear_cache, explain  # noqa: E402
from .fusion.control import fusion  # noqa: E402

__version__ = "0.1.0"

# A non-Tensor first argument gets PyTorch's TypeError (the elementwise functions check
# their operands themselves, once per signature, and stay unwrapped: they are the hot path).
from . import argcheck as _argcheck  # noqa: E402
from . import nn, optim  # noqa: E402 - nn and optim use the bound Tensor methods
from .serialization import load, save  # noqa: E402

_argcheck.guard_inputs(
    globals(),
    "sum mean prod var std amax amin max min argmax argmin logsumexp norm all any softmax "
    "log_softmax cumsum reshape flatten unflatten squeeze unsqueeze transpose swapaxes permute "
    "movedim moveaxis tile t broadcast_to split chunk unbind flip narrow select gather "
    "index_select masked_fill nonzero scatter scatter_add take_along_dim zeros_like ones_like "
    "empty_like full_like addmm",
)


def is_tensor(obj: object) -> bool:
    return isinstance(obj, Tensor)


def numel(t: Tensor) -> int:
    return t.numel()


def functional_namespace() -> dict:
    """Functions the op expressions may call, over Tensors (differentiable backward)."""
    from .ops import functions as F

    return {
        "exp": F.exp,
        "expm1": F.expm1,
        "log": F.log,
        "log1p": F.log1p,
        "log2": F.log2,
        "sqrt": F.sqrt,
        "sin": F.sin,
        "cos": F.cos,
        "tan": F.tan,
        "tanh": F.tanh,
        "abs": F.abs,
        "sign": F.sign,
        "floor": F.floor,
        "ceil": F.ceil,
        "round": F.round,
        "where": F._expression_where,
        "logical_and": F.logical_and,
        "logical_or": F.logical_or,
        "logical_not": F.logical_not,
        "maximum": F.maximum,
        "minimum": F.minimum,
        "isnan": F.isnan,
        "isinf": F.isinf,
        "isfinite": F.isfinite,
        "cast": lambda x: x,
    }
