"""The matmul case table shared by tests/test_linalg_ops.py and the script that records
PyTorch's answers for it (tests/fixtures/make_matmul_torch.py): numpy only, so it imports under
either library."""

from __future__ import annotations

import zlib

import numpy as np


def case_arrays(name: str, shapes: list, dtype=np.float64) -> list:
    """The operands of case ``name``, seeded by its name (a recording and a test run see the
    same numbers), and the seed gradient for an output of shape ``out_shape`` after them."""
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    return [rng.standard_normal(s).astype(dtype) for s in shapes]


def case_grad_output(name: str, out_shape: tuple, dtype=np.float64) -> np.ndarray:
    rng = np.random.default_rng(zlib.crc32(name.encode()) + 1)
    return rng.standard_normal(out_shape).astype(dtype)


# (id, call over module m and operands, numpy reference, operand shapes, torch's grad_fn name
#  or None where jitgrad's node chain differs, see the module docstring of jitgrad.frontend.linalg)
CASES = [
    ("mm", lambda m, a, b: a @ b, np.matmul, [(2, 3), (3, 4)], "MmBackward0"),
    ("mm_fn", lambda m, a, b: m.mm(a, b), np.matmul, [(2, 3), (3, 4)], "MmBackward0"),
    ("mv", lambda m, a, b: a @ b, np.matmul, [(2, 3), (3,)], "MvBackward0"),
    ("mv_fn", lambda m, a, b: m.mv(a, b), np.matmul, [(2, 3), (3,)], "MvBackward0"),
    ("dot", lambda m, a, b: a @ b, np.dot, [(3,), (3,)], "DotBackward0"),
    ("dot_fn", lambda m, a, b: a.dot(b), np.dot, [(3,), (3,)], "DotBackward0"),
    ("vec_mat", lambda m, a, b: a @ b, np.matmul, [(3,), (3, 4)], "SqueezeBackward4"),
    ("bmm", lambda m, a, b: a @ b, np.matmul, [(5, 2, 3), (5, 3, 4)], "UnsafeViewBackward0"),
    ("bmm_fn", lambda m, a, b: m.bmm(a, b), np.matmul, [(5, 2, 3), (5, 3, 4)], "BmmBackward0"),
    ("batch_mat", lambda m, a, b: a @ b, np.matmul, [(5, 2, 3), (3, 4)], "UnsafeViewBackward0"),
    ("batch_vec", lambda m, a, b: a @ b, np.matmul, [(2, 5, 3), (3,)], "UnsafeViewBackward0"),
    ("vec_batch", lambda m, a, b: a @ b, np.matmul, [(3,), (5, 3, 4)], "UnsafeViewBackward0"),
    ("mat_batch", lambda m, a, b: m.matmul(a, b), np.matmul, [(2, 3), (5, 3, 4)], None),
    ("broadcast", lambda m, a, b: a @ b, np.matmul, [(2, 1, 2, 3), (5, 3, 4)], None),
    ("outer", lambda m, a, b: m.outer(a, b), np.outer, [(3,), (4,)], "MulBackward0"),
    (
        "addmm",
        lambda m, c, a, b: m.addmm(c, a, b),
        lambda c, a, b: c + a @ b,
        [(4,), (2, 3), (3, 4)],
        "AddmmBackward0",
    ),
    (
        "addmm_scaled",
        lambda m, c, a, b: m.addmm(c, a, b, beta=0.5, alpha=2.0),
        lambda c, a, b: 0.5 * c + 2.0 * (a @ b),
        [(2, 4), (2, 3), (3, 4)],
        "AddmmBackward0",
    ),
    (
        "einsum_mm",
        lambda m, a, b: m.einsum("ij,jk->ik", a, b),
        lambda a, b: a @ b,
        [(2, 3), (3, 4)],
        "ViewBackward0",
    ),
    (
        "einsum_batch_t",
        lambda m, a, b: m.einsum("bij,bkj->bki", a, b),
        lambda a, b: np.einsum("bij,bkj->bki", a, b),
        [(5, 2, 3), (5, 4, 3)],
        None,
    ),
    (
        "einsum_full",
        lambda m, a, b: m.einsum("ij,ij->", a, b),
        lambda a, b: np.einsum("ij,ij->", a, b),
        [(2, 3), (2, 3)],
        "ViewBackward0",
    ),
    (
        "einsum_implicit_drop",
        lambda m, a, b: m.einsum("ijz,jk", a, b),
        lambda a, b: np.einsum("ijz,jk", a, b),
        [(2, 3, 6), (3, 4)],
        None,
    ),
    (
        "einsum_one",
        lambda m, a: m.einsum("ij->ji", a),
        lambda a: a.T,
        [(2, 3)],
        "PermuteBackward0",
    ),
]
IDS = [c[0] for c in CASES]

