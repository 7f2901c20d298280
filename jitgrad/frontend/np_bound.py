"""NumPy's functions and array type that the per-op paths call, bound as plain names.

NumPy 2 defines a module ``__getattr__``, and CPython 3.11 does not specialize an attribute
read on a module that has one: each ``np.empty`` in a hot function takes the generic lookup
(``module_getattro``, ~250-300 instructions). A 200-op scalar graph made ~550 such reads in
its forward and ~600 in its backward (Run eager17 in perf/RESULTS.md). A name imported from
here is a global of the importing module, which 3.11 reads in a few instructions; use these
on the per-op paths, ``np.`` elsewhere.
"""

from __future__ import annotations

import numpy as np

np_empty = np.empty
np_zeros = np.zeros
np_array = np.array
ndarray = np.ndarray
