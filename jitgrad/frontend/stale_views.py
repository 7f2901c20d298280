"""A stale view's new history (see :mod:`.view_registry`): PyTorch's ``AsStridedBackward0``
over its base's current ``grad_fn``, read where the view sits in the base's memory."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..engine.grad_mode import set_enabled
from .multi_view import KEY as MULTI_KEY
from .multi_view import STALE_MESSAGE
from .tensor import Tensor
from .view_registry import REGENERATE, stale_class
from .view_relation import relation, reread


def regenerate(view: Tensor) -> None:
    """Give ``view`` the history of its values read from its base now. Kept as it was when
    the base no longer requires grad (PyTorch's rule) or its layout is not the C-contiguous
    one the geometry counts in. An output of unbind/split/chunk raises PyTorch's error."""
    root = view._base
    if root is None or not root._requires_grad:
        return
    multi = view.__dict__.get(MULTI_KEY) if view.__dict__ else None
    if multi is not None:  # an unbind/split output (or a view of one): PyTorch refuses it,
        view.__class__ = stale_class(type(view))  # on every read (its grad_fn is "Invalid")
        raise RuntimeError(STALE_MESSAGE.format(nr=multi[1], op=multi[0]))
    if not root._value.flags.c_contiguous:
        return
    last = type(view.grad_fn).__name__  # (its node before: the slot, the class moved back)
    install(view, lambda: reread(root, relation(view, root), last))


def install(view: Tensor, build: Callable[[], Any]) -> None:
    """``view``'s new node, ``build()``, recorded with grad mode on (PyTorch regenerates under
    no_grad too); shared with the device's regeneration (its own way of reading the root)."""
    prev = set_enabled(True)
    try:
        node = build()
    finally:
        set_enabled(prev)
    view.grad_fn = node
    view._output_nr = 0
    view._requires_grad = True
    if view._retains_grad:
        view._retain_on_new_node()


REGENERATE[0] = regenerate
