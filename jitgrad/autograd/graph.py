"""``torch.autograd.graph``, PyTorch's import path of :mod:`jitgrad.engine.graph`.

The code lives with the engine (below the Tensor front end; this package is the public API
above it); this name is the same module object, so its state is one.
"""

import sys

from ..engine import graph as _impl

sys.modules[__name__] = _impl
