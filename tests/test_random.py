"""Generators, seeding, RNG state and the random sampling functions.

jitgrad's stream is not PyTorch's (see jitgrad/random.py), so these tests check what a
program can rely on: reproducibility under a seed, independence of separate generators,
distributions (with fixed seeds and loose statistical bounds), shapes, dtypes, node names
and PyTorch's error messages.
"""

from __future__ import annotations

import numpy as np
import pytest

import jitgrad as torch


def test_manual_seed_reproduces_every_sampler() -> None:
    def draw():
        return [
            torch.rand(3).tolist(),
            torch.randn(2, 2).tolist(),
            torch.randint(0, 10, (4,)).tolist(),
            torch.randperm(6).tolist(),
            torch.normal(0.0, 1.0, size=(3,)).tolist(),
        ]

    torch.manual_seed(123)
    first = draw()
    torch.manual_seed(123)
    assert draw() == first
    torch.manual_seed(124)
    assert draw() != first


def test_a_generator_is_independent_of_the_default_stream() -> None:
    g = torch.Generator().manual_seed(7)
    a = torch.randn(4, generator=g).tolist()
    torch.manual_seed(0)
    torch.rand(100)  # moving the default stream does not move g's
    g.manual_seed(7)
    assert torch.randn(4, generator=g).tolist() == a
    assert torch.randperm(5, generator=torch.Generator().manual_seed(1)).tolist() == (
        torch.randperm(5, generator=torch.Generator().manual_seed(1)).tolist()
    )


def test_generator_seeds_and_manual_seed_returns_the_generator() -> None:
    assert torch.Generator().initial_seed() == 67280421310721  # PyTorch's default seed
    g = torch.Generator()
    assert g.manual_seed(5) is g and g.initial_seed() == 5
    assert g.device == torch.device("cpu")
    assert torch.manual_seed(3) is torch.default_generator
    assert torch.initial_seed() == 3
    s = g.seed()
    assert g.initial_seed() == s
    assert torch.Generator().manual_seed(-1).initial_seed() == 2**64 - 1
    with pytest.raises(TypeError, match="must be int, not float"):
        torch.Generator().manual_seed(1.5)


def test_rng_state_round_trip_and_fork_rng() -> None:
    torch.manual_seed(0)
    state = torch.get_rng_state()
    x = torch.rand(5).tolist()
    torch.set_rng_state(state)
    assert torch.rand(5).tolist() == x
    g = torch.Generator().manual_seed(9)
    st = g.get_state()
    y = torch.randn(3, generator=g).tolist()
    assert g.set_state(st) is g
    assert torch.randn(3, generator=g).tolist() == y
    before = torch.get_rng_state()
    with torch.random.fork_rng():
        torch.rand(10)
    assert torch.get_rng_state().tolist() == before.tolist()


@pytest.mark.parametrize("fn", [torch.rand, torch.randn, torch.zeros, torch.ones, torch.empty])
def test_size_keyword_and_forms(fn) -> None:
    assert fn(size=(2, 3)).shape == (2, 3)
    assert fn(2, 3).shape == (2, 3)
    assert fn((2, 3)).shape == (2, 3)
    assert fn([4]).shape == (4,)


def test_randint_forms_and_range() -> None:
    torch.manual_seed(0)
    assert torch.randint(10, (50,)).dtype is torch.int64
    v = torch.randint(3, 6, size=(1000,)).numpy()
    assert v.min() == 3 and v.max() == 5
    assert torch.randint(5, size=(2, 2)).shape == (2, 2)
    assert torch.randint(0, 5, (3,), dtype=torch.float32).dtype is torch.float32
    with pytest.raises(RuntimeError, match="from=4 >= to=4"):
        torch.randint(4, 4, (2,))


def test_randperm_is_a_permutation() -> None:
    torch.manual_seed(0)
    p = torch.randperm(50)
    assert sorted(p.tolist()) == list(range(50)) and p.dtype is torch.int64
    assert torch.randperm(0).shape == (0,)
    with pytest.raises(RuntimeError, match=r"negative dimension -1: \[-1\]$"):  # PyTorch 2.13
        torch.randperm(-1)


def test_like_forms_keep_shape_and_dtype() -> None:
    x = torch.zeros(2, 3, dtype=torch.float64)
    assert torch.rand_like(x).dtype is torch.float64 and torch.rand_like(x).shape == (2, 3)
    assert torch.randn_like(x, dtype=torch.float32).dtype is torch.float32
    r = torch.randint_like(x, 4)
    assert r.dtype is torch.float64 and set(r.numpy().ravel()) <= {0.0, 1.0, 2.0, 3.0}
    r = torch.randint_like(torch.zeros(200, dtype=torch.int64), 5, 8).numpy()
    assert r.min() >= 5 and r.max() <= 7
    assert torch.randn_like(x, requires_grad=True).requires_grad


def test_float_samplers_refuse_integer_dtypes() -> None:
    with pytest.raises(RuntimeError, match="\"normal_kernel_cpu\" not implemented for 'Long'"):
        torch.randn(2, dtype=torch.int64)
    with pytest.raises(RuntimeError, match="\"check_uniform_bounds\" not implemented for 'Long'"):
        torch.rand(2, dtype=torch.int64)


