"""Programs for torch.linalg's inverses, solves and factorizations (and kron, baddbmm),
each run under real PyTorch once (``tests/ops_record.py`` -> ``linalg_expected.json``)
and under jitgrad by ``tests/test_linalg_decomp.py``, encoded by ``tests/parity/harness.py``.

Each program leaves ``result``: values, node names, gradients (a weighted sum backward), or
the error raised. Inputs are written out; factors with a sign freedom (eigenvectors, Q, U,
V) enter losses through sign-free expressions (``abs``, squares, products like U diag(S) Vh).
"""

from __future__ import annotations

M3 = (
    "a = torch.tensor([[2.0, 0.5, -1.0], [0.3, 3.0, 0.2], [-0.7, 0.1, 1.5]], dtype=DT, "
    "requires_grad=True)\n"
)
SPD = (
    "s = torch.tensor([[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]], dtype=DT, "
    "requires_grad=True)\n"
)
TALL = (
    "r = torch.tensor([[1.0, -2.0, 0.5], [0.3, 1.1, -0.4], [2.0, 0.2, 0.9], [-1.0, 0.7, 0.3]], "
    "dtype=DT, requires_grad=True)\n"
)
BATCH = (
    "b = torch.tensor([[[2.0, 0.5], [0.5, 3.0]], [[1.0, -0.4], [0.2, 0.8]], "
    "[[-1.5, 0.3], [0.6, 2.2]]], dtype=DT, requires_grad=True)\n"
)
W = "w = torch.arange(out.numel(), dtype=out.dtype).reshape(out.shape) * 0.25 - 1\n"


def _grad(setup: str, expr: str, leaves: str) -> str:
    grads = ", ".join(f"{leaf}.grad" for leaf in leaves.split())
    return (
        f"{setup}out = {expr}\n{W}(out * w).sum().backward()\n"
        f"result = (out, out.grad_fn.name() if out.grad_fn else None, {grads})\n"
    )


