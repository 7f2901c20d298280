"""Focal loss and label smoothing as torchvision and timm write them: torchvision.ops'
sigmoid_focal_loss (binary_cross_entropy_with_logits with reduction="none", p_t, (1 - p_t) ** gamma,
alpha_t, the three reductions), timm's LabelSmoothingCrossEntropy (log_softmax, nll via gather,
smooth_loss = -logprobs.mean(-1)) and SoftTargetCrossEntropy, checked against
F.cross_entropy(label_smoothing=...), plus the multi-class focal loss of
AdeelH/pytorch-multi-class-focal-loss (nll_loss with weight, ignore_index). A small classifier is
trained a few steps with the focal loss.

Sources: https://github.com/pytorch/vision (torchvision/ops/focal_loss.py; BSD-3),
https://github.com/huggingface/pytorch-image-models (timm/loss/cross_entropy.py; Apache-2.0),
https://github.com/AdeelH/pytorch-multi-class-focal-loss (focal_loss.py; MIT). Written for
jitgrad's corpus after their structure, not copied. Changes: random data, tiny sizes.
"""
# ruff: noqa: E501  (the original's style, kept)

import torch
import torch.nn as nn
import torch.nn.functional as F


def sigmoid_focal_loss(inputs, targets, alpha=0.25, gamma=2, reduction="none"):
    p = torch.sigmoid(inputs)
    ce_loss = F.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce_loss * ((1 - p_t) ** gamma)
    if alpha >= 0:
        alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
        loss = alpha_t * loss
    if reduction == "none":
        pass
    elif reduction == "mean":
        loss = loss.mean()
    elif reduction == "sum":
        loss = loss.sum()
    else:
        raise ValueError(f"Invalid Value for arg 'reduction': '{reduction} \n Supported reduction modes: 'none', 'mean', 'sum'")
    return loss


class LabelSmoothingCrossEntropy(nn.Module):
    def __init__(self, smoothing=0.1):
        super().__init__()
        assert smoothing < 1.0
        self.smoothing = smoothing
        self.confidence = 1.0 - smoothing

    def forward(self, x, target):
        logprobs = F.log_softmax(x, dim=-1)
        nll_loss = -logprobs.gather(dim=-1, index=target.unsqueeze(1))
        nll_loss = nll_loss.squeeze(1)
        smooth_loss = -logprobs.mean(dim=-1)
        loss = self.confidence * nll_loss + self.smoothing * smooth_loss
        return loss.mean()


class SoftTargetCrossEntropy(nn.Module):
    def forward(self, x, target):
        loss = torch.sum(-target * F.log_softmax(x, dim=-1), dim=-1)
        return loss.mean()


class FocalLoss(nn.Module):
    def __init__(self, alpha=None, gamma=0.0, reduction="mean", ignore_index=-100):
        super().__init__()
        self.alpha, self.gamma, self.ignore_index, self.reduction = alpha, gamma, ignore_index, reduction
        self.nll_loss = nn.NLLLoss(weight=alpha, reduction="none", ignore_index=ignore_index)

    def forward(self, x, y):
        unignored_mask = y != self.ignore_index
        y = y[unignored_mask]
        if len(y) == 0:
            return torch.tensor(0.0)
        x = x[unignored_mask]
        log_p = F.log_softmax(x, dim=-1)
        ce = self.nll_loss(log_p, y)
        all_rows = torch.arange(len(x))
        log_pt = log_p[all_rows, y]
        pt = log_pt.exp()
        focal_term = (1 - pt) ** self.gamma
        loss = focal_term * ce
        if self.reduction == "mean":
            loss = loss.mean()
        elif self.reduction == "sum":
            loss = loss.sum()
        return loss


torch.manual_seed(5)
logits = torch.randn(6, 3, requires_grad=True)
targets = (torch.rand(6, 3) > 0.6).float()
for red in ("none", "mean", "sum"):
    print(red, sigmoid_focal_loss(logits, targets, reduction=red))
try:
    sigmoid_focal_loss(logits, targets, reduction="avg")
except ValueError as e:
    print("ValueError:", str(e).splitlines()[0])
fl = sigmoid_focal_loss(logits, targets, alpha=-1, gamma=0, reduction="mean")
print("gamma=0 alpha=-1 equals BCE:", torch.allclose(fl, F.binary_cross_entropy_with_logits(logits, targets)))
x = torch.randn(8, 5, requires_grad=True)
y = torch.randint(0, 5, (8,))
ls = LabelSmoothingCrossEntropy(0.1)(x, y)
print("timm", ls.item(), "torch", F.cross_entropy(x, y, label_smoothing=0.1).item())
print(nn.CrossEntropyLoss(label_smoothing=0.2, reduction="sum")(x, y))
soft = F.one_hot(y, 5).float() * 0.9 + 0.02
print("soft", SoftTargetCrossEntropy()(x, soft).item(), F.cross_entropy(x, soft).item())
ls.backward()
print(x.grad[0], ls.grad_fn.name())

y_ign = y.clone()
y_ign[1] = -100
model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 5))
data = torch.randn(8, 4)
crit = FocalLoss(alpha=torch.tensor([1.0, 2.0, 1.0, 0.5, 1.0]), gamma=2.0)
opt = torch.optim.SGD(model.parameters(), lr=0.5)
for step in range(4):
    opt.zero_grad()
    loss = crit(model(data), y_ign)
    loss.backward()
    opt.step()
    print(step, loss.item())
print(FocalLoss(gamma=1.0)(model(data), torch.full((8,), -100)))
