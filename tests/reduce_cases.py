"""The reduction case table shared by tests/test_reduce_ops.py and the script that records
PyTorch's answers for it (tests/fixtures/make_reduce_torch.py): numpy only, so it imports under
either library. Each case is (id, call taking the module ``m`` and a tensor, numpy float64
reference, input shape)."""

from __future__ import annotations

import zlib

import numpy as np

INF = float("inf")


def case_input(name: str, shape: tuple, dtype=np.float64) -> np.ndarray:
    """Distinct values (no ties) away from zero, so max/norm gradients are well defined;
    seeded by the case's name, so a recording and a test run see the same numbers."""
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    x = rng.permutation(np.linspace(0.3, 2.0, int(np.prod(shape)))).reshape(shape)
    return (x * rng.choice([-1.0, 1.0], size=shape)).astype(dtype)


def case_grad_output(name: str, shape: tuple, dtype=np.float64) -> np.ndarray:
    """The seed gradient the recorded backward used for case ``name``."""
    rng = np.random.default_rng(zlib.crc32(name.encode()) + 1)
    return rng.standard_normal(shape).astype(dtype)


def _lse(x, axis, keepdims=False):
    m = np.max(x, axis=axis, keepdims=True)
    out = m + np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))
    return out if keepdims else np.squeeze(out, axis=axis)


def _softmax(x, axis):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _pnorm(x, p, axis=None):
    a = np.abs(x)
    if p == INF:
        return a.max(axis=axis)
    return (a**p).sum(axis=axis) ** (1.0 / p)


# (id, jitgrad/torch call, numpy reference, input shape)
CASES = [
    ("sum", lambda m, x: x.sum(), lambda x: x.sum(), (3, 4, 5)),
    ("sum_dim", lambda m, x: m.sum(x, 1), lambda x: x.sum(1), (3, 4, 5)),
    (
        "sum_neg_keep",
        lambda m, x: x.sum(-1, keepdim=True),
        lambda x: x.sum(-1, keepdims=True),
        (3, 4, 5),
    ),
    ("sum_tuple", lambda m, x: x.sum((0, 2)), lambda x: x.sum((0, 2)), (3, 4, 5)),
    ("mean", lambda m, x: x.mean(), lambda x: x.mean(), (3, 4, 5)),
    (
        "mean_tuple_keep",
        lambda m, x: x.mean((0, -1), keepdim=True),
        lambda x: x.mean((0, 2), keepdims=True),
        (3, 4, 5),
    ),
    ("prod", lambda m, x: x.prod(), lambda x: x.prod(), (2, 3)),
    ("prod_dim", lambda m, x: x.prod(1, keepdim=True), lambda x: x.prod(1, keepdims=True), (3, 4)),
    ("var", lambda m, x: x.var(), lambda x: x.var(ddof=1), (3, 4, 5)),
    (
        "var_dims",
        lambda m, x: x.var((0, 2), keepdim=True),
        lambda x: x.var((0, 2), ddof=1, keepdims=True),
        (3, 4, 5),
    ),
    ("var_biased", lambda m, x: x.var(1, unbiased=False), lambda x: x.var(1), (3, 4, 5)),
    ("std", lambda m, x: x.std(0), lambda x: x.std(0, ddof=1), (3, 4, 5)),
    ("std_corr", lambda m, x: m.std(x, -1, correction=0), lambda x: x.std(-1), (3, 4, 5)),
    ("amax", lambda m, x: x.amax(), lambda x: x.max(), (3, 4, 5)),
    ("amax_tuple", lambda m, x: x.amax((0, 2)), lambda x: x.max((0, 2)), (3, 4, 5)),
    (
        "amin_keep",
        lambda m, x: m.amin(x, 1, keepdim=True),
        lambda x: x.min(1, keepdims=True),
        (3, 4, 5),
    ),
    ("max", lambda m, x: x.max(), lambda x: x.max(), (3, 4, 5)),
    ("min", lambda m, x: m.min(x), lambda x: x.min(), (3, 4, 5)),
    ("max_dim", lambda m, x: x.max(1).values, lambda x: x.max(1), (3, 4, 5)),
    (
        "min_dim_keep",
        lambda m, x: x.min(-1, keepdim=True)[0],
        lambda x: x.min(-1, keepdims=True),
        (3, 4, 5),
    ),
    ("logsumexp", lambda m, x: x.logsumexp(1), lambda x: _lse(x, 1), (3, 4, 5)),
    (
        "logsumexp_tuple",
        lambda m, x: m.logsumexp(x, (0, 2), keepdim=True),
        lambda x: _lse(x, (0, 2), True),
        (3, 4, 5),
    ),
    ("norm", lambda m, x: x.norm(), lambda x: np.sqrt((x**2).sum()), (3, 4, 5)),
    (
        "norm_fro_dim",
        lambda m, x: x.norm(p="fro", dim=(0, 1)),
        lambda x: np.sqrt((x**2).sum((0, 1))),
        (3, 4, 5),
    ),
    ("norm1", lambda m, x: x.norm(p=1, dim=1), lambda x: _pnorm(x, 1, 1), (3, 4, 5)),
    (
        "norm3",
        lambda m, x: m.norm(x, 3, -1, True),
        lambda x: _pnorm(x, 3, -1)[..., None],
        (3, 4, 5),
    ),
    ("norm_inf", lambda m, x: x.norm(p=INF, dim=0), lambda x: _pnorm(x, INF, 0), (3, 4, 5)),
    ("softmax", lambda m, x: x.softmax(1), lambda x: _softmax(x, 1), (3, 4, 5)),
    ("softmax_last", lambda m, x: m.softmax(x, -1), lambda x: _softmax(x, -1), (3, 4, 5)),
    ("log_softmax", lambda m, x: x.log_softmax(0), lambda x: np.log(_softmax(x, 0)), (3, 4, 5)),
    ("cumsum", lambda m, x: x.cumsum(1), lambda x: np.cumsum(x, 1), (3, 4, 5)),
    ("cumsum_last", lambda m, x: m.cumsum(x, -1), lambda x: np.cumsum(x, -1), (3, 4, 5)),
    ("sum_0d", lambda m, x: x.sum(), lambda x: x.sum(), ()),
    ("mean_0d_dim", lambda m, x: x.mean(0), lambda x: x, ()),
    ("softmax_0d", lambda m, x: x.softmax(0), lambda x: np.ones_like(x), ()),
    ("max_0d_dim", lambda m, x: x.max(0)[0], lambda x: x, ()),
]
IDS = [c[0] for c in CASES]


