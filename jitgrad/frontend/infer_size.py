"""The sizes a ``view``/``reshape``/``unflatten`` asks for, with one ``-1`` filled in, and
PyTorch's errors for sizes that do not fit (``infer_size_impl``'s words, and unflatten's own
for its dim)."""

from __future__ import annotations

import math


def infer(shape: tuple[int, ...], numel: int) -> tuple[int, ...]:
    """Fill in one ``-1`` with PyTorch's errors."""
    bad = next((k for k, n in enumerate(shape) if n < -1), None)
    if bad is not None:
        raise RuntimeError(
            f"invalid shape dimension {shape[bad]} at index {bad} of shape {list(shape)}"
        )
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = math.prod(s for s in shape if s != -1)
    if -1 in shape:
        if known == 0 and numel == 0:
            raise RuntimeError(
                f"cannot reshape tensor of 0 elements into shape {list(shape)} because the "
                "unspecified dimension size -1 can be any value and is ambiguous"
            )
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


def unflatten_sizes(sizes: tuple[int, ...], dim: int, n: int) -> tuple[int, ...]:
    """``sizes`` for dim ``dim`` (of size ``n``) of an ``unflatten``: PyTorch's own words for
    sizes that do not multiply up to ``n``, and its "unexpected error" around the others."""
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    try:
        return infer(sizes, n)
    except RuntimeError as err:
        if "is invalid for input of size" not in str(err):
            raise RuntimeError(f"unflatten got an unexpected error:\n{err}") from None
        raise RuntimeError(
            f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim "
            f"{dim} ({n}) in the input tensor"
        ) from None
