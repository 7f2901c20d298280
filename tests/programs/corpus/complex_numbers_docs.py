"""Complex numbers in PyTorch, after the PyTorch documentation page "Complex Numbers".

Model: https://pytorch.org/docs/stable/complex_numbers.html (pytorch/pytorch,
docs/source/complex_numbers.rst, BSD-3-Clause). Written for jitgrad's corpus, not copied:
creating complex tensors, view_as_real / view_as_complex, abs and angle, linear algebra,
autograd's conjugate-Wirtinger gradients, and the page's point that an optimizer steps a
complex parameter as if it were ``view_as_real`` of it (here for every optimizer whose
PyTorch implementation handles complex parameters, each compared with the same optimizer
on the real view).
"""

import torch

torch.manual_seed(0)

x = torch.randn(2, 2, dtype=torch.cfloat)
print(x.dtype, x.shape)
y = torch.view_as_real(x)
print(y.shape)
print(torch.equal(torch.view_as_complex(y), x))
z = torch.tensor([3 + 4j, -1 + 0j, 0 - 2j])
print(z.abs())
print(z.angle())
print(z.real, z.imag)

a = torch.tensor([[1 + 1j, 2 - 1j], [0.5j, 3 + 0j]], dtype=torch.cdouble)
b = torch.tensor([1 - 1j, 2 + 2j], dtype=torch.cdouble)
sol = torch.linalg.solve(a, b)
print(sol)
print(torch.allclose(a @ sol, b))
print(torch.matmul(a, a.conj().T))

w = torch.tensor([1 + 2j, -0.5 + 0.25j], dtype=torch.cdouble, requires_grad=True)
loss = (w * w.conj()).real.sum() + (w.real * w.imag).sum()
loss.backward()
print(w.grad)

target = torch.tensor([0.5 - 1j, 2 + 0.5j, -1 + 1j], dtype=torch.cdouble)


def run(name, kwargs, complex_param):
    """Five steps of ``name`` on |p - target|^2, from the same start, on the complex
    parameter itself or on a real parameter holding its view_as_real."""
    start = torch.tensor([1 + 2j, -0.5 + 0.25j, 3 - 1j], dtype=torch.cdouble)
    if complex_param:
        p = start.clone().requires_grad_()
    else:
        p = torch.view_as_real(start).clone().requires_grad_()
    opt = getattr(torch.optim, name)([p], **kwargs)

    def closure():
        opt.zero_grad()
        q = p if complex_param else torch.view_as_complex(p)
        loss = ((q - target).abs() ** 2).sum() + 0.1 * (q.real * q.imag).sum()
        loss.backward()
        return loss

    for _ in range(5):
        opt.step(closure)
    q = p.detach() if complex_param else torch.view_as_complex(p.detach())
    return q


for name, kwargs in [
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("Adam", {"lr": 0.1}),
    ("AdamW", {"lr": 0.1, "weight_decay": 0.1}),
    ("NAdam", {"lr": 0.1}),
    ("RAdam", {"lr": 0.1}),
    ("Adamax", {"lr": 0.1}),
    ("Adagrad", {"lr": 0.3}),
    ("RMSprop", {"lr": 0.05}),
    ("Rprop", {"lr": 0.1}),
    ("ASGD", {"lr": 0.1}),
    ("LBFGS", {"lr": 0.5}),
]:
    c = run(name, kwargs, True)
    r = run(name, kwargs, False)
    print(
        f"{name:8s}", torch.round(torch.view_as_real(c), decimals=5).tolist(), torch.allclose(c, r)
    )
