"""A nanoGPT-style training step for perf/capture_mlp.py (``--size gpt-tiny`` / ``gpt``),
written once against the PyTorch API so that jitgrad and PyTorch run the same program.

Token and position embeddings, ``layers`` pre-norm blocks (causal self-attention:
``masked_fill`` of the upper triangle, softmax, dropout; a GELU MLP), a final LayerNorm and a
bias-free head; ``F.cross_entropy``, ``clip_grad_norm_(model.parameters(), 1.0)``, AdamW
(weight decay 0.1, betas 0.9/0.95) and a cosine schedule stepped inside the step. Dropout 0.1
in training mode (masks drawn from the default generator at every step).
"""

from __future__ import annotations

from typing import Any

#: name -> (vocab, width, heads, context, batch, layers)
SIZES = {"gpt-tiny": (32, 16, 2, 8, 2, 1), "gpt": (65, 64, 4, 32, 8, 2)}


def model(torch: Any, vocab: int, d: int, heads: int, t: int, layers: int, p: float = 0.1,
          flash: bool = False) -> Any:  # fmt: skip
    """The model over ``torch`` (jitgrad or PyTorch; tests/test_capture_model.py builds its
    GPT steps with it). ``flash``: attention by ``F.scaled_dot_product_attention(...,
    is_causal=True)``, nanoGPT's path where it exists, else by hand (``masked_fill``)."""
    nn, F = torch.nn, torch.nn.functional

    class Block(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.heads, self.p, self.flash = heads, p, flash
            self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
            self.attn, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
            self.fc, self.fc2 = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)
            self.drop = nn.Dropout(p)
            self.register_buffer("mask", torch.tril(torch.ones(t, t)).view(1, 1, t, t))

        def forward(self, x: Any) -> Any:
            b, t, d = x.shape
            h = self.heads
            q, k, v = self.attn(self.ln1(x)).split(d, dim=2)
            q, k, v = (z.view(b, t, h, d // h).transpose(1, 2) for z in (q, k, v))
            if self.flash:
                y = F.scaled_dot_product_attention(q, k, v, attn_mask=None, is_causal=True,
                                                   dropout_p=self.p if self.training else 0)
            else:
                att = (q @ k.transpose(-2, -1)) * (1.0 / (d // h) ** 0.5)
                att = att.masked_fill(self.mask[:, :, :t, :t] == 0, float("-inf"))
                y = self.drop(F.softmax(att, dim=-1)) @ v
            y = y.transpose(1, 2).contiguous().view(b, t, d)
            x = x + self.drop(self.proj(y))
            return x + self.drop(self.fc2(F.gelu(self.fc(self.ln2(x)))))

    class GPT(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.tok, self.pos = nn.Embedding(vocab, d), nn.Embedding(t, d)
            self.drop = nn.Dropout(p)
            self.blocks = nn.ModuleList([Block() for _ in range(layers)])
            self.ln, self.head = nn.LayerNorm(d), nn.Linear(d, vocab, bias=False)

        def forward(self, idx: Any, pos: Any) -> Any:
            x = self.drop(self.tok(idx) + self.pos(pos))
            for block in self.blocks:
                x = block(x)
            return self.head(self.ln(x))

    return GPT()


def make(torch: Any, size: str, compiled: bool) -> tuple:
    """(step, args) for one ``size``; ``compiled``: the step under ``torch.compile``."""
    vocab, d, heads, t, batch, layers = SIZES[size]
    torch.manual_seed(0)
    net = model(torch, vocab, d, heads, t, layers)
    opt = torch.optim.AdamW(net.parameters(), lr=1e-3, betas=(0.9, 0.95), weight_decay=0.1)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10_000)
    idx = torch.randint(0, vocab, (batch, t))
    tgt = torch.randint(0, vocab, (batch, t))
    pos = torch.arange(t).expand(batch, t).contiguous()

    def step(idx: Any, pos: Any, tgt: Any) -> Any:
        opt.zero_grad(set_to_none=True)
        logits = net(idx, pos)
        loss = torch.nn.functional.cross_entropy(logits.view(-1, logits.size(-1)), tgt.view(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        opt.step()
        sched.step()
        return loss.detach()

    return (torch.compile(step) if compiled else step), (idx, pos, tgt)
