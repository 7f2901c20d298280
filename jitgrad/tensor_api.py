"""Binds the Tensor methods and ``jitgrad.<name>`` functions of the modules that complete
PyTorch's everyday API (:mod:`.tensor_inplace`, :mod:`.tensor_query`, :mod:`.math_extra`,
:mod:`.random_methods`, :mod:`.scatter_extra`, :mod:`.reduce_extra`, :mod:`.api_small`,
:mod:`.window_functions`, :mod:`.tensor_storage`), kept apart from :mod:`.methods` so that
module stays small."""

from __future__ import annotations

from typing import Any

from . import (
    api_small,
    complex_api,
    inference,
    math_extra,
    random_methods,
    reduce_extra,
    scatter_extra,
    spectral,
    tensor_inplace,
    tensor_query,
    tensor_storage,
    window_functions,
)
from .frontend.inplace_functions import function_form
from .frontend.tensor import Tensor

_MODULES = (
    tensor_inplace,
    tensor_query,
    math_extra,
    random_methods,
    scatter_extra,
    reduce_extra,
    api_small,
    complex_api,  # after api_small: the complex forms of its real-only conj, real, angle
    inference,
    window_functions,
    tensor_storage,
    spectral,
)


def bound_names() -> list[str]:
    """The Tensor attributes :func:`bind` sets."""
    return [name for module in _MODULES for name in module.METHODS]


def bind() -> dict[str, Any]:
    """Attach the methods to ``Tensor``; return the functions for the ``jitgrad`` namespace."""
    top: dict[str, Any] = {}
    for module in _MODULES:
        for name, fn in module.METHODS.items():
            setattr(Tensor, name, fn)
        top.update(getattr(module, "TOP_LEVEL", {}))
    for name in tensor_inplace.TOP_LEVEL_INPLACE:
        top.setdefault(name, function_form(name))
    return top
