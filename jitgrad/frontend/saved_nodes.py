"""PyTorch's ``grad_fn._saved_*`` attributes of the view, split and index nodes
(``TransposeBackward0._saved_dim0``, ``SliceBackward0._saved_start`` ...), read when asked from
what each node's backward already captured (:func:`~.recording.saved_attributes`): the
variables of the closures in :mod:`.views`, the ``partial`` arguments of
:mod:`.join_split`'s pieces, :mod:`.gather_scatter`'s closures. Recording keeps nothing more.

The names read here are those closures' variable names: tests/test_saved_attrs.py reads every
attribute, so renaming one there shows as a missing attribute.
"""

from __future__ import annotations

from typing import Any

from .recording import closure, saved_attributes, shown_int


def _int(var: str) -> Any:
    return lambda s: shown_int(closure(s.fn)[var])


def _sizes_of(var: str) -> Any:
    return lambda s: tuple(closure(s.fn)[var])


def _only_index(key: tuple) -> tuple[int, Any]:
    """A one-dim basic index ``(:, ..., :, item)``: the dim and its item (KeyError for any
    other key: a node recorded for several dims at once shows none)."""
    full = slice(None)
    while key and (key[-1] == full or key[-1] is Ellipsis):  # (x[1:3, :] slices one dim)
        key = key[:-1]
    *lead, item = key
    if any(k != full for k in lead):
        raise KeyError(key)
    return len(lead), item


def _slice_dim(cells: dict) -> int:
    """A ``SliceBackward0``'s dim: as passed to ``narrow`` (its backward keeps it), or read
    from a subscript's key (``x[:, 1:3]``, whose dim PyTorch shows wrapped)."""
    return shown_int(cells["dim"]) if "dim" in cells else _only_index(cells["key"])[0]


def _slice_part(part: str) -> Any:
    """A ``SliceBackward0``'s start/end/step as PyTorch shows them (an open end: INT64_MAX)."""
    default = {"start": 0, "stop": (1 << 63) - 1, "step": 1}[part]

    def get(s: Any) -> int:
        cells = closure(s.fn)
        key = cells["key"]
        item = key[-1] if "dim" in cells else _only_index(key)[1]  # (narrow's: its last)
        value = getattr(item, part)
        return default if value is None else shown_int(value)

    return get


saved_attributes("TransposeBackward0", dim0=_int("dim0"), dim1=_int("dim1"))
saved_attributes("PermuteBackward0", dims=lambda s: tuple(map(shown_int, closure(s.fn)["dims"])))
for _name in (
    "ViewBackward0",
    "UnsafeViewBackward0",
    "ExpandBackward0",
    "SqueezeBackward0",
):
    saved_attributes(_name, self_sym_sizes=_sizes_of("shape"))
# squeeze's backward carries the dim(s) as passed as its ``saved_dim`` (views.squeeze)
saved_attributes(
    "SqueezeBackward1", self_sym_sizes=_sizes_of("shape"), dim=lambda s: shown_int(s.fn.saved_dim)
)
saved_attributes(
    "SqueezeBackward2",
    self_sym_sizes=_sizes_of("shape"),
    dim=lambda s: tuple(map(shown_int, s.fn.saved_dim)),
)
saved_attributes("UnsqueezeBackward0", dim=_int("dim"))


def _select(s: Any) -> tuple[int, int]:
    """A ``SelectBackward0``'s dim and index: as passed to ``select`` (its backward keeps
    them), or read from a subscript's key (``x[:, 2]``, whose dim PyTorch shows wrapped)."""
    cells = closure(s.fn)
    if "index" in cells:
        return shown_int(cells["dim"]), shown_int(cells["index"])
    dim, index = _only_index(cells["key"])
    return dim, shown_int(index)


saved_attributes(
    "SelectBackward0",
    dim=lambda s: _select(s)[0],
    index=lambda s: _select(s)[1],
    self_sym_sizes=_sizes_of("shape"),
)
saved_attributes(
    "SliceBackward0",
    dim=lambda s: _slice_dim(closure(s.fn)),
    start=_slice_part("start"),
    end=_slice_part("stop"),
    step=_slice_part("step"),
    self_sym_sizes=_sizes_of("shape"),
)


# join_split: a split's or unbind's backward is partial(_pieces_backward, name, keys, dim,
# shape, dt, shapes), ``dim`` as passed
def _split_size(s: Any) -> int:
    """A ``SplitBackward0``'s size: its first piece's (KeyError when that piece is the whole
    dim: the size asked for may have been any larger one)."""
    _, _, dim, shape, _, shapes = s.fn.args
    d = dim % len(shape)
    if shapes[0][d] == shape[d]:
        raise KeyError(dim)
    return shapes[0][d]


def _split_dim(s: Any) -> int:
    return shown_int(s.fn.args[2])


def _split_sizes(s: Any) -> tuple[int, ...]:
    return tuple(s.fn.args[3])


saved_attributes("UnbindBackward0", dim=_split_dim)
saved_attributes(
    "SplitBackward0", dim=_split_dim, self_sym_sizes=_split_sizes, split_size=_split_size
)
saved_attributes(
    "SplitWithSizesBackward0",
    dim=_split_dim,
    self_sym_sizes=_split_sizes,
    split_sizes=lambda s: tuple(p[s.fn.args[2] % len(p)] for p in s.fn.args[5]),
)
# gather_scatter: gather's backward captures ``shape``, ``dim`` as passed and ``index``;
# index_select's (subscript._take's) saves the index tensor (its dim is kept wrapped only)
# (its backward carries sparse_grad; the input is its last saved tensor)
saved_attributes(
    "GatherBackward0",
    dim=_int("dim"),
    index=lambda s: closure(s.fn)["index"],
    self=lambda s: s.tensors[-1],
    sparse_grad=lambda s: s.fn.sparse_grad,
)
saved_attributes(
    "IndexSelectBackward0",
    dim=lambda s: shown_int(s.fn.saved_dim),  # (set by index_select)
    index=lambda s: s.tensors[0],
    self_sym_sizes=lambda s: tuple(closure(s.fn)["plan"].vshape),
)

# join_split.repeat: its backward captures ``pairs`` (repeat, size per dim) and ``xshape``
saved_attributes(
    "RepeatBackward0",
    repeats=lambda s: tuple(closure(s.fn)["pairs"][::2]),
    self_sym_sizes=_sizes_of("xshape"),
)


def mm_saved(operands: Any) -> dict:
    """``MmBackward0``'s getters, ``operands(saved)`` giving ``(self, mat2)``: PyTorch saves
    ``mat2`` and ``self``'s strides for ``self``'s gradient only (else None and ``()``), and
    ``self`` and ``mat2``'s strides for ``mat2``'s."""

    def tensor(i: int) -> Any:
        def get(s: Any) -> Any:
            pair = operands(s)
            return pair[i] if pair[1 - i].requires_grad else None

        return get

    def sizes(i: int) -> Any:
        return lambda s: tuple(operands(s)[i].shape)

    def strides(i: int) -> Any:
        def get(s: Any) -> tuple:
            t = operands(s)[i]
            return tuple(t.stride()) if t.requires_grad else ()

        return get

    return {
        "self": tensor(0),
        "mat2": tensor(1),
        "self_sym_sizes": sizes(0),
        "mat2_sym_sizes": sizes(1),
        "self_sym_strides": strides(0),
        "mat2_sym_strides": strides(1),
    }


# linalg.mm: its backward captures ``input`` and ``mat2``
saved_attributes(
    "MmBackward0", **mm_saved(lambda s: (closure(s.fn)["input"], closure(s.fn)["mat2"]))
)
