"""The plain values a node shows after backward freed its saved tensors.

PyTorch frees only a node's saved tensors: ``GatherBackward0._saved_dim`` or
``MmBackward0._saved_self_sym_sizes`` still read after ``backward()``, while
``_saved_self`` raises the freed-graph error. jitgrad's ``_saved_*`` attributes are computed
when read from the node's record, which a backward drops whole; so the node's ``release``
reads the plain ones (not tensors, not None) just before, into the node's extras
(:func:`keeping_release`). Only nodes that saved tensors and show ``_saved_*`` attributes
pay it, once per backward.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..engine.sweep import FREED, FREED_MESSAGE
from . import tensor as _tensor


def keeping_release(parent: type) -> Callable[[Any], None]:
    """The ``release`` of a node class derived from ``parent`` with ``_saved_*`` properties
    (listed in its ``saved_names``), for the nodes that saved tensors. (A method in the class
    body, not a mixin base: a mixin would change the layout, and in-place ops move nodes
    between classes with ``__class__``.)"""
    free = parent.release

    def release(self: Any) -> None:
        saved = self._saved
        if saved is None or saved is FREED or not saved.tensors:
            # (a node keeping no tensor is not freed: it reads on; a softmax's result is
            # freed without keeping its dim: that cost its backward 8-12%, perf/RESULTS.md)
            free(self)
            return
        kept = {}
        for name in self.saved_names:
            try:
                value = getattr(self, name)
            except (AttributeError, RuntimeError):
                continue
            if value is not None and not isinstance(value, _tensor.Tensor):
                kept[name] = value
        free(self)
        if kept and self._saved is FREED:
            self.extras().kept = kept

    return release


def freed_value(node: Any, name: str) -> Any:
    """``node``'s ``name`` (``_saved_dim``) kept when its saved tensors were freed; the
    freed-graph error for a tensor (or anything not kept)."""
    extra = node._extra
    kept = extra.kept if extra is not None else None
    if kept is None or name not in kept:
        raise RuntimeError(FREED_MESSAGE)
    return kept[name]
