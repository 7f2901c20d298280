"""Shared test setup: a private kernel cache per test session, unless one is given."""

from __future__ import annotations

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
