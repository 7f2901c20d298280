"""The node PyTorch 2.13 records for ``t[key] = value`` (one backward, PyTorch's name).

PyTorch lowers ``__setitem__`` to a chain of view ops then a write: when the key makes no
view (only ``:`` / ``...`` items), the write lands on ``t`` itself and the node is the write's
own: ``index_put_`` (``IndexPutBackward0``) for index tensors and masks, ``fill_``
(``FillBackward3``) for a number or 0-d tensor, ``copy_`` (``CopyBackwards``) otherwise. A
key with an int, a partial slice, None or a bare bool makes a view first, and writing into
a view records ``CopySlices``; so does any write into a view of another tensor.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def setitem_node(basic: tuple, adv: list, value: Any, through_view: bool) -> str:
    """The node name for a write whose parsed key is ``basic`` (numpy basic index items)
    and ``adv`` (advanced index arrays); ``through_view``: ``t`` is a view of its base."""
    if through_view or any(b != slice(None) for b in basic):
        return "CopySlices"
    if adv:
        return "IndexPutBackward0"
    shape = getattr(value, "shape", None)
    if shape is None:
        shape = np.shape(value)
    return "FillBackward3" if len(shape) == 0 else "CopyBackwards"
