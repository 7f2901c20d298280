"""PyTorch's binary float functions called with a Python number (float, int, bool) in
either place, as a function, a Tensor method and an in-place method, run with either library
(PyTorch 2.13 by tests/fixtures/make_binary_numbers_torch.py into binary_numbers_torch.json;
jitgrad by tests/test_binary_numbers.py). PyTorch's parser decides: an op whose schemas take
``Tensor other`` only (hypot, atan2, igamma, maximum...) refuses the number with a TypeError
naming the argument; one with a ``Number other`` overload (copysign, fmod, xlogy...) takes
it, and a number first only where a ``Number self`` overload exists (remainder, xlogy)."""

# ruff: noqa: B023 - each lambda is called at once, inside its loop turn
from __future__ import annotations

from typing import Any

#: the functions compared (``special.*`` under torch.special; a trailing ``_`` is in-place)
NAMES = (
    "hypot atan2 arctan2 copysign fmod remainder xlogy nextafter ldexp float_power igamma "
    "igammac gcd lcm heaviside maximum minimum fmax fmin logaddexp logaddexp2 true_divide "
    "floor_divide pow special.xlogy special.xlog1py special.zeta special.gammainc "
    "special.gammaincc bitwise_and bitwise_left_shift polygamma mvlgamma dist atan2_ hypot_ "
    "copysign_ fmod_ remainder_ xlogy_ nextafter_ ldexp_ float_power_ igamma_ heaviside_ gcd_ "
    "lcm_"
).split()

_NUMBERS = {"float": 2.0, "int": 2, "bool": True}


def _outcome(call: Any) -> list:
    try:
        r = call()
    except Exception as e:  # noqa: BLE001 - both libraries' answers are recorded
        return ["error", type(e).__name__, str(e)]
    return ["ok", str(r.dtype).rsplit(".", 1)[-1], [float(v) for v in r.reshape(-1).tolist()]]


def _tensors(T: Any) -> dict:
    return {
        "f": lambda: T.tensor([1.5, 2.0, -3.0]),
        "i": lambda: T.tensor([3, 4, -6]),
    }


def run(T: Any) -> dict:
    """``name.tensor.number.form`` (and ``name.number.tensor.fn_rev``) -> outcome."""
    res = {}
    for name in NAMES:
        mod, n = (T.special, name[8:]) if name.startswith("special.") else (T, name)
        for xname, make in _tensors(T).items():
            for oname, o in _NUMBERS.items():
                if name.endswith("_"):
                    res[f"{name}.{xname}.{oname}.method"] = _outcome(lambda: getattr(make(), n)(o))
                    continue
                if hasattr(mod, n):
                    fn = getattr(mod, n)
                    res[f"{name}.{xname}.{oname}.fn"] = _outcome(lambda: fn(make(), o))
                    res[f"{name}.{oname}.{xname}.fn_rev"] = _outcome(lambda: fn(o, make()))
                if mod is T and hasattr(T.Tensor, n):
                    res[f"{name}.{xname}.{oname}.method"] = _outcome(lambda: getattr(make(), n)(o))
    return res
