"""``import jitgrad`` leaves torch.compile's front end (``jitgrad.capture``) and
torch.distributions unloaded until a program names them (``jitgrad/__init__``'s ``_LAZY``):
the names still resolve to the same objects, ``dir`` lists them, and a device backend
installed before they load still reaches their by-name imports (``opwrap.reroute_package``).
That a fresh ``import jitgrad`` loads neither is checked in tests/test_cold_start.py's child.
"""

from __future__ import annotations

import importlib
import sys
import types

import pytest

import jitgrad
from jitgrad.backends import opwrap


@pytest.mark.parametrize("name", sorted(jitgrad._LAZY))
def test_a_lazy_name_is_its_modules_object(name):
    module, attribute = jitgrad._LAZY[name]
    want = importlib.import_module(module)
    if attribute is not None:
        want = getattr(want, attribute)
    assert jitgrad.__getattr__(name) is want
    assert getattr(jitgrad, name) is want
    assert name in dir(jitgrad)


def test_the_lazy_names_are_pytorchs():
    assert callable(jitgrad.compile) and jitgrad.compile.__module__.startswith("jitgrad.capture")
    assert jitgrad.distributions.Normal.__module__ == "jitgrad.distributions.normal"
    assert jitgrad._dynamo.list_backends() == jitgrad.compiler.list_backends()


def test_a_name_jitgrad_lacks_still_says_so():
    with pytest.raises(AttributeError, match="has no attribute 'no_such_op' \\(not implemented"):
        jitgrad.no_such_op  # noqa: B018


def test_a_package_loaded_after_a_backend_gets_its_wrappers(monkeypatch):
    """What a program reaching torch.distributions after its first device tensor meets: the
    package's modules were not there when the backend rerouted every module's imports."""

    def op(x):
        return x

    def wrapper(x):
        return op(x)

    late = types.ModuleType("jitgrad_late_pkg.sub")
    late.op = op
    other = types.ModuleType("jitgrad_late_pkgs")  # a name that only starts the same
    other.op = op
    monkeypatch.setitem(sys.modules, late.__name__, late)
    monkeypatch.setitem(sys.modules, other.__name__, other)
    monkeypatch.setattr(opwrap, "WRAPPERS", {})
    opwrap.reroute_package("jitgrad_late_pkg")  # no backend installed: nothing to do
    assert late.op is op
    opwrap.register(op, wrapper)
    opwrap.reroute_package("jitgrad_late_pkg")
    assert late.op is wrapper and other.op is op
