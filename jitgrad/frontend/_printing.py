"""Text formatting of tensor values, character for character as PyTorch prints them.

``import jitgrad as torch`` promises the same output as PyTorch, and ``repr(tensor)`` is the most
visible output there is: doctests, notebooks and comparison scripts paste it verbatim. This module
only turns a numpy array (plus the suffix items the Tensor class chooses, such as
``requires_grad=True``) into that text, so the rules live in one place and can be tested against
real PyTorch without building tensors.

The rules reproduced here, in PyTorch's terms:

* One formatter per tensor picks a common element width and a float style (integer-valued
  ``1.``, fixed ``1.2500`` or scientific ``1.2500e+08``) from the nonzero finite values; when the
  tensor is summarized only the printed edge values are looked at.
* Rows wrap so that each line fits ``linewidth`` and nested dimensions are indented by the width
  of ``tensor(``; dimensions with more than ``2 * edgeitems`` entries print ``...`` once the
  element count is above ``threshold``.
* Suffix items follow after ``, `` and move to their own line when the line would get too long,
  using PyTorch's own (slightly generous) measure of the current line length.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

__all__ = ["format_tensor", "get_printoptions", "printoptions", "set_printoptions"]

_PREFIX = "tensor("


@dataclass
class _PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


_OPTS = _PrintOptions()

# profile name -> (precision, threshold, edgeitems, linewidth)
_PROFILES: dict[str, tuple[int, float, int, int]] = {
    "default": (4, 1000, 3, 80),
    "short": (2, 1000, 2, 80),
    "full": (4, math.inf, 3, 80),
}


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Change how tensors print, with PyTorch's semantics.

    A ``profile`` ("default", "short", "full") is applied first and the explicit arguments then
    override it. Like PyTorch, ``sci_mode`` is always assigned, so any call that omits it returns
    to automatic choice of scientific notation.
    """
    if profile is not None:
        if profile in _PROFILES:
            (_OPTS.precision, _OPTS.threshold, _OPTS.edgeitems, _OPTS.linewidth) = _PROFILES[
                profile
            ]
    if precision is not None:
        _OPTS.precision = precision
    if threshold is not None:
        _OPTS.threshold = threshold
    if edgeitems is not None:
        _OPTS.edgeitems = edgeitems
    if linewidth is not None:
        _OPTS.linewidth = linewidth
    _OPTS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """The current print options as a dict, so callers can save and restore them."""
    return asdict(_OPTS)


@contextmanager
def printoptions(**kwargs: Any) -> Iterator[None]:
    """Apply ``set_printoptions(**kwargs)`` for the duration of a ``with`` block."""
    saved = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**saved)


class _ElementFormatter:
    """Turns single elements into equal-width text.

    Width and float style must be decided once from the whole (summarized) tensor, not per
    element, or columns would not line up; that is why this is an object built from a sample.
    """

    def __init__(self, sample: np.ndarray) -> None:
        self.is_float = sample.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        flat = sample.reshape(-1)
        if not self.is_float:
            self.width = max([1, *(len(str(v)) for v in flat.tolist())])
            return
        shown = flat[np.isfinite(flat) & (flat != 0)]
        if shown.size == 0:
            return  # only zeros, nan and inf: print them at their natural width
        magnitudes = np.abs(shown.astype(np.float64))
        smallest, largest = float(magnitudes.min()), float(magnitudes.max())
        self.int_mode = bool(np.all(np.ceil(shown) == shown))
        if _OPTS.sci_mode is None:
            self.sci_mode = largest / smallest > 1000.0 or largest > 1.0e8 or smallest < 1.0e-4
        else:
            self.sci_mode = _OPTS.sci_mode
        if self.sci_mode:
            texts = [self._sci(v) for v in shown.tolist()]
        elif self.int_mode:
            texts = [f"{v:.0f}." for v in shown.tolist()]
        else:
            texts = [self._fixed(v) for v in shown.tolist()]
        self.width = max(self.width, *map(len, texts))

    @staticmethod
    def _sci(value: float) -> str:
        return f"{value:.{_OPTS.precision}e}"

    @staticmethod
    def _fixed(value: float) -> str:
        return f"{value:.{_OPTS.precision}f}"

    def __call__(self, value: Any) -> str:
        if not self.is_float:
            text = str(value)
        elif self.sci_mode:
            text = self._sci(value)
        elif self.int_mode:
            # nan/inf keep their plain spelling; finite values get a '.' to show they are floats
            text = f"{value:.0f}" + ("." if math.isfinite(value) else "")
        else:
            text = self._fixed(value)
        return text.rjust(self.width)


class _ComplexFormatter:
    """PyTorch's complex elements: the real and imaginary parts each get a formatter of their
    own (width, float style), the imaginary part's text is stripped and joined with its sign,
    so ``1.0000+2.j``; ``width`` is what a row's wrapping counts (both parts and the ``j``)."""

    def __init__(self, sample: np.ndarray) -> None:
        self.real = _ElementFormatter(np.ascontiguousarray(sample.real))
        self.imag = _ElementFormatter(np.ascontiguousarray(sample.imag))
        self.width = self.real.width + self.imag.width + 1

    def __call__(self, value: Any) -> str:
        value = complex(value)
        imag = (self.imag(value.imag) + "j").lstrip()
        return self.real(value.real) + (imag if imag[0] in "+-" else "+" + imag)


