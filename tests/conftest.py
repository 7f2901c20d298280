"""Shared test setup: a private kernel cache per test session, unless one is given."""

from __future__ import annotations

import gc
import os
import tempfile

if "JITGRAD_CACHE_DIR" not in os.environ:
    os.environ["JITGRAD_CACHE_DIR"] = os.path.join(tempfile.gettempdir(), "jitgrad-test-cache")


import pytest  # noqa: E402 - after the cache directory is chosen


@pytest.fixture
def lazy():
    """Forward deferral forced on (and the fusion pass, in the test's own thread) for one test."""
    import jitgrad
    from jitgrad.frontend import lazy as deferral

    prev = deferral.STATE.enabled
    deferral.STATE.enabled = True
    with jitgrad.fusion(True):
        yield
    deferral.STATE.enabled = prev


@pytest.fixture(scope="module")
def old_objects_frozen():
    """The objects alive when a module starts, kept out of ``gc.collect()`` until it ends.

    Tests that check what a dropped graph or pooled buffer frees call ``gc.collect()`` before
    each test. In a worker of the full suite the collector then walks every object of every
    imported test module and compiled kernel (over a second a call on a busy machine, about a
    tenth of the suite's time). Collected once here and frozen (``gc.freeze``), those objects
    are skipped; what the module's own tests make is collected as before. Unfrozen at the end
    of the module, so later modules see the ordinary collector."""
    gc.collect()
    gc.freeze()
    yield
    gc.unfreeze()
