"""Pretraining word2vec (skip-gram with negative sampling) after d2l.ai chapter 15.4
("Pretraining word2vec") and 15.3's data pipeline: the skip_gram forward as
torch.bmm(embed_v(center), embed_u(contexts_and_negatives).permute(0, 2, 1)), the
SigmoidBCELoss module calling F.binary_cross_entropy_with_logits(inputs, target,
weight=mask, reduction="none").mean(dim=1), batchify padding contexts and negatives with masks
and labels, a DataLoader with that collate_fn, the training loop's loss normalised by
mask.sum(axis=1) * mask.shape[1], and get_similar_tokens by cosine similarity with
torch.mv and topk.

Source: https://d2l.ai/chapter_natural-language-processing-pretraining/word2vec-pretraining.html
and word-embedding-dataset.html (d2l-ai/d2l-en; MIT-0 code). Written for jitgrad's corpus
after its structure, not copied. Changes: a 12-word synthetic corpus instead of PTB,
subsampling and random negative sampling replaced by fixed choices so both libraries draw the
same, embedding size 8, 2 epochs, no d2l.Animator.
"""
# ruff: noqa: E501, UP008, UP031, UP032, UP035, UP006, UP018, UP039, B006, B007, E721, E731, F401, F841  (the original's style, kept)

import math

import torch
from torch import nn
from torch.nn import functional as F

torch.manual_seed(0)
embed = nn.Embedding(num_embeddings=20, embedding_dim=4)
print(f'Parameter embedding_weight ({embed.weight.shape}, '
      f'dtype={embed.weight.dtype})')
x = torch.tensor([[1, 2, 3], [4, 5, 6]])
print(embed(x).shape)


def skip_gram(center, contexts_and_negatives, embed_v, embed_u):
    v = embed_v(center)
    u = embed_u(contexts_and_negatives)
    pred = torch.bmm(v, u.permute(0, 2, 1))
    return pred


print(skip_gram(torch.ones((2, 1), dtype=torch.long),
                torch.ones((2, 4), dtype=torch.long), embed, embed).shape)


class SigmoidBCELoss(nn.Module):
    # Binary cross-entropy loss with masking
    def __init__(self):
        super().__init__()

    def forward(self, inputs, target, mask=None):
        out = nn.functional.binary_cross_entropy_with_logits(
            inputs, target, weight=mask, reduction="none")
        return out.mean(dim=1)


loss = SigmoidBCELoss()
pred = torch.tensor([[1.1, -2.2, 3.3, -4.4]] * 2)
label = torch.tensor([[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]])
mask = torch.tensor([[1, 1, 1, 1], [1, 1, 0, 0]])
print(loss(pred, label, mask) * mask.shape[1] / mask.sum(axis=1))


def sigmd(x):
    return -math.log(1 / (1 + math.exp(-x)))


print(f'{(sigmd(1.1) + sigmd(2.2) + sigmd(-3.3) + sigmd(4.4)) / 4:.4f}')
print(f'{(sigmd(-1.1) + sigmd(-2.2)) / 2:.4f}')


def batchify(data):
    """Return a minibatch of examples for skip-gram with negative sampling."""
    max_len = max(len(c) + len(n) for _, c, n in data)
    centers, contexts_negatives, masks, labels = [], [], [], []
    for center, context, negative in data:
        cur_len = len(context) + len(negative)
        centers += [center]
        contexts_negatives += [context + negative + [0] * (max_len - cur_len)]
        masks += [[1] * cur_len + [0] * (max_len - cur_len)]
        labels += [[1] * len(context) + [0] * (max_len - len(context))]
    return (torch.tensor(centers).reshape((-1, 1)), torch.tensor(
        contexts_negatives), torch.tensor(masks), torch.tensor(labels))


x_1 = (1, [2, 2], [3, 3, 3, 3])
x_2 = (1, [2, 2, 2], [3, 3])
batch = batchify((x_1, x_2))
names = ['centers', 'contexts_negatives', 'masks', 'labels']
for name, data in zip(names, batch):
    print(name, '=', data)

idx_to_token = ['<unk>', 'the', 'cat', 'sat', 'on', 'mat', 'dog', 'ran', 'in', 'park', 'a', 'big']
token_to_idx = {t: i for i, t in enumerate(idx_to_token)}
sentences = [['the', 'cat', 'sat', 'on', 'the', 'mat'], ['the', 'dog', 'ran', 'in', 'the', 'park'],
             ['a', 'big', 'cat', 'sat', 'in', 'a', 'park'], ['a', 'big', 'dog', 'sat', 'on', 'a', 'mat']]
corpus = [[token_to_idx[t] for t in line] for line in sentences]
examples = []
for line in corpus:
    for i in range(len(line)):
        window = 2 if i % 2 == 0 else 1
        context = [line[j] for j in range(max(0, i - window), min(len(line), i + 1 + window)) if j != i]
        negatives = [(line[i] * 7 + k * 5) % 11 + 1 for k in range(2 * len(context))]
        examples.append((line[i], context, negatives))
data_iter = torch.utils.data.DataLoader(examples, batch_size=8, shuffle=True, collate_fn=batchify)

embed_size = 8
net = nn.Sequential(nn.Embedding(num_embeddings=len(idx_to_token), embedding_dim=embed_size),
                    nn.Embedding(num_embeddings=len(idx_to_token), embedding_dim=embed_size))


def init_weights(module):
    if type(module) == nn.Embedding:
        nn.init.xavier_uniform_(module.weight)


net.apply(init_weights)
optimizer = torch.optim.Adam(net.parameters(), lr=0.01)
for epoch in range(2):
    total, count = 0.0, 0
    for i, batch in enumerate(data_iter):
        optimizer.zero_grad()
        center, context_negative, mask, label = batch
        pred = skip_gram(center, context_negative, net[0], net[1])
        l = (loss(pred.reshape(label.shape).float(), label.float(), mask)
             / mask.sum(axis=1) * mask.shape[1])
        l.sum().backward()
        optimizer.step()
        total += l.sum().item()
        count += l.numel()
    print(f'epoch {epoch}, loss {total / count:.4f}, batches {i + 1}')


def get_similar_tokens(query_token, k, embed):
    W = embed.weight.data
    x = W[token_to_idx[query_token]]
    # Compute the cosine similarity. Add 1e-9 for numerical stability
    cos = torch.mv(W, x) / torch.sqrt(torch.sum(W * W, dim=1) * torch.sum(x * x) + 1e-9)
    topk = torch.topk(cos, k=k + 1)[1].cpu().numpy().astype('int32')
    for i in topk[1:]:  # Remove the input words
        print(f'cosine sim={float(cos[i]):.3f}: {idx_to_token[i]}')


get_similar_tokens('cat', 3, net[0])
