"""A matrix-factorisation recommender as recommender-system tutorials write it: user and item
nn.Embedding tables plus biases, a dot-product score with (u * v).sum(1), MSE on observed
ratings with weight decay through Adam param groups, a sparse-style batch of (user, item,
rating) triples from a DataLoader, RMSE per epoch, and top-k recommendations for one user
with already-rated items masked out.

Models: the collaborative-filtering chapters of fast.ai's course and "Matrix factorization in
PyTorch" posts (e.g. ethanrosenthal.com, 2017); written for jitgrad's corpus, not copied.
"""

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class MF(nn.Module):
    def __init__(self, n_users, n_items, k=4):
        super().__init__()
        self.user = nn.Embedding(n_users, k)
        self.item = nn.Embedding(n_items, k)
        self.user_bias = nn.Embedding(n_users, 1)
        self.item_bias = nn.Embedding(n_items, 1)
        nn.init.normal_(self.user.weight, std=0.1)
        nn.init.normal_(self.item.weight, std=0.1)
        nn.init.zeros_(self.user_bias.weight)
        nn.init.zeros_(self.item_bias.weight)

    def forward(self, u, i):
        dot = (self.user(u) * self.item(i)).sum(1)
        return dot + self.user_bias(u).squeeze(1) + self.item_bias(i).squeeze(1) + 3.0


torch.manual_seed(0)
n_users, n_items = 8, 10
true_u, true_i = torch.randn(n_users, 2), torch.randn(n_items, 2)
ratings = (3 + true_u @ true_i.T).clamp(1, 5)
observed = torch.rand(n_users, n_items) < 0.6
users, items = observed.nonzero(as_tuple=True)
values = ratings[users, items]
print(observed.sum().item(), values[:5])
loader = DataLoader(TensorDataset(users, items, values), batch_size=16, shuffle=True)
model = MF(n_users, n_items)
opt = torch.optim.Adam([
    {"params": [model.user.weight, model.item.weight], "weight_decay": 1e-4},
    {"params": [model.user_bias.weight, model.item_bias.weight], "weight_decay": 0.0},
], lr=0.05)
for epoch in range(15):
    total = 0.0
    for u, i, r in loader:
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(u, i), r)
        loss.backward()
        opt.step()
        total += loss.item() * len(r)
    if epoch % 5 == 4:
        print(epoch, round((total / len(values)) ** 0.5, 4))
with torch.no_grad():
    scores = model(torch.zeros(n_items, dtype=torch.long), torch.arange(n_items))
    scores[observed[0]] = float("-inf")
    top = scores.topk(3)
print(top.indices, top.values.round(decimals=3))
print(model.user.weight.shape, model.state_dict()["item_bias.weight"].shape)
