"""jitgrad: PyTorch's autograd dialect, every kernel compiled by Numba.

``import jitgrad as torch`` runs ordinary PyTorch autograd code. Elementwise ops are
declared once as expressions (``jitgrad/ops/elementwise.py``); their kernels, fused kernels
and differentiable backwards are generated from those declarations.
"""

from __future__ import annotations

import importlib as _importlib
import sys as _sys
from types import ModuleType as _ModuleType

from . import autograd, cuda, fft, func, linalg, random, special, version
from .autograd import forward_ad as _forward_ad  # noqa: F401 - torch.autograd.forward_ad
from .backends import meta as _meta  # noqa: F401 - the meta device (backends.meta_tensor.ABOVE)
from .backends.dlpack import from_dlpack
from .dtypes import (
    bfloat16,
    dtype,
    float16,
    float32,
    float64,
    get_default_dtype,
    int8,
    int16,
    int32,
    int64,
    set_default_dtype,
    uint8,
)
from .dtypes import (
    bool_ as bool,  # noqa: A004 - PyTorch's name
)
from .engine.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .frontend import creation as _creation
from .frontend import expression_namespace as _expression_namespace  # noqa: F401 - hands the public functions down to the backward
from .frontend import tensor as _tensor
from .frontend import tensor_meta as _tensor_meta
from .frontend._printing import set_printoptions
from .frontend.creation import (
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    get_default_device,
    linspace,
    logspace,
    ones,
    ones_like,
    set_default_device,
    tensor,
    zeros,
    zeros_like,
)
from .frontend.creation import deprecated_range as range  # noqa: A004 - PyTorch's name
from .frontend.einsum import *  # noqa: F403
from .frontend.functions import *  # noqa: F403
from .frontend.functions import abs, pow, round  # noqa: A004 - PyTorch's names
from .frontend.index_extra import *  # noqa: F403
from .frontend.indexing import *  # noqa: F403
from .frontend.inplace_functions import *  # noqa: F403
from .frontend.linalg import *  # noqa: F403
from .frontend.linalg_addmm import *  # noqa: F403
from .frontend.linalg_decomp import TOP_LEVEL as _LINALG_TOP_LEVEL
from .frontend.linalg_extra import TOP_LEVEL as _LINALG_EXTRA
from .frontend.linalg_lu_solve import TOP_LEVEL as _LINALG_LU
from .frontend.linalg_more import *  # noqa: F403
from .frontend.linalg_spectral import svd_torch as svd
from .frontend.movement import *  # noqa: F403
from .frontend.reduce import *  # noqa: F403
from .frontend.sampling import *  # noqa: F403
from .frontend.sorting import *  # noqa: F403
from .frontend.special import *  # noqa: F403
from .frontend.stats import *  # noqa: F403
from .frontend.structure import *  # noqa: F403
from .frontend.tensor import Size, Tensor, device
from .func import vmap
from .helpers import missing_attribute
from .legacy_tensors import (
    BFloat16Tensor,
    BoolTensor,
    ByteTensor,
    CharTensor,
    DoubleTensor,
    FloatTensor,
    HalfTensor,
    IntTensor,
    LongTensor,
    ShortTensor,
)
from .methods import bind as _bind
from .random import (
    Generator,
    default_generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    seed,
    set_rng_state,
)
from .tensor_api import bind as _bind_api
from .typeinfo import *  # noqa: F403

float = float32  # noqa: A001
double = float64
long = int64
int = int32  # noqa: A001
short = int16
half = float16

