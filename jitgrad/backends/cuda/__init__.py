"""The CUDA backend (Numba ``@cuda.jit``): imported only when a tensor first goes to "cuda",
and only where ``numba.cuda.is_available()`` (a GPU, or Numba's simulator with
``NUMBA_ENABLE_CUDASIM=1``). See :mod:`.api` for what runs on the device and what goes
through the host fallback.

``matmul`` holds PyTorch's ``torch.backends.cuda.matmul`` flags (programs set
``allow_tf32``); jitgrad's matmul kernel computes in the tensors' dtype whatever they say.
"""

from ..flags import Flags

matmul = Flags(allow_tf32=False, allow_fp16_reduced_precision_reduction=True)
