"""BLAS and LAPACK functions from the torch docs: the "Example::" blocks of the docstrings of
torch.addbmm, torch.addmm, torch.addmv, torch.addr, torch.baddbmm, torch.bmm,
torch.chain_matmul, torch.dot, torch.inner, torch.logdet, torch.matmul, torch.mm, torch.mv,
torch.outer, torch.triangular_solve, torch.vdot, pasted one after the other as a user runs them;
a line whose REPL echo the docstring shows is printed.

Source: the docstrings as shipped in PyTorch 2.13 (pytorch/pytorch, BSD-3-Clause; rendered
at https://pytorch.org/docs/stable/). Changes: none beyond print() around echoed
expressions; random inputs come from torch.randn/rand, which the corpus harness
feeds the same draws under both libraries.
"""

import torch

# torch.addbmm
M = torch.randn(3, 5)
batch1 = torch.randn(10, 3, 4)
batch2 = torch.randn(10, 4, 5)
print(torch.addbmm(M, batch1, batch2))

# torch.addmm
M = torch.randn(2, 3)
mat1 = torch.randn(2, 3)
mat2 = torch.randn(3, 3)
print(torch.addmm(M, mat1, mat2))

# torch.addmv
M = torch.randn(2)
mat = torch.randn(2, 3)
vec = torch.randn(3)
print(torch.addmv(M, mat, vec))

# torch.addr
vec1 = torch.arange(1.0, 4.0)
vec2 = torch.arange(1.0, 3.0)
M = torch.zeros(3, 2)
print(torch.addr(M, vec1, vec2))

# torch.baddbmm
M = torch.randn(10, 3, 5)
batch1 = torch.randn(10, 3, 4)
batch2 = torch.randn(10, 4, 5)
print(torch.baddbmm(M, batch1, batch2).size())

# torch.bmm
input = torch.randn(10, 3, 4)
mat2 = torch.randn(10, 4, 5)
res = torch.bmm(input, mat2)
print(res.size())

# torch.chain_matmul
a = torch.randn(3, 4)
b = torch.randn(4, 5)
c = torch.randn(5, 6)
d = torch.randn(6, 7)
print(torch.chain_matmul(a, b, c, d))

# torch.dot
print(torch.dot(torch.tensor([2, 3]), torch.tensor([2, 1])))
t1, t2 = torch.tensor([0, 1]), torch.tensor([2, 3])
print(torch.dot(t1, t2))

# torch.inner
print(torch.inner(torch.tensor([1, 2, 3]), torch.tensor([0, 2, 1])))
a = torch.randn(2, 3)
print(a)
b = torch.randn(2, 4, 3)
print(b)
print(torch.inner(a, b))
print(torch.inner(a, torch.tensor(2)))

# torch.logdet
A = torch.randn(3, 3)
print(torch.det(A))
print(torch.logdet(A))
print(A)
print(A.det())
print(A.det().log())

# torch.matmul
tensor1 = torch.randn(3)
tensor2 = torch.randn(3)
print(torch.matmul(tensor1, tensor2).size())
tensor1 = torch.randn(3, 4)
tensor2 = torch.randn(4)
print(torch.matmul(tensor1, tensor2).size())
tensor1 = torch.randn(10, 3, 4)
tensor2 = torch.randn(4)
print(torch.matmul(tensor1, tensor2).size())
tensor1 = torch.randn(10, 3, 4)
tensor2 = torch.randn(10, 4, 5)
print(torch.matmul(tensor1, tensor2).size())
tensor1 = torch.randn(10, 3, 4)
tensor2 = torch.randn(4, 5)
print(torch.matmul(tensor1, tensor2).size())

# torch.mm
mat1 = torch.randn(2, 3)
mat2 = torch.randn(3, 3)
print(torch.mm(mat1, mat2))

# torch.mv
mat = torch.randn(2, 3)
vec = torch.randn(3)
print(torch.mv(mat, vec))

# torch.outer
v1 = torch.arange(1.0, 5.0)
v2 = torch.arange(1.0, 4.0)
print(torch.outer(v1, v2))

# torch.triangular_solve
A = torch.randn(2, 2).triu()
print(A)
b = torch.randn(2, 3)
print(b)
print(torch.triangular_solve(b, A))

# torch.vdot
print(torch.vdot(torch.tensor([2, 3]), torch.tensor([2, 1])))
a = torch.tensor((1 + 2j, 3 - 1j))
b = torch.tensor((2 + 1j, 4 - 0j))
print(torch.vdot(a, b))
print(torch.vdot(b, a))
