"""A sparse mixture-of-experts layer with top-k routing after Hugging Face's
MixtralSparseMoeBlock: router logits from a gate Linear, softmax in float, torch.topk over the
experts, renormalised routing weights, a one_hot expert mask permuted to (expert, top_k, token),
torch.where to find each expert's tokens, index_add_ of the weighted expert outputs, plus the
Switch-Transformer load-balancing auxiliary loss.

Source: https://github.com/huggingface/transformers (src/transformers/models/mixtral/modeling_mixtral.py,
MixtralSparseMoeBlock and load_balancing_loss_func; Apache-2.0). Written for jitgrad's corpus
after its structure, not copied. Changes: tiny sizes, no jitter noise, a regression target and
3 SGD steps.
"""
# ruff: noqa: E501  (the original's style, kept)

import torch
import torch.nn.functional as F
from torch import nn


class BlockSparseTop2MLP(nn.Module):
    def __init__(self, hidden_dim, ffn_dim):
        super().__init__()
        self.w1 = nn.Linear(hidden_dim, ffn_dim, bias=False)
        self.w2 = nn.Linear(ffn_dim, hidden_dim, bias=False)
        self.w3 = nn.Linear(hidden_dim, ffn_dim, bias=False)
        self.act_fn = nn.SiLU()

    def forward(self, hidden_states):
        current_hidden_states = self.act_fn(self.w1(hidden_states)) * self.w3(hidden_states)
        return self.w2(current_hidden_states)


class SparseMoeBlock(nn.Module):
    def __init__(self, hidden_dim, ffn_dim, num_experts, top_k):
        super().__init__()
        self.hidden_dim, self.num_experts, self.top_k = hidden_dim, num_experts, top_k
        self.gate = nn.Linear(hidden_dim, num_experts, bias=False)
        self.experts = nn.ModuleList([BlockSparseTop2MLP(hidden_dim, ffn_dim) for _ in range(num_experts)])

    def forward(self, hidden_states):
        batch_size, sequence_length, hidden_dim = hidden_states.shape
        hidden_states = hidden_states.view(-1, hidden_dim)
        router_logits = self.gate(hidden_states)
        routing_weights = F.softmax(router_logits, dim=1, dtype=torch.float)
        routing_weights, selected_experts = torch.topk(routing_weights, self.top_k, dim=-1)
        routing_weights /= routing_weights.sum(dim=-1, keepdim=True)
        routing_weights = routing_weights.to(hidden_states.dtype)
        final_hidden_states = torch.zeros(
            (batch_size * sequence_length, hidden_dim), dtype=hidden_states.dtype, device=hidden_states.device
        )
        expert_mask = torch.nn.functional.one_hot(selected_experts, num_classes=self.num_experts).permute(2, 1, 0)
        for expert_idx in range(self.num_experts):
            expert_layer = self.experts[expert_idx]
            idx, top_x = torch.where(expert_mask[expert_idx])
            current_state = hidden_states[None, top_x].reshape(-1, hidden_dim)
            current_hidden_states = expert_layer(current_state) * routing_weights[top_x, idx, None]
            final_hidden_states.index_add_(0, top_x, current_hidden_states.to(hidden_states.dtype))
        final_hidden_states = final_hidden_states.reshape(batch_size, sequence_length, hidden_dim)
        return final_hidden_states, router_logits


def load_balancing_loss_func(gate_logits, num_experts, top_k):
    routing_weights = torch.nn.functional.softmax(gate_logits, dim=-1)
    _, selected_experts = torch.topk(routing_weights, top_k, dim=-1)
    expert_mask = torch.nn.functional.one_hot(selected_experts, num_experts)
    tokens_per_expert = torch.mean(expert_mask.float(), dim=0)
    router_prob_per_expert = torch.mean(routing_weights, dim=0)
    overall_loss = torch.sum(tokens_per_expert * router_prob_per_expert.unsqueeze(0))
    return overall_loss * num_experts


torch.manual_seed(42)
moe = SparseMoeBlock(hidden_dim=8, ffn_dim=12, num_experts=4, top_k=2)
x = torch.randn(2, 5, 8)
target = torch.randn(2, 5, 8)
out, logits = moe(x)
print(out.shape, logits.shape, out.grad_fn.name())
routing = F.softmax(logits, dim=1, dtype=torch.float)
w, sel = torch.topk(routing, 2, dim=-1)
print(sel.tolist())
print(torch.bincount(sel.flatten(), minlength=4))
opt = torch.optim.SGD(moe.parameters(), lr=0.1, momentum=0.9)
for step in range(3):
    opt.zero_grad()
    out, logits = moe(x)
    aux = load_balancing_loss_func(logits, 4, 2)
    loss = F.mse_loss(out, target) + 0.01 * aux
    loss.backward()
    opt.step()
    print(step, round(loss.item(), 6), round(aux.item(), 6))
print(moe.gate.weight.grad.norm().item())
print([round(e.w1.weight.grad.abs().sum().item(), 5) for e in moe.experts])
