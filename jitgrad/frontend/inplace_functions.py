"""PyTorch's function forms of in-place ops (``torch.sin_(t)``, ``torch.zero_(t)``...).

Each is ``t.<name>(...)``: the Tensor method does the work, checks and graph recording, so the
two spellings cannot drift apart. Only names PyTorch has at module level are listed (it has
``torch.sin_`` but no ``torch.add_``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_NAMES = (
    "abs_ acos_ asin_ atan_ ceil_ clip_ cos_ cosh_ detach_ exp_ expm1_ fill_ floor_ frac_ "
    "log10_ log1p_ log2_ log_ neg_ reciprocal_ relu_ sigmoid_ sin_ sinh_ sqrt_ tanh_ trunc_ "
    "zero_"
).split()


def function_form(name: str) -> Callable[..., Any]:
    """``torch.<name>(t, ...)`` as a call of the method ``t.<name>(...)``."""

    def fn(input: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: A002 - PyTorch's name
        return getattr(input, name)(*args, **kwargs)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"``torch.{name}(t, ...)`` is ``t.{name}(...)``."
    return fn


for _name in _NAMES:
    globals()[_name] = function_form(_name)

__all__ = list(_NAMES)
