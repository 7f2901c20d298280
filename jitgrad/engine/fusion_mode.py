"""``jitgrad.fusion(enabled)``: switch the fusion pass on or off, globally or in a block.

Works like ``torch.set_grad_enabled``: calling it switches at once, and used as a context
manager or decorator it restores the previous setting afterwards, so a user can compare
fused and per-op kernels on the same program.

Like grad mode, the setting is per thread, a plain call included: ``jitgrad.fusion(False)``
in one thread leaves fusion on in the others, and every new thread starts with the default
(``JITGRAD_FUSE``, on unless set to 0), not with the setting of the thread that started it.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

from .. import helpers


class _State(threading.local):
    """This thread's setting; the class attribute is the default a new thread reads."""

    enabled = helpers.FUSE_DEFAULT


STATE = _State()


class fusion:  # noqa: N801 - used like a function, as torch.no_grad is
    """Turn the fusion pass on (default) or off; a context manager and decorator too."""

    def __init__(self, enabled: bool = True) -> None:
        self.prev = STATE.enabled
        self.enabled = bool(enabled)
        STATE.enabled = self.enabled

    def __enter__(self) -> fusion:
        STATE.enabled = self.enabled
        return self

    def __exit__(self, *exc: object) -> None:
        STATE.enabled = self.prev

    def __call__(self, fn: Callable) -> Callable:
        # As a decorator the switch applies only while ``fn`` runs.
        STATE.enabled = self.prev
        enabled = self.enabled

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with fusion(enabled):
                return fn(*args, **kwargs)

        return wrapper

    @staticmethod
    def is_enabled() -> bool:
        """Whether backward currently fuses elementwise chains."""
        return STATE.enabled
