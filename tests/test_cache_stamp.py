"""What a compiled kernel on disk is tied to: a change in any hand-written kernel module makes
every cached kernel that could have inlined it stale (recompiled, never loaded).

Generated kernels inline scalar helpers from ``jitgrad/kernels/cpu`` (fastmath, scalar, the
special functions). Their build key once hashed a hand-picked list of those modules that left
out ``special.py``: a cache written before ``erfcx`` changed its argument type crashed the
process that loaded it.
"""

from __future__ import annotations

from pathlib import Path

import jitgrad.kernels.cpu as kernels_cpu
from jitgrad.fusion import diskcache
from jitgrad.kernels.cpu import jit


def test_generated_kernels_build_key_follows_every_kernel_module(monkeypatch):
    before = diskcache._build_key()
    monkeypatch.setattr(jit, "library_digest", lambda: b"\x00" * 32)
    assert diskcache._build_key() != before


def test_library_digest_reads_every_kernel_module(monkeypatch):
    read = []
    original = Path.read_bytes

    def spy(self):
        read.append(self.name)
        return original(self)

    jit.library_digest.cache_clear()
    monkeypatch.setattr(Path, "read_bytes", spy)
    try:
        jit.library_digest()
    finally:
        jit.library_digest.cache_clear()
    modules = {p.name for p in Path(kernels_cpu.__file__).parent.glob("*.py")}
    assert {"special.py", "special_gamma.py", "fastmath.py", "scalar.py"} <= modules
    assert set(read) == modules


def test_hand_written_kernel_stamp_follows_the_library(monkeypatch):
    from jitgrad.kernels.cpu import special

    locator = jit._Locator(special.erfcx.py_func, special.__file__)
    before = locator.get_source_stamp()
    monkeypatch.setattr(jit, "library_digest", lambda: b"\x01" * 32)
    assert locator.get_source_stamp() != before