_bind()
globals().update(_bind_api())  # the rest of the everyday API (jitgrad/tensor_api.py)
globals().update(_LINALG_TOP_LEVEL)  # torch.inverse, torch.det, torch.logdet ...
globals().update(_LINALG_EXTRA)  # torch.pinverse, torch.matrix_power
globals().update(_LINALG_LU)  # torch.lu, torch.lu_solve, torch.lu_unpack
Tensor.__module__ = "jitgrad"  # ``type(t)`` prints <class 'jitgrad.Tensor'>, as torch.Tensor
# and torch.Size, torch.device: so they pickle by their public names, wherever the code lives
Size.__module__ = device.__module__ = "jitgrad"
# The old import paths of the front end's Tensor modules, for programs and pickles that name
# them: the same module objects, registered (not files, so that ``import jitgrad.tensor`` finds
# the entry and leaves the package's attribute ``tensor``, the function, alone).
for _old, _module in (("tensor", _tensor), ("tensor_meta", _tensor_meta), ("creation", _creation)):
    _sys.modules[f"{__name__}.{_old}"] = _module


def _cuda_backend() -> _ModuleType:
    """torch.cuda's backend module, imported at its first use (see jitgrad.cuda)."""
    # on demand: the backend imports numba.cuda, which import jitgrad must never do
    return _importlib.import_module("jitgrad.backends.cuda.api")


cuda.ABOVE.load = _cuda_backend

# After the package jitgrad.fusion is imported: the name ``jitgrad.fusion`` becomes the
# switch (its submodules stay importable through sys.modules).
from . import viz  # noqa: E402
from .engine.fusion_mode import fusion  # noqa: E402
from .explain import cache_info, clear_cache, explain  # noqa: E402

__version__ = version.__version__  # torch.__version__ and torch.version.__version__

# A non-Tensor first argument gets PyTorch's TypeError (the elementwise functions check
# their operands themselves, once per signature, and stay unwrapped: they are the hot path).
from . import amp, nn, optim, profiler, testing, utils  # noqa: E402 - they use bound methods
from .amp import (  # noqa: E402
    autocast,
    get_autocast_dtype,
    is_autocast_cpu_enabled,
    is_autocast_enabled,
)
from .frontend import argcheck as _argcheck  # noqa: E402
from .functional_aliases import bind as _bind_aliases  # noqa: E402 - needs nn

globals().update(_bind_aliases())  # torch.conv2d, torch.batch_norm, torch.kl_div ...
from .frontend import out as _out  # noqa: E402
from .serialization import load, save  # noqa: E402

_argcheck.guard_inputs(
    globals(),
    "sum mean prod var std amax amin max min argmax argmin logsumexp norm all any softmax "
    "log_softmax cumsum reshape flatten unflatten squeeze unsqueeze transpose swapaxes permute "
    "movedim moveaxis tile t broadcast_to split chunk unbind flip narrow select gather "
    "index_select masked_fill nonzero scatter scatter_add take_along_dim zeros_like ones_like "
    "empty_like full_like addmm",
)
# ``out=`` on the functions PyTorch gives it (the elementwise ones take it themselves).
_out.accept_out(
    globals(),
    "add sub subtract div divide true_divide pow clamp clip clamp_min clamp_max floor_divide "
    "lerp addcmul addcdiv logit round square where rsub atan2 matmul mm bmm mv dot addmm outer "
    "cat concat concatenate stack hstack vstack sum mean prod max min amax amin argmax argmin "
    "cumsum cumprod logsumexp std var norm sort topk index_select gather masked_select diag triu "
    "tril angle",
    "zeros ones empty full rand randn randint arange linspace logspace eye randperm",
)


def is_tensor(obj: object) -> bool:
    return isinstance(obj, Tensor)


def numel(t: Tensor) -> int:
    return t.numel()


