"""A tiny language model with ``nn.AdaptiveLogSoftmaxWithLoss`` (Grave et al.'s efficient
softmax over frequency clusters), its ``log_prob`` and ``predict``, its clusters' layers,
trained with Adam through a GRU.

Based on: https://pytorch.org/docs/stable/generated/torch.nn.AdaptiveLogSoftmaxWithLoss.html
(the pattern of fairseq's and the word_language_model example's adaptive softmax), BSD.
Written for jitgrad's corpus, not copied. Changes: a synthetic Zipf-like token stream of 40
words; a GRU of 16 units. (jitgrad has no sparse tensors, so ``nn.Embedding(sparse=True)``
with ``SparseAdam`` is left out.)
"""

import torch
import torch.nn as nn

torch.manual_seed(0)
vocab, emb_dim, hid = 40, 12, 16
weights = 1.0 / torch.arange(1, vocab + 1, dtype=torch.float)
stream = torch.multinomial(weights, 400, replacement=True)
print(stream[:20], torch.bincount(stream, minlength=vocab)[:10])


class LM(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(vocab, emb_dim)
        self.rnn = nn.GRU(emb_dim, hid, batch_first=True)
        self.asm = nn.AdaptiveLogSoftmaxWithLoss(hid, vocab, cutoffs=[5, 15], div_value=2.0)

    def forward(self, x, y):
        h, _ = self.rnn(self.emb(x))
        return self.asm(h.reshape(-1, hid), y.reshape(-1))


model = LM()
print(model.asm)
print(model.asm.head.weight.shape, [tuple(m[0].weight.shape) for m in model.asm.tail])
print(model.asm.shortlist_size, model.asm.n_clusters, model.asm.head_size)
opt = torch.optim.Adam(model.parameters(), lr=0.01)

seq = 10
batches = stream[: (len(stream) - 1) // seq * seq]
inputs = batches.reshape(-1, seq)
targets = stream[1 : len(batches) + 1].reshape(-1, seq)
for epoch in range(3):
    total = 0.0
    for i in range(0, inputs.shape[0], 8):
        x, y = inputs[i : i + 8], targets[i : i + 8]
        out = model(x, y)
        opt.zero_grad()
        out.loss.backward()
        if i == 0 and epoch == 0:
            g = model.emb.weight.grad
            print(type(out).__name__, out.output.shape, g.is_sparse, g.layout)
            print((g.abs().sum(1) > 0).sum().item() <= 8 * seq, g.abs().sum() > 0)
        opt.step()
        total += out.loss.item()
    print(f"epoch {epoch}: mean loss {total / ((inputs.shape[0] + 7) // 8):.5f}")

model.eval()
with torch.no_grad():
    h, _ = model.rnn(model.emb(inputs[:2]))
    h = h.reshape(-1, hid)
    lp = model.asm.log_prob(h)
    print(lp.shape, lp.exp().sum(1)[:4])
    print(model.asm.predict(h)[:10])
    print(lp.argmax(1)[:10])
    print(model.asm(h, targets[:2].reshape(-1)).output[:5])
