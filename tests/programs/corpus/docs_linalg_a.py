"""torch.linalg examples from its docs (a): the "Example::" blocks of the docstrings of
torch.linalg.cholesky_ex, torch.linalg.cond, torch.linalg.cross, torch.linalg.det,
torch.linalg.eig, torch.linalg.eigh, torch.linalg.eigvals, torch.linalg.eigvalsh,
torch.linalg.householder_product, torch.linalg.inv, torch.linalg.inv_ex, pasted one after the
other as a user runs them; a line whose REPL echo the docstring shows is printed.

Source: the docstrings as shipped in PyTorch 2.13 (pytorch/pytorch, BSD-3-Clause; rendered
at https://pytorch.org/docs/stable/). Changes: none beyond print() around echoed
expressions; random inputs come from torch.randn/rand, which the corpus harness
feeds the same draws under both libraries.
"""

import torch

# torch.linalg.cholesky_ex
A = torch.randn(2, 2, dtype=torch.complex128)
A = A @ A.t().conj()  # creates a Hermitian positive-definite matrix
L, info = torch.linalg.cholesky_ex(A)
print(A)
print(L)
print(info)

# torch.linalg.cond
A = torch.randn(3, 4, 4, dtype=torch.complex64)
torch.linalg.cond(A)
A = torch.tensor([[1.0, 0, -1], [0, 1, 0], [1, 0, 1]])
print(torch.linalg.cond(A))
print(torch.linalg.cond(A, "fro"))
print(torch.linalg.cond(A, "nuc"))
print(torch.linalg.cond(A, float("inf")))
print(torch.linalg.cond(A, float("-inf")))
print(torch.linalg.cond(A, 1))
print(torch.linalg.cond(A, -1))
print(torch.linalg.cond(A, 2))
print(torch.linalg.cond(A, -2))
A = torch.randn(2, 3, 3)
print(torch.linalg.cond(A))
A = torch.randn(2, 3, 3, dtype=torch.complex64)
print(torch.linalg.cond(A))

# torch.linalg.cross
a = torch.randn(4, 3)
print(a)
b = torch.randn(4, 3)
print(b)
print(torch.linalg.cross(a, b))
a = torch.randn(1, 3)  # a is broadcast to match shape of b
print(a)
print(torch.linalg.cross(a, b))

# torch.linalg.det
A = torch.randn(3, 3)
print(torch.linalg.det(A))
A = torch.randn(3, 2, 2)
print(torch.linalg.det(A))

# torch.linalg.eig
A = torch.randn(2, 2, dtype=torch.complex128)
print(A)
L, V = torch.linalg.eig(A)
print(L)
print(V)
print(torch.dist(V @ torch.diag(L) @ torch.linalg.inv(V), A))
A = torch.randn(3, 2, 2, dtype=torch.float64)
L, V = torch.linalg.eig(A)
print(torch.dist(V @ torch.diag_embed(L) @ torch.linalg.inv(V), A))

# torch.linalg.eigh
A = torch.randn(2, 2, dtype=torch.complex128)
A = A + A.T.conj()  # creates a Hermitian matrix
print(A)
L, Q = torch.linalg.eigh(A)
print(L)
print(Q)
print(torch.dist(Q @ torch.diag(L.cdouble()) @ Q.T.conj(), A))
A = torch.randn(3, 2, 2, dtype=torch.float64)
A = A + A.mT  # creates a batch of symmetric matrices
L, Q = torch.linalg.eigh(A)
print(torch.dist(Q @ torch.diag_embed(L) @ Q.mH, A))

# torch.linalg.eigvals
A = torch.randn(2, 2, dtype=torch.complex128)
L = torch.linalg.eigvals(A)
print(L)
print(torch.dist(L, torch.linalg.eig(A).eigenvalues))

# torch.linalg.eigvalsh
A = torch.randn(2, 2, dtype=torch.complex128)
A = A + A.T.conj()  # creates a Hermitian matrix
print(A)
print(torch.linalg.eigvalsh(A))
A = torch.randn(3, 2, 2, dtype=torch.float64)
A = A + A.mT  # creates a batch of symmetric matrices
print(torch.linalg.eigvalsh(A))

# torch.linalg.householder_product
A = torch.randn(2, 2)
h, tau = torch.geqrf(A)
Q = torch.linalg.householder_product(h, tau)
print(torch.dist(Q, torch.linalg.qr(A).Q))
h = torch.randn(3, 2, 2, dtype=torch.complex128)
tau = torch.randn(3, 1, dtype=torch.complex128)
Q = torch.linalg.householder_product(h, tau)
print(Q)

# torch.linalg.inv
A = torch.randn(4, 4)
Ainv = torch.linalg.inv(A)
print(torch.dist(A @ Ainv, torch.eye(4)))
A = torch.randn(2, 3, 4, 4)  # Batch of matrices
Ainv = torch.linalg.inv(A)
print(torch.dist(A @ Ainv, torch.eye(4)))
A = torch.randn(4, 4, dtype=torch.complex128)  # Complex matrix
Ainv = torch.linalg.inv(A)
print(torch.dist(A @ Ainv, torch.eye(4)))

# torch.linalg.inv_ex
A = torch.randn(3, 3)
Ainv, info = torch.linalg.inv_ex(A)
print(torch.dist(torch.linalg.inv(A), Ainv))
print(info)
