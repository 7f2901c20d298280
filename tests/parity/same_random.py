"""Give PyTorch and jitgrad the same random draws, so a program's printed numbers compare.

jitgrad's CPU generator replays PyTorch's Mersenne Twister for ``rand``/``randn``/``randint``/
``randperm`` and the ``uniform_``/``normal_``/``random_`` fills, but not for ``bernoulli``,
dropout or ``multinomial`` (see README), and float32 ``randn`` may differ by an ulp or three.
The corpus harness installs this module on BOTH sides before a program runs: every public
random entry point (``torch.rand``/``randn``/``randint``/``randperm``/``normal``/``bernoulli``/
``multinomial``, the ``*_like`` forms, ``Tensor.uniform_``/``normal_``/``random_``/``bernoulli_``,
``F.dropout`` and ``F.dropout2d``) then draws from one shared numpy stream that ``manual_seed``
restarts. Each element takes one ``random()`` draw (``standard_normal`` for normal ones),
whichever entry point asks, so two libraries whose internals call different entry points for
the same purpose (a sampler's seed from ``random_`` or from ``randint``) still stay in step.

It imports neither library: ``install(torch)`` gets the module to patch (and imports its sampler
module, where it has one). Every module attribute under the library's package that *is* one of
the replaced functions is rebound too, so internal ``from ..sampling import randperm`` bindings
see the shared stream as well.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import numpy as np

_MASK64 = (1 << 64) - 1


class _Stream:
    def __init__(self) -> None:
        self.rng = np.random.default_rng(0)

    def seed(self, seed: Any) -> None:
        self.rng = np.random.default_rng(int(seed) & _MASK64)

    def uniform(self, shape: tuple) -> np.ndarray:
        return self.rng.random(shape)

    def normal(self, shape: tuple) -> np.ndarray:
        return self.rng.standard_normal(shape)


STREAM = _Stream()


def _shape(size: tuple, kw: dict) -> tuple:
    if "size" in kw:
        size = (kw.pop("size"),)
    if len(size) == 1 and isinstance(size[0], (tuple, list)) or type(size[0:1]).__name__ == "Size":
        size = tuple(size[0])
    if len(size) == 1 and hasattr(size[0], "__len__"):
        size = tuple(size[0])
    return tuple(int(s) for s in size)


def install(torch: Any) -> None:
    """Patch ``torch`` (PyTorch or jitgrad) so its random functions draw from ``STREAM``."""
    orig = {}
    lib = torch.__name__

    def _tensor(arr: np.ndarray, dtype: Any, requires_grad: bool = False) -> Any:
        t = torch.from_numpy(np.array(arr)).to(dtype)  # np.array keeps a 0-d array 0-d
        return t.requires_grad_() if requires_grad else t

    def _float(kw: dict) -> Any:
        return kw.get("dtype") or torch.get_default_dtype()

    def manual_seed(seed: Any) -> Any:
        STREAM.seed(seed)
        return orig["manual_seed"](seed)

    def rand(*size: Any, **kw: Any) -> Any:
        shape = _shape(size, kw)
        return _tensor(STREAM.uniform(shape), _float(kw), kw.get("requires_grad", False))

    def randn(*size: Any, **kw: Any) -> Any:
        shape = _shape(size, kw)
        return _tensor(STREAM.normal(shape), _float(kw), kw.get("requires_grad", False))

    def randint(*args: Any, **kw: Any) -> Any:
        args = list(args)
        if "size" in kw:
            args.append(kw.pop("size"))
        if "high" in kw:
            args.insert(0, kw.pop("high"))
        if "low" in kw:
            args.insert(0, kw.pop("low"))
        low, high, size = (0, *args) if len(args) == 2 else args
        shape = _shape((size,), {})
        vals = low + np.floor(STREAM.uniform(shape) * (high - low)).astype(np.int64)
        return _tensor(vals, kw.get("dtype") or torch.int64)

    def randperm(n: int, **kw: Any) -> Any:
        order = np.argsort(STREAM.uniform((int(n),)), kind="stable")
        return _tensor(order.astype(np.int64), kw.get("dtype") or torch.int64)

    def rand_like(t: Any, **kw: Any) -> Any:
        return _tensor(STREAM.uniform(tuple(t.shape)), kw.get("dtype") or t.dtype)

    def randn_like(t: Any, **kw: Any) -> Any:
        return _tensor(STREAM.normal(tuple(t.shape)), kw.get("dtype") or t.dtype)

    def randint_like(t: Any, *args: Any, **kw: Any) -> Any:
        low, high = (0, args[0]) if len(args) == 1 else args
        vals = low + np.floor(STREAM.uniform(tuple(t.shape)) * (high - low))
        return _tensor(vals.astype(np.int64), kw.get("dtype") or t.dtype)

    def normal(mean: Any = 0.0, std: Any = 1.0, *args: Any, **kw: Any) -> Any:
        size = args[0] if args else kw.pop("size", None)
        m = mean.detach().numpy() if hasattr(mean, "detach") else np.float64(mean)
        s = std.detach().numpy() if hasattr(std, "detach") else np.float64(std)
        shape = np.broadcast(np.asarray(m), np.asarray(s)).shape if size is None else size
        dtype = next((x.dtype for x in (mean, std) if hasattr(x, "dtype")), None)
        return _tensor(
            m + s * STREAM.normal(tuple(shape)),
            kw.get("dtype") or dtype or torch.get_default_dtype(),
            kw.get("requires_grad", False),
        )

    def bernoulli(input: Any, p: Any = None, **kw: Any) -> Any:  # noqa: A002
        probs = input.detach().numpy() if p is None else np.full(tuple(input.shape), p)
        return _tensor((STREAM.uniform(probs.shape) < probs).astype(np.float64), input.dtype)

    def multinomial(input: Any, num_samples: int, replacement: bool = False, **kw: Any) -> Any:  # noqa: A002
        """Inverse-CDF draws, one uniform per sample; without replacement a drawn category's
        weight drops to zero before the next draw (as the sampler's contract says)."""
        probs = np.atleast_2d(input.detach().double().numpy()).copy()  # bfloat16 has no numpy form
        out = np.zeros((probs.shape[0], int(num_samples)), dtype=np.int64)
        for j in range(int(num_samples)):
            u = STREAM.uniform((probs.shape[0],))
            for r in range(probs.shape[0]):
                cdf = np.cumsum(probs[r]) / probs[r].sum()
                k = min(int(np.searchsorted(cdf, u[r], side="right")), probs.shape[1] - 1)
                out[r, j] = k
                if not replacement:
                    probs[r, k] = 0.0
        return _tensor(out if input.dim() == 2 else out[0], torch.int64)

    def _fill(self: Any, arr: np.ndarray) -> Any:
        with torch.no_grad():
            self.copy_(_tensor(arr, self.dtype))
        return self

    def uniform_(self: Any, a: float = 0.0, b: float = 1.0, **kw: Any) -> Any:
        return _fill(self, a + (b - a) * STREAM.uniform(tuple(self.shape)))

    def normal_(self: Any, mean: float = 0.0, std: float = 1.0, **kw: Any) -> Any:
        return _fill(self, mean + std * STREAM.normal(tuple(self.shape)))

    def random_(self: Any, *args: Any, **kw: Any) -> Any:
        low, high = (0, 2**53) if not args else ((0, args[0]) if len(args) == 1 else args)
        return _fill(self, low + np.floor(STREAM.uniform(tuple(self.shape)) * (high - low)))

    def bernoulli_(self: Any, p: float = 0.5, **kw: Any) -> Any:
        return _fill(self, (STREAM.uniform(tuple(self.shape)) < p).astype(np.float64))

    def dropout(input: Any, p: float = 0.5, training: bool = True, inplace: bool = False) -> Any:  # noqa: A002
        if not training or p == 0.0:
            return input
        keep = (STREAM.uniform(tuple(input.shape)) >= p).astype(np.float64) / (1.0 - p)
        mask = _tensor(keep, input.dtype)
        return input.mul_(mask) if inplace else input * mask

    def dropout2d(input: Any, p: float = 0.5, training: bool = True, inplace: bool = False) -> Any:  # noqa: A002
        """Feature dropout as PyTorch's: one draw per entry of the first two dimensions (a 3-D
        input is read as (N, C, L), a 2-D one as (N, C))."""
        if not training or p == 0.0:
            return input
        shape = tuple(input.shape)
        mask_shape = shape[:2] + (1,) * (len(shape) - 2)
        keep = (STREAM.uniform(mask_shape) >= p).astype(np.float64) / (1.0 - p)
        mask = _tensor(keep, input.dtype)
        return input.mul_(mask) if inplace else input * mask

    funcs = {
        "manual_seed": manual_seed,
        "rand": rand,
        "randn": randn,
        "randint": randint,
        "randperm": randperm,
        "rand_like": rand_like,
        "randn_like": randn_like,
        "randint_like": randint_like,
        "normal": normal,
        "bernoulli": bernoulli,
        "multinomial": multinomial,
    }
    replaced = {}
    for name, fn in funcs.items():
        orig[name] = getattr(torch, name)
        replaced[id(orig[name])] = fn
        inner = getattr(orig[name], "__wrapped__", None)  # under a public wrapper (out=)
        if inner is not None:
            replaced[id(inner)] = fn
    orig["dropout"] = torch.nn.functional.dropout
    replaced[id(orig["dropout"])] = dropout
    orig["dropout2d"] = torch.nn.functional.dropout2d
    replaced[id(orig["dropout2d"])] = dropout2d
    for mod_name, mod in list(sys.modules.items()):
        if mod is None or not (mod_name == lib or mod_name.startswith(lib + ".")):
            continue
        for attr, value in list(vars(mod).items()):
            if id(value) in replaced and not attr.startswith("__"):
                setattr(mod, attr, replaced[id(value)])
    methods = {
        "uniform_": uniform_,
        "normal_": normal_,
        "random_": random_,
        "bernoulli_": bernoulli_,
    }
    for name, fn in methods.items():
        setattr(torch.Tensor, name, fn)
    _install_sampler_draws(lib)
    STREAM.seed(0)


def _install_sampler_draws(lib: str) -> None:
    """jitgrad's distributions draw their noise from numpy through ``distributions._draw``;
    PyTorch's call ``Tensor.normal_`` and ``torch.rand`` (replaced above), one draw per
    element in the sample's shape. So the normal and uniform draws there come from the shared
    stream too (``rsample`` of Normal, MultivariateNormal, Uniform...). PyTorch has no such
    module: nothing changes on its side."""
    try:
        draw = importlib.import_module(lib + ".distributions._draw")
    except ImportError:
        return
    wrap = draw._wrap
    draw.standard_normal = lambda shape, like: wrap(STREAM.normal(tuple(shape)), like)
    draw.uniform = lambda shape, like: wrap(STREAM.uniform(tuple(shape)), like)