def _edge_sample(values: np.ndarray) -> np.ndarray:
    """The elements a summarized print actually shows, which alone decide its formatting."""
    edge = _OPTS.edgeitems
    if values.ndim == 0:
        return values
    n = values.shape[0]
    if values.ndim == 1:
        # note values[-0:] is the whole row, as in PyTorch when edgeitems is 0
        return np.concatenate([values[:edge], values[-edge:]]) if n > 2 * edge else values
    if edge == 0:
        return values[(slice(0, 0),) * values.ndim]
    rows = [*range(edge), *range(n - edge, n)] if n > 2 * edge else range(n)
    return np.stack([_edge_sample(values[i]) for i in rows])


def _row_text(row: np.ndarray, indent: int, summarize: bool, fmt: _ElementFormatter) -> str:
    """A 1-d row, wrapped so that whole elements fit in the line width."""
    edge = _OPTS.edgeitems
    per_line = max(1, math.floor((_OPTS.linewidth - indent) / (fmt.width + 2)))
    if summarize and edge == 0:
        cells = ["..."]
    elif summarize and row.shape[0] > 2 * edge:
        cells = [
            *map(fmt, row[:edge].tolist()),
            " ...",
            *map(fmt, row[-edge:].tolist()),
        ]
    else:
        cells = list(map(fmt, row.tolist()))
    lines = [", ".join(cells[i : i + per_line]) for i in range(0, len(cells), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested_text(values: np.ndarray, indent: int, summarize: bool, fmt: _ElementFormatter) -> str:
    """Bracketed text for any rank; outer dimensions are separated by ndim-1 newlines."""
    if values.ndim == 0:
        return fmt(values.item())
    if values.ndim == 1:
        return _row_text(values, indent, summarize, fmt)
    n, edge = values.shape[0], _OPTS.edgeitems
    inner = indent + 1
    if summarize and n > 2 * edge:
        parts = [
            *(_nested_text(values[i], inner, summarize, fmt) for i in range(edge)),
            "...",
            *(_nested_text(values[i], inner, summarize, fmt) for i in range(n - edge, n)),
        ]
    else:
        parts = [_nested_text(values[i], inner, summarize, fmt) for i in range(n)]
    separator = "," + "\n" * (values.ndim - 1) + " " * inner
    return "[" + separator.join(parts) + "]"


def _shape_items(values: np.ndarray, suffixes: Sequence[str]) -> list[str]:
    """Insert the suffix items that depend on the values' shape into the caller's items.

    PyTorch shows ``size=`` for empty tensors that are not 1-d (and whenever edgeitems is 0), and
    always names the dtype of an empty tensor unless it is the default float dtype. The caller
    already passes ``dtype=`` for every non-default dtype; only int64 and bool, which are
    "default" for non-empty tensors, are missing, so those are added here. Both go after any
    ``device=`` item and before the rest, which is where PyTorch puts them.
    """
    items = list(suffixes)
    extra = []
    if values.size == 0:
        if values.ndim != 1:
            extra.append(f"size={tuple(values.shape)}")
        if values.dtype.kind in "biuc" and not any(s.startswith("dtype=") for s in items):
            extra.append(f"dtype=jitgrad.{values.dtype.name}")
    elif _OPTS.edgeitems == 0:
        extra.append(f"size={tuple(values.shape)}")
    at = next((i for i, s in enumerate(items) if not s.startswith("device=")), len(items))
    return items[:at] + extra + items[at:]


def _close_with_suffixes(text: str, items: Sequence[str], indent: int) -> str:
    """Append ``, item`` pieces and the closing parenthesis, wrapping long lines like PyTorch.

    PyTorch's running line length starts two characters above the real length of the last line
    (and it still counts the ``, `` of the item being placed), so wrapping happens a little
    early; the same arithmetic is kept here so the break lands on the same item. An item is
    measured as PyTorch's (``dtype=torch.bfloat16``, two characters shorter than jitgrad's
    ``dtype=jitgrad.bfloat16``), so the lines break where PyTorch's do.
    """
    pieces = [text]
    column = len(text) - text.rfind("\n") + 1
    for item in items:
        width = len(item) - 2 * item.count("jitgrad.")
        if column + width + 2 > _OPTS.linewidth:
            pieces.append(",\n" + " " * indent + item)
            column = indent + width
        else:
            pieces.append(", " + item)
            column += width + 2
    pieces.append(")")
    return "".join(pieces)


def format_tensor(values: np.ndarray, suffixes: Sequence[str] = ()) -> str:
    """PyTorch's ``repr`` text for `values`, followed by the given suffix items.

    Produces ``tensor([1., 2.], requires_grad=True)``-style text for any shape, 0-d and empty
    included; the suffix items (e.g. ``dtype=jitgrad.float64``, ``requires_grad=True``,
    ``grad_fn=<MulBackward0>``) are kept in the given order and joined, wrapped onto new lines
    where needed, exactly as PyTorch joins them.

    The ``size=`` item of empty tensors (and the ``dtype=`` item PyTorch adds to empty int64 and
    bool tensors) is inserted here, since it depends on the values rather than on the Tensor.
    """
    values = np.asarray(values)
    if values.dtype.kind not in "biufc":
        raise TypeError(f"cannot format values of numpy dtype {values.dtype}")
    indent = len(_PREFIX)
    if values.size == 0:
        body = "[]"
    else:
        summarize = values.size > _OPTS.threshold
        sample = _edge_sample(values) if summarize else values
        fmt = (_ComplexFormatter if values.dtype.kind == "c" else _ElementFormatter)(sample)
        body = _nested_text(values, indent, summarize, fmt)
    return _close_with_suffixes(_PREFIX + body, _shape_items(values, suffixes), indent)