def test_normal_overloads_shapes_and_moments() -> None:
    torch.manual_seed(0)
    a = torch.normal(2.0, 3.0, size=(20000,)).numpy()
    assert abs(a.mean() - 2.0) < 0.1 and abs(a.std() - 3.0) < 0.1
    mean = torch.arange(4.0).reshape(4, 1)
    b = torch.normal(mean, 0.5)
    assert b.shape == (4, 1) and b.dtype is torch.float32
    c = torch.normal(mean, torch.full((4, 1000), 0.01)).numpy()
    np.testing.assert_allclose(c.mean(1), [0, 1, 2, 3], atol=0.01)
    d = torch.normal(1.0, torch.zeros(3))
    assert d.tolist() == [1.0, 1.0, 1.0]
    assert torch.normal(mean=torch.zeros(2)).shape == (2,)
    with pytest.raises(RuntimeError, match="normal expects std >= 0.0, but found std -1"):
        torch.normal(0.0, -1, size=(2,))
    with pytest.raises(RuntimeError, match="normal expects all elements of std >= 0.0"):
        torch.normal(torch.zeros(2), torch.tensor([1.0, -1.0]))


def test_normal_is_not_reparameterized_like_pytorch() -> None:
    mean = torch.zeros(3, requires_grad=True)
    std = torch.ones(3, requires_grad=True)
    out = torch.normal(mean, std)
    assert out.grad_fn.name() == "NormalBackward3"
    out.sum().backward()
    assert mean.grad.tolist() == [0.0, 0.0, 0.0] and std.grad.tolist() == [0.0, 0.0, 0.0]
    assert torch.normal(mean, 1.0).grad_fn.name() == "NormalBackward1"
    assert torch.normal(0.0, std).grad_fn.name() == "NormalBackward2"


def test_bernoulli_and_multinomial() -> None:
    torch.manual_seed(0)
    p = torch.full((20000,), 0.3)
    s = torch.bernoulli(p)
    assert s.dtype is torch.float32 and set(s.numpy().tolist()) == {0.0, 1.0}
    assert abs(s.numpy().mean() - 0.3) < 0.02
    assert torch.bernoulli(torch.tensor([0.0, 1.0])).tolist() == [0.0, 1.0]
    with pytest.raises(RuntimeError, match="p_in >= 0 && p_in <= 1"):
        torch.bernoulli(torch.tensor([1.5]))
    w = torch.tensor([[0.0, 1.0, 1.0, 0.0], [5.0, 0.0, 0.0, 1.0]])
    m = torch.multinomial(w, 2)
    assert m.shape == (2, 2) and m.dtype is torch.int64
    assert sorted(m[0].tolist()) == [1, 2] and sorted(m[1].tolist()) == [0, 3]
    many = torch.multinomial(torch.tensor([1.0, 3.0]), 8000, replacement=True).numpy()
    assert abs(many.mean() - 0.75) < 0.03
    with pytest.raises(RuntimeError, match="cannot sample n_sample > prob_dist.size"):
        torch.multinomial(torch.tensor([1.0, 1.0]), 3)
    with pytest.raises(RuntimeError, match="only supports floating-point dtypes"):
        torch.multinomial(torch.tensor([1, 1]), 1)


def test_inplace_random_fillers_take_a_generator() -> None:
    g = torch.Generator().manual_seed(4)
    x = torch.empty(6).uniform_(-1, 1, generator=g)
    g.manual_seed(4)
    assert torch.empty(6).uniform_(-1, 1, generator=g).tolist() == x.tolist()
    r = torch.empty(500).random_(2, 5).numpy()
    assert set(r.tolist()) == {2.0, 3.0, 4.0}
    assert set(torch.zeros(50).bernoulli_(0.5).tolist()) == {0.0, 1.0}
    n = torch.empty(4).normal_(0, 1, generator=g)
    assert n.shape == (4,)


def test_set_default_device_cpu_and_cuda_refusal() -> None:
    assert torch.get_default_device() == torch.device("cpu")
    torch.set_default_device("cpu")
    try:
        assert torch.zeros(2).device == torch.device("cpu")
    finally:
        torch.set_default_device(None)
    if not torch.cuda.is_available():
        torch.set_default_device("cuda")
        try:
            with pytest.raises(RuntimeError, match="NVIDIA driver"):
                torch.zeros(2)
        finally:
            torch.set_default_device(None)
        assert torch.zeros(1).device == torch.device("cpu")


def test_default_dtype_float64_reaches_samplers_modules_and_optimizer_state() -> None:
    torch.set_default_dtype(torch.float64)
    try:
        assert torch.rand(2).dtype is torch.float64
        assert torch.randn(2).dtype is torch.float64
        assert torch.normal(0.0, 1.0, size=(2,)).dtype is torch.float64
        lin = torch.nn.Linear(2, 2)
        assert lin.weight.dtype is torch.float64 and lin.bias.dtype is torch.float64
        opt = torch.optim.Adam(lin.parameters())
        lin(torch.ones(1, 2)).sum().backward()
        opt.step()
        assert opt.state[lin.weight]["step"].dtype is torch.float64  # PyTorch's scalar dtype
    finally:
        torch.set_default_dtype(torch.float32)