# ---- errors ---------------------------------------------------------------------------------
ERRORS = [
    (
        lambda m: m.zeros(0, 3).max(),
        RuntimeError,
        "max(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
        "reduction dim with the 'dim' argument.",
    ),
    (
        lambda m: m.zeros(0, 3).max(0),
        IndexError,
        "max(): Expected reduction dim 0 to have non-zero size.",
    ),
    (
        lambda m: m.zeros(0, 3).amin(),
        RuntimeError,
        "amin(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
        "reduction dim with the 'dim' argument.",
    ),
    (
        lambda m: m.zeros(0, 3).argmax(),
        IndexError,
        "argmax(): Expected reduction dim to be specified for input.numel() == 0.",
    ),
    (
        lambda m: m.ones(2, 3).sum(2),
        IndexError,
        "Dimension out of range (expected to be in range of [-2, 1], but got 2)",
    ),
    (
        lambda m: m.ones(2, 3).sum((0, -2)),
        RuntimeError,
        "dim 0 appears multiple times in the list of dims",
    ),
    (
        lambda m: m.tensor(2.0).sum(1),
        IndexError,
        "Dimension out of range (expected to be in range of [-1, 0], but got 1)",
    ),
    (
        lambda m: m.tensor([1, 2]).mean(),
        RuntimeError,
        "mean(): could not infer output dtype. Input dtype must be either a floating point or "
        "complex dtype. Got: Long",
    ),
    (
        lambda m: m.tensor([1, 2]).var(),
        RuntimeError,
        "std and var only support floating point and complex dtypes",
    ),
    (
        lambda m: m.tensor([1, 2]).norm(),
        RuntimeError,
        "linalg.vector_norm: Expected a floating point or complex tensor as input. Got Long",
    ),
    (
        lambda m: m.ones(2, 3).softmax(2),
        IndexError,
        "Dimension out of range (expected to be in range of [-2, 1], but got 2)",
    ),
]
