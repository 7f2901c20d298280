"""nn.utils.rnn (pad/pack/unpack) and RNN/GRU/LSTM on PackedSequence input against real
PyTorch 2.13 (``tests/parity/record_nnmore_rnn.py`` ran the same cases under PyTorch)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

import jitgrad as torch
from jitgrad.nn.utils.rnn import pack_padded_sequence, pack_sequence, unpack_sequence

sys.path.insert(0, str(Path(__file__).parent / "parity"))
from nnmore_rnn_cases import names, run  # noqa: E402

EXPECTED = json.loads((Path(__file__).parent / "fixtures" / "nnmore_rnn.json").read_text())


@pytest.mark.parametrize("name", names())
def test_matches_pytorch(name: str) -> None:
    got, want = run(torch, name), EXPECTED[name]
    assert set(got) == set(want)
    for key in ("batch_sizes", "sorted_indices", "lengths"):
        assert got.get(key) == want.get(key)
    for kind in ("outs", "grads"):
        assert len(got[kind]) == len(want[kind])
        for g, w in zip(got[kind], want[kind], strict=True):
            np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)
    for n, w in (want.get("param_grads") or {}).items():
        np.testing.assert_allclose(got["param_grads"][n], w, rtol=1e-10, atol=1e-12, err_msg=n)


def test_pack_sequence_round_trip_and_errors() -> None:
    seqs = [torch.tensor([1.0, 2.0, 3.0]), torch.tensor([4.0, 5.0]), torch.tensor([6.0])]
    packed = pack_sequence(seqs)
    assert packed.data.tolist() == [1.0, 4.0, 6.0, 2.0, 5.0, 3.0]
    assert packed.batch_sizes.tolist() == [3, 2, 1]
    assert packed.sorted_indices is None and packed.unsorted_indices is None
    assert [s.tolist() for s in unpack_sequence(packed)] == [[1, 2, 3], [4, 5], [6]]
    with pytest.raises(RuntimeError, match="`lengths` array must be sorted in decreasing order"):
        pack_padded_sequence(torch.zeros(3, 2), [1, 3])
