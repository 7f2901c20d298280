"""Indexing: ``t[key]``, ``t[key] = v``, gather/scatter, index_select, masked_fill, nonzero.

The public names of two modules, as the Tensor methods and ``jitgrad.*`` functions bind them:
:mod:`.subscript` (``t[key]`` and ``t[key] = v``, with PyTorch's view-then-gather order)
and :mod:`.gather_scatter` (the ops that take an index tensor or a mask).
"""

from __future__ import annotations

from typing import Any

from .clamp_where import nonzero
from .gather_scatter import (
    gather,
    index_select,
    masked_fill,
    masked_fill_,
    scatter,
    scatter_add,
    take_along_dim,
    take_along_dim_method,
)
from .subscript import getitem, setitem

__all__ = [
    "gather",
    "index_select",
    "masked_fill",
    "nonzero",
    "scatter",
    "scatter_add",
    "take_along_dim",
]


def _delitem(self: Any, key: Any) -> None:
    """``del t[i]``: PyTorch's TypeError (Python would say AttributeError: no __delitem__)."""
    raise TypeError("Tensor does not support deleting items")


METHODS: dict[str, Any] = {
    "__getitem__": getitem,
    "__setitem__": setitem,
    "__delitem__": _delitem,
    "gather": gather,
    "index_select": index_select,
    "masked_fill": masked_fill,
    "masked_fill_": masked_fill_,
    "nonzero": nonzero,
    "scatter": scatter,
    "scatter_add": scatter_add,
    "take_along_dim": take_along_dim_method,
}
