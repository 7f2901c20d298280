"""The implementations being compared, behind one small interface.

An ``Impl`` knows how to import its library (``load``), whether it has code for a workload,
how to build a timed call for given inputs, and how to turn its outputs into numpy for the
gradient check. The runner only talks to this interface, so adding a peer is one entry here.

Optional peers (torch, JAX) that fail to import are "not installed". jitgrad failing to import
or lacking a feature is "unavailable: <reason>": the library is developed alongside this runner
and the report must say what did not run, not crash.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import impl_module
from .workloads import Workload, base_name

Outputs = dict[str, Any]
Call = Callable[[], Outputs]


@dataclass
class Impl:
    """One implementation. ``build`` returns a call that includes waiting for the result."""

    key: str
    name: str
    _load: Callable[[], Any]
    _builders: Callable[[], dict[str, Callable]]
    _build: Callable[[Any, Callable, dict], Call]
    to_numpy: Callable[[Any], np.ndarray] = lambda v: np.array(v, copy=True)
    optional: bool = False
    loaded: Any = field(default=None, init=False)
    version: str = field(default="", init=False)
    error: str = field(default="", init=False)

    def load(self) -> bool:
        """Import the library once; on failure remember why (``error``) and return False."""
        if self.loaded is not None or self.error:
            return not self.error
        try:
            self.loaded = self._load()
            self.version = str(getattr(self.loaded, "__version__", None) or "unknown version")
        except ImportError as exc:
            self.error = "not installed" if self.optional else f"unavailable: {summarize(exc)}"
        except Exception as exc:  # a half-written library can raise anything on import
            self.error = f"unavailable: {summarize(exc)}"
        return not self.error

    def supports(self, workload: Workload) -> bool:
        return base_name(workload.name) in self._builders()

    def build(self, workload: Workload, inputs: dict[str, np.ndarray]) -> Call:
        return self._build(self.loaded, self._builders()[base_name(workload.name)], inputs)


def summarize(exc: BaseException, limit: int = 160) -> str:
    """``Type: first line of message``, shortened for a table cell."""
    msg = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = f"{type(exc).__name__}: {msg}" if msg else type(exc).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."


# ---- the concrete implementations ---------------------------------------------------------


def _plain(loaded: Any, builder: Callable, inputs: dict) -> Call:
    return builder(inputs)


def _with_finish(finish: Callable[[Outputs], None]) -> Callable[[Any, Callable, dict], Call]:
    def build(loaded: Any, builder: Callable, inputs: dict) -> Call:
        run = builder(inputs)

        def call() -> Outputs:
            out = run()
            finish(out)
            return out

        return call

    return build


def _module_build(fused: bool) -> Callable[[Any, Callable, dict], Call]:
    """torch / jitgrad: the shared PyTorch-API body, optionally under ``fusion(False)``."""

    def build(m: Any, builder: Callable, inputs: dict) -> Call:
        ctx = (lambda: m.fusion(False)) if not fused else contextlib.nullcontext
        with ctx():
            run = builder(m, inputs)

        def call() -> Outputs:
            with ctx():
                out = run()
                impl_module.finish(out)
            return out

        return call

    return build


def _load_numba() -> Any:
    import numba

    from . import impl_numba  # noqa: F401  (compiles nothing yet; kernels compile on first call)

    return numba


def _load_torch() -> Any:
    import torch

    return torch


class _Compiled:
    """torch with ``perf_compile = torch.compile``: the workload bodies compile their forward
    (:func:`perf.impl_module.compiled`); every other attribute is torch's."""

    def __init__(self, torch: Any) -> None:
        self._torch = torch
        self.perf_compile = torch.compile
        self.__version__ = torch.__version__

    def __getattr__(self, name: str) -> Any:
        return getattr(self._torch, name)


def _load_torch_compile() -> Any:
    import torch

    return _Compiled(torch)


def _load_jitgrad() -> Any:
    """``import jitgrad``, plus the submodules PyTorch code imports explicitly.

    ``import torch.nn.functional as F`` is ordinary PyTorch code, so importing jitgrad's
    ``nn``/``optim`` packages here is fair even if ``import jitgrad`` alone does not.
    A missing submodule is left to fail (as "unavailable") in the workloads that use it.
    """
    jg = importlib.import_module("jitgrad")
    for sub in ("jitgrad.nn", "jitgrad.nn.functional", "jitgrad.optim"):
        with contextlib.suppress(ImportError):
            importlib.import_module(sub)
    return jg


def _load_jitgrad_unfused() -> Any:
    jg = _load_jitgrad()
    if not callable(getattr(jg, "fusion", None)):
        raise AttributeError("jitgrad.fusion(False) context manager not available yet")
    return jg


def _load_jax() -> Any:
    from . import impl_jax

    impl_jax.load()
    return impl_jax.jax


def _numpy_builders() -> dict:
    from . import impl_numpy

    return impl_numpy.BUILDERS


def _numba_builders() -> dict:
    from . import impl_numba, impl_numba_mlp

    return {**impl_numba.BUILDERS, **impl_numba_mlp.BUILDERS}


def _jax_builders() -> dict:
    from . import impl_jax

    return impl_jax.BUILDERS


def _jax_finish(out: Outputs) -> None:
    from . import impl_jax

    impl_jax.finish(out)


def all_impls() -> list[Impl]:
    """Fresh Impl objects in report order (fresh, so a run's load state is its own)."""
    return [
        Impl(
            "jitgrad",
            "jitgrad fused",
            _load_jitgrad,
            lambda: impl_module.BUILDERS,
            _module_build(fused=True),
            impl_module.to_numpy,
        ),
        Impl(
            "jitgrad-unfused",
            "jitgrad unfused",
            _load_jitgrad_unfused,
            lambda: impl_module.BUILDERS,
            _module_build(fused=False),
            impl_module.to_numpy,
        ),
        Impl("numpy", "numpy", lambda: np, _numpy_builders, _plain),
        Impl("numba", "hand-fused numba", _load_numba, _numba_builders, _plain),
        Impl(
            "torch",
            "torch eager",
            _load_torch,
            lambda: impl_module.BUILDERS,
            _module_build(fused=True),
            impl_module.to_numpy,
            optional=True,
        ),
        Impl(
            "torch_compile",
            "torch.compile (Inductor)",
            _load_torch_compile,
            lambda: impl_module.BUILDERS,
            _module_build(fused=True),
            impl_module.to_numpy,
            optional=True,
        ),
        Impl(
            "jax",
            "jax jit(value_and_grad)",
            _load_jax,
            _jax_builders,
            _with_finish(_jax_finish),
            optional=True,
        ),
    ]


IMPL_KEYS = [i.key for i in all_impls()]
