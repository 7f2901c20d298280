"""What autograd records, printed the way the autograd tutorials and "autograd mechanics" blog
posts walk a graph: grad_fn of many common operations, next_functions chains down to
AccumulateGrad, is_leaf / requires_grad of intermediates, retain_grad on a non-leaf, the
version counter (_version) bumping on in-place ops, and grad_fn of views and in-place results.

Models: https://pytorch.org/tutorials/beginner/blitz/autograd_tutorial.html and
https://pytorch.org/docs/stable/notes/autograd.html (BSD-3-Clause). Written for jitgrad's
corpus, not copied.
"""
# ruff: noqa: E501  (one-line printouts, as tutorials write them)

import torch
import torch.nn.functional as F

a = torch.randn(3, 4, requires_grad=True)
b = torch.randn(4, 2, requires_grad=True)
ops = {
    "add": a + 1, "sub": a - a, "mul": a * 2, "div": a / 3, "neg": -a, "pow": a**3,
    "exp": a.exp(), "log": a.abs().log(), "sqrt": a.abs().sqrt(), "sin": a.sin(),
    "tanh": a.tanh(), "sigmoid": a.sigmoid(), "relu": a.relu(), "abs": a.abs(),
    "mm": a @ b, "sum": a.sum(), "sum_dim": a.sum(1), "mean": a.mean(), "max": a.max(),
    "amax": a.amax(1), "view": a.view(12), "reshape": a.reshape(2, 6), "t": a.t(),
    "transpose": a.transpose(0, 1), "permute": a.permute(1, 0), "unsqueeze": a.unsqueeze(0),
    "squeeze": a.unsqueeze(0).squeeze(0), "select": a[0], "slice": a[:, 1:],
    "index": a[[0, 2]], "expand": a[:1].expand(3, 4), "cat": torch.cat([a, a]),
    "stack": torch.stack([a, a]), "clone": a.clone(), "softmax": a.softmax(-1),
    "log_softmax": F.log_softmax(a, -1), "linear": F.linear(a, b.t()),
    "where": torch.where(a > 0, a, 0.0), "clamp": a.clamp(-1, 1), "norm": a.norm(),
    "var": a.var(), "std": a.std(), "cumsum": a.cumsum(0), "gather": a.gather(1, torch.zeros(3, 1, dtype=torch.long)),
    "mse": F.mse_loss(a, torch.zeros(3, 4)), "ce": F.cross_entropy(a, torch.tensor([0, 1, 2])),
    "dropout_eval": F.dropout(a, 0.5, training=False), "to_double": a.double(),
    "masked_fill": a.masked_fill(a > 0, 0.0), "flatten": a.flatten(), "matmul_vec": a @ b[:, 0],
    "layer_norm": F.layer_norm(a, (4,)), "gelu": F.gelu(a), "bmm": torch.bmm(a[None], b[None]),
}
for name, t in ops.items():
    print(name, t.grad_fn.name() if t.grad_fn is not None else None)

x = torch.tensor([2.0, 3.0], requires_grad=True)
y = x * x
z = y.sum() + 1
node = z.grad_fn
while node is not None:
    print(type(node).__name__, [type(f[0]).__name__ if f[0] is not None else None for f in node.next_functions])
    node = node.next_functions[0][0] if node.next_functions else None
print(x.is_leaf, y.is_leaf, y.requires_grad, z.requires_grad)
y.retain_grad()
z.backward()
print(x.grad, y.grad, y.retains_grad, x.retains_grad)
v = torch.zeros(3)
print(v._version)
v.add_(1)
v[0] = 5
print(v._version)
w = torch.ones(3, requires_grad=True)
u = w.clone()
u.mul_(2)
print(u.grad_fn.name(), u._version)
sl = u[1:]
print(sl.grad_fn.name(), sl._base is u)
