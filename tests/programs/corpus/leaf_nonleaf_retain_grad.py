"""Leaf and non-leaf tensors, ``requires_grad``, ``retain_grad`` and ``retains_grad``: an affine
layer, ReLU and MSE loss; which tensors are leaves, which require grad, which get ``.grad``
after backward (leaves only, until retain_grad()), the loss's own gradient of 1, the
``retains_grad`` flags (False on every leaf), retain_grad on a leaf (no-op) and on a tensor
that requires no grad (an error), requires_grad_() on a non-leaf, and backward of a graph
that tracks nothing (PyTorch's error text).

Model: https://pytorch.org/tutorials/beginner/understanding_leaf_vs_nonleaf_tutorial.html
(pytorch/tutorials, BSD-3-Clause; its summary table). Written for jitgrad's corpus after that
tutorial, not copied from it.
"""

import torch
import torch.nn.functional as F

inp = torch.ones(2, 3)
weight = torch.full((3, 2), 0.5, requires_grad=True)
bias = torch.tensor([[0.25, -2.0]], requires_grad=True)
target = torch.tensor([[1.0, 0.0], [2.0, 1.0]])

pre = inp @ weight + bias
act = F.relu(pre)
loss = F.mse_loss(act, target)

for name, t in [("inp", inp), ("weight", weight), ("pre", pre), ("act", act), ("loss", loss)]:
    print(f"{name}: is_leaf={t.is_leaf} requires_grad={t.requires_grad} "
          f"retains_grad={t.retains_grad} grad_fn={type(t.grad_fn).__name__}")

loss.backward()
print(f"{weight.grad=}")
print(f"{bias.grad=}")
print(f"{inp.grad=}", f"{target.grad=}")
print(f"{pre.grad=}")  # a non-leaf's .grad: None (PyTorch warns)

# again, keeping the intermediate gradients this time
pre = inp @ weight + bias
act = F.relu(pre)
loss = F.mse_loss(act, target)
for t in (pre, act, loss):
    t.retain_grad()
weight.grad = None
bias.grad = None
loss.backward()
print(f"{weight.grad=}")
print(f"{pre.grad=}")
print(f"{act.grad=}")
print(f"{loss.grad=}")
print([t.retains_grad for t in (inp, weight, pre, act, loss)])

weight.retain_grad()  # a leaf that requires grad: nothing changes
print(weight.retains_grad, weight.is_leaf)
try:
    inp.retain_grad()
except RuntimeError as e:
    print("RuntimeError:", e)

# requires_grad_ on a non-leaf that already requires grad is allowed; switching it off is not
print(pre.requires_grad_(True) is pre)
try:
    pre.requires_grad_(False)
except RuntimeError as e:
    print("RuntimeError:", str(e)[:120])

# a graph that tracks nothing cannot be differentiated
frozen = F.mse_loss(F.relu(inp @ weight.detach() + bias.detach()), target)
print(frozen.requires_grad, frozen.grad_fn, frozen.is_leaf)
try:
    frozen.backward()
except RuntimeError as e:
    print("RuntimeError:", e)

# a second backward through the freed graph, then with retain_graph
loss2 = F.mse_loss(F.relu(inp @ weight + bias), target)
loss2.backward(retain_graph=True)
loss2.backward()
print(weight.grad)
try:
    loss2.backward()
except RuntimeError as e:
    print("RuntimeError:", str(e)[:100])
