"""torch.linalg examples from its docs (b): the "Example::" blocks of the docstrings of
torch.linalg.lstsq, torch.linalg.matrix_norm, torch.linalg.matrix_power,
torch.linalg.matrix_rank, torch.linalg.multi_dot, torch.linalg.norm, torch.linalg.pinv,
torch.linalg.qr, torch.linalg.slogdet, torch.linalg.solve, torch.linalg.solve_triangular,
torch.linalg.svd, torch.linalg.svdvals, torch.linalg.tensorinv, torch.linalg.tensorsolve,
torch.linalg.vector_norm, pasted one after the other as a user runs them; a line whose REPL echo
the docstring shows is printed.

Source: the docstrings as shipped in PyTorch 2.13 (pytorch/pytorch, BSD-3-Clause; rendered
at https://pytorch.org/docs/stable/). Changes: none beyond print() around echoed
expressions; random inputs come from torch.randn/rand, which the corpus harness
feeds the same draws under both libraries.
"""

import torch

# torch.linalg.lstsq
A = torch.randn(1, 3, 3)
print(A)
B = torch.randn(2, 3, 3)
print(B)
X = torch.linalg.lstsq(A, B).solution  # A is broadcasted to shape (2, 3, 3)
print(torch.dist(X, torch.linalg.pinv(A) @ B))
S = torch.linalg.lstsq(A, B, driver="gelsd").singular_values
print(torch.dist(S, torch.linalg.svdvals(A)))
A[:, 0].zero_()  # Decrease the rank of A
rank = torch.linalg.lstsq(A, B).rank
print(rank)

# torch.linalg.matrix_norm
from torch import linalg as LA  # noqa: E402

A = torch.arange(9, dtype=torch.float).reshape(3, 3)
print(A)
print(LA.matrix_norm(A))
print(LA.matrix_norm(A, ord=-1))
B = A.expand(2, -1, -1)
print(B)
print(LA.matrix_norm(B))
print(LA.matrix_norm(B, dim=(0, 2)))

# torch.linalg.matrix_power
A = torch.randn(3, 3)
print(torch.linalg.matrix_power(A, 0))
print(torch.linalg.matrix_power(A, 3))
print(torch.linalg.matrix_power(A.expand(2, -1, -1), -2))

# torch.linalg.matrix_rank
A = torch.eye(10)
print(torch.linalg.matrix_rank(A))
B = torch.eye(10)
B[0, 0] = 0
print(torch.linalg.matrix_rank(B))
A = torch.randn(4, 3, 2)
print(torch.linalg.matrix_rank(A))
A = torch.randn(2, 4, 2, 3)
print(torch.linalg.matrix_rank(A))
A = torch.randn(2, 4, 3, 3, dtype=torch.complex64)
print(torch.linalg.matrix_rank(A))
print(torch.linalg.matrix_rank(A, hermitian=True))
print(torch.linalg.matrix_rank(A, atol=1.0, rtol=0.0))
print(torch.linalg.matrix_rank(A, atol=1.0, rtol=0.0, hermitian=True))

# torch.linalg.multi_dot
from torch.linalg import multi_dot  # noqa: E402

print(multi_dot([torch.tensor([1, 2]), torch.tensor([2, 3])]))
print(multi_dot([torch.tensor([[1, 2]]), torch.tensor([2, 3])]))
print(multi_dot([torch.tensor([[1, 2]]), torch.tensor([[2], [3]])]))
A = torch.arange(2 * 3).view(2, 3)
B = torch.arange(3 * 2).view(3, 2)
C = torch.arange(2 * 2).view(2, 2)
print(multi_dot((A, B, C)))

# torch.linalg.norm
from torch import linalg as LA  # noqa: E402

a = torch.arange(9, dtype=torch.float) - 4
print(a)
B = a.reshape((3, 3))
print(B)
print(LA.norm(a))
print(LA.norm(B))
print(LA.norm(B, "fro"))
print(LA.norm(a, float("inf")))
print(LA.norm(B, float("inf")))
print(LA.norm(a, -float("inf")))
print(LA.norm(B, -float("inf")))
print(LA.norm(a, 1))
print(LA.norm(B, 1))
print(LA.norm(a, -1))
print(LA.norm(B, -1))
print(LA.norm(a, 2))
print(LA.norm(B, 2))
print(LA.norm(a, -2))
print(LA.norm(B.double(), -2))
print(LA.norm(a, 3))
print(LA.norm(a, -3))
c = torch.tensor([[1.0, 2.0, 3.0], [-1, 1, 4]])
print(LA.norm(c, dim=0))
print(LA.norm(c, dim=1))
print(LA.norm(c, ord=1, dim=1))
A = torch.arange(8, dtype=torch.float).reshape(2, 2, 2)
print(LA.norm(A, dim=(1, 2)))
print(LA.norm(A[0, :, :]), LA.norm(A[1, :, :]))

