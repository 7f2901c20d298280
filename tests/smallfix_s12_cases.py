"""The calls behind tests/test_smallfix_s12.py, run once with PyTorch (by
tests/fixtures/make_smallfix_s12_torch.py, into smallfix_s12_torch.json) and once with jitgrad.

Each answer is a string: ``ok``, or ``TypeName: message`` for what the call raised; a class
or object is its ``__module__``, ``__qualname__`` and repr with the package name written
``torch`` and object addresses dropped, so PyTorch's and jitgrad's can be compared as text.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from typing import Any


def _answer(call: Callable[[], Any]) -> str:
    try:
        call()
    except Exception as err:  # noqa: BLE001 - recording whatever is raised
        return f"{type(err).__name__}: {err}"
    return "ok"


def _clamp_calls(torch: Any) -> dict[str, Callable[[], Any]]:
    """A tensor bound beside a number bound, in each spelling PyTorch refuses (and the
    one-sided tensor bounds it takes)."""
    x = torch.tensor([1.0, 2.0, 3.0])
    t = torch.tensor([1.5])
    return {
        "torch.clamp(x, min=t, max=2.)": lambda: torch.clamp(x, min=t, max=2.0),
        "torch.clamp(x, max=2., min=t)": lambda: torch.clamp(x, max=2.0, min=t),
        "torch.clamp(x, min=1., max=t)": lambda: torch.clamp(x, min=1.0, max=t),
        "torch.clamp(x, t, 2.)": lambda: torch.clamp(x, t, 2.0),
        "torch.clamp(x, 1, t)": lambda: torch.clamp(x, 1, t),
        "torch.clamp(x, t, max=2.)": lambda: torch.clamp(x, t, max=2.0),
        "torch.clip(x, min=t, max=2.)": lambda: torch.clip(x, min=t, max=2.0),
        "torch.clip(x, 1., t)": lambda: torch.clip(x, 1.0, t),
        "x.clamp(t, 2.)": lambda: x.clamp(t, 2.0),
        "x.clamp(1., t)": lambda: x.clamp(1.0, t),
        "x.clamp(min=t, max=2)": lambda: x.clamp(min=t, max=2),
        "x.clip(t, 2.)": lambda: x.clip(t, 2.0),
        "x.clamp_(t, 2.)": lambda: x.clone().clamp_(t, 2.0),
        "x.clip_(1., t)": lambda: x.clone().clip_(1.0, t),
        "torch.clamp(x, t, None)": lambda: torch.clamp(x, t, None),
        "torch.clamp(x, None, t)": lambda: torch.clamp(x, None, t),
        "x.clamp(t, t)": lambda: x.clamp(t, t),
        "x.clamp(1., 2)": lambda: x.clamp(1.0, 2),
    }


def _text(text: str) -> str:
    return re.sub(r" at 0x[0-9a-f]+", "", text).replace("jitgrad", "torch")


def _describe(cls: Any) -> str:
    return _text(f"{cls.__module__} {cls.__qualname__} {cls!r}")


def _autograd_classes(torch: Any) -> dict[str, str]:
    A = torch.autograd  # noqa: N806 - PyTorch's module
    out = {}
    for name in ("set_detect_anomaly", "detect_anomaly", "no_grad", "enable_grad",
                 "set_grad_enabled", "inference_mode"):  # fmt: skip
        cls = getattr(A, name)
        out[f"autograd.{name}"] = _describe(cls)
        inst = cls(False) if name.startswith("set_") else cls()
        if name.startswith("set_"):  # they switch at construction: switch back
            inst.__exit__(None, None, None)
        out[f"autograd.{name}()"] = _describe(type(inst)) + " | " + _text(repr(inst))
    out["torch.no_grad"] = _describe(torch.no_grad)
    return out


def _fresh_attribute(package: str, path: str) -> str:
    """What ``import <package>; <package>.<path>`` gives in a fresh interpreter."""
    code = f"import {package}; {package}.{path}"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    return "ok" if done.returncode == 0 else done.stderr.strip().splitlines()[-1]


def _mvlgamma_calls(torch: Any) -> dict[str, Callable[[], Any]]:
    """A float or bool order ``p`` given to the method and the in-place method."""
    x = torch.tensor([3.0, 4.0])
    return {
        "x.mvlgamma(1.5)": lambda: x.mvlgamma(1.5),
        "x.mvlgamma_(True)": lambda: x.clone().mvlgamma_(True),
        "torch.mvlgamma(x, 1.5)": lambda: torch.mvlgamma(x, 1.5),
    }


def run(torch: Any) -> dict[str, str]:
    """Every case's answer, keyed by the call as written for PyTorch."""
    calls = _clamp_calls(torch) | _mvlgamma_calls(torch)
    out = {name: _answer(call) for name, call in calls.items()}
    out.update(_autograd_classes(torch))
    name = torch.__name__
    out["fresh nn.utils.prune"] = _fresh_attribute(name, "nn.utils.prune").replace(name, "torch")
    return out
