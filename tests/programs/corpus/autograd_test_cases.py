"""Small cases of PyTorch's own test/test_autograd.py rewritten as a program that prints what
the tests assert: accumulating .grad over two backward calls, retain_graph and the "backward
through the graph a second time" error, grad of a non-scalar without grad_outputs, hooks on
tensors (modifying the gradient, removal), retain_grad on a non-leaf, the non-leaf .grad
warning's value (None), requires_grad on an integer tensor, detach / detach_ sharing storage,
the version counter error for an in-place change of a saved tensor, torch.autograd.grad with
allow_unused and materialize_grads, no_grad inside enable_grad, set_grad_enabled as a
function, backward on a tensor that needs no grad, and grad_fn.next_functions.

Model: https://github.com/pytorch/pytorch/blob/main/test/test_autograd.py (BSD-3-Clause):
test_accumulate_grad, test_grad_nonleaf, test_hooks, test_retain_grad, test_grad_unreachable,
test_requires_grad_, test_detach, test_inplace_on_view... Written for jitgrad's corpus, not
copied: each test's inputs and checks printed instead of asserted.
"""

import torch

# test_accumulate_grad
grad_output = torch.ones(5, 5)
x = torch.randn(5, 5, requires_grad=True)
y = x + 2
y.backward(grad_output, retain_graph=True)
x_grad = x.grad
x_grad_clone = x.grad.clone()
y.backward(grad_output)
print(x.grad is x_grad, torch.equal(x_grad_clone * 2, x.grad))

# backward twice without retain_graph
a = torch.randn(3, requires_grad=True)
b = (a * a).sum()
b.backward()
try:
    b.backward()
except RuntimeError as e:
    print("RuntimeError:", str(e).split(".")[0])

# grad of a non-scalar output
try:
    (a * 2).backward()
except RuntimeError as e:
    print("RuntimeError:", e)
try:
    torch.autograd.grad(a * 2, a)
except RuntimeError as e:
    print("RuntimeError:", e)

# test_grad_nonleaf
x_init = torch.randn(2, 2, requires_grad=True)
x = x_init
y = torch.randn(2, 2, requires_grad=True)
grad_output = torch.ones(2, 2)


def fn(x):
    return x**2 + y * x + y**2


for _ in range(5):
    (grad_x,) = torch.autograd.grad(fn(x), x, grad_outputs=grad_output, create_graph=True)
    grad_x_expected = 2 * x + y
    print(torch.allclose(grad_x, grad_x_expected), y.grad is None, x_init.grad is None)
    x = x + 0.05 * grad_x

val_init = fn(x_init).sum()
val_final = fn(x).sum()
print(val_final > val_init)
x.backward(grad_output)
print(y.grad is not None, x_init.grad is not None)

# test_hooks
x = torch.ones(5, 5, requires_grad=True)
y = torch.ones(5, 5) * 4
y.requires_grad_(True)
counter = [0]


def bw_hook(inc, grad):
    print("hook grad type", type(grad).__name__)
    counter[0] += inc


z = x**2 + x * 2 + x * y + y
x.register_hook(lambda *args: bw_hook(0, *args))
test = z.register_hook(lambda *args: bw_hook(1, *args))
z.backward(torch.ones(5, 5), retain_graph=True)
print(counter[0])
test2 = z.register_hook(lambda *args: bw_hook(2, *args))
z.backward(torch.ones(5, 5), retain_graph=True)
print(counter[0])
test2.remove()
z.backward(torch.ones(5, 5), retain_graph=True)
print(counter[0])


def bw_hook_modify(grad):
    return grad.mul(2)


test.remove()
z.register_hook(bw_hook_modify)
with torch.no_grad():
    y.grad.zero_()
z.backward(torch.ones(5, 5), retain_graph=True)
print(y.grad[0])

# test_retain_grad
input = torch.rand(1, 3, requires_grad=True)
h1 = input * 3
out = (h1 * h1).sum()
# It should be possible to call retain_grad() multiple times
h1.retain_grad()
h1.retain_grad()
# Gradient should be accumulated
out.backward(retain_graph=True)
print(torch.equal(h1 * 2, h1.grad))
out.backward(retain_graph=True)
print(torch.equal(h1 * 4, h1.grad), h1.is_leaf, h1.retains_grad, input.retains_grad)
print((input * 2).grad)

# test_grad_unreachable
x = torch.randn(2, 2, requires_grad=True)
y = torch.randn(2, 2, requires_grad=True)
# Make sure x and y have grad accumulators allocated
z = x * 2
w = y * 2
grad_x, grad_y = torch.autograd.grad(x * 2, [x, y], torch.ones(2, 2), allow_unused=True)
print(torch.equal(grad_x, x * 0 + 2), grad_y)
grad_x, grad_y = torch.autograd.grad(
    x * 2, [x, y], torch.ones(2, 2), allow_unused=True, materialize_grads=True
)
print(grad_y)
try:
    torch.autograd.grad(x * 2, [x, y], torch.ones(2, 2))
except RuntimeError as e:
    print("RuntimeError:", e)

# test_requires_grad_
x = torch.randn(5)
y = torch.randn(5, requires_grad=True)
print(x.requires_grad_() is x, x.requires_grad, y.requires_grad_(False) is y, y.requires_grad)
try:
    torch.ones(2, dtype=torch.long).requires_grad_()
except RuntimeError as e:
    print("RuntimeError:", e)
try:
    (x * 2).requires_grad_(False)
except RuntimeError as e:
    print("RuntimeError:", e)

# test_detach
x = torch.randn(10, 10, requires_grad=True)
y = x + 2
y = y.detach()
z = y * 4 + 2
print(y.requires_grad, z.requires_grad)
x = torch.randn(10, 10, requires_grad=True)
y = x * 2
y.detach_()
print(y.requires_grad, y.grad_fn)
view = x.detach()[0]
view.add_(1)
print(torch.equal(view, x[0].detach()))

# the version counter
a = torch.ones(3, requires_grad=True)
b = a * 2
c = b.sin()
b.add_(1)
try:
    c.sum().backward()
except RuntimeError as e:
    print("RuntimeError:", str(e).split(";")[0])
print(b._version)

# leaf in-place
try:
    torch.ones(2, requires_grad=True).add_(1)
except RuntimeError as e:
    print("RuntimeError:", e)
with torch.no_grad():
    leaf = torch.ones(2, requires_grad=True)
    leaf.add_(1)
    print(leaf)

# grad modes
x = torch.ones(2, requires_grad=True)
with torch.enable_grad():
    with torch.no_grad():
        print((x * 2).requires_grad)
    print((x * 2).requires_grad)
torch.set_grad_enabled(False)
print((x * 2).requires_grad, torch.is_grad_enabled())
torch.set_grad_enabled(True)
try:
    torch.ones(2).sum().backward()
except RuntimeError as e:
    print("RuntimeError:", e)

# next_functions
x = torch.ones(2, requires_grad=True)
y = (x * 3).exp().sum()
print(y.grad_fn.name(), [type(f[0]).__name__ for f in y.grad_fn.next_functions])
fn = y.grad_fn.next_functions[0][0]
print(fn.name(), fn.next_functions[0][0].name(), fn.next_functions[0][0].next_functions)
leaf_acc = fn.next_functions[0][0].next_functions[0][0]
print(type(leaf_acc).__name__, leaf_acc.variable is x)
