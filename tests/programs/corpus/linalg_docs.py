"""The examples of torch.linalg's documentation on real matrices: vector_norm / matrix_norm /
norm (orders fro, nuc, inf, -inf, 1, -1, 2, -2 and dims), det / slogdet, inv and inv_ex,
solve (left and batched, broadcasting B), lstsq (solution and residuals), cholesky /
cholesky_ex, qr (reduced / complete / r), eigh / eigvalsh, svd / svdvals (full_matrices),
pinv (hermitian), matrix_rank (atol/rtol), matrix_power, matrix_exp, cross, multi_dot,
vander, vecdot, diagonal, solve_triangular, and the gradient of det and inv.

Docs: https://pytorch.org/docs/stable/linalg.html and the linked function pages
(pytorch/pytorch docstrings, BSD-3-Clause). Written for jitgrad's corpus, not copied.
Changes: fixed well-conditioned float64 matrices instead of random ones; eigen/singular
vectors are printed through sign-independent quantities.
"""
# ruff: noqa: E501  (the source's code and long printouts, kept as written)

import torch
from torch import linalg as LA

a = torch.arange(9, dtype=torch.float) - 4
B = a.reshape((3, 3))
print(LA.vector_norm(a, ord=3.5), LA.vector_norm(B, ord=3.5))
print(LA.vector_norm(a, float("inf")), LA.vector_norm(a, -float("inf")), LA.vector_norm(a, 0))
print(LA.matrix_norm(B), LA.matrix_norm(B, ord=-1), LA.matrix_norm(B, "nuc"))
B = torch.arange(18, dtype=torch.float).reshape(2, 3, 3)
print(LA.matrix_norm(B), LA.matrix_norm(B, dim=(0, 2)), LA.matrix_norm(B, ord=2))
print(LA.norm(a), LA.norm(a.reshape(3, 3)), LA.norm(a, float("inf")), LA.norm(a.reshape(3, 3), float("inf")))
print(LA.norm(a.reshape(3, 3), 1), LA.norm(a.reshape(3, 3), -2), LA.norm(a.reshape(3, 3), dim=1))

A = torch.tensor([[4.0, 1.0, 2.0], [1.0, 3.0, 0.5], [2.0, 0.5, 5.0]], dtype=torch.float64)
M = torch.tensor([[2.0, -1.0, 0.0], [1.0, 3.0, 1.0], [0.5, 0.0, 4.0]], dtype=torch.float64)
print(LA.det(M), LA.slogdet(M), torch.logdet(A))
print(LA.inv(M), LA.inv_ex(M).info)
print(torch.dist(M @ LA.inv(M), torch.eye(3, dtype=torch.float64)) < 1e-12)
b = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
x = LA.solve(M, b)
print(x, torch.allclose(M @ x, b))
Bs = torch.stack([M, A])
rhs = torch.arange(6.0, dtype=torch.float64).view(2, 3)
print(LA.solve(Bs, rhs), LA.solve(Bs, rhs[0].unsqueeze(-1)).shape)
X = LA.solve(M, torch.eye(3, dtype=torch.float64), left=False)
print(torch.allclose(X, LA.inv(M)))
tall = torch.tensor([[1.0, 1.0], [1.0, 2.0], [1.0, 3.0], [1.0, 4.0]], dtype=torch.float64)
obs = torch.tensor([[6.0], [5.0], [7.0], [10.0]], dtype=torch.float64)
sol = LA.lstsq(tall, obs)
print(sol.solution, sol.residuals, sol.rank)
L = LA.cholesky(A)
print(L, torch.allclose(L @ L.mT, A), LA.cholesky_ex(A).info)
try:
    LA.cholesky(M - 5 * torch.eye(3, dtype=torch.float64))
except RuntimeError as e:
    print("RuntimeError:", e)
Q, R = LA.qr(tall)
print(Q.shape, R.shape, torch.allclose(Q @ R, tall), R.diagonal().abs())
Q, R = LA.qr(tall, mode="complete")
print(Q.shape, R.shape, LA.qr(tall, mode="r").Q.shape)
L, Q = LA.eigh(A)
print(L, torch.allclose(Q @ torch.diag(L) @ Q.mT, A), LA.eigvalsh(A))
U, S, Vh = LA.svd(tall, full_matrices=False)
print(U.shape, S, Vh.shape, torch.dist(tall, U @ torch.diag(S) @ Vh) < 1e-12)
print(LA.svd(tall).U.shape, LA.svdvals(M))
print(LA.pinv(tall), torch.allclose(LA.pinv(A, hermitian=True), LA.inv(A)))
print(LA.matrix_rank(tall), LA.matrix_rank(torch.ones(3, 3)), LA.matrix_rank(M, atol=1.0, rtol=0.0))
print(LA.matrix_power(M, 3), LA.matrix_power(M, 0), LA.matrix_power(M, -1).sub(LA.inv(M)).abs().max() < 1e-12)
print(LA.matrix_exp(torch.tensor([[0.0, 1.0], [-1.0, 0.0]], dtype=torch.float64)))
print(LA.cross(torch.tensor([1.0, 0, 0]), torch.tensor([0.0, 1, 0])))
print(LA.multi_dot([M, A, b]), LA.vander(torch.tensor([1.0, 2.0, 3.0])), LA.vander(b, N=2))
print(LA.vecdot(M, A), LA.diagonal(Bs, offset=1))
U = torch.triu(M) + torch.eye(3, dtype=torch.float64)
print(LA.solve_triangular(U, torch.eye(3, dtype=torch.float64), upper=True))
print(LA.solve_triangular(U.mT, b.unsqueeze(1), upper=False, unitriangular=False).squeeze(1))
Mg = M.clone().requires_grad_()
LA.det(Mg).backward()
print(Mg.grad, torch.allclose(Mg.grad, LA.det(M) * LA.inv(M).mT))
Mg.grad = None
LA.inv(Mg).sum().backward()
print(Mg.grad)
try:
    LA.inv(torch.ones(2, 3))
except RuntimeError as e:
    print("RuntimeError:", e)
try:
    LA.inv(torch.ones(3, 3))
except RuntimeError as e:
    print("RuntimeError:", e)
try:
    LA.solve(M, torch.ones(4, dtype=torch.float64))
except RuntimeError as e:
    print("RuntimeError:", e)
