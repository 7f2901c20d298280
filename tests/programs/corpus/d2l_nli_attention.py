"""Natural language inference with decomposable attention (Dive into Deep Learning 16.5): the
attend step (an MLP f over both sentences, e = f(A) f(B)^T, softmax both ways for beta and
alpha), compare (an MLP g over concatenated pairs) and aggregate (sums over tokens, an MLP h
to three classes), on random embedded premises and hypotheses; shapes, the soft alignments
and three Adam steps.

Model: https://d2l.ai/chapter_natural-language-processing-applications/natural-language-inference-attention.html
(d2l-ai/d2l-en, code MIT-0). Written for jitgrad's corpus, not copied. Changes: random token
ids and a small embedding instead of SNLI and GloVe.
"""

import torch
from torch import nn
from torch.nn import functional as F

torch.manual_seed(0)


def mlp(num_inputs, num_hiddens, flatten):
    net = []
    net.append(nn.Dropout(0.2))
    net.append(nn.Linear(num_inputs, num_hiddens))
    net.append(nn.ReLU())
    if flatten:
        net.append(nn.Flatten(start_dim=1))
    net.append(nn.Dropout(0.2))
    net.append(nn.Linear(num_hiddens, num_hiddens))
    net.append(nn.ReLU())
    if flatten:
        net.append(nn.Flatten(start_dim=1))
    return nn.Sequential(*net)


class Attend(nn.Module):
    def __init__(self, num_inputs, num_hiddens):
        super().__init__()
        self.f = mlp(num_inputs, num_hiddens, flatten=False)

    def forward(self, A, B):
        f_A = self.f(A)
        f_B = self.f(B)
        e = torch.bmm(f_A, f_B.permute(0, 2, 1))
        beta = torch.bmm(F.softmax(e, dim=-1), B)
        alpha = torch.bmm(F.softmax(e.permute(0, 2, 1), dim=-1), A)
        return beta, alpha


class Compare(nn.Module):
    def __init__(self, num_inputs, num_hiddens):
        super().__init__()
        self.g = mlp(num_inputs, num_hiddens, flatten=False)

    def forward(self, A, B, beta, alpha):
        V_A = self.g(torch.cat([A, beta], dim=2))
        V_B = self.g(torch.cat([B, alpha], dim=2))
        return V_A, V_B


class Aggregate(nn.Module):
    def __init__(self, num_inputs, num_hiddens, num_outputs):
        super().__init__()
        self.h = mlp(num_inputs, num_hiddens, flatten=True)
        self.linear = nn.Linear(num_hiddens, num_outputs)

    def forward(self, V_A, V_B):
        V_A = V_A.sum(dim=1)
        V_B = V_B.sum(dim=1)
        return self.linear(self.h(torch.cat([V_A, V_B], dim=1)))


class DecomposableAttention(nn.Module):
    def __init__(self, vocab_size, embed_size, num_hiddens):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.attend = Attend(embed_size, num_hiddens)
        self.compare = Compare(embed_size * 2, num_hiddens)
        self.aggregate = Aggregate(num_hiddens * 2, num_hiddens, num_outputs=3)

    def forward(self, X):
        premises, hypotheses = X
        A = self.embedding(premises)
        B = self.embedding(hypotheses)
        beta, alpha = self.attend(A, B)
        V_A, V_B = self.compare(A, B, beta, alpha)
        return self.aggregate(V_A, V_B)


net = DecomposableAttention(20, 6, 8)
premises = torch.randint(0, 20, (4, 7))
hypotheses = torch.randint(0, 20, (4, 5))
labels = torch.tensor([0, 1, 2, 1])
net.eval()
A, B = net.embedding(premises), net.embedding(hypotheses)
beta, alpha = net.attend(A, B)
print(beta.shape, alpha.shape)
print(alpha[0].sum(-1))
print(net((premises, hypotheses)))
net.train()
opt = torch.optim.Adam(net.parameters(), lr=0.01)
for step in range(3):
    loss = F.cross_entropy(net((premises, hypotheses)), labels)
    opt.zero_grad()
    loss.backward()
    opt.step()
    print(step, round(loss.item(), 4))
net.eval()
print(net((premises, hypotheses)).argmax(1))
