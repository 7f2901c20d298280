"""Device tests: run with a GPU, or in Numba's CUDA simulator (``NUMBA_ENABLE_CUDASIM=1``).

The files are named ``cases_*.py`` so the plain ``pytest`` run over ``tests/`` (CPU, no
simulator) does not collect them; ``tests/test_cuda_backend.py`` runs them in a subprocess
with the simulator enabled, and on a GPU machine they run directly:
``python -m pytest tests/cuda_sim/cases_*.py``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

import jitgrad

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # op_cases
sys.path.insert(0, str(Path(__file__).resolve().parent))  # kern_common
if os.environ.get("NUMBA_ENABLE_CUDASIM") == "1":
    # the backend cases launch the same kernels as the kern_* modules: the same simulator
    # race workarounds (shared arrays, device-function globals) and block runner
    import kern_common  # noqa: F401


@pytest.fixture(autouse=True)
def _device(request: pytest.FixtureRequest) -> None:
    # the cases_*/kern_* modules need a device (the PTX check is a script: see ptx_generated.py)
    if not jitgrad.cuda.is_available():
        raise RuntimeError(
            "the device tests need a GPU or NUMBA_ENABLE_CUDASIM=1 set before numba is imported"
        )


@pytest.fixture
def no_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any host fallback call fails the test: the ops under test must run on the device."""
    # (imported here, at use: the backend needs a device, which importing it asks for)
    from jitgrad.backends.cuda import fallback

    def refuse(fn: object, name: str, args: object, kwargs: object) -> None:
        raise AssertionError(f"host fallback: {name}")

    monkeypatch.setattr(fallback, "host_call", refuse)


@pytest.fixture
def numpy_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """NumPy reading a (simulated) device array raises, as it cannot read a GPU's memory (the
    simulator's device array otherwise converts silently, where a GPU's would fail or copy)."""
    from numba import cuda

    def refuse(self: object, *args: object, **kwargs: object) -> None:
        raise AssertionError("NumPy read a device array")

    cls = type(cuda.device_array(1))
    monkeypatch.setattr(cls, "__array__", refuse, raising=False)
    for name in ("__array_interface__", "__array_struct__"):
        monkeypatch.setattr(cls, name, property(refuse), raising=False)


@pytest.fixture
def host_copies(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The running count of device-to-host copies (``copy_to_host`` calls) since the fixture
    started: ``host_copies[0]``. A training step that stays on the device adds none."""
    from numba import cuda

    cls = type(cuda.device_array(1))
    original = cls.copy_to_host
    count = [0]

    def counted(self: object, *args: object, **kwargs: object) -> object:
        count[0] += 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(cls, "copy_to_host", counted)
    return count


if os.environ.get("NUMBA_ENABLE_CUDASIM") == "1" and os.environ.get("JITGRAD_RECORD_LAUNCHES"):
    # every launch of this session, for tests/cuda_sim/ptx_generated.py check (its docstring)
    import launch_record

    launch_record.install()

    def pytest_sessionfinish(session: pytest.Session) -> None:
        launch_record.dump(os.environ["JITGRAD_RECORD_LAUNCHES"])
