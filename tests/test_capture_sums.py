"""A captured step's full sums and means are eager's bit for bit at every size (issue 16 §1):
a sum of a deferred elementwise chain is that chain's kernel's blocked sum in eager (4096-
element blocks in the 64-lane order, added in float64), a sum of a stored array (or over a
dim) the reduction kernel's pairwise one; the tape's row adds in the same order."""

from __future__ import annotations

import numpy as np
import pytest

import jitgrad as torch

BLOCK = 4096  # jitgrad.fusion.codegen.REDUCE_BLOCK (the boundaries the sizes straddle)


def _leaf(shape, dtype: str, seed: int) -> torch.Tensor:
    rng = np.random.default_rng(seed)
    return torch.tensor((rng.standard_normal(shape) * 2).astype(dtype), requires_grad=True)


def _step(x: torch.Tensor, kind: str, dim=None):
    def step() -> torch.Tensor:
        x.grad = None
        y = torch.tanh(x * 0.7 + 0.1) * x  # a deferred chain in eager
        loss = getattr(y, kind)() if dim is None else getattr(y, kind)(dim).sum()
        loss.backward()
        return loss

    return step


def _bitwise(step, x: torch.Tensor) -> str:
    loss = step()
    want = (loss.detach().numpy().tobytes(), x.grad.numpy().tobytes())
    compiled = torch.compile(step)
    for _ in range(3):  # the trace, then replays
        loss = compiled()
        assert (loss.detach().numpy().tobytes(), x.grad.numpy().tobytes()) == want
    return compiled.explain()


#: (size, seed per dtype): below the size eager defers a chain from (there it sums a stored
#: array, pairwise), then one past and one short of a block boundary where it defers; seeds
#: whose values the two orders round differently (found by adding them both ways outside
#: jitgrad's capture), so a tape adding in the other order fails
SIZES = [(6000, {"float32": 5, "float64": 6}), (256 * BLOCK + 1, {"float32": 0, "float64": 0}),
         (260 * BLOCK - 1, {"float32": 0, "float64": 0})]  # fmt: skip


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("kind", ["sum", "mean"])
def test_full_sum_of_a_chain_at_block_boundaries(dtype: str, kind: str) -> None:
    for n, seeds in SIZES:
        x = _leaf(n, dtype, seeds[dtype])
        assert "tape interpreter" in _bitwise(_step(x, kind), x)


def test_sum_over_the_last_dim_of_a_2d_chain() -> None:
    # a dim sum materializes the chain in eager (pairwise rows), then a full sum of a stored
    # array (pairwise): neither is the chain kernel's blocked order
    x = _leaf((3, 2 * BLOCK + 5), "float32", 7)
    _bitwise(_step(x, "sum", dim=1), x)
    _bitwise(_step(x, "mean", dim=-1), x)


def test_full_mean_over_millions_of_elements() -> None:
    # the size where the pairwise row drifted from eager's kernel by an ulp (Run capfuse17):
    # the fused groups of jitgrad.capture.tile run here, the mean after them
    x = _leaf(3 << 20, "float32", 4)
    assert "fused into one generated loop" in _bitwise(_step(x, "mean"), x)


def test_mse_loss_sums_as_eager() -> None:
    # F.mse_loss sums (a - b) ** 2 inside eager's own call: a deferred chain from the deferral
    # size on (its kernel's blocks), pairwise below it
    F = torch.nn.functional
    for n, seed in ((6000, 1), (256 * BLOCK + 1, 1)):
        x, y = _leaf(n, "float32", seed), _leaf(n, "float32", seed + 100).detach()

        def step(x=x, y=y) -> torch.Tensor:
            x.grad = None
            loss = F.mse_loss(torch.tanh(x), y)
            loss.backward()
            return loss

        _bitwise(step, x)
