"""The float16/bfloat16 cases tests/test_half.py checks against PyTorch's recorded answers
(tests/fixtures/half_torch.json, written by tests/fixtures/make_half_torch.py from these same
tables): conversions of edge values, reductions, printing, promotion and autocast."""

from __future__ import annotations

import zlib

import numpy as np

DTYPES = ("float16", "bfloat16")
#: float32 values whose float16/bfloat16 rounding is a boundary: ties, overflow, subnormals
EDGES = [
    0.0, -0.0, 1.0, 0.1, -0.1, 1 / 3, 2049.0, 2051.0, 65504.0, 65519.99, 65520.0, 1e5, -1e5,
    6.1e-5, 5.96e-8, 2.98e-8, 2.99e-8, 1e-9, 1.00390625, 1.01171875, 1.0078125, 257.0, 259.0,
    3.0e38, 3.3895e38, 3.4e38, 1e-38, 1e-40, float("inf"), float("-inf"), float("nan"),
]  # fmt: skip


def inputs(case, dtype: str) -> list[np.ndarray]:
    """Float32 samples of a case's first shape set, seeded by its name and dtype."""
    rng = np.random.default_rng(zlib.crc32(f"{case.op}-{dtype}".encode()))
    return [rng.uniform(case.low, case.high, s).astype(np.float32) for s in case.shapes]


REDUCTIONS = {
    "sum": lambda t, x: x.sum(),
    "sum0": lambda t, x: x.sum(0),
    "sum1": lambda t, x: x.sum(1),
    "mean": lambda t, x: x.mean(),
    "mean1": lambda t, x: x.mean(1),
    "amax1": lambda t, x: x.amax(1),
    "prod1": lambda t, x: x.prod(1),
    "cumsum1": lambda t, x: x.cumsum(1),
    "softmax1": lambda t, x: t.softmax(x, 1),
    "log_softmax1": lambda t, x: t.log_softmax(x, 1),
    "var1": lambda t, x: x.var(1),
    "norm": lambda t, x: x.norm(),
    "sum_float32": lambda t, x: x.sum(dtype=t.float32),
}


PROMOTE = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16",
           "float32", "float64"]  # fmt: skip
#: (left, right) operands for result_type: a dtype name is a 1-D tensor of it, ``name:0`` a
#: 0-d tensor of it, and a Python scalar is itself
RESULT_TYPE = [
    ("float16", 1.5), ("bfloat16", 1.5), ("float16", 2), ("bfloat16", True),
    ("int64", "float16:0"), ("int32", "bfloat16:0"), ("float16", "float32:0"),
    ("float16", "float64:0"), ("bfloat16", "float32"), ("float16", "float32"),
    ("float16", "bfloat16"), ("float16:0", "bfloat16:0"), ("float16:0", 2.5),
    ("uint8", "float16"), ("float16", "int64"), ("float16:0", "float32"),
]  # fmt: skip


def operand(torch, spec):
    if not isinstance(spec, str):
        return spec
    name, _, zero = spec.partition(":")
    return torch.ones(() if zero else (2,), dtype=getattr(torch, name))


PRINTS = {
    "small": lambda t, dt: t.tensor([0.1, 2.0, -3.5], dtype=dt),
    "scalar": lambda t, dt: t.tensor(1.0 / 3.0, dtype=dt),
    "big": lambda t, dt: t.tensor([1e4, 3e-3, 60000.0], dtype=dt),
    "int_valued": lambda t, dt: t.tensor([1.0, 2.0, 300.0], dtype=dt),
    "grad": lambda t, dt: t.tensor([1.5, 2.5], dtype=dt, requires_grad=True) * 2,
    "matrix": lambda t, dt: t.arange(6, dtype=dt).reshape(2, 3) / 7,
    "special": lambda t, dt: t.tensor([float("inf"), float("nan"), -0.0], dtype=dt),
}


def _autocast_inputs(t):
    g = np.random.default_rng(3)
    x = t.tensor(g.uniform(-1, 1, (2, 3)).astype(np.float32))
    w = t.tensor(g.uniform(-1, 1, (3, 3)).astype(np.float32))
    b3 = t.tensor(g.uniform(-1, 1, (2, 3, 3)).astype(np.float32))
    img = t.tensor(g.uniform(-1, 1, (1, 2, 5, 5)).astype(np.float32))
    k = t.tensor(g.uniform(-1, 1, (2, 2, 3, 3)).astype(np.float32))
    return x, w, b3, img, k


