"""How a view reads its root, for a write through the view (``CopySlices``).

A write ``v[key] = x`` into a view ``v`` of a root with history rebases the root (as PyTorch
does). The backward must know where ``v``'s values sit in the root, and how they read:

- a region of the root (``geometry``: shape, element strides and offset);
- of the root's real pairs when ``v`` is real and the root complex (``.real``, ``.imag``,
  ``view_as_real``): the geometry counts real elements of the (..., 2) reinterpretation,
  so a write into the imaginary parts leaves the real parts' gradient alone; of the
  root's complex reinterpretation when ``v`` is complex and the root real
  (``view_as_complex``);
- flipped when ``v`` carries a conj or neg bit (``.conj()``, ``.conj().imag``): the stored
  memory holds ``flip(x)``, so the gradient of ``x`` is ``flip`` of the region's.

Apart from :mod:`.subscript` so that the indexing front end stays one concern; this module
knows nothing of keys.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .. import dtypes as D
from .bit_views import BIT_VIEWS, ConjView
from .conjugate import conj, neg_view
from .copying import contiguous_array
from .recording import node_class, record
from .strided_region import geometry, strided
from .tensor import _VALUE, Tensor, _make


class Relation(NamedTuple):
    geom: tuple  # (shape, element strides, element offset) into the root's space
    space: str | None  # "pairs": a real view of a complex root; "complex": the reverse
    shape: tuple[int, ...]  # the root's shape in its space
    root_shape: tuple[int, ...]
    flip: type | None  # ConjView / NegView: the view's values are the stored ones flipped


def relation(view: Tensor, root: Tensor) -> Relation:
    """Where ``view``'s stored values sit in C-contiguous ``root``'s memory."""
    rarr, space = root._value, None
    if root._dtype.is_complex and not view._dtype.is_complex:
        rarr, space = rarr[..., None].view(D.real_of(root._dtype).np), "pairs"
    elif view._dtype.is_complex and not root._dtype.is_complex:  # view_as_complex of a root
        shape = rarr.shape[:-1] if rarr.shape[-1:] == (2,) else (rarr.size // 2,)
        rarr, space = rarr.reshape(*shape, 2).view(D.complex_of(root._dtype).np)[..., 0], "complex"
    bits = type(view)
    flip = bits if bits is not Tensor and bits in BIT_VIEWS else None
    geom = geometry(_VALUE.__get__(view), rarr)
    return Relation(geom, space, rarr.shape, tuple(root._value.shape), flip)


def as_pairs(t: Tensor) -> Tensor:
    """``t``'s values as (..., 2) real pairs (``ViewAsRealBackward0``), a new tensor: the
    differentiable reinterpretation the write's backward reads a complex gradient through."""
    dt = D.real_of(t._dtype)
    arr = contiguous_array(t._value, t._dtype)[..., None].view(dt.np)
    return record("ViewAsRealBackward0", arr, dt, (t,), from_pairs)


def from_pairs(t: Tensor) -> Tensor:
    """(..., 2) real pairs as complex values (``ViewAsComplexBackward0``), a new tensor."""
    dt = D.complex_of(t._dtype)
    arr = np.ascontiguousarray(t._value).view(dt.np)[..., 0]
    return record("ViewAsComplexBackward0", arr, dt, (t,), as_pairs)


def root_space(g: Tensor, rel: Relation) -> Tensor:
    """The root's gradient in the space the geometry counts (its real pairs, its complex
    reinterpretation, or itself)."""
    if rel.space == "pairs":
        return as_pairs(g)
    if rel.space == "complex":
        return from_pairs(g.reshape(*rel.shape, 2))
    return g


def from_space(g: Tensor, rel: Relation) -> Tensor:
    """The inverse of :func:`root_space`."""
    if rel.space == "pairs":
        return from_pairs(g)
    if rel.space == "complex":
        return as_pairs(g).reshape(rel.root_shape)
    return g


def logical(t: Tensor, rel: Relation) -> Tensor:
    """Stored values (or their gradient) read as the view reads them: both flips are their
    own inverses, so this maps either way."""
    if rel.flip is None:
        return t
    return conj(t) if rel.flip is ConjView else t.neg()


def reread(root: Tensor, rel: Relation, last: str | None = None) -> Any:
    """The view's history after the write: its values read from the rebased ``root``. The
    whole of a complex root as pairs is PyTorch's ``ViewAsRealBackward0`` replay. ``last``:
    the view's own node name before, when known: a conj view made by ``conj()`` replays as
    ``ConjBackward0``, one taken of a conj view (``y.conj()[1]``) as ``AsStridedBackward0``."""
    space = root_space(root, rel)
    shape, strides, offset = rel.geom
    whole = (
        rel.space is not None  # the whole complex root as pairs (a real root: AsStrided)
        and offset == 0
        and tuple(shape) == tuple(space.shape)
        and strides == _c_strides(shape)
    )
    region = space if whole else strided(space, rel.geom)
    if rel.flip is None:
        return region.grad_fn
    if rel.flip is ConjView:
        node = conj(region).grad_fn
        if last is not None and last != "ConjBackward0":
            node.__class__ = node_class("AsStridedBackward0", type(node))
        return node
    node = neg_view(region).grad_fn  # PyTorch replays a neg view as_strided: its name
    node.__class__ = node_class("AsStridedBackward0", type(node))
    return node


def operand_history(view: Tensor, root: Tensor) -> tuple[Any, int]:
    """The history (node, output number) of ``view``'s values as the operand of an in-place op
    through it: a fresh view of ``root``'s current history. PyTorch's ``CopySlices`` runs the
    op on the root's region, so ``view``'s own node, and the hooks registered on it before the
    write, are not on the gradient's path. Flipped or reinterpreting views, and roots that
    are not C-contiguous, keep the view's node."""
    if not root._value.flags.c_contiguous:
        return view.grad_fn, view._output_nr
    rel = relation(view, root)
    if rel.space is not None or rel.flip is not None:
        return view.grad_fn, view._output_nr
    old = _make(root._value, root._dtype, root.grad_fn, output_nr=root._output_nr)
    old._requires_grad = True
    return reread(old, rel), 0


def _c_strides(shape: tuple[int, ...]) -> tuple[int, ...]:
    out, step = [], 1
    for n in reversed(shape):
        out.append(step)
        step *= n
    return tuple(reversed(out))
