"""``jitgrad.tensor``, the old import path of :mod:`jitgrad.frontend.tensor` (the Tensor class).

The code lives in the Tensor front end (``jitgrad/frontend/``); this name is the same
module object, kept for programs and pickles that name it.
"""

import sys

from .frontend import tensor as _impl

sys.modules[__name__] = _impl
