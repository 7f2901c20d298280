"""In-place forms that jitgrad computes out of place and writes back into ``self``.

PyTorch shows an in-place op on a tensor with history under the op's own node
(``(x * 1).index_add_(...)`` is ``IndexAddBackward0``, ``tril_`` ``TrilBackward0``); a plain
``self.copy_(op(self, ...))`` showed ``CopyBackwards`` in front of it instead. One helper for
every such form, so each shows PyTorch's node.
"""

from __future__ import annotations

from typing import Any

from ..helpers import pass_through


def written_into_self(fn: Any, name: str) -> Any:
    """``self.<name>(...)`` for an in-place form that jitgrad computes out of place: the
    result written into ``self`` (buffer, version and view checks: ``copy_``), then ``self``'s
    history is the op's own node, as PyTorch shows it (``IndexAddBackward0``,
    ``AddmvBackward0``, not ``CopyBackwards``), unless ``self`` is a view (its base's history
    goes through the copy, PyTorch's ``CopySlices``)."""

    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        res = fn(self, *args, **kwargs)
        self.copy_(res)
        if res.grad_fn is not None and self._base is None:
            self.grad_fn, self._output_nr = res.grad_fn, res._output_nr
        return self

    method.__name__ = name
    return pass_through(method)
