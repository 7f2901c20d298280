"""``torch.testing``: :func:`assert_close` with PyTorch's per-dtype tolerances and mismatch
messages, and :func:`make_tensor` (uniform random tensors of a dtype, as PyTorch's)."""

from ._comparison import assert_close
from ._creation import make_tensor

__all__ = ["assert_close", "make_tensor"]
