"""Dump every public callable of ``jitgrad``, ``jitgrad.special``, ``Tensor`` and
``nn.functional`` (name, qualname, module, docstring, signature, and the first name found for
the same object) plus ``jitgrad.special.__all__``, as JSON: run it on two trees and diff the
files to show a refactor left the public surface as it was.

    PYTHONPATH=/tmp/old python tools/public_surface.py /tmp/old.json
    PYTHONPATH=. python tools/public_surface.py /tmp/new.json
"""

from __future__ import annotations

import inspect
import json
import sys

import jitgrad
import jitgrad.nn.functional as NF
import jitgrad.special


def _row(obj: object, key: str, first: dict[int, str]) -> list:
    try:
        sig = str(inspect.signature(obj))  # type: ignore[arg-type]
    except (TypeError, ValueError) as e:
        sig = "?" + type(e).__name__
    same = first.setdefault(id(obj), key)
    names = [getattr(obj, a, None) for a in ("__name__", "__qualname__", "__module__", "__doc__")]
    return [*names, sig, same]


def surface() -> dict:
    spaces = {"torch": jitgrad, "special": jitgrad.special, "Tensor": jitgrad.Tensor, "F": NF}
    first: dict[int, str] = {}
    rows = {}
    for space, ns in spaces.items():
        for name in sorted(dir(ns)):
            try:
                obj = getattr(ns, name)
            except Exception:  # noqa: BLE001 - a name that raises is simply not listed
                continue
            if callable(obj) and not isinstance(obj, type):
                rows[f"{space}.{name}"] = _row(obj, f"{space}.{name}", first)
    alls = {"special": sorted(jitgrad.special.__all__)}  # (jitgrad itself has no __all__)
    return {"rows": rows, "all": alls}


if __name__ == "__main__":
    with open(sys.argv[1], "w") as f:
        json.dump(surface(), f, indent=0, sort_keys=True)
