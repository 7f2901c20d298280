"""Direct Preference Optimisation's loss after the authors' reference implementation
(eric-mitchell/direct-preference-optimization, trainers.py): _get_batch_logps gathering each
label's log-probability with torch.gather(logits.log_softmax(-1), 2, labels.unsqueeze(2)) under a
loss mask (labels == -100 replaced by 0), preference_loss with the sigmoid form
-F.logsigmoid(beta * logits), the IPO form, and conservative label smoothing, chosen / rejected
rewards detached, reward accuracies; then a few steps of a tiny policy against a frozen copy as
the reference model (copy.deepcopy, requires_grad_(False)).

Source: https://github.com/eric-mitchell/direct-preference-optimization (trainers.py; Apache-2.0).
Written for jitgrad's corpus after its structure, not copied. Changes: a 1-layer embedding +
Linear "language model" on random token ids, 4 steps of RMSprop.
"""
# ruff: noqa: E501  (the original's style, kept)

import copy

import torch
import torch.nn as nn
import torch.nn.functional as F


def preference_loss(policy_chosen_logps, policy_rejected_logps, reference_chosen_logps,
                    reference_rejected_logps, beta, label_smoothing=0.0, ipo=False, reference_free=False):
    pi_logratios = policy_chosen_logps - policy_rejected_logps
    ref_logratios = reference_chosen_logps - reference_rejected_logps
    if reference_free:
        ref_logratios = 0
    logits = pi_logratios - ref_logratios
    if ipo:
        losses = (logits - 1 / (2 * beta)) ** 2
    else:
        losses = -F.logsigmoid(beta * logits) * (1 - label_smoothing) - F.logsigmoid(-beta * logits) * label_smoothing
    chosen_rewards = beta * (policy_chosen_logps - reference_chosen_logps).detach()
    rejected_rewards = beta * (policy_rejected_logps - reference_rejected_logps).detach()
    return losses, chosen_rewards, rejected_rewards


def _get_batch_logps(logits, labels, average_log_prob=False):
    assert logits.shape[:-1] == labels.shape
    labels = labels[:, 1:].clone()
    logits = logits[:, :-1, :]
    loss_mask = labels != -100
    labels[labels == -100] = 0
    per_token_logps = torch.gather(logits.log_softmax(-1), dim=2, index=labels.unsqueeze(2)).squeeze(2)
    if average_log_prob:
        return (per_token_logps * loss_mask).sum(-1) / loss_mask.sum(-1)
    return (per_token_logps * loss_mask).sum(-1)


class TinyLM(nn.Module):
    def __init__(self, vocab, dim):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim)
        self.head = nn.Linear(dim, vocab)

    def forward(self, ids):
        return self.head(torch.tanh(self.emb(ids)))


torch.manual_seed(3)
vocab, batch, seqlen = 11, 4, 7
policy = TinyLM(vocab, 8)
reference = copy.deepcopy(policy).requires_grad_(False)
chosen = torch.randint(0, vocab, (batch, seqlen))
rejected = torch.randint(0, vocab, (batch, seqlen))
chosen[:, :2] = -100
rejected[:, :3] = -100
chosen_in = chosen.clamp(min=0)
rejected_in = rejected.clamp(min=0)
concatenated = torch.cat([chosen_in, rejected_in], dim=0)
concatenated_labels = torch.cat([chosen, rejected], dim=0)
with torch.no_grad():
    ref_logps = _get_batch_logps(reference(concatenated), concatenated_labels)
print("reference logps", ref_logps)
opt = torch.optim.RMSprop(policy.parameters(), lr=1e-2)
for step in range(4):
    all_logps = _get_batch_logps(policy(concatenated), concatenated_labels)
    losses, chosen_rewards, rejected_rewards = preference_loss(
        all_logps[:batch], all_logps[batch:], ref_logps[:batch], ref_logps[batch:], beta=0.1, label_smoothing=0.1)
    reward_accuracies = (chosen_rewards > rejected_rewards).float()
    loss = losses.mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    print(step, f"{loss.item():.6f}", chosen_rewards.tolist(), rejected_rewards.tolist(), reward_accuracies.mean().item())
ipo_losses, _, _ = preference_loss(all_logps[:batch], all_logps[batch:], ref_logps[:batch], ref_logps[batch:], beta=0.5, ipo=True)
print("ipo", ipo_losses)
avg = _get_batch_logps(policy(concatenated), concatenated_labels, average_log_prob=True)
print("avg logps", avg)
print(loss.grad_fn.name(), policy.emb.weight.grad.abs().sum().item())
print(reference.head.weight.requires_grad, reference.head.weight.grad)
