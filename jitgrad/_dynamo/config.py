"""``torch._dynamo.config``: the settings scripts commonly set, with PyTorch 2.13's defaults.

Nothing reads them (there is no tracer, see :mod:`jitgrad.capture`): they exist so that
``torch._dynamo.config.suppress_errors = True`` and the like run unchanged. A name PyTorch
does not have raises PyTorch's AttributeError, on reading and on setting.
"""

from __future__ import annotations

import sys
import types
from typing import Any

_DEFAULTS: dict[str, Any] = {
    "suppress_errors": False,
    "cache_size_limit": 8,
    "recompile_limit": 8,
    "accumulated_cache_size_limit": 256,
    "accumulated_recompile_limit": 256,
    "verbose": False,
    "capture_scalar_outputs": False,
    "capture_dynamic_output_shape_ops": False,
    "automatic_dynamic_shapes": True,
    "optimize_ddp": True,
}


class _Config(types.ModuleType):
    """The module object itself: it checks names on every read and write."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        raise AttributeError(f"torch._dynamo.config.{name} does not exist")

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in _DEFAULTS and not name.startswith("_"):
            raise AttributeError(f"torch._dynamo.config.{name} does not exist")
        super().__setattr__(name, value)


globals().update(_DEFAULTS)
sys.modules[__name__].__class__ = _Config
