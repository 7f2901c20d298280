"""makemore part 2 (MLP language model, Bengio et al. 2003): a character vocabulary from a word
list, a context-window dataset (block_size 3), an embedding table C indexed as C[X], a tanh
hidden layer on emb.view(-1, 6), F.cross_entropy, minibatches by torch.randint, manual SGD with
p.data += -lr * p.grad, and sampling with torch.multinomial.

Model: https://github.com/karpathy/nn-zero-to-hero/blob/master/lectures/makemore/
makemore_part2_mlp.ipynb (MIT). Written for jitgrad's corpus, not copied. Changes: names.txt is
replaced by 24 inline names, hidden 32, 100 steps, 3 samples.
"""

import torch
import torch.nn.functional as F

words = ("emma olivia ava isabella sophia charlotte mia amelia harper evelyn abigail emily "
         "elizabeth mila ella avery sofia camila aria scarlett victoria madison luna grace").split()
chars = sorted(list(set("".join(words))))
stoi = {s: i + 1 for i, s in enumerate(chars)}
stoi["."] = 0
itos = {i: s for s, i in stoi.items()}
vocab_size = len(itos)
block_size = 3


def build_dataset(words):
    X, Y = [], []
    for w in words:
        context = [0] * block_size
        for ch in w + ".":
            ix = stoi[ch]
            X.append(context)
            Y.append(ix)
            context = context[1:] + [ix]
    X = torch.tensor(X)
    Y = torch.tensor(Y)
    print(X.shape, Y.shape)
    return X, Y


Xtr, Ytr = build_dataset(words[:20])
Xdev, Ydev = build_dataset(words[20:])
g = torch.Generator().manual_seed(2147483647)
C = torch.randn((vocab_size, 2), generator=g)
W1 = torch.randn((6, 32), generator=g)
b1 = torch.randn(32, generator=g)
W2 = torch.randn((32, vocab_size), generator=g)
b2 = torch.randn(vocab_size, generator=g)
parameters = [C, W1, b1, W2, b2]
print(sum(p.nelement() for p in parameters))
for p in parameters:
    p.requires_grad = True
lossi = []
for i in range(100):
    ix = torch.randint(0, Xtr.shape[0], (16,))
    emb = C[Xtr[ix]]
    h = torch.tanh(emb.view(-1, 6) @ W1 + b1)
    logits = h @ W2 + b2
    loss = F.cross_entropy(logits, Ytr[ix])
    for p in parameters:
        p.grad = None
    loss.backward()
    lr = 0.1 if i < 75 else 0.01
    for p in parameters:
        p.data += -lr * p.grad
    lossi.append(loss.log10().item())
print(f"{sum(lossi[-20:]) / 20:.4f}")
emb = C[Xtr]
h = torch.tanh(emb.view(-1, 6) @ W1 + b1)
logits = h @ W2 + b2
print(F.cross_entropy(logits, Ytr))
emb = C[Xdev]
h = torch.tanh(emb.view(-1, 6) @ W1 + b1)
print(F.cross_entropy(h @ W2 + b2, Ydev))
torch.manual_seed(2147483647 + 10)
for _ in range(3):
    out = []
    context = [0] * block_size
    for _ in range(12):
        emb = C[torch.tensor([context])]
        h = torch.tanh(emb.view(1, -1) @ W1 + b1)
        logits = h @ W2 + b2
        probs = F.softmax(logits, dim=1)
        ix = torch.multinomial(probs, num_samples=1).item()
        context = context[1:] + [ix]
        out.append(ix)
        if ix == 0:
            break
    print("".join(itos[i] for i in out))
