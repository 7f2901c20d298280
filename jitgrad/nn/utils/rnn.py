"""``nn.utils.rnn``: ``PackedSequence``, ``pack_padded_sequence``, ``pad_packed_sequence``,
``pad_sequence``, ``pack_sequence``, ``unpad_sequence``, ``unpack_sequence``.

A PackedSequence keeps PyTorch's layout: ``data`` holds time step 0 of every sequence, then
step 1 of those still running, ... (sequences sorted by decreasing length), ``batch_sizes``
how many run at each step. Packing and padding are row gathers (``index_select``), so
gradients flow through both. ``RNN``/``GRU``/``LSTM`` accept a PackedSequence through
:func:`packed_forward`, which runs every sequence for its own length only, so the final
states are taken at each sequence's last real step, as PyTorch's packed kernels do.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from ... import dtypes as D
from ...frontend.creation import full, tensor
from ...frontend.movement import cat, stack
from ...frontend.tensor import Tensor


class PackedSequence(NamedTuple):
    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None = None
    unsorted_indices: Tensor | None = None

    def to(self, *args: Any, **kwargs: Any) -> PackedSequence:
        return self._replace(data=self.data.to(*args, **kwargs))

    @property
    def is_cuda(self) -> bool:
        return False

    def is_pinned(self) -> bool:
        return False


def _lengths(lengths: Any) -> np.ndarray:
    if isinstance(lengths, Tensor):
        return np.asarray(lengths.tolist(), np.int64).reshape(-1)
    return np.asarray(lengths, np.int64).reshape(-1)


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    if permutation is None:
        return None
    perm = np.asarray(permutation.tolist(), np.int64)
    inv = np.empty_like(perm)
    inv[perm] = np.arange(len(perm))
    return tensor(inv, dtype=D.int64)


def pack_padded_sequence(
    input: Tensor,  # noqa: A002
    lengths: Any,
    batch_first: bool = False,
    enforce_sorted: bool = True,
) -> PackedSequence:
    """Pack a padded ``(T, B, *)`` (``(B, T, *)`` with ``batch_first``) batch."""
    lens = _lengths(lengths)
    if enforce_sorted:
        if np.any(lens[:-1] < lens[1:]):
            raise RuntimeError(
                "`lengths` array must be sorted in decreasing order when `enforce_sorted` is "
                "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
                "pack_sequence to sidestep this requirement if you do not need ONNX "
                "exportability."
            )
        sorted_indices = None
        order = np.arange(len(lens))
    else:
        order = np.argsort(-lens, kind="stable")
        sorted_indices = tensor(order, dtype=D.int64)
    x = input.transpose(0, 1) if batch_first else input
    if len(lens) and lens.min() <= 0:
        raise RuntimeError(
            "Length of all samples has to be greater than 0, but found an element in "
            "'lengths' that is <= 0"
        )
    if len(lens) != x.shape[1]:
        raise RuntimeError(
            f"Expected `len(lengths)` to be equal to batch_size, but got {len(lens)} "
            f"(batch_size={x.shape[1]})"
        )
    steps, batch = int(lens.max()), x.shape[1]
    if steps > x.shape[0]:
        raise RuntimeError(
            f"Expected sequence length to be at most {x.shape[0]}, but got a length of {steps}"
        )
    sorted_lens = lens[order]
    batch_sizes = np.array([(sorted_lens > t).sum() for t in range(steps)], np.int64)
    rows = np.concatenate([t * batch + order[: batch_sizes[t]] for t in range(steps)])
    flat = x.reshape(x.shape[0] * batch, *x.shape[2:])
    data = flat.index_select(0, tensor(rows, dtype=D.int64))
    return PackedSequence(
        data, tensor(batch_sizes, dtype=D.int64), sorted_indices,
        invert_permutation(sorted_indices),
    )  # fmt: skip


def _padded_rows(data: Tensor, index: np.ndarray, padding_value: float) -> Tensor:
    """``data`` rows picked by ``index``, where -1 picks a row of ``padding_value``."""
    pad = full((1, *data.shape[1:]), padding_value, dtype=data.dtype)
    source = cat([data, pad], 0)
    index = np.where(index < 0, data.shape[0], index)
    return source.index_select(0, tensor(index.reshape(-1), dtype=D.int64))


def pad_packed_sequence(
    sequence: PackedSequence,
    batch_first: bool = False,
    padding_value: float = 0.0,
    total_length: int | None = None,
) -> tuple[Tensor, Tensor]:
    """``(padded, lengths)`` in the batch order the sequences had before packing."""
    batch_sizes = np.asarray(sequence.batch_sizes.tolist(), np.int64)
    steps, batch = len(batch_sizes), int(batch_sizes[0])
    if total_length is not None:
        if total_length < steps:
            raise ValueError(
                "Expected total_length to be at least the length of the longest sequence in "
                f"input, but got total_length={total_length} and max sequence length being "
                f"{steps}"
            )
        steps = total_length
    index = np.full((steps, batch), -1, np.int64)
    offset = 0
    for t, bs in enumerate(batch_sizes):
        index[t, :bs] = np.arange(offset, offset + bs)
        offset += bs
    lengths = (index >= 0).sum(0)
    order = np.arange(batch)
    if sequence.unsorted_indices is not None:
        order = np.asarray(sequence.unsorted_indices.tolist(), np.int64)
    index, lengths = index[:, order], lengths[order]
    if batch_first:
        index = index.T
    padded = _padded_rows(sequence.data, index, padding_value)
    padded = padded.reshape(*index.shape, *sequence.data.shape[1:])
    return padded, tensor(lengths, dtype=D.int64)


def pad_sequence(
    sequences: Sequence[Tensor] | Tensor,
    batch_first: bool = False,
    padding_value: float = 0.0,
    padding_side: str = "right",
) -> Tensor:
    """Stack sequences of different lengths, padding them to the longest."""
    if padding_side not in ("left", "right"):
        raise ValueError(
            f"Expected padding_side to be one of left or right, but got {padding_side}."
        )
    seqs = list(sequences.unbind(0) if isinstance(sequences, Tensor) else sequences)
    lens = [s.shape[0] for s in seqs]
    steps, batch = max(lens), len(seqs)
    index = np.full((steps, batch), -1, np.int64)
    offset = 0
    for b, n in enumerate(lens):
        start = 0 if padding_side == "right" else steps - n
        index[start : start + n, b] = np.arange(offset, offset + n)
        offset += n
    if batch_first:
        index = index.T
    padded = _padded_rows(cat(seqs, 0), index, padding_value)
    return padded.reshape(*index.shape, *seqs[0].shape[1:])


def unpad_sequence(
    padded_sequences: Tensor, lengths: Any, batch_first: bool = False
) -> list[Tensor]:
    x = padded_sequences if batch_first else padded_sequences.transpose(0, 1)
    return [x[b, :n] for b, n in enumerate(_lengths(lengths).tolist())]


def pack_sequence(sequences: Sequence[Tensor], enforce_sorted: bool = True) -> PackedSequence:
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)


def packed_forward(module: Any, packed: PackedSequence, hx: Any) -> tuple[PackedSequence, Any]:
    """``module`` (RNN, GRU or LSTM) over a PackedSequence: each sequence runs for its own
    length (in sorted order, with ``hx`` permuted like PyTorch does), the outputs are packed
    again and the final states returned in the original batch order."""
    batch_sizes = np.asarray(packed.batch_sizes.tolist(), np.int64)
    lengths = np.array([(batch_sizes > b).sum() for b in range(int(batch_sizes[0]))])
    padded, _ = pad_packed_sequence(packed._replace(unsorted_indices=None))
    lstm = module.mode == "LSTM"
    view = padded.transpose(0, 1) if module.batch_first else padded  # the module's layout
    if hx is None:
        zeros = module._zeros(view)
        states = (zeros, module._zeros(view, cell=True)) if lstm else (zeros,)
    else:
        states = tuple(hx) if lstm else (hx,)
        if packed.sorted_indices is not None:
            states = tuple(s.index_select(1, packed.sorted_indices) for s in states)
    module._check_forward_args(view, states, ("[0]", "[1]") if lstm else ("",))
    outs, finals = [], []
    for b, n in enumerate(lengths.tolist()):
        x = padded[:n, b : b + 1]
        x = x.transpose(0, 1) if module.batch_first else x
        out, fin = module._run(x, tuple(s[:, b : b + 1] for s in states), True)
        outs.append(out.transpose(0, 1) if module.batch_first else out)
        finals.append(fin)
    data = stack([outs[b][t, 0] for t, bs in enumerate(batch_sizes) for b in range(bs)])
    result = tuple(cat([f[k] for f in finals], 1) for k in range(len(states)))
    if packed.unsorted_indices is not None:
        result = tuple(r.index_select(1, packed.unsorted_indices) for r in result)
    return packed._replace(data=data), (result if lstm else result[0])


__all__ = [
    "PackedSequence",
    "invert_permutation",
    "pack_padded_sequence",
    "pack_sequence",
    "pad_packed_sequence",
    "pad_sequence",
    "unpack_sequence",
    "unpad_sequence",
]