ERRORS = [
    (
        lambda m: m.mm(m.ones(2, 3), m.ones(2, 3)),
        "mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)",
    ),
    (
        lambda m: m.ones(2, 3) @ m.ones(3, 4, dtype=m.float64),
        "expected m1 and m2 to have the same dtype, but got: float != double",
    ),
    (
        lambda m: m.ones(3) @ m.ones(4),
        "inconsistent tensor size, expected tensor [3] and src [4] to have the same number of "
        "elements, but got 3 and 4 elements respectively",
    ),
    (
        lambda m: m.dot(m.ones(3), m.ones(3, dtype=m.float64)),
        "dot : expected both vectors to have same dtype, but found Float and Double",
    ),
    (lambda m: m.mv(m.ones(2, 3), m.ones(4)), "size mismatch, got input (2), mat (2x3), vec (4)"),
    (
        lambda m: m.ones(2, 3) @ m.ones(3, dtype=m.float64),
        "addmv input tensors must have the same dtype, but got Double, Float, and Double",
    ),
    (
        lambda m: m.bmm(m.ones(5, 2, 3), m.ones(5, 4, 4)),
        "Expected size for first two dimensions of batch2 tensor to be: [5, 3] but got: [5, 4].",
    ),
    (lambda m: m.bmm(m.ones(2, 3), m.ones(3, 4)), "batch1 must be a 3D tensor"),
    (
        lambda m: m.bmm(m.ones(5, 2, 3, dtype=m.float64), m.ones(5, 3, 4)),
        "expected scalar type Double but found Float",
    ),
    (lambda m: m.mm(m.ones(3), m.ones(3, 4)), "self must be a matrix"),
    (lambda m: m.mm(m.ones(2, 3), m.ones(3)), "mat2 must be a matrix"),
    (
        lambda m: m.tensor(3.0) @ m.ones(3),
        "both arguments to matmul need to be at least 1D, but they are 0D and 1D",
    ),
    (
        lambda m: m.ones(2, 3, 4) @ m.ones(5, 4, 2),
        "The size of tensor a (2) must match the size of tensor b (5) at non-singleton dimension 0",
    ),
    (lambda m: m.ones(5, 2, 3) @ m.ones(4), "size mismatch, got input (10), mat (10x3), vec (4)"),
    (lambda m: m.outer(m.ones(3), m.ones(2, 3)), "outer: Expected 1-D argument vec2, but got 2-D"),
    (lambda m: m.dot(m.ones(2, 3), m.ones(3)), "1D tensors expected, but got 2D and 1D tensors"),
    (
        lambda m: m.addmm(m.ones(3), m.ones(2, 3), m.ones(3, 4)),
        "The expanded size of the tensor (4) must match the existing size (3) at non-singleton "
        "dimension 1.  Target sizes: [2, 4].  Tensor sizes: [3]",
    ),
    (
        lambda m: m.addmm(m.ones(4), m.ones(2, 3), m.ones(3, 4, dtype=m.float64)),
        "self and mat2 must have the same dtype, but got Float and Double",
    ),
    (
        lambda m: m.einsum("ij,jk->ik", m.ones(2, 3), m.ones(2, 3)),
        "einsum(): subscript j has size 2 for operand 1 which does not broadcast with previously "
        "seen size 3",
    ),
]
