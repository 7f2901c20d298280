"""LoRA from scratch after Sebastian Raschka's LLMs-from-scratch (appendix E, "Parameter-efficient
finetuning with LoRA"): a LoRALayer with A initialised by kaiming_uniform_(a=sqrt(5)) and B zero,
LinearWithLoRA adding alpha * (x @ A @ B) to a frozen nn.Linear, replace_linear_with_lora walking
named_children and setattr-ing the wrapped layers, freezing with requires_grad = False, counting
trainable parameters, a few AdamW steps, and a merged weight W + alpha * (A @ B).T checked against
the wrapped layer.

Source: https://github.com/rasbt/LLMs-from-scratch (appendix-E/01_main-chapter-code/appendix-E.ipynb;
Apache-2.0). Written for jitgrad's corpus after its structure, not copied. Changes: a 2-layer MLP
stands in for GPT-2, random data, 5 steps; B is set nonzero after training only to check merging.
"""
# ruff: noqa: E501  (the original's style, kept)

import math

import torch


class LoRALayer(torch.nn.Module):
    def __init__(self, in_dim, out_dim, rank, alpha):
        super().__init__()
        self.A = torch.nn.Parameter(torch.empty(in_dim, rank))
        torch.nn.init.kaiming_uniform_(self.A, a=math.sqrt(5))
        self.B = torch.nn.Parameter(torch.zeros(rank, out_dim))
        self.alpha = alpha

    def forward(self, x):
        x = self.alpha * (x @ self.A @ self.B)
        return x


class LinearWithLoRA(torch.nn.Module):
    def __init__(self, linear, rank, alpha):
        super().__init__()
        self.linear = linear
        self.lora = LoRALayer(linear.in_features, linear.out_features, rank, alpha)

    def forward(self, x):
        return self.linear(x) + self.lora(x)


def replace_linear_with_lora(model, rank, alpha):
    for name, module in model.named_children():
        if isinstance(module, torch.nn.Linear):
            setattr(model, name, LinearWithLoRA(module, rank, alpha))
        else:
            replace_linear_with_lora(module, rank, alpha)


torch.manual_seed(123)
model = torch.nn.Sequential(
    torch.nn.Linear(10, 16), torch.nn.ReLU(),
    torch.nn.Sequential(torch.nn.Linear(16, 16), torch.nn.GELU()),
    torch.nn.Linear(16, 3),
)
total_params = sum(p.numel() for p in model.parameters() if p.requires_grad)
print(f"Total trainable parameters before: {total_params:,}")
for param in model.parameters():
    param.requires_grad = False
total_params = sum(p.numel() for p in model.parameters() if p.requires_grad)
print(f"Total trainable parameters after: {total_params:,}")
replace_linear_with_lora(model, rank=4, alpha=8)
total_params = sum(p.numel() for p in model.parameters() if p.requires_grad)
print(f"Total trainable LoRA parameters: {total_params:,}")
print(model)

x = torch.randn(32, 10)
y = torch.randint(0, 3, (32,))
optimizer = torch.optim.AdamW(model.parameters(), lr=5e-3, weight_decay=0.1)
for step in range(5):
    optimizer.zero_grad()
    logits = model(x)
    loss = torch.nn.functional.cross_entropy(logits, y)
    loss.backward()
    optimizer.step()
    print(step, round(loss.item(), 5), loss.grad_fn.name())
print("frozen grad:", model[0].linear.weight.grad)
print("lora B grad norm:", model[0].lora.B.grad.norm().item())
acc = (model(x).argmax(dim=1) == y).float().mean()
print("train acc", acc.item())

# Merge the adapter into the base weight and check the layer agrees.
layer = model[3]
with torch.no_grad():
    merged = layer.linear.weight + layer.lora.alpha * (layer.lora.A @ layer.lora.B).T
    out_merged = torch.nn.functional.linear(x @ torch.zeros(10, 16) + 1.0, merged, layer.linear.bias)
    out_layer = layer(x @ torch.zeros(10, 16) + 1.0)
print("merged matches:", torch.allclose(out_merged, out_layer, atol=1e-6))
print(out_layer[:2])
