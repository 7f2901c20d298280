"""``jitgrad.tensor_meta``, the old import path of :mod:`jitgrad.frontend.tensor_meta`
(``Size``, ``device`` and the shape queries).

The code lives in the Tensor front end (``jitgrad/frontend/``); this name is the same
module object, kept for programs and pickles that name it.
"""

import sys

from .frontend import tensor_meta as _impl

sys.modules[__name__] = _impl