#: name -> (jitgrad or torch, its nn.functional, inputs) -> result, run inside
#: ``autocast("cpu", dtype=...)``: PyTorch's lower-precision list, its float32 list, and ops
#: on neither list (they take what they are given)
AUTOCAST = {
    "mm": lambda t, F, x, w, b3, img, k: t.mm(x, w),
    "matmul": lambda t, F, x, w, b3, img, k: x @ w,
    "bmm": lambda t, F, x, w, b3, img, k: t.bmm(b3, b3),
    "addmm": lambda t, F, x, w, b3, img, k: t.addmm(x, x, w),
    "baddbmm": lambda t, F, x, w, b3, img, k: t.baddbmm(b3, b3, b3),
    "linear": lambda t, F, x, w, b3, img, k: F.linear(x, w, w[0]),
    "conv2d": lambda t, F, x, w, b3, img, k: F.conv2d(img, k),
    "relu": lambda t, F, x, w, b3, img, k: F.relu(x),
    "exp": lambda t, F, x, w, b3, img, k: x.exp(),
    "sum": lambda t, F, x, w, b3, img, k: x.sum(),
    "bf16_exp": lambda t, F, x, w, b3, img, k: x.bfloat16().exp(),
    "bf16_softmax": lambda t, F, x, w, b3, img, k: x.bfloat16().softmax(1),
    "half_mse": lambda t, F, x, w, b3, img, k: F.mse_loss(x.half(), x.bfloat16().half()),
    "bf16_cross_entropy": lambda t, F, x, w, b3, img, k: F.cross_entropy(
        x.bfloat16(), t.tensor([0, 1])
    ),
    "bf16_bce_logits": lambda t, F, x, w, b3, img, k: F.binary_cross_entropy_with_logits(
        x.bfloat16(), x.bfloat16().sigmoid()
    ),
    "mixed_bmm": lambda t, F, x, w, b3, img, k: t.bmm(b3.bfloat16(), b3),
    "float64_mm": lambda t, F, x, w, b3, img, k: x.double() @ w.double(),
    "mixed_add": lambda t, F, x, w, b3, img, k: x.bfloat16() + x,
}


def nn_inputs(t):
    g = np.random.default_rng(0)

    def rand(*s):
        return t.tensor(g.uniform(-1, 1, s).astype(np.float32))

    return rand(4, 6), rand(2, 3, 6, 6), rand(4, 3, 3, 3), rand(6), t.tensor([0, 2, 5, 1])


#: name -> (jitgrad or torch, its nn.functional, dtype, inputs) -> result: modules' ops on
#: float16/bfloat16 tensors
NN = {
    "softmax": lambda t, F, dt, x, img, k, w, tgt: F.softmax(x.to(dt), 1),
    "layer_norm": lambda t, F, dt, x, img, k, w, tgt: F.layer_norm(
        x.to(dt), (6,), w.to(dt), w.to(dt)
    ),
    "cross_entropy": lambda t, F, dt, x, img, k, w, tgt: F.cross_entropy(x.to(dt), tgt),
    "conv2d": lambda t, F, dt, x, img, k, w, tgt: F.conv2d(img.to(dt), k.to(dt), padding=1),
    "max_pool": lambda t, F, dt, x, img, k, w, tgt: F.max_pool2d(img.to(dt), 2),
    "avg_pool": lambda t, F, dt, x, img, k, w, tgt: F.avg_pool2d(img.to(dt), 2),
    "gelu": lambda t, F, dt, x, img, k, w, tgt: F.gelu(x.to(dt)),
    "silu": lambda t, F, dt, x, img, k, w, tgt: F.silu(x.to(dt)),
    "mse": lambda t, F, dt, x, img, k, w, tgt: F.mse_loss(x.to(dt), w.to(dt).expand(4, 6)),
    "batch_norm": lambda t, F, dt, x, img, k, w, tgt: F.batch_norm(
        img.to(dt), None, None, training=True
    ),
    "embedding": lambda t, F, dt, x, img, k, w, tgt: F.embedding(tgt % 4, x.to(dt)),
    "cat": lambda t, F, dt, x, img, k, w, tgt: t.cat([x.to(dt), x.to(dt)]),
    "std": lambda t, F, dt, x, img, k, w, tgt: x.to(dt).std(1),
    "cumprod": lambda t, F, dt, x, img, k, w, tgt: x.to(dt).cumprod(1),
    "norm_dim": lambda t, F, dt, x, img, k, w, tgt: x.to(dt).norm(dim=1),
    "logsumexp": lambda t, F, dt, x, img, k, w, tgt: x.to(dt).logsumexp(1),
    "sort": lambda t, F, dt, x, img, k, w, tgt: x.to(dt).sort(1)[0],
    "topk": lambda t, F, dt, x, img, k, w, tgt: x.to(dt).topk(2)[0],
    "where": lambda t, F, dt, x, img, k, w, tgt: t.where(x > 0, x.to(dt), 0.1),
    "pow_scalar": lambda t, F, dt, x, img, k, w, tgt: x.to(dt) ** 2.5,
    "rdiv": lambda t, F, dt, x, img, k, w, tgt: 2 / (x.to(dt) + 3),
    "matmul_vec": lambda t, F, dt, x, img, k, w, tgt: x.to(dt) @ w.to(dt),
    "einsum": lambda t, F, dt, x, img, k, w, tgt: t.einsum("ij,j->i", x.to(dt), w.to(dt)),
}
#: PyTorch computes these as several rounded reduced-precision steps (within one unit)
NN_CLOSE = {"batch_norm", "std", "logsumexp"}
