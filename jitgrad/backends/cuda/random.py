"""Random numbers drawn on the device: ``dropout``'s keep mask (and, through :func:`next_draw`,
``rrelu``'s slopes: :mod:`.nn_rows`) by a counter-based generator.

Each draw is Philox-4x32-10 (:mod:`jitgrad.kernels.cuda.random`) keyed by a 64-bit seed at a
64-bit draw offset: no generator state lives on the device and no numbers cross from the
host. The device stream follows the default generator's seeding: ``torch.manual_seed(s)``
and ``torch.cuda.manual_seed(s)`` (which seeds the default generator) restart it at
``(s, offset 0)``, so a seeded program draws the same masks run to run; each draw advances
the offset by one. Host draws (``torch.rand``) neither consume nor move it. As in PyTorch,
the device stream is not the CPU's: the same seed gives different masks on the two devices.
"""

from __future__ import annotations

from typing import Any

from ... import random as R
from ...frontend.tensor import Tensor, _make
from ...kernels.cuda.random import dropout_mask
from . import runtime


class _Stream:
    """The device stream's seed and next offset, and which seeding of the default generator
    (its numpy generator object, replaced by every ``manual_seed``) they belong to."""

    seed = 0
    offset = 0
    source: Any = None


_STREAM = _Stream()


def next_draw() -> tuple[int, int]:
    """(seed, offset) of the next device draw; a new seeding of the default generator
    restarts the stream at offset 0."""
    gen = R.default_generator
    if gen._np is not _STREAM.source:
        _STREAM.source = gen._np
        _STREAM.seed = gen.initial_seed()
        _STREAM.offset = 0
    offset = _STREAM.offset
    _STREAM.offset += 1
    return _STREAM.seed, offset


def dropout(
    input: Any,  # noqa: A002
    p: float = 0.5,
    training: bool = True,
    inplace: bool = False,
    *,
    train: bool | None = None,
) -> Any:
    """``F.dropout`` / ``torch.dropout`` of a device tensor: the mask drawn on the device,
    then ``input * mask`` (an elementwise op: it joins the deferred chain around it, and
    records ``MulBackward0`` as the CPU's dropout does). Invalid arguments and non-float
    input go to the CPU op (``NotImplemented``), which raises PyTorch's error."""
    if train is not None:
        training = train
    if (
        not isinstance(input, Tensor)
        or not input._dtype.is_floating_point
        or not isinstance(p, int | float)
        or not 0.0 <= p <= 1.0
    ):
        return NotImplemented
    if not training or p == 0.0:
        return input
    shape = tuple(input.shape)
    if p == 1.0:
        mask = runtime.zeros(shape, input._dtype.np)
    else:
        mask = dropout_mask(runtime.empty(shape, input._dtype.np), float(p), *next_draw())
    m = _make(mask, input._dtype)
    return input.mul_(m) if inplace else input * m


NATIVE = {"dropout": dropout}