# torch.jit and friends, over nn.functional and the Tensor API (torch.distributions: _LAZY).
from . import api_names as _api_names  # noqa: E402
from . import distributed, jit, multiprocessing  # noqa: E402
from .api_more import bind as _bind_more  # noqa: E402
from .api_names import *  # noqa: E402,F403 - memory formats, layouts, removed functions
from .api_tensor_more import bind as _bind_tensor_more  # noqa: E402
from .aten_forms import bind as _bind_aten_forms  # noqa: E402
from .device_modules import accelerator, cpu, mps, mtia, xpu  # noqa: E402
from .eager_control import *  # noqa: E402,F403 - torch.cond, while_loop, sym_*
from .frontend.copy_ops import TOP_LEVEL as _COPY_OPS  # noqa: E402
from .numeric_gradient import gradient  # noqa: E402
from .torch_aliases import TOP_LEVEL as _TORCH_ALIASES  # noqa: E402

globals().update(_COPY_OPS)  # torch.view_copy, torch.permute_copy ...
globals().update(_bind_more())  # torch.convolution, index_reduce, Tensor.resize_ ...
globals().update(_TORCH_ALIASES)  # torch.rms_norm, torch.constant_pad_nd, torch.qr ...
globals().update(_bind_aten_forms())  # torch.lstm_cell, native_layer_norm, torch.functional
globals().update(_bind_tensor_more())  # torch.as_strided_scatter, Tensor.set_, as_subclass ...
_api_names.bind()  # Tensor.layout, pin_memory, share_memory_, to_dense ...
# sort/argsort/topk behind PyTorch's argument parser; then NumPy's ``axis=``/``keepdims=`` on
# the parser-bound ops with a ``dim``, once all are bound.
from .frontend import numpy_names as _numpy_names  # noqa: E402
from .frontend import schema_parse as _schema_parse  # noqa: E402

_schema_parse.bind(globals(), Tensor)
_numpy_names.accept(globals(), Tensor)

# The old import paths of the front-end modules that moved from the top level into frontend/
# (issue 14): the same module objects, registered as the Tensor modules' are above; they stay
# attributes of the package, as they were when they lived here (all but progress, which no
# module imported at package load: importing it by its old path still finds it).
from .frontend import _printing, argcheck, copy_ops, overloads, progress, sampling  # noqa: E402

for _module in (_printing, argcheck, copy_ops, overloads, progress, sampling):
    _sys.modules[f"{__name__}.{_module.__name__.rpartition('.')[2]}"] = _module
del progress

# With JITGRAD_GC_FREEZE=1, the objects alive once the heap settles (after import, after kernels
# load) are kept out of the cycle collector's full collections (engine/heap.py; off by default).
from .engine import heap as _heap  # noqa: E402

_heap.install()

#: Loaded at their first use, not by ``import jitgrad``: torch.compile's front end (the
#: capture package and its op table) and torch.distributions: 92 modules, ~6% of the
#: instructions of every process that imports jitgrad (a test's child, a user's first run: Run
#: subproc19).
#: name -> (module, attribute or None for the module itself). A device backend installed
#: before they load reroutes their by-name imports then (opwrap.reroute_package).
_LAZY = {
    "compile": ("jitgrad.capture", "compile"),
    "capture": ("jitgrad.capture", None),
    "compiler": ("jitgrad.compiler", None),
    "_dynamo": ("jitgrad._dynamo", None),
    "distributions": ("jitgrad.distributions", None),
    "_sample_dirichlet": ("jitgrad.distributions.gamma", "_sample_dirichlet"),
    "_standard_gamma": ("jitgrad.distributions.gamma", "_standard_gamma"),
}
#: ``jitgrad.<name>`` for a PyTorch name jitgrad lacks says so (AttributeError).
_missing = missing_attribute("jitgrad")


def __getattr__(name: str) -> object:
    where = _LAZY.get(name)
    if where is None:
        return _missing(name)
    module = _importlib.import_module(where[0])  # defers a cost: see _LAZY
    value = module if where[1] is None else getattr(module, where[1])
    globals()[name] = value  # later lookups find it without this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


del _creation, _tensor, _tensor_meta, _old, _module, _heap, _numpy_names, _schema_parse
del annotations, missing_attribute  # not PyTorch's names (PyTorch's namespace is the spec)
