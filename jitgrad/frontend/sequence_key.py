"""PyTorch's reading of index keys: a list used as an index (numpy's old rule, under which
a short list holding a sequence, tensor, slice, ``None`` or ``...`` is a tuple of indices:
``x[[[1, 2], [0, 0]]]`` is ``x[[1, 2], [0, 0]]``, with the deprecation warning PyTorch 2.13
still gives), and the slices its indexing skips."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..helpers import warn as warn_user
from .tensor import Tensor

SEQUENCE_KEY_WARNING = (
    "Using a non-tuple sequence for multidimensional indexing is deprecated and will be changed "
    "in pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will be "
    "interpreted as tensor index, x[torch.tensor(seq)], which will result either in an error "
    "or a different result"
)


def sequence_key(key: list) -> Any:
    """PyTorch's (numpy's old) rule for a list key: fewer than 32 items of which one is a
    sequence, tensor, slice, ``None`` or ``...`` means a tuple of indices (with PyTorch's
    deprecation warning); otherwise the list is one index."""
    if len(key) < 32 and any(
        isinstance(k, list | tuple | range | np.ndarray | Tensor | slice) or k is None
        or k is Ellipsis
        for k in key
    ):
        warn_user(SEQUENCE_KEY_WARNING, UserWarning, stacklevel=3)
        return tuple(key)
    return key


def whole_slice(it: slice, n: int) -> bool:
    """A slice of a dim of size ``n`` that PyTorch's indexing skips in a tuple key (the tensor
    itself, no ``SliceBackward0``): start 0 as given (a negative start is sliced), step 1, a
    stop at or past the end. A key that is one slice, not a tuple, is always sliced
    (``x[:]`` is a ``SliceBackward0``, ``x[:,]`` an ``AliasBackward0``). A step below 1 is
    PyTorch's error."""
    if it.step is not None and it.step <= 0:
        raise ValueError("step must be greater than zero")
    stop = it.stop
    reaches = stop is None or (isinstance(stop, int | np.integer) and stop >= n)
    return it.start in (None, 0) and it.step in (None, 1) and reaches
