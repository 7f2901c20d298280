"""Text-generation decoding as GPT-style repos write it: a tiny decoder-only model
(nn.TransformerDecoderLayer used as a causal self-attention block via nn.TransformerEncoder
with a causal mask), greedy decoding, temperature scaling, top-k filtering with
torch.topk + masked logits, nucleus (top-p) filtering with sort/cumsum/scatter, sampling
with torch.multinomial under a fixed seed, and repetition-penalty logits editing with gather
and scatter_.

Models: the generate() loops of karpathy/nanoGPT (MIT) and the top-k/top-p filtering recipe
popularised by huggingface/transformers' examples (Apache-2.0). Written for jitgrad's corpus,
not copied.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F


class TinyLM(nn.Module):
    def __init__(self, vocab=12, d=16, block=16):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Embedding(block, d)
        layer = nn.TransformerEncoderLayer(d, 2, 32, dropout=0.0, batch_first=True)
        self.blocks = nn.TransformerEncoder(layer, 1, enable_nested_tensor=False)
        self.head = nn.Linear(d, vocab, bias=False)

    def forward(self, idx):
        T = idx.size(1)
        mask = nn.Transformer.generate_square_subsequent_mask(T)
        h = self.tok(idx) + self.pos(torch.arange(T))
        return self.head(self.blocks(h, mask=mask, is_causal=True))


def top_k_filter(logits, k):
    v, _ = torch.topk(logits, k)
    out = logits.clone()
    out[out < v[:, [-1]]] = -float("Inf")
    return out


def top_p_filter(logits, p):
    sorted_logits, sorted_idx = torch.sort(logits, descending=True)
    cum = torch.cumsum(F.softmax(sorted_logits, dim=-1), dim=-1)
    remove = cum > p
    remove[..., 1:] = remove[..., :-1].clone()
    remove[..., 0] = False
    mask = remove.scatter(1, sorted_idx, remove)
    return logits.masked_fill(mask, float("-inf"))


torch.manual_seed(0)
model = TinyLM()
data = torch.tensor([[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2, 3, 4, 5]])
opt = torch.optim.AdamW(model.parameters(), lr=1e-2)
for _ in range(30):
    logits = model(data[:, :-1])
    loss = F.cross_entropy(logits.reshape(-1, 12), data[:, 1:].reshape(-1))
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
print(round(loss.item(), 4))
model.eval()


@torch.no_grad()
def generate(idx, n, temperature=1.0, top_k=None, top_p=None, greedy=False):
    for _ in range(n):
        logits = model(idx[:, -16:])[:, -1, :] / temperature
        if top_k is not None:
            logits = top_k_filter(logits, top_k)
        if top_p is not None:
            logits = top_p_filter(logits, top_p)
        probs = F.softmax(logits, dim=-1)
        nxt = probs.argmax(-1, keepdim=True) if greedy else torch.multinomial(probs, num_samples=1)
        idx = torch.cat((idx, nxt), dim=1)
    return idx


start = torch.tensor([[1, 2]])
print(generate(start, 8, greedy=True))
torch.manual_seed(1)
print(generate(start, 8, temperature=0.8, top_k=3))
torch.manual_seed(2)
print(generate(start, 8, top_p=0.9).shape)
demo = torch.tensor([[2.0, 1.0, 0.5, -1.0, 3.0]])
print(top_k_filter(demo, 2), top_p_filter(demo, 0.8))
prev = torch.tensor([[0, 4]])
score = torch.gather(demo, 1, prev)
score = torch.where(score < 0, score * 1.3, score / 1.3)
print(demo.scatter(1, prev, score))
