"""The CUDA backend (Numba ``@cuda.jit``): imported only when a tensor first goes to "cuda",
and only where ``numba.cuda.is_available()`` (a GPU, or Numba's simulator with
``NUMBA_ENABLE_CUDASIM=1``). See :mod:`.api` for what runs on the device and what goes
through the host fallback.
"""
