"""``nn.utils.stateless.functional_call``: the older name of ``torch.func.functional_call``."""

from __future__ import annotations

from typing import Any

from ...func._functional_call import functional_call as _functional_call
from ...helpers import warn as warn_user


def functional_call(
    module: Any,
    parameters_and_buffers: Any,
    args: Any = None,
    kwargs: Any = None,
    *,
    tie_weights: bool = True,
    strict: bool = False,
) -> Any:
    """:func:`jitgrad.func.functional_call`, with PyTorch's deprecation warning."""
    warn_user(
        "`torch.nn.utils.stateless.functional_call` is deprecated as of PyTorch 2.0 and will be "
        "removed in a future version of PyTorch. Please use `torch.func.functional_call` "
        "instead which is a drop-in replacement.",
        FutureWarning,
        stacklevel=2,
    )
    return _functional_call(
        module, parameters_and_buffers, args, kwargs, tie_weights=tie_weights, strict=strict
    )
