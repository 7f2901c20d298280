"""Permutation-invariant set models after juho-lee/set_transformer (modules.py, models.py) and
the Deep Sets sum-pooling baseline: MAB (multihead attention block written with torch.split /
torch.cat over heads, softmax of Q_ K_^T / sqrt(dim_V), O + relu(fc_o(O)), optional LayerNorms),
SAB, ISAB with learned inducing points (nn.init.xavier_uniform_), PMA pooling by k seed vectors
(S.repeat(X.size(0), 1, 1)), and a DeepSet encoder-sum-decoder; both trained a few steps on the
"max of a set" regression of the repository's max_regression demo, and their outputs checked for
invariance under torch.randperm of the set.

Sources: https://github.com/juho-lee/set_transformer (modules.py, models.py,
max_regression_demo.ipynb; MIT) and Zaheer et al., Deep Sets (2017). Written for jitgrad's
corpus after their structure, not copied. Changes: sets of 6 scalars, dim 8, 4 Adam steps.
"""
# ruff: noqa: E501  (the original's style, kept)

import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class MAB(nn.Module):
    def __init__(self, dim_Q, dim_K, dim_V, num_heads, ln=False):
        super().__init__()
        self.dim_V = dim_V
        self.num_heads = num_heads
        self.fc_q = nn.Linear(dim_Q, dim_V)
        self.fc_k = nn.Linear(dim_K, dim_V)
        self.fc_v = nn.Linear(dim_K, dim_V)
        if ln:
            self.ln0 = nn.LayerNorm(dim_V)
            self.ln1 = nn.LayerNorm(dim_V)
        self.fc_o = nn.Linear(dim_V, dim_V)

    def forward(self, Q, K):
        Q = self.fc_q(Q)
        K, V = self.fc_k(K), self.fc_v(K)
        dim_split = self.dim_V // self.num_heads
        Q_ = torch.cat(Q.split(dim_split, 2), 0)
        K_ = torch.cat(K.split(dim_split, 2), 0)
        V_ = torch.cat(V.split(dim_split, 2), 0)
        A = torch.softmax(Q_.bmm(K_.transpose(1, 2)) / math.sqrt(self.dim_V), 2)
        O = torch.cat((Q_ + A.bmm(V_)).split(Q.size(0), 0), 2)
        O = O if getattr(self, "ln0", None) is None else self.ln0(O)
        O = O + F.relu(self.fc_o(O))
        O = O if getattr(self, "ln1", None) is None else self.ln1(O)
        return O


class SAB(nn.Module):
    def __init__(self, dim_in, dim_out, num_heads, ln=False):
        super().__init__()
        self.mab = MAB(dim_in, dim_in, dim_out, num_heads, ln=ln)

    def forward(self, X):
        return self.mab(X, X)


class ISAB(nn.Module):
    def __init__(self, dim_in, dim_out, num_heads, num_inds, ln=False):
        super().__init__()
        self.I = nn.Parameter(torch.Tensor(1, num_inds, dim_out))
        nn.init.xavier_uniform_(self.I)
        self.mab0 = MAB(dim_out, dim_in, dim_out, num_heads, ln=ln)
        self.mab1 = MAB(dim_in, dim_out, dim_out, num_heads, ln=ln)

    def forward(self, X):
        H = self.mab0(self.I.repeat(X.size(0), 1, 1), X)
        return self.mab1(X, H)


class PMA(nn.Module):
    def __init__(self, dim, num_heads, num_seeds, ln=False):
        super().__init__()
        self.S = nn.Parameter(torch.Tensor(1, num_seeds, dim))
        nn.init.xavier_uniform_(self.S)
        self.mab = MAB(dim, dim, dim, num_heads, ln=ln)

    def forward(self, X):
        return self.mab(self.S.repeat(X.size(0), 1, 1), X)


class SetTransformer(nn.Module):
    def __init__(self, dim_input, num_outputs, dim_output, num_inds=4, dim_hidden=8, num_heads=2, ln=True):
        super().__init__()
        self.enc = nn.Sequential(ISAB(dim_input, dim_hidden, num_heads, num_inds, ln=ln),
                                 ISAB(dim_hidden, dim_hidden, num_heads, num_inds, ln=ln))
        self.dec = nn.Sequential(PMA(dim_hidden, num_heads, num_outputs, ln=ln),
                                 SAB(dim_hidden, dim_hidden, num_heads, ln=ln),
                                 nn.Linear(dim_hidden, dim_output))

    def forward(self, X):
        return self.dec(self.enc(X))


class DeepSet(nn.Module):
    def __init__(self, dim_input, num_outputs, dim_output, dim_hidden=8):
        super().__init__()
        self.num_outputs, self.dim_output = num_outputs, dim_output
        self.enc = nn.Sequential(nn.Linear(dim_input, dim_hidden), nn.ReLU(), nn.Linear(dim_hidden, dim_hidden))
        self.dec = nn.Sequential(nn.Linear(dim_hidden, dim_hidden), nn.ReLU(), nn.Linear(dim_hidden, num_outputs * dim_output))

    def forward(self, X):
        X = self.enc(X).sum(-2)
        return self.dec(X).reshape(-1, self.num_outputs, self.dim_output)


def gen_data(batch_size, max_length=6, test=False):
    length = max_length if test else 5
    x = torch.randint(0, 100, (batch_size, length, 1)).float() / 10.0
    y = torch.max(x, dim=1)[0]
    return x, y


torch.manual_seed(0)
for model in (DeepSet(1, 1, 1), SetTransformer(1, 1, 1)):
    print(type(model).__name__, sum(p.numel() for p in model.parameters()))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    for step in range(4):
        x, y = gen_data(8)
        optimizer.zero_grad()
        loss = F.l1_loss(model(x).squeeze(-1), y)
        loss.backward()
        optimizer.step()
        print(step, round(loss.item(), 5), loss.grad_fn.name())
    x, y = gen_data(3, test=True)
    perm = torch.randperm(6)
    with torch.no_grad():
        out, out_perm = model(x), model(x[:, perm])
    print(out.squeeze(-1), y)
    print("invariant:", torch.allclose(out, out_perm, atol=1e-5))
