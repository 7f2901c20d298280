"""``torch.autograd.grad_mode``, PyTorch's import path of :mod:`jitgrad.engine.grad_mode`.

The code lives with the engine (below the Tensor front end; this package is the public API
above it); this name is the same module object, so its state is one.
"""

import sys

from ..engine import grad_mode as _impl

sys.modules[__name__] = _impl
