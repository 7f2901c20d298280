"""``torch.func``: composable transforms (grad, vjp, jvp, jacrev, jacfwd, hessian, vmap) and
``functional_call``, over jitgrad's reverse-mode engine (see :mod:`._autodiff`); ``vmap``
loops over the batch (see :mod:`._vmap`)."""

from __future__ import annotations

from ..helpers import missing_attribute
from ._autodiff import grad, grad_and_value, hessian, jacfwd, jacrev, jvp, vjp
from ._functional_call import functional_call, stack_module_state
from ._vmap import vmap

__all__ = [
    "functional_call",
    "grad",
    "grad_and_value",
    "hessian",
    "jacfwd",
    "jacrev",
    "jvp",
    "stack_module_state",
    "vjp",
    "vmap",
]

#: ``jitgrad.func.<name>`` for a PyTorch name jitgrad lacks says so (AttributeError).
__getattr__ = missing_attribute("jitgrad.func")
del annotations, missing_attribute  # not PyTorch's names