# torch.linalg.pinv
A = torch.randn(3, 5)
print(A)
print(torch.linalg.pinv(A))
A = torch.randn(2, 6, 3)
Apinv = torch.linalg.pinv(A)
print(torch.dist(Apinv @ A, torch.eye(3)))
A = torch.randn(3, 3, dtype=torch.complex64)
A = A + A.T.conj()  # creates a Hermitian matrix
Apinv = torch.linalg.pinv(A, hermitian=True)
print(torch.dist(Apinv @ A, torch.eye(3)))

# torch.linalg.qr
A = torch.tensor([[12.0, -51, 4], [6, 167, -68], [-4, 24, -41]])
Q, R = torch.linalg.qr(A)
print(Q)
print(R)
print((Q @ R).round())
print((Q.T @ Q).round())
Q2, R2 = torch.linalg.qr(A, mode="r")
print(Q2)
print(torch.equal(R, R2))
A = torch.randn(3, 4, 5)
Q, R = torch.linalg.qr(A, mode="complete")
print(torch.dist(Q @ R, A))
print(torch.dist(Q.mT @ Q, torch.eye(4)))

# torch.linalg.slogdet
A = torch.randn(3, 3)
print(A)
print(torch.linalg.det(A))
print(torch.logdet(A))
print(torch.linalg.slogdet(A))

# torch.linalg.solve
A = torch.randn(3, 3)
b = torch.randn(3)
x = torch.linalg.solve(A, b)
print(torch.allclose(A @ x, b))
A = torch.randn(2, 3, 3)
B = torch.randn(2, 3, 4)
X = torch.linalg.solve(A, B)
print(X.shape)
print(torch.allclose(A @ X, B))
A = torch.randn(2, 3, 3)
b = torch.randn(3, 1)
x = torch.linalg.solve(A, b)  # b is broadcasted to size (2, 3, 1)
print(x.shape)
print(torch.allclose(A @ x, b))
b = torch.randn(3)
x = torch.linalg.solve(A, b)  # b is broadcasted to size (2, 3)
print(x.shape)
Ax = A @ x.unsqueeze(-1)
print(torch.allclose(Ax, b.unsqueeze(-1).expand_as(Ax)))

# torch.linalg.solve_triangular
A = torch.randn(3, 3).triu_()
B = torch.randn(3, 4)
X = torch.linalg.solve_triangular(A, B, upper=True)
print(torch.allclose(A @ X, B))
A = torch.randn(2, 3, 3).tril_()
B = torch.randn(2, 3, 4)
X = torch.linalg.solve_triangular(A, B, upper=False)
print(torch.allclose(A @ X, B))
A = torch.randn(2, 4, 4).tril_()
B = torch.randn(2, 3, 4)
X = torch.linalg.solve_triangular(A, B, upper=False, left=False)
print(torch.allclose(X @ A, B))

# torch.linalg.svd
A = torch.randn(5, 3)
U, S, Vh = torch.linalg.svd(A, full_matrices=False)
print(U.shape, S.shape, Vh.shape)
print(torch.dist(A, U @ torch.diag(S) @ Vh))
U, S, Vh = torch.linalg.svd(A)
print(U.shape, S.shape, Vh.shape)
print(torch.dist(A, U[:, :3] @ torch.diag(S) @ Vh))
A = torch.randn(7, 5, 3)
U, S, Vh = torch.linalg.svd(A, full_matrices=False)
print(torch.dist(A, U @ torch.diag_embed(S) @ Vh))

# torch.linalg.svdvals
A = torch.randn(5, 3)
S = torch.linalg.svdvals(A)
print(S)
print(torch.dist(S, torch.linalg.svd(A, full_matrices=False).S))

# torch.linalg.tensorinv
A = torch.eye(4 * 6).reshape((4, 6, 8, 3))
Ainv = torch.linalg.tensorinv(A, ind=2)
print(Ainv.shape)
B = torch.randn(4, 6)
print(torch.allclose(torch.tensordot(Ainv, B), torch.linalg.tensorsolve(A, B)))
A = torch.randn(4, 4)
Atensorinv = torch.linalg.tensorinv(A, ind=1)
Ainv = torch.linalg.inv(A)
print(torch.allclose(Atensorinv, Ainv))

# torch.linalg.tensorsolve
A = torch.eye(2 * 3 * 4).reshape((2 * 3, 4, 2, 3, 4))
B = torch.randn(2 * 3, 4)
X = torch.linalg.tensorsolve(A, B)
print(X.shape)
print(torch.allclose(torch.tensordot(A, X, dims=X.ndim), B))
A = torch.randn(6, 4, 4, 3, 2)
B = torch.randn(4, 3, 2)
X = torch.linalg.tensorsolve(A, B, dims=(0, 2))
print(X.shape)
A = A.permute(1, 3, 4, 0, 2)
print(A.shape[B.ndim :])
print(torch.allclose(torch.tensordot(A, X, dims=X.ndim), B, atol=1e-6))

# torch.linalg.vector_norm
from torch import linalg as LA  # noqa: E402

a = torch.arange(9, dtype=torch.float) - 4
print(a)
B = a.reshape((3, 3))
print(B)
print(LA.vector_norm(a, ord=3.5))
print(LA.vector_norm(B, ord=3.5))
