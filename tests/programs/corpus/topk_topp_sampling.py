"""Top-k and nucleus (top-p) filtering of next-token logits, after the ``top_k_top_p_filtering``
helper that Hugging Face's transformers shipped for years (and that many generation scripts
copied), and the ``generate`` loop of Karpathy's nanoGPT.

Models: https://github.com/huggingface/transformers (src/transformers/generation_utils.py,
Apache-2.0) and https://github.com/karpathy/nanoGPT (model.py, MIT). Written for jitgrad's
corpus, not copied. The logits are quantised so that many are equal: which of the equal
tokens top-k keeps and in which order sort puts them is PyTorch's CPU kernels' choice, and
the printed indices show it.
"""

import torch
import torch.nn.functional as F

torch.manual_seed(0)


def top_k_top_p_filtering(logits, top_k=0, top_p=1.0, filter_value=-float("inf"), min_keep=1):
    if top_k > 0:
        top_k = min(max(top_k, min_keep), logits.size(-1))
        indices_to_remove = logits < torch.topk(logits, top_k)[0][..., -1, None]
        logits[indices_to_remove] = filter_value
    if top_p < 1.0:
        sorted_logits, sorted_indices = torch.sort(logits, descending=True)
        cumulative_probs = torch.cumsum(F.softmax(sorted_logits, dim=-1), dim=-1)
        sorted_indices_to_remove = cumulative_probs > top_p
        if min_keep > 1:
            sorted_indices_to_remove[..., :min_keep] = 0
        sorted_indices_to_remove[..., 1:] = sorted_indices_to_remove[..., :-1].clone()
        sorted_indices_to_remove[..., 0] = 0
        indices_to_remove = sorted_indices_to_remove.scatter(
            1, sorted_indices, sorted_indices_to_remove
        )
        logits[indices_to_remove] = filter_value
    return logits


vocab = 40
logits = torch.round(torch.randn(4, vocab) * 2) / 2  # steps of 0.5: many ties
print(logits[0])

values, indices = torch.topk(logits, 6)
print(values)
print(indices)
print(torch.topk(logits, 3, largest=False).indices)
print(torch.topk(logits, 25, sorted=False).indices[:, :10])

sorted_logits, sorted_indices = torch.sort(logits, descending=True)
print(sorted_indices)
print(torch.argsort(logits[1]))
print(torch.sort(logits, dim=0).indices[:, :12])

filtered = top_k_top_p_filtering(logits.clone(), top_k=8)
print((filtered > -float("inf")).sum(dim=-1))
filtered = top_k_top_p_filtering(logits.clone(), top_p=0.7)
print((filtered > -float("inf")).sum(dim=-1))
kept = (filtered > -float("inf")).nonzero()
print(kept[:12].tolist())

# nanoGPT's generate step: crop to the top k, softmax, then the most likely token
idx = torch.zeros(4, 1, dtype=torch.long)
for _ in range(5):
    step_logits = logits + 0.5 * idx[:, -1:].float() / vocab
    v, _ = torch.topk(step_logits, min(5, step_logits.size(-1)))
    step_logits[step_logits < v[:, [-1]]] = -float("Inf")
    probs = F.softmax(step_logits, dim=-1)
    _, idx_next = torch.topk(probs, k=1, dim=-1)
    idx = torch.cat((idx, idx_next), dim=1)
print(idx)

# beam-search bookkeeping: the best 4 of beams x vocab scores, flattened
scores = torch.round(torch.randn(3, 10) * 2) / 2
best, flat = scores.view(-1).topk(4)
print(best, flat // 10, flat % 10)
print(
    torch.sort(
        torch.tensor([2, 1, 2, 1, 0, 2, 1, 0, 2, 2, 1, 0, 0, 2, 1, 1, 2, 0, 1, 2]), stable=False
    )
)