GRADS = {
    "inv": _grad(M3, "torch.linalg.inv(a)", "a"),
    "inverse_method": _grad(M3, "a.inverse()", "a"),
    "inv_batch": _grad(BATCH, "torch.linalg.inv(b)", "b"),
    "det": _grad(M3, "torch.linalg.det(a)", "a"),
    "det_method_batch": _grad(BATCH, "b.det()", "b"),
    "slogdet_logabsdet": _grad(BATCH, "torch.linalg.slogdet(b)[1]", "b"),
    "slogdet_sign": (
        BATCH + "sign, logabs = torch.linalg.slogdet(b)\n"
        "result = (sign, logabs, sign.grad_fn.name())\n"
    ),
    "logdet": _grad(SPD, "torch.logdet(s)", "s"),
    "logdet_negative": BATCH + "result = torch.logdet(b)\n",
    "solve_matrix": _grad(M3 + TALL, "torch.linalg.solve(a, r[:3].t())", "a"),
    "solve_matrix_rhs_grad": _grad(M3 + TALL, "torch.linalg.solve(a, r[:3])", "r"),
    "solve_vector": _grad(
        M3, "torch.linalg.solve(a, torch.tensor([1.0, -2.0, 0.5], dtype=DT))", "a"
    ),
    "solve_batch_vector": _grad(BATCH, "torch.linalg.solve(b, torch.ones(3, 2, dtype=DT))", "b"),
    "solve_broadcast": _grad(BATCH, "torch.linalg.solve(b, torch.ones(2, 4, dtype=DT))", "b"),
    "solve_left_false": _grad(
        M3, "torch.linalg.solve(a, torch.ones(2, 3, dtype=DT), left=False)", "a"
    ),
    "cholesky": _grad(SPD, "torch.linalg.cholesky(s)", "s"),
    "cholesky_upper": _grad(SPD, "torch.linalg.cholesky(s, upper=True)", "s"),
    "eigh_values": _grad(SPD, "torch.linalg.eigh(s)[0]", "s"),
    "eigvalsh": _grad(SPD, "torch.linalg.eigvalsh(s)", "s"),
    "eigh_vectors": _grad(SPD, "torch.linalg.eigh(s)[1].abs()", "s"),
    "qr_r": _grad(TALL, "torch.linalg.qr(r)[1].abs()", "r"),
    "qr_q": _grad(TALL, "torch.linalg.qr(r)[0].abs()", "r"),
    "qr_wide": _grad(TALL, "torch.linalg.qr(r.t())[0].abs()", "r"),
    "qr_wide_r": _grad(TALL, "torch.linalg.qr(r.t())[1].abs()", "r"),
    "svdvals": _grad(TALL, "torch.linalg.svdvals(r)", "r"),
    "svd_product": (
        TALL + "u, sv, vh = torch.linalg.svd(r, full_matrices=False)\n"
        "out = u.abs().sum(0) * sv + vh.abs().sum(1)\n" + W + "(out * w).sum().backward()\n"
        "result = (sv, sv.grad_fn.name(), r.grad)\n"
    ),
    "svd_full_u": (
        TALL + "u, sv, vh = torch.linalg.svd(r)\n"
        "out = (u[:, :3] * sv) @ vh\n" + W + "(out * w).sum().backward()\n"
        "result = (out, list(u.shape), r.grad)\n"
    ),
    "matrix_norm_2": _grad(TALL, "torch.linalg.matrix_norm(r, 2)", "r"),
    "matrix_norm_nuc": _grad(TALL, "torch.linalg.matrix_norm(r, 'nuc')", "r"),
    "matrix_norm_m2_keepdim": _grad(BATCH, "torch.linalg.matrix_norm(b, -2, keepdim=True)", "b"),
    "norm_2": _grad(TALL, "torch.linalg.norm(r, 2)", "r"),
    "kron": _grad(M3 + TALL, "torch.kron(a, r[:2, :2])", "a"),
    "kron_vectors": _grad(M3, "torch.kron(a[0], a[1])", "a"),
    "kron_mixed_dims": _grad(M3 + BATCH, "torch.kron(b, a[0])", "b"),
    "baddbmm": _grad(BATCH, "torch.baddbmm(b, b, b.transpose(1, 2), beta=0.5, alpha=2.0)", "b"),
    "solve_triangular_upper": _grad(
        M3 + TALL, "torch.linalg.solve_triangular(a, r[:3], upper=True)", "a"
    ),
    "solve_triangular_lower_right": _grad(
        M3 + TALL, "torch.linalg.solve_triangular(a, r[:, :3], upper=False, left=False)", "a r"
    ),
    "solve_triangular_unit": _grad(
        M3 + TALL, "torch.linalg.solve_triangular(a, r[:3], upper=True, unitriangular=True)", "a"
    ),
    "pinv_tall": _grad(TALL, "torch.linalg.pinv(r)", "r"),
    "pinv_wide": _grad(TALL, "torch.linalg.pinv(r.t())", "r"),
    "pinverse_method": _grad(M3, "a.pinverse()", "a"),
    "lstsq": _grad(TALL, "torch.linalg.lstsq(r, torch.ones(4, 2, dtype=DT)).solution", "r"),
    "lstsq_vector_rhs": _grad(
        TALL + "v = torch.tensor([1.0, 0.5, -1.0, 2.0], dtype=DT, requires_grad=True)\n",
        "torch.linalg.lstsq(r, v).solution",
        "r v",
    ),
    "matrix_power_0": _grad(M3, "torch.linalg.matrix_power(a, 0)", "a"),
    "matrix_power_5": _grad(M3, "torch.linalg.matrix_power(a, 5)", "a"),
    "matrix_power_neg3": _grad(M3, "a.matrix_power(-3)", "a"),
    "multi_dot": _grad(M3 + TALL, "torch.linalg.multi_dot([r, a, a.t(), r.t()])", "a r"),
    "multi_dot_three": _grad(M3 + TALL, "torch.linalg.multi_dot([r, a, r.t()])", "a r"),
    "multi_dot_vectors": _grad(M3, "torch.linalg.multi_dot([a[0], a, a[:, 1]])", "a"),
    "vecdot": _grad(TALL, "torch.linalg.vecdot(r, r.flip(0), dim=0)", "r"),
    "cond": _grad(M3, "torch.linalg.cond(a)", "a"),
    "linalg_diagonal": _grad(BATCH, "torch.linalg.diagonal(b, offset=1)", "b"),
    "addmv": _grad(M3 + TALL, "torch.addmv(r[0], a, r[1], beta=0.5, alpha=2.0)", "a r"),
    "addr": _grad(M3 + TALL, "torch.addr(a, r[0], r[1], beta=2.0, alpha=0.5)", "a r"),
    "addbmm": _grad(BATCH + M3, "torch.addbmm(a[:2, :2], b, b, beta=0.5, alpha=3.0)", "a b"),
    "addmv_inplace": _grad(M3 + TALL, "r[0].clone().addmv_(a, r[1])", "a r"),
    "addr_inplace": _grad(M3 + TALL, "a.clone().addr_(r[0], r[1], alpha=2.0)", "a r"),
    "baddbmm_inplace": _grad(BATCH, "b.clone().baddbmm_(b, b, beta=0.5)", "b"),
    "chain_matmul": _grad(M3, "torch.chain_matmul(a, a.t(), a)", "a"),
    "cholesky_solve": _grad(SPD + M3, "torch.cholesky_solve(a, s.tril())", "a s"),
    "cholesky_solve_upper": _grad(SPD + M3, "torch.cholesky_solve(a, s.triu(), upper=True)", "a s"),
    "cholesky_inverse": _grad(SPD, "torch.cholesky_inverse(s.tril())", "s"),
    "matrix_exp": _grad(M3, "torch.linalg.matrix_exp(a)", "a"),
    "matrix_exp_scaled": _grad(M3, "torch.matrix_exp(a * 4)", "a"),
    "matrix_exp_batch": _grad(BATCH, "b.matrix_exp()", "b"),
    "linalg_cross": _grad(M3, "torch.linalg.cross(a, a.flip(0))", "a"),
    "vander": _grad(M3, "torch.linalg.vander(a[0])", "a"),
    "vander_n": _grad(M3, "torch.linalg.vander(a, N=4)", "a"),
    "baddbmm_broadcast_input": _grad(BATCH, "torch.baddbmm(torch.ones(2, 2, dtype=DT), b, b)", "b"),
}

