"""Linear algebra in the way least-squares and PCA teaching notebooks use it: solve the normal
equations with torch.linalg.solve, lstsq, pinv, inv/det/slogdet, Cholesky and
cholesky_solve, QR, eigh of a covariance matrix for PCA, SVD (reduced) and a low-rank
reconstruction, matrix_rank, matrix_norm, and gradients through solve and det.

Models: https://pytorch.org/docs/stable/linalg.html (pytorch/pytorch docstrings, BSD-3-Clause).
Written for jitgrad's corpus, not copied.
"""
# ruff: noqa: E501  (one-line printouts, as tutorials write them)

import torch

torch.manual_seed(0)
X = torch.randn(20, 3, dtype=torch.float64)
true_w = torch.tensor([[1.5], [-2.0], [0.5]], dtype=torch.float64)
y = X @ true_w + 0.01 * torch.randn(20, 1, dtype=torch.float64)
w_normal = torch.linalg.solve(X.T @ X, X.T @ y)
w_lstsq = torch.linalg.lstsq(X, y).solution
w_pinv = torch.linalg.pinv(X) @ y
print(w_normal.T, torch.allclose(w_normal, w_lstsq), torch.allclose(w_normal, w_pinv))
A = torch.tensor([[4.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 2.0]], dtype=torch.float64)
print(torch.linalg.inv(A), torch.linalg.det(A), torch.linalg.slogdet(A))
L = torch.linalg.cholesky(A)
print(L, torch.allclose(L @ L.T, A))
b = torch.tensor([[1.0], [2.0], [3.0]], dtype=torch.float64)
print(torch.cholesky_solve(b, L).T, torch.linalg.solve(A, b).T)
Q, R = torch.linalg.qr(X[:5])
print(Q.shape, R.shape, torch.allclose(Q @ R, X[:5]), torch.allclose(Q.T @ Q, torch.eye(3, dtype=torch.float64)))
evals, evecs = torch.linalg.eigh(A)
print(evals, torch.allclose(A @ evecs, evecs * evals))
data = torch.randn(50, 4) @ torch.tensor([[2.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 0.3, 0.0], [1.0, 0.0, 0.0, 0.1]])
centered = data - data.mean(0)
cov = centered.T @ centered / (len(data) - 1)
ev, vec = torch.linalg.eigh(cov)
explained = ev.flip(0) / ev.sum()
print(explained.round(decimals=3), torch.allclose(cov, torch.cov(centered.T), atol=1e-5))
U, S, Vh = torch.linalg.svd(centered, full_matrices=False)
print(U.shape, S.shape, Vh.shape, torch.allclose((S**2 / 49).sort(descending=True).values, ev.flip(0), atol=1e-4))
rank2 = U[:, :2] @ torch.diag(S[:2]) @ Vh[:2]
print(round(torch.linalg.matrix_norm(centered - rank2).item(), 3), torch.linalg.svdvals(centered).shape)
print(torch.linalg.matrix_rank(rank2), torch.linalg.matrix_rank(centered))
print(torch.linalg.matrix_norm(A), torch.linalg.matrix_norm(A, ord=1), torch.linalg.norm(A, ord=2))
M = A.clone().requires_grad_()
sol = torch.linalg.solve(M, b)
(sol.sum() + torch.linalg.det(M)).backward()
print(M.grad)
print(torch.linalg.matrix_power(A, 3)[0], torch.linalg.multi_dot([A, A, b]).T, torch.outer(b.flatten(), b.flatten())[0])
