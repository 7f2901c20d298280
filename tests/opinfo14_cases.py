"""A slice of PyTorch's OpInfo sample inputs (torch/testing/_internal/common_methods_invocations.py,
``sample_inputs_*``), ported as *cases* for ops whose test rows were thinnest: reductions
with dim/keepdim/correction combos, cumulative and order-statistic ops, index ops, shape ops
and a few pointwise ops. Shared by the recorder tests/fixtures/make_opinfo14_torch.py (``lib``
= PyTorch, float64 and float32) and tests/test_opinfo14.py (``lib`` = jitgrad), so neither
side computes the other's expectations. ``run(lib, sample, dtype)`` returns plain JSON: each
output's shape, dtype, values and ``grad_fn`` name, and the gradients of a fixed weighted sum
of the floating outputs with respect to every floating input (or the exception raised)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

S, M = 5, 10  # OpInfo's sizes


@dataclass(frozen=True)
class T:
    """A floating input of ``shape`` (requires grad); ``nonzero`` keeps it away from 0,
    ``big_first`` sets ``t[0] = 10000`` (sample_inputs_logcumsumexp's large number);
    ``unit`` scales the values into [-1.125, 1.125) (OpInfo's ``low=-1, high=1`` for
    products), ``shift`` adds a constant (``low=1e3``), ``zeros`` zeroes these flat positions."""

    shape: tuple
    nonzero: bool = False
    big_first: bool = False
    unit: bool = False
    shift: float = 0.0
    zeros: tuple = ()


@dataclass(frozen=True)
class Mask:
    """A bool tensor of ``shape`` (``()`` gives ``True``)."""

    shape: tuple


@dataclass(frozen=True)
class Idx:
    """An int64 index tensor with these entries (in ``shape``, 1-D by default)."""

    values: tuple
    shape: tuple | None = None


def _samples() -> list[tuple[str, str, tuple, dict]]:
    """(row id, op, args, kwargs): the OpInfo cases, in their order."""
    return (_reduction_samples() + _order_samples() + _shape_samples() + _index_samples()
            + _other_samples() + _more_samples() + _error_samples())


def _reduction_samples() -> list[tuple[str, str, tuple, dict]]:
    """sample_inputs_std_var (+ _unbiased) and sample_inputs_aminmax."""
    out: list[tuple[str, str, tuple, dict]] = []
    nd, one = T((S, S, S)), T((S,))
    for op in ("std_mean", "var_mean"):  # sample_inputs_std_var (+ _unbiased)
        kws: list[dict] = [
            {}, {"dim": 1}, {"dim": 1, "unbiased": True, "keepdim": True},
            {"dim": (1,), "correction": 1.3}, {"dim": (1,), "correction": S // 2},
            {"dim": None, "correction": 0, "keepdim": True}, {"dim": None, "correction": None},
            {"dim": None, "correction": -1}, {"dim": None, "correction": -5},
            {"correction": 0.5, "keepdim": True}, {"correction": 0, "keepdim": True},
        ]
        out += [(f"{op}-{i}", op, (nd,), kw) for i, kw in enumerate(kws)]
        out += [(f"{op}-1d-u", op, (one,), {"dim": 0, "unbiased": True, "keepdim": True}),
                (f"{op}-1d-b", op, (one,), {"dim": 0, "unbiased": False, "keepdim": False}),
                (f"{op}-dim-3", op, (T((3, 4, 5)),), {"dim": -3}),
                (f"{op}-pos-true", op, (T((S, S)), True), {}),
                (f"{op}-pos-false", op, (one, False), {}),
                (f"{op}-empty", op, (T((0,)),), {}), (f"{op}-empty0S", op, (T((0, S)),), {}),
                (f"{op}-empty0S-d0", op, (T((0, S)),), {"dim": 0})]
    for i, (shape, kw) in enumerate((((S, S, S), {}), ((S, S, S), {"dim": 1}),
                                     ((S, S, S), {"dim": 1, "keepdim": True}),
                                     ((), {"dim": 0}), ((), {}),
                                     ((), {"dim": 0, "keepdim": True}), ((S, 0, S), {"dim": 0}))):
        out.append((f"aminmax-{i}", "aminmax", (T(shape),), kw))
    return out


def _order_samples() -> list[tuple[str, str, tuple, dict]]:
    """cumulative_ops (cummax/cummin), kthvalue, mode, max_min_reduction (median)."""
    out: list[tuple[str, str, tuple, dict]] = []
    nd = T((S, S, S))
    for op in ("cummax", "cummin"):  # sample_inputs_cumulative_ops(supports_dtype_kwargs=False)
        out += [(f"{op}-d0", op, (nd, 0), {}), (f"{op}-d1", op, (nd, 1), {}),
                (f"{op}-0d", op, (T(()), 0), {})]
    kth = (((S, S, S), (2,)), ((S, S, S), (2, 1)), ((S, S, S), (2, -1)), ((S, S, S), (2, 1, True)),
           ((S, S, S), (2, -1, True)), ((S,), (2, 0)), ((S,), (2, 0, True)), ((), (1,)),
           ((), (1, 0)), ((), (1, 0, True)))
    out += [(f"kthvalue-{i}", "kthvalue", (T(s), *a), {}) for i, (s, a) in enumerate(kth)]
    mode = (((S, S, S), ()), ((S, S, S), (1,)), ((S, S, S), (1, True)), ((), ()), ((), (0,)),
            ((), (0, True)))
    out += [(f"mode-{i}", "mode", (T(s), *a), {}) for i, (s, a) in enumerate(mode)]
    for op in ("median", "nanmedian"):  # sample_inputs_max_min_reduction_with_dim / _no_dim
        red = (((S, S, S), (1,)), ((S, S, S), (1, True)), ((), (0,)), ((), (0, True)),
               ((S, S, S), ()), ((), ()))
        out += [(f"{op}-{i}", op, (T(s), *a), {}) for i, (s, a) in enumerate(red)]
    return out


def _shape_samples() -> list[tuple[str, str, tuple, dict]]:
    """sample_inputs_renorm, _rot90, _unflatten and _dsplit."""
    out: list[tuple[str, str, tuple, dict]] = []
    nd = T((S, S, S))
    for i, a in enumerate(((2, 1, 0.5), (2, -1, 0.5), (1, 2, 3), (math.inf, 2, 0.5))):
        out.append((f"renorm-{i}", "renorm", (nd, *a), {}))
    out.append(("rot90-default", "rot90", (nd,), {}))
    out += [(f"rot90-{k}-{d[0]}{d[1]}", "rot90", (nd, k, d), {})
            for k in range(-5, 6) for d in ((0, 1), (1, 2), (1, -1))]
    unfl = (((8,), 0, (8,)), ((8,), 0, (4, 2)), ((8,), -1, (2, 2, 2)), ((8,), -1, (-1, 2)),
            ((3, 6, 2), 1, (2, 3)), ((3, 6, 2), -2, (2, 3)), ((3, 6, 2), -2, (-1, 3)),
            ((3, 2, 12), 2, (3, 2, 2)), ((4, 0), 0, (2, 2)), ((4, 0), 1, (2, 0, 0, 0)))
    out += [(f"unflatten-{i}", "unflatten", (T(s), d, z), {}) for i, (s, d, z) in enumerate(unfl)]
    out += [("dsplit-list", "dsplit", (nd, [1, 2, 3]), {}),
            ("dsplit-2", "dsplit", (T((S, S, 6)), 2), {})]
    return out


def _other_samples() -> list[tuple[str, str, tuple, dict]]:
    """sample_inputs_masked_select, _dist, _addcmul_addcdiv; sample_trapezoid and its cumulative."""
    out: list[tuple[str, str, tuple, dict]] = []
    masks = (((M, M), (M, M)), ((M, M), (M,)), ((M,), (M, M)), ((M, 1, M), (M, M)), ((), ()),
             ((M, M), ()), ((), (M, M)))
    out += [(f"masked_select-{i}", "masked_select", (T(s), Mask(m)), {})
            for i, (s, m) in enumerate(masks)]
    sizes = ((S, S, S), (S,), (S, 1, S), (), (S, S))
    out += [(f"dist-{i}-{j}-p{p}", "dist", (T(a), T(b), p), {})
            for i, a in enumerate(sizes) for j, b in enumerate(sizes) for p in (2, 4)]
    addc = (((S, S), (S, S), (S, S)), ((S, S), (S, 1), (1, S)), ((1,), (S, S, 1), (1, S)),
            ((), (), ()), ((S, S), (), ()), ((), (S, S, 1), (1, S)))
    for op in ("addcmul", "addcdiv"):
        for i, shapes in enumerate(addc):
            args = tuple(T(s, nonzero=True) for s in shapes)
            out += [(f"{op}-{i}", op, args, {}), (f"{op}-{i}-v", op, args, {"value": 3.14})]
    trap = (((2, 3), (2, 3), {}), ((2, 3), (2, 3), {"dim": 1}), ((6,), (6,), {}), ((6,), None, {}),
            ((2, 3), (1, 3), {}), ((3, 3), (3, 3), {}), ((3, 3), (3, 3), {"dim": -2}),
            ((5,), None, {"dx": 2.0}), ((2, 2), None, {"dx": 3.0}))
    for op in ("trapezoid", "cumulative_trapezoid"):
        out += [(f"{op}-{i}", op, (T(y),) + (() if x is None else (T(x),)), kw)
                for i, (y, x, kw) in enumerate(trap)]
    return out


def _more_samples() -> list[tuple[str, str, tuple, dict]]:
    """sample_inputs_logcumsumexp, _take and _cdist (its shapes; p in 0, 1, 1.5, 2, inf with
    the default compute mode, and p = 2 with each explicit one)."""
    out = [(f"logcumsumexp-{'big' if big else 'num'}-{i}", "logcumsumexp",
            (T(s, big_first=big and bool(s)), d), {})
           for big in (True, False) for i, (s, d) in enumerate((((S, S, S), 0), ((S, S, S), 1),
                                                               ((), 0)))]
    takes = [((3, 3), Idx((7, 0, 4))), ((3, 3), Idx((-8, -1, -5)))]
    takes += [(src, Idx((0,), shape)) for src in ((), (1,)) for shape in ((), (1,))]
    takes += [(src, Idx(())) for src in ((0,), (), (1,), (3, 2))]
    out += [(f"take-{i}", "take", (T(s), idx), {}) for i, (s, idx) in enumerate(takes)]
    shapes = (((S, S, 2), (S, S + 1, 2)), ((S, S), (S, S)), ((S, S, S), (S, S, S)),
              ((3, 5), (3, 5)), ((2, 3, 5), (2, 3, 5)), ((1, 2, 3), (1, 2, 3)), ((1, 1), (S, 1)),
              ((0, 5), (4, 5)),
              ((4, 5), (0, 5)), ((0, 4, 5), (3, 5)), ((4, 5), (0, 3, 5)), ((0, 4, 5), (1, 3, 5)),
              ((1, 4, 5), (0, 3, 5)), ((2, 2, 3, 2), (2, 2, 4, 2)), ((2, 1, 1, 2), (1, 2, 2)),
              ((1, 1, 2), (2, 1, 2, 2)))
    for i, (a, b) in enumerate(shapes):
        out += [(f"cdist-{i}-p{p}", "cdist", (T(a), T(b), p), {})
                for p in (0.0, 1.0, 1.5, 2.0, math.inf)]
        out += [(f"cdist-{i}-{cm[:3]}", "cdist", (T(a), T(b), 2.0, cm), {})
                for cm in ("use_mm_for_euclid_dist", "donot_use_mm_for_euclid_dist")]
    return out


def _error_samples() -> list[tuple[str, str, tuple, dict]]:
    """The error_inputs_* of these ops that need no ``out=`` (PyTorch's type and message)."""
    return [
        ("err-rot90-one-dim", "rot90", (T((S, S)),), {"dims": (0,)}),
        ("err-rot90-1d", "rot90", (T((S,)),), {}),
        ("err-rot90-same-dims", "rot90", (T((S, S)),), {"dims": (1, 1)}),
        ("err-kthvalue-k-dim0", "kthvalue", (T((2, 2)), 3, 0), {}),
        ("err-kthvalue-k", "kthvalue", (T((2, 2)), 3), {}),
        ("err-kthvalue-k-0d", "kthvalue", (T(()), 3), {}),
        ("err-dsplit-1d", "dsplit", (T((S,)), 0), {}),
        ("err-dsplit-size0", "dsplit", (T((S, S, S)), 0), {}),
        ("err-renorm-0d", "renorm", (T(()), 0.5, 0, 1.0), {}),
        ("err-index_add-shape", "index_add", (T((3, 2)), 0, Idx((0, 2)), T((2,))), {}),
        ("err-aminmax-empty", "aminmax", (T((S, 0, S)),), {}),
    ]


def _index_samples() -> list[tuple[str, str, tuple, dict]]:
    """sample_inputs_index: index_add (alpha -1, 0, 2), index_copy, index_fill (a Python
    number and a 0-d tensor) on shapes (), (1,) and (S, S) (dim -1 for 2-D, else 0)."""
    out: list[tuple[str, str, tuple, dict]] = []
    perm = (3, 0, 4, 1, 2)
    for shape in ((), (1,), (S, S)):
        dim = -1 if len(shape) == 2 else 0
        n = shape[dim] if shape else 1
        perm_idx = Idx(perm if n == S else (0,))
        fill_idx = Idx((1, 1, 4, 0, 2) if n == S else (0,))
        tag = "x".join(map(str, shape)) or "0d"
        for alpha in (-1, 0, 2):
            out.append((f"index_add-{tag}-a{alpha}", "index_add",
                        (T(shape), dim, perm_idx, T(shape)), {"alpha": alpha}))
        out.append((f"index_copy-{tag}", "index_copy", (T(shape), dim, perm_idx, T(shape)), {}))
        out.append((f"index_fill-{tag}-num", "index_fill", (T(shape), dim, fill_idx, -2.375), {}))
        out.append((f"index_fill-{tag}-t0", "index_fill", (T(shape), dim, fill_idx, T(())), {}))
    return out


SAMPLES = _samples()


def _values(shape: tuple, seed: int, nonzero: bool) -> np.ndarray:
    """Deterministic distinct values in [-9, 9) (OpInfo's make_tensor range), 1/64 steps so
    float32 holds them exactly; ``nonzero`` keeps them at least 1 away from zero."""
    n = int(np.prod(shape, dtype=np.int64))
    rng = np.random.default_rng(1000 + seed)
    v = rng.choice(np.arange(-9 * 64, 9 * 64), size=n, replace=n > 18 * 64) / 64.0
    if nonzero:
        v = np.where(np.abs(v) < 1.0, np.sign(v + 0.5) * (1.0 + np.abs(v)), v)
    return v.reshape(shape)


def _build(lib: Any, arg: Any, seed: int, dtype: Any) -> tuple[Any, bool]:
    """``arg`` as a ``lib`` object, and whether it is a floating input to differentiate."""
    if isinstance(arg, T):
        v = _values(arg.shape, seed, arg.nonzero)
        if arg.big_first:
            v[0] = 10000.0
        v = (v / 8.0 if arg.unit else v) + arg.shift
        if arg.zeros:
            v.reshape(-1)[list(arg.zeros)] = 0.0
        x = lib.tensor(v.ravel().tolist(), dtype=dtype)
        return x.reshape(arg.shape).detach().requires_grad_(), True
    if isinstance(arg, Mask):
        if not arg.shape:
            return lib.tensor(True), False
        bits = _values(arg.shape, seed, False) > 0
        return lib.tensor(bits.tolist(), dtype=lib.bool), False
    if isinstance(arg, Idx):
        idx = lib.tensor(list(arg.values), dtype=lib.int64)
        return (idx if arg.shape is None else idx.reshape(arg.shape)), False
    return arg, False


def _outputs(result: Any) -> list:
    """The op's result as a list of tensors (tuples, namedtuples and split lists flattened)."""
    return list(result) if isinstance(result, (tuple, list)) else [result]


def _weights(lib: Any, out: Any) -> Any:
    """A fixed cotangent for ``out`` (cos of the flat position), so shape ops' gradients show
    where each element went."""
    n = out.numel()
    w = np.cos(np.arange(n) * 0.7 + 1.0)
    return lib.tensor(w.ravel().tolist(), dtype=out.dtype).reshape(tuple(out.shape))


def _describe(t: Any) -> dict:
    node = t.grad_fn
    return {"shape": list(t.shape), "dtype": str(t.dtype).split(".")[-1],
            "values": t.detach().tolist(), "grad_fn": None if node is None else node.name()}


def run(lib: Any, sample: tuple, dtype_name: str) -> dict:
    """Sample ``sample`` under ``lib`` with floating inputs of ``dtype_name``: the outputs and
    the gradients (``None`` for an input the weighted sum does not reach)."""
    _, op, args, kwargs = sample
    dtype = getattr(lib, dtype_name)
    built = [_build(lib, a, i, dtype) for i, a in enumerate(args)]
    leaves = [x for x, diff in built if diff]
    try:
        outs = _outputs(getattr(lib, op)(*[x for x, _ in built], **kwargs))
    except Exception as err:  # noqa: BLE001 - a raised error is part of the answer
        return {"error": [type(err).__name__, str(err)]}
    rec: dict = {"outputs": [_describe(o) for o in outs]}
    diff_outs = [o for o in outs if o.dtype.is_floating_point and o.requires_grad]
    if diff_outs and leaves:
        total = sum((o * _weights(lib, o)).sum() for o in diff_outs)
        grads = lib.autograd.grad(total, leaves, allow_unused=True)
        rec["grads"] = [None if g is None else g.tolist() for g in grads]
    return rec
