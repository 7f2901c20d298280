"""The tape interpreter compiled with only the op codes a tape uses (issue 16 sections 1 and 3).

A tape runs on the loop of its codes' families (:func:`jitgrad.capture.interp.codeset`), or on
any loaded or cached loop with more codes; a loop is keyed on disk by its code set
(:data:`jitgrad.capture.build.INDEX`); once a cache has paid about a full loop's compile in
small ones, the full loop is built. Every replay equals eager bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

import jitgrad as torch
import jitgrad.nn.functional as F
from jitgrad.capture import build, interp, row_sums
from jitgrad.kernels.cpu.reduce_softmax import _softmax_slices
from tests.test_capture_ops import replays_bitwise


def _program(compiled):
    (program,) = compiled._capture.entries[next(iter(compiled._capture.entries))]
    return program


def _tanh_tape():
    torch.manual_seed(3)
    a = torch.randn(33).requires_grad_()
    b = torch.randn(33).requires_grad_()
    return _program(replays_bitwise(lambda a, b: torch.tanh(a * b) + a.exp(), a, b))


def test_a_tape_gets_the_codes_of_its_families_and_no_others() -> None:
    program = _tanh_tape()
    code = interp.CODE
    assert {code["tanh"], code["b_tanh_a"], code["sum"]} <= program.codes
    assert code["sin"] not in program.codes and code["adam"] not in program.codes
    assert program.codes == interp.codeset(np.unique(program.ins[:, 0]))
    name, text = interp.source("float32", program.codes)
    loop = text.split("def run(")[1]
    assert f"elif op == {code['tanh']}:" in loop and f"elif op == {code['b_tanh_a']}:" in loop
    assert f"elif op == {code['sin']}:" not in loop and f"elif op == {code['b_sin_a']}:" not in loop
    assert "_adam(" not in loop and "_softmax_slices(" not in loop  # whole-slot branches too
    assert name != interp.source("float32")[0]  # its own module, its own disk-cached compile


def test_families_round_a_tape_up_to_its_relatives() -> None:
    """An op with or without its gradient, and the activations together: one loop."""
    code = interp.CODE
    assert interp.codeset([code["exp"]]) == interp.codeset([code["exp"], code["b_exp_a"]])
    gelu = interp.codeset([code["gelu"]])
    assert {code["silu"], code["b_mish_a"], code["elu"], code["b_gelu_a"]} <= gelu
    assert interp.ALWAYS <= gelu and code["tanh"] not in gelu


def test_a_tape_whose_codes_a_wider_loop_has_replays_on_it(monkeypatch) -> None:
    """In this process and from the disk cache (its :data:`build.INDEX` line), with no compile
    of the tape's own smaller loop; and the wider loop writes the same bytes."""
    wide = _tanh_tape()
    loop = build._build("float32", wide.codes)  # its own loop (the tape may have had a wider one)
    built: list = []
    real = build._build
    monkeypatch.setattr(build, "_build", lambda dt, codes=interp.ALL: built.append(codes)
                        or real(dt, codes))  # fmt: skip
    monkeypatch.setattr(build, "_READY", {("float32", wide.codes): loop})
    monkeypatch.setattr(build, "_BUILDING", {})
    torch.manual_seed(4)
    a = torch.randn(33).requires_grad_()
    b = torch.randn(33).requires_grad_()
    narrow = _program(replays_bitwise(lambda a, b: torch.tanh(a) * b, a, b))
    assert narrow.codes < wide.codes and narrow.kernel is loop and built == []
    own = interp.kernel("float32", narrow.codes)
    arenas = [narrow.arena.copy(), narrow.arena.copy()]
    own(narrow.ins, narrow.consts, arenas[0])
    loop(narrow.ins, narrow.consts, arenas[1])
    assert arenas[0].tobytes() == arenas[1].tobytes()

    assert wide.codes in build._index("float32")  # listed when it was built
    monkeypatch.setattr(build, "_index", lambda dtype: [interp.ALL, wide.codes])
    monkeypatch.setattr(build, "_READY", {})
    narrow = _program(replays_bitwise(lambda a, b: torch.tanh(a) * b, a, b))
    assert built == [wide.codes]  # the smallest wider loop on disk, loaded
    assert narrow.kernel is build._READY["float32", wide.codes]


@pytest.mark.parametrize("spent, full", [(0, False), (20, False), (40, True)])
def test_small_loops_until_they_cost_a_full_one(spent: int, full: bool) -> None:
    small = interp.codeset([interp.CODE["tanh"]])
    built = [frozenset(range(spent))] if spent else []
    assert build._rent_or_buy(small, built) == (interp.ALL if full else small)


def test_straight_line_softmax_compiles_once_for_every_size() -> None:
    """Sizes passed as int64, not as literals (one softmax compile per literal size before)."""
    for n in (3, 5):
        torch.manual_seed(n)
        a = torch.randn(n).requires_grad_()
        b = torch.randn(n).requires_grad_()
        replays_bitwise(lambda a, b: F.softmax(a * b, dim=0) * a, a, b, mode="max-autotune")
    literal = [sig for sig in _softmax_slices.signatures if "Literal" in str(sig)]
    assert literal == []


def test_whole_slot_bodies_are_compiled_once_not_inlined_into_each_loop() -> None:
    """The row sums, SGD and Adam are functions every loop of a dtype calls (one compile,
    cached on disk), not ``inline="always"`` copies that each loop (a tape's small one, then
    the full one) typed and lowered again (perf/RESULTS.md, Run captime19); a loop with a sum
    row replays bitwise eager's through the called ``_row_sum`` (the tapes above)."""
    for fn in (row_sums._row_sum, row_sums._blocked_sum, interp._sgd, interp._adam):
        assert fn.targetoptions.get("inline", "never") == "never", fn.py_func.__name__
    text = interp.source("float32", interp.codeset([interp.CODE["sum"], interp.CODE["adam"]]))[1]
    assert "_row_sum(arena" in text and "_adam(arena" in text
