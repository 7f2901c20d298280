"""Text models as the "Text classification with torchtext" and word-embedding tutorials build
them: a vocabulary from token counts, nn.Embedding with padding_idx (zero row, no gradient),
nn.EmbeddingBag with offsets (mean and sum modes, per_sample_weights), from_pretrained with
freeze, cosine-similarity nearest neighbours, and a bag-of-embeddings classifier trained a few
steps with SGD and StepLR.

Models: https://pytorch.org/tutorials/beginner/text_sentiment_ngrams_tutorial.html and
https://pytorch.org/docs/stable/generated/torch.nn.EmbeddingBag.html (BSD-3-Clause). Written for
jitgrad's corpus, not copied.
"""
# ruff: noqa: E501  (one-line printouts, as tutorials write them)

from collections import Counter

import torch
import torch.nn as nn
import torch.nn.functional as F

corpus = [
    ("the movie was great fun", 1),
    ("a terrible boring movie", 0),
    ("great acting and great story", 1),
    ("boring plot terrible acting", 0),
]
counts = Counter(w for text, _ in corpus for w in text.split())
vocab = {"<pad>": 0, "<unk>": 1}
for word, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
    vocab[word] = len(vocab)
print(len(vocab), list(vocab)[:6])


def encode(text):
    return torch.tensor([vocab.get(w, 1) for w in text.split()], dtype=torch.long)


torch.manual_seed(0)
emb = nn.Embedding(len(vocab), 4, padding_idx=0)
print(emb.weight[0], emb)
batch = nn.utils.rnn.pad_sequence([encode(t) for t, _ in corpus[:2]], batch_first=True)
print(batch)
emb(batch).sum().backward()
print(emb.weight.grad[0], emb.weight.grad[1:3].abs().sum() > 0)

bag = nn.EmbeddingBag(10, 3, mode="mean")
inp = torch.tensor([1, 2, 4, 5, 4, 3, 2, 9])
offsets = torch.tensor([0, 4])
print(bag(inp, offsets))
bag_sum = nn.EmbeddingBag.from_pretrained(torch.arange(30.0).view(10, 3), mode="sum")
print(bag_sum(inp, offsets), bag_sum(torch.tensor([[1, 2], [3, 4]])))
print(bag_sum(inp, offsets, per_sample_weights=torch.linspace(0.5, 1.0, 8)))
pre = nn.Embedding.from_pretrained(torch.tensor([[1.0, 0.0], [0.6, 0.8], [0.0, 1.0]]))
print(pre.weight.requires_grad, pre(torch.tensor([2, 0])))
sims = F.cosine_similarity(pre.weight[1:2], pre.weight)
print(sims, sims.argsort(descending=True))


class TextClassificationModel(nn.Module):
    def __init__(self, vocab_size, embed_dim, num_class):
        super().__init__()
        self.embedding = nn.EmbeddingBag(vocab_size, embed_dim)
        self.fc = nn.Linear(embed_dim, num_class)
        initrange = 0.5
        self.embedding.weight.data.uniform_(-initrange, initrange)
        self.fc.weight.data.uniform_(-initrange, initrange)
        self.fc.bias.data.zero_()

    def forward(self, text, offsets):
        return self.fc(self.embedding(text, offsets))


model = TextClassificationModel(len(vocab), 8, 2)
texts = [encode(t) for t, _ in corpus]
labels = torch.tensor([label for _, label in corpus])
flat = torch.cat(texts)
offs = torch.tensor([0] + [len(t) for t in texts[:-1]]).cumsum(dim=0)
print(offs)
optimizer = torch.optim.SGD(model.parameters(), lr=5.0)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 1.0, gamma=0.5)
criterion = nn.CrossEntropyLoss()
for epoch in range(4):
    optimizer.zero_grad()
    out = model(flat, offs)
    loss = criterion(out, labels)
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), 0.1)
    optimizer.step()
    scheduler.step()
    print(epoch, round(loss.item(), 4), (out.argmax(1) == labels).sum().item(), scheduler.get_last_lr())
with torch.no_grad():
    print(model(encode("great fun movie"), torch.tensor([0])).argmax(1).item())
