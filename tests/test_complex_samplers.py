"""``uniform_`` / ``normal_`` on a complex tensor sample the real and imaginary parts
independently, as PyTorch samples ``view_as_real(self)`` (at::native normal_impl_: each part
gets ``std / sqrt(2)``, so the complex variance is ``std**2``; uniform_: both parts on
``[a, b)``). Before, the imaginary part stayed 0. Checked by the samples' statistics."""

import math

import numpy as np
import pytest

import jitgrad as torch

N = 200_000


@pytest.mark.parametrize("dtype", [torch.cfloat, torch.cdouble])
def test_complex_uniform_fills_both_parts(dtype):
    torch.manual_seed(0)
    z = torch.empty(N, dtype=dtype).uniform_(2.0, 3.0)
    assert z.dtype is dtype
    for part in (z.real.numpy(), z.imag.numpy()):
        assert part.min() >= 2.0 and part.max() <= 3.0
        assert abs(part.mean() - 2.5) < 0.01
        assert abs(part.std() - 1 / math.sqrt(12)) < 0.01
    assert abs(np.corrcoef(z.real.numpy(), z.imag.numpy())[0, 1]) < 0.02  # independent


@pytest.mark.parametrize("dtype", [torch.cfloat, torch.cdouble])
def test_complex_normal_splits_the_variance(dtype):
    torch.manual_seed(0)
    z = torch.empty(N, dtype=dtype).normal_(5.0, 2.0)
    for part in (z.real.numpy(), z.imag.numpy()):
        assert abs(part.mean() - 5.0) < 0.02
        assert abs(part.std() - 2.0 / math.sqrt(2.0)) < 0.02
    assert abs(np.abs(z.numpy() - (5 + 5j)).__pow__(2).mean() - 4.0) < 0.05  # variance std**2

