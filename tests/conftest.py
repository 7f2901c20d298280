"""Shared test setup: a private kernel cache per test session, unless one is given."""

from __future__ import annotations

import os
import tempfile

if "JITGRAD_CACHE_DIR" not in os.environ:
    os.environ["JITGRAD_CACHE_DIR"] = os.path.join(tempfile.gettempdir(), "jitgrad-test-cache")
