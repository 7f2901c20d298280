"""Random number generators: ``Generator``, the default generator, seeding and RNG state.

Each :class:`Generator` is PyTorch's CPU generator: a Mersenne Twister (mt19937) seeded with
the seed's low 32 bits, with PyTorch's transforms for ``rand``/``uniform_``, ``randn``/
``normal_``, ``randint``/``random_`` and ``randperm`` (:mod:`jitgrad.random_torch`). So
``manual_seed(0)`` then ``randn(3)``, an ``nn.Linear``'s initial weights or a seeded
``randperm`` print PyTorch's numbers (float32 ``randn`` of >= 16 elements within a few ulp: PyTorch
uses Sleef's vector log/sin/cos there). The other samplers (exponential, gamma, poisson,
binomial, multinomial, bernoulli with a tensor ``p``...) follow ATen's algorithms
(:mod:`jitgrad.random_samplers`); ``bernoulli_(float p)`` (MKL's generator in PyTorch) and
dropout use numpy's transform on the same twister: reproducible, not PyTorch's values.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator
from typing import Any

import numpy as np

from . import dtypes as D
from .frontend.tensor import Tensor, _make, device
from .random_torch import TorchStream

#: ``torch.Generator()``'s seed before ``manual_seed`` (PyTorch's ``default_rng_seed_val``).
DEFAULT_SEED = 67280421310721
_MASK64 = (1 << 64) - 1
#: get_state's size: 4 words (seed, position, cache flag, cached normal) + 624 words of 32 bits
_STATE_BYTES = 32 + 624 * 4


def _new_seed() -> int:
    return secrets.randbits(63)


class Generator:
    """A stream of random numbers that functions taking ``generator=`` draw from.

    >>> g = Generator().manual_seed(0)
    >>> g.initial_seed()
    0
    """

    def __init__(self, device: Any = "cpu") -> None:
        self.device = _device(device)
        self.manual_seed(DEFAULT_SEED)

    def manual_seed(self, seed: Any) -> Generator:
        """Restart the stream from ``seed`` (any integer; negative ones wrap as in PyTorch)."""
        if isinstance(seed, Tensor):
            seed = seed.item()
        if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
            raise TypeError(
                f"manual_seed(): argument 'seed' (position 1) must be int, not "
                f"{type(seed).__name__}"
            )
        seed = int(seed)
        if not -(1 << 63) <= seed < (1 << 64):
            raise RuntimeError(
                "Overflow when unpacking long long; manual_seed expects a 64-bit integer"
            )
        self._seed = seed & _MASK64
        self._np = TorchStream(self._seed)
        return self

    def seed(self) -> int:
        """Seed from the operating system's entropy and return the seed used."""
        s = _new_seed()
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        """The seed this stream started from."""
        return self._seed

    def get_state(self) -> Tensor:
        """The stream's position as a ByteTensor (uint8, as PyTorch's) that :meth:`set_state`
        restores: the seed, the twister's position, the cached normal sample and its 624
        words (PyTorch's 5056-byte layout holds the same fields in another order)."""
        st = self._np.bit_generator.state["state"]
        cached = self._np.next_double_normal
        head = np.array([self._seed, st["pos"], cached is not None, 0], dtype=np.uint64)
        head[3:] = np.array([cached or 0.0]).view(np.uint64)
        raw = np.concatenate([head.view(np.uint8), st["key"].astype(np.uint32).view(np.uint8)])
        return _make(raw, D.uint8)

    def set_state(self, new_state: Tensor) -> Generator:
        """Go back to a position saved by :meth:`get_state`."""
        if not isinstance(new_state, Tensor):
            raise TypeError(f"expected a torch.ByteTensor, but got {type(new_state).__name__}")
        if new_state._dtype is not D.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        if new_state._value.size != _STATE_BYTES:  # PyTorch's wording, jitgrad's state size
            raise RuntimeError(
                f"Expected a CPUGeneratorImplState of size {_STATE_BYTES} but found the input "
                f"RNG state size to be {new_state._value.size}"
            )
        raw = np.ascontiguousarray(np.asarray(new_state._value).reshape(-1))
        head = raw[:32].view(np.uint64)
        stream = TorchStream(0)
        stream.bit_generator.state = {
            "bit_generator": "MT19937",
            "state": {"key": raw[32:].view(np.uint32).copy(), "pos": int(head[1])},
        }
        stream.next_double_normal = float(head[3:].view(np.float64)[0]) if head[2] else None
        self._np, self._seed = stream, int(head[0])
        return self


def _device(d: Any) -> device:
    return d if isinstance(d, device) else device(d)


#: The generator every random function uses when given no ``generator=``. Seeded from the
#: operating system at import, like PyTorch's.
default_generator = Generator()
default_generator.manual_seed(_new_seed())


def numpy_generator(generator: Generator | None = None) -> TorchStream:
    """The stream behind ``generator`` (the default one when ``None``): numpy's interface,
    PyTorch's numbers (:mod:`jitgrad.random_torch`)."""
    if generator is None:
        return default_generator._np
    if not isinstance(generator, Generator):
        raise TypeError(f"expected a torch.Generator, but got {type(generator).__name__}")
    return generator._np


def manual_seed(seed: Any) -> Generator:
    """Seed the default generator (``int(seed)``, as PyTorch); returns it."""
    return default_generator.manual_seed(int(seed))


def seed() -> int:
    """Seed the default generator nondeterministically and return the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state() -> Tensor:
    return default_generator.get_state()


def set_rng_state(new_state: Tensor) -> None:
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(
    devices: Any = None,
    enabled: bool = True,
    _caller: str = "fork_rng",
    _devices_kw: str = "devices",
    device_type: str = "cuda",
) -> Iterator[None]:
    """Restore the default generator's state on exit (PyTorch's ``torch.random.fork_rng``)."""
    if not enabled:
        yield
        return
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)
