"""NumPy's argument names that PyTorch's argument parser takes for its own: ``axis`` for
``dim`` and ``keepdims`` for ``keepdim`` (``numpy_compatibility_arg_names`` in
``torch/csrc/utils/python_arg_parser.cpp``). Every function the parser binds accepts them, so
``x.squeeze(axis=1)``, ``torch.gather(x, axis=2, index=i)`` and ``x.median(axis=0,
keepdims=True)`` work in PyTorch; ops defined in Python there (``Tensor.unique_consecutive``,
``flip``'s ``dims``) do not.

The hot reductions (``sum``, ``mean``, ``max``...) and ``cat``/``stack``/``chunk`` take
``axis`` in their own signatures. The rest of the parser-bound ops with a ``dim`` are wrapped
here once, after binding, by name (the lists below: PyTorch 2.13's ``torch.<name>`` builtins
and ``Tensor`` method descriptors with a ``dim`` argument): the wrapper renames the keywords
and calls the op, so an op's own signature stays the one place its arguments are read.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from ..helpers import pass_through
from .overloads import as_written

#: parser-bound ops taking ``dim``: ``torch.<name>`` (FUNCTIONS) and ``Tensor.<name>`` (METHODS)
FUNCTIONS = (
    "all amax amin aminmax any argsort cat chunk concat cosine_similarity count_nonzero cross "
    "cummax cummin cumprod cumsum cumulative_trapezoid diff gather gradient index_add index_copy "
    "index_fill index_reduce index_select kthvalue logcumsumexp logsumexp median mode nanmean "
    "nanmedian nanquantile nansum narrow narrow_copy pairwise_distance quantile renorm "
    "repeat_interleave scatter scatter_add scatter_reduce select select_scatter slice_scatter "
    "softmax sort squeeze stack std_mean take_along_dim tensor_split topk trapezoid trapz unbind "
    "unflatten unsafe_chunk unsafe_split unsqueeze var_mean"
).split()
METHODS = (
    "all amax amin aminmax any argsort chunk count_nonzero cross cummax cummin cumprod cumprod_ "
    "cumsum cumsum_ diff gather index_add index_add_ index_copy index_copy_ index_fill "
    "index_fill_ index_reduce index_reduce_ index_select kthvalue logcumsumexp logsumexp median "
    "mode nanmean nanmedian nanquantile nansum narrow narrow_copy quantile renorm renorm_ "
    "repeat_interleave scatter scatter_ scatter_add scatter_add_ scatter_reduce scatter_reduce_ "
    "select select_scatter slice_scatter softmax sort squeeze squeeze_ take_along_dim "
    "tensor_split topk unbind unsafe_chunk unsafe_split unsqueeze unsqueeze_"
).split()

_SPELLINGS = (("axis", "dim"), ("keepdims", "keepdim"))


def _takes_axis(fn: Callable) -> bool:
    """Whether ``fn``'s own signature already names ``axis``."""
    try:
        return "axis" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return True  # nothing to read: leave it as it is


def _renamed(name: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    """``kwargs`` with NumPy's names replaced by PyTorch's; both given is an error."""
    out = dict(kwargs)
    for numpy_name, torch_name in _SPELLINGS:
        if numpy_name in out:
            if torch_name in out:
                raise TypeError(f"{name}() got multiple values for argument '{torch_name}'")
            out[torch_name] = out.pop(numpy_name)
    return out


def numpy_spelled(fn: Callable, method: bool = False) -> Callable:
    """``fn`` that also takes ``axis=``/``keepdims=`` for ``dim=``/``keepdim=`` (``method``:
    ``fn``'s first argument is ``self``, which PyTorch's messages leave out)."""
    name = getattr(fn, "__name__", "op")

    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        if kwargs and ("axis" in kwargs or "keepdims" in kwargs):
            try:
                return fn(*args, **_renamed(name, kwargs))
            except TypeError as err:  # an invalid-combination message names the call as given
                given = as_written(err, args[1:] if method else args, kwargs)
                if given is err:
                    raise
                raise given from None
        return fn(*args, **kwargs)

    return pass_through(call)


def accept(namespace: dict[str, Any], cls: type) -> None:
    """Wrap ``namespace[name]`` for ``FUNCTIONS`` and ``cls.<name>`` for ``METHODS`` (those
    present whose signature has no ``axis`` of its own)."""
    for name in FUNCTIONS:
        fn = namespace.get(name)
        if fn is not None and not _takes_axis(fn):
            namespace[name] = numpy_spelled(fn)
    for name in METHODS:
        fn = cls.__dict__.get(name)
        if fn is not None and not _takes_axis(fn):
            setattr(cls, name, numpy_spelled(fn, method=True))
