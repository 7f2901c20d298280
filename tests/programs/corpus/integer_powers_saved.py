"""A hash function and a power table from Python integer habits carried over to tensors
(Karpathy-style scratch code: rolling hashes of token ids, modular powers), and the graph's
saved scalars read after training (autograd mechanics notes: what backward frees).

Model: the rolling-hash trick of n-gram language models (makemore's bigram tables) and
https://pytorch.org/docs/stable/notes/autograd.html#saved-tensors (pytorch/pytorch,
BSD-3-Clause). Written for jitgrad's corpus, not copied.
"""

import torch

ids = torch.tensor([3, 17, 255, 1024, 7])
base = 31
powers = base ** torch.arange(12)
print(powers)
print(torch.tensor(base) ** torch.tensor([13, 20, 40]))
h = (ids * powers[: len(ids)]).sum()
print(h, h % 1000003)
print(ids**16, ids**25)
print(torch.tensor([2], dtype=torch.int32) ** 31, torch.tensor([3], dtype=torch.int16) ** 11)
print(
    torch.tensor([2, 3, 4], dtype=torch.uint8) ** 8, torch.tensor([-2, 2]) ** torch.tensor([63, 64])
)
print(torch.tensor([1, -1, 2, 0]) ** torch.tensor([-3, -3, -1, 0]))
print(2 ** torch.arange(60, 66))

torch.manual_seed(0)
w = torch.randn(3, requires_grad=True)
x = torch.randn(3)
pieces = [
    (w * x).pow(2.5 if False else 2).sum(),
    w.add(x, alpha=0.5).clamp(min=-1.0, max=1.0).sum(),
    torch.nn.functional.leaky_relu(w - x, 0.2).sum(),
    torch.nn.functional.softplus(w, beta=2.0).sum(),
    w.abs().pow(1.5).sum(),
]
loss = sum(pieces)
nodes = [p.grad_fn.next_functions[0][0] for p in pieces]
before = [
    {
        k: getattr(n, k)
        for k in dir(n)
        if k.startswith("_saved_") and not isinstance(getattr(n, k), torch.Tensor)
    }
    for n in nodes
]
print([type(n).__name__ for n in nodes])
print(before)
loss.backward()
after = [{k: getattr(n, k) for k in b} for n, b in zip(nodes, before)]
print(after == before, w.grad)
try:
    nodes[-1]._saved_self  # noqa: B018
except RuntimeError as e:
    print("RuntimeError:", str(e)[:40])