ERRORS = {
    "inv_not_square": "torch.linalg.inv(torch.ones(2, 3))",
    "inv_singular": "torch.linalg.inv(torch.tensor([[1.0, 2.0], [2.0, 4.0]]))",
    "inverse_zero": "torch.inverse(torch.zeros(3, 3))",
    "inv_singular_batch": "torch.linalg.inv(torch.stack([torch.eye(2), torch.zeros(2, 2)]))",
    "inv_1d": "torch.linalg.inv(torch.ones(3))",
    "inv_integer": "torch.linalg.inv(torch.ones(2, 2, dtype=torch.int64))",
    "det_not_square": "torch.linalg.det(torch.ones(2, 3))",
    "det_integer": "torch.linalg.det(torch.ones(2, 2, dtype=torch.int64))",
    "slogdet_not_square": "torch.linalg.slogdet(torch.ones(2, 3))",
    "logdet_not_square": "torch.logdet(torch.ones(2, 3))",
    "solve_singular": "torch.linalg.solve(torch.tensor([[1.0, 2.0], [2.0, 4.0]]), torch.ones(2))",
    "solve_not_square": "torch.linalg.solve(torch.ones(2, 3), torch.ones(2))",
    "solve_shapes": "torch.linalg.solve(torch.eye(2), torch.ones(3))",
    "cholesky_indefinite": "torch.linalg.cholesky(torch.tensor([[1.0, 2.0], [2.0, 1.0]]))",
    "cholesky_zero": "torch.linalg.cholesky(torch.zeros(3, 3))",
    "cholesky_not_square": "torch.linalg.cholesky(torch.ones(2, 3))",
    "eigh_not_square": "torch.linalg.eigh(torch.ones(2, 3))",
    "qr_1d": "torch.linalg.qr(torch.ones(3))",
    "qr_mode": "torch.linalg.qr(torch.ones(2, 3), mode='x')",
    "svdvals_1d": "torch.linalg.svdvals(torch.ones(3))",
    "kron_scalar": "torch.kron(torch.ones(2), 3)",
    "matrix_power_not_square": "torch.linalg.matrix_power(torch.ones(2, 3), 2)",
    "multi_dot_one": "torch.linalg.multi_dot([torch.ones(2, 2)])",
    "solve_triangular_not_square": "torch.linalg.solve_triangular(torch.ones(2, 3), "
    "torch.ones(2, 1), upper=True)",
    "pinv_1d": "torch.linalg.pinv(torch.ones(3))",
}

VALUES = {
    "det_empty": "result = torch.linalg.det(torch.zeros(0, 0))",
    "inv_empty": "result = torch.linalg.inv(torch.zeros(0, 0))",
    "det_batch_singular": "result = torch.linalg.det(torch.ones(3, 2, 2))",
    "slogdet_singular": "result = tuple(torch.linalg.slogdet(torch.ones(2, 2)))",
    "eigh_upper": "result = torch.linalg.eigh(torch.tensor([[1.0, 9.0], [0.5, 2.0]]), UPLO='U')[0]",
    "qr_r_mode": "result = torch.linalg.qr(torch.tensor([[3.0, 1.0], [4.0, 2.0]]), "
    "mode='r')[1].abs()",
    "qr_complete_shape": "result = [list(t.shape) for t in torch.linalg.qr(torch.ones(4, 2), "
    "mode='complete')]",
    "svd_shapes": "result = [list(t.shape) for t in torch.linalg.svd(torch.ones(4, 2))]",
    "inv_ex_info": "result = torch.linalg.inv_ex(torch.eye(2))[1]",
    "matrix_rank": "result = (torch.linalg.matrix_rank(torch.ones(3, 3)), "
    "torch.linalg.matrix_rank(torch.eye(4)[None].expand(2, 4, 4)), "
    "torch.linalg.matrix_rank(torch.tensor([[1.0, 2.0], [2.0, 4.0001]]), atol=0.01))",
    "lstsq_fields": "out = torch.linalg.lstsq(torch.eye(3), torch.ones(3, 1))\n"
    "result = (out.solution, out.rank, out.residuals.shape, out.singular_values.shape)",
}


def programs() -> dict[str, str]:
    """Every program by name; the gradient programs in float64 and float32."""
    out = {}
    for name, code in GRADS.items():
        for dt in ("float64", "float32"):
            out[f"{name}_{dt}"] = f"DT = torch.{dt}\n{code}"
    for name, expr in ERRORS.items():
        out[f"error_{name}"] = f"result = {expr}\n"
    out.update(VALUES)
    return out
