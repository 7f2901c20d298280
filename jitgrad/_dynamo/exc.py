"""``torch._dynamo.exc``: the exception ``compile`` raises for an unknown backend."""

from __future__ import annotations

from ..capture import InvalidBackend

__all__ = ["InvalidBackend"]
