"""Random number generators: ``Generator``, the default generator, seeding and RNG state.

Each :class:`Generator` wraps a numpy PCG64 generator. A seeded program reproduces its own
stream run to run (``manual_seed(0)`` then ``randn(3)`` gives the same numbers every time), but
not PyTorch's: PyTorch draws from a Mersenne Twister with its own transforms, which jitgrad
does not replicate. So a shuffled ``DataLoader`` or ``randperm`` is reproducible under a seed,
in a different order than PyTorch's.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator
from typing import Any

import numpy as np

from . import dtypes as D
from .frontend.tensor import Tensor, _make, device

#: ``torch.Generator()``'s seed before ``manual_seed`` (PyTorch's ``default_rng_seed_val``).
DEFAULT_SEED = 67280421310721
_MASK64 = (1 << 64) - 1


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
        self._np = np.random.default_rng(self._seed)
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
        restores: PCG64's words as bytes (PyTorch's holds a Mersenne Twister's, 5056 bytes)."""
        st = self._np.bit_generator.state
        words = [
            st["state"]["state"] >> 64,
            st["state"]["state"] & _MASK64,
            st["state"]["inc"] >> 64,
            st["state"]["inc"] & _MASK64,
            st["has_uint32"],
            st["uinteger"],
            self._seed,
        ]
        return _make(np.array(words, dtype=np.uint64).view(np.uint8), D.uint8)

    def set_state(self, new_state: Tensor) -> Generator:
        """Go back to a position saved by :meth:`get_state`."""
        if not isinstance(new_state, Tensor):
            raise TypeError(f"expected a torch.ByteTensor, but got {type(new_state).__name__}")
        if new_state._dtype is not D.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        if new_state._value.size != 56:  # PyTorch's wording, with jitgrad's state size
            raise RuntimeError(
                "Expected a CPUGeneratorImplState of size 56 but found the input RNG state "
                f"size to be {new_state._value.size}"
            )
        raw = np.ascontiguousarray(np.asarray(new_state._value).reshape(-1))
        words = [int(w) for w in raw.view(np.uint64)]
        bit_gen = np.random.PCG64()
        bit_gen.state = {
            "bit_generator": "PCG64",
            "state": {"state": (words[0] << 64) | words[1], "inc": (words[2] << 64) | words[3]},
            "has_uint32": words[4],
            "uinteger": words[5],
        }
        self._np = np.random.Generator(bit_gen)
        self._seed = words[6]
        return self


def _device(d: Any) -> device:
    return d if isinstance(d, device) else device(d)


#: The generator every random function uses when given no ``generator=``. Seeded from the
#: operating system at import, like PyTorch's.
default_generator = Generator()
default_generator.manual_seed(_new_seed())


def numpy_generator(generator: Generator | None = None) -> np.random.Generator:
    """The numpy generator behind ``generator`` (the default one when ``None``)."""
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
