"""Placeholder: filled in by the linalg ops work. Exports functions in __all__, methods in METHODS."""

from __future__ import annotations

from typing import Any

__all__: list[str] = []
#: Tensor method name -> function, bound by jitgrad.methods.bind().
METHODS: dict[str, Any] = {}
