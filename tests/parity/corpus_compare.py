"""Compare a corpus program's output under jitgrad with PyTorch's recorded output.

Text must match exactly (up to the width of runs of spaces) except numbers, which match within
a tolerance scaled by how many digits PyTorch printed (a float32 training run may differ in its
last printed digits), and object addresses (``0x7f...``), which are ignored.
"""

from __future__ import annotations

import re

#: A number as Python and PyTorch print it (ints, decimals, exponents, ``nan``/``inf``).
_NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?|[-+]?(?:nan|inf)\b")
_ADDRESS = re.compile(r"0x[0-9a-fA-F]+")
#: Runs of spaces: a tensor's columns are padded to the widest number, so a sign that differs
#: by rounding (``-3.5763e-07`` for ``0.0000e+00``) shifts the padding. A numpy array pads to
#: its longest shortest-repr (``0.5044225 ]`` beside ``0.50442255]``) and puts a space for the
#: sign after ``[`` when some element is negative, so spaces next to a bracket are dropped.
_SPACES = re.compile(r" +")
_BRACKET_SPACES = re.compile(r"(?<=\[) +| +(?=\])")


def _tokens(text: str) -> tuple[list[str], list[str]]:
    text = _ADDRESS.sub("0x?", text)
    numbers = _NUMBER.findall(text)
    text = _BRACKET_SPACES.sub("", _SPACES.sub(" ", _NUMBER.sub("#", text)))
    return text.split("#"), numbers


def _close(got: str, want: str, rtol: float, atol: float) -> bool:
    if got == want:
        return True
    try:
        g, w = float(got), float(want)
    except ValueError:
        return False
    mantissa = want.lower().split("e")[0]
    digits = len(mantissa.split(".")[1]) if "." in mantissa else 0
    exponent = int(want.lower().split("e")[1]) if "e" in want.lower() else 0
    last_digit = 10.0 ** (exponent - digits)
    return abs(g - w) <= rtol * abs(w) + atol + 2 * last_digit


def first_difference(got: str, want: str, rtol: float = 1e-3, atol: float = 1e-6) -> str | None:
    """Where ``got`` first differs from ``want`` beyond tolerance, or None when they match.

    ``jitgrad.`` in ``got`` reads as ``torch.`` (the library names itself: ``jitgrad.Size``,
    ``jitgrad.float32``), as the parity table's comparison does."""
    got = got.replace("jitgrad.", "torch.")
    got_text, got_nums = _tokens(got)
    want_text, want_nums = _tokens(want)
    if len(got_nums) != len(want_nums) or got_text != want_text:
        for i, (g, w) in enumerate(zip(got.splitlines(), want.splitlines())):
            gt, wt = _tokens(g)[0], _tokens(w)[0]
            if gt != wt or len(_tokens(g)[1]) != len(_tokens(w)[1]):
                return f"line {i + 1}: got {g!r}, want {w!r}"
        return f"{len(got.splitlines())} lines, want {len(want.splitlines())}"
    for i, (g, w) in enumerate(zip(got_nums, want_nums)):
        if not _close(g, w, rtol, atol):
            line = want[: want.find(w)].count("\n") + 1 if w in want else "?"
            return f"number {i} (near line {line}): got {g}, want {w}"
    return None
