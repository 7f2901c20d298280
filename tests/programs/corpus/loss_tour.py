"""Loss functions as the nn docs examples and classification tutorials use them: CrossEntropyLoss
with class weights, ignore_index, label_smoothing and probability targets, NLLLoss on
log_softmax, BCELoss/BCEWithLogitsLoss (pos_weight), MSE/L1/SmoothL1/Huber with reductions,
KLDivLoss (batchmean, log_target), CosineEmbeddingLoss, MarginRankingLoss, TripletMarginLoss,
HingeEmbeddingLoss, MultiLabelSoftMarginLoss, PoissonNLLLoss, GaussianNLLLoss, each with a
backward.

Models: https://pytorch.org/docs/stable/nn.html#loss-functions (pytorch/pytorch docstrings,
BSD-3-Clause). Written for jitgrad's corpus, not copied.
"""
# ruff: noqa: E501  (one-line printouts, as tutorials write them)

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
logits = torch.randn(4, 3, requires_grad=True)
target = torch.tensor([0, 2, 1, 2])
print(nn.CrossEntropyLoss()(logits, target))
print(nn.CrossEntropyLoss(weight=torch.tensor([1.0, 2.0, 0.5]))(logits, target))
print(nn.CrossEntropyLoss(ignore_index=2)(logits, target))
print(nn.CrossEntropyLoss(label_smoothing=0.1)(logits, target))
print(nn.CrossEntropyLoss(reduction="none")(logits, target))
probs = torch.softmax(torch.randn(4, 3), dim=1)
print(F.cross_entropy(logits, probs))
print(nn.NLLLoss()(F.log_softmax(logits, dim=1), target))
seg = torch.randn(2, 3, 2, 2)
print(F.cross_entropy(seg, torch.tensor([[[0, 1], [2, 1]], [[1, 1], [0, 2]]])))
loss = F.cross_entropy(logits, target, label_smoothing=0.2)
loss.backward()
print(logits.grad)

x = torch.randn(5, requires_grad=True)
y = torch.tensor([1.0, 0.0, 1.0, 1.0, 0.0])
print(nn.BCELoss()(torch.sigmoid(x), y), nn.BCEWithLogitsLoss()(x, y))
print(nn.BCEWithLogitsLoss(pos_weight=torch.tensor(3.0))(x, y))
print(F.binary_cross_entropy_with_logits(x, y, weight=torch.arange(5.0), reduction="sum"))
a, b = torch.randn(3, 4), torch.randn(3, 4)
print(nn.MSELoss()(a, b), nn.MSELoss(reduction="sum")(a, b), nn.L1Loss()(a, b))
print(nn.SmoothL1Loss()(a, b), nn.SmoothL1Loss(beta=0.5)(a, b), nn.HuberLoss(delta=0.5)(a, b))
inp = F.log_softmax(torch.randn(3, 5), dim=1)
tgt = F.softmax(torch.rand(3, 5), dim=1)
print(nn.KLDivLoss(reduction="batchmean")(inp, tgt))
print(nn.KLDivLoss(reduction="batchmean", log_target=True)(inp, tgt.log()))
e1, e2 = torch.randn(3, 6), torch.randn(3, 6)
print(nn.CosineEmbeddingLoss(margin=0.1)(e1, e2, torch.tensor([1, -1, 1])))
print(nn.MarginRankingLoss(margin=0.5)(torch.randn(4), torch.randn(4), torch.tensor([1.0, -1.0, 1.0, -1.0])))
anchor, pos, neg = torch.randn(3, 8), torch.randn(3, 8), torch.randn(3, 8)
print(nn.TripletMarginLoss(margin=1.0, p=2)(anchor, pos, neg))
print(nn.HingeEmbeddingLoss()(torch.randn(4), torch.tensor([1.0, -1.0, -1.0, 1.0])))
print(nn.MultiLabelSoftMarginLoss()(torch.randn(2, 3), torch.tensor([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]])))
print(nn.PoissonNLLLoss()(torch.randn(4), torch.tensor([1.0, 0.0, 2.0, 3.0])))
var = torch.ones(4, 1)
print(nn.GaussianNLLLoss()(torch.randn(4, 2), torch.randn(4, 2), var))
m = torch.randn(3, 4, requires_grad=True)
total = nn.MSELoss()(m, b) + nn.L1Loss()(m, a) + nn.SmoothL1Loss()(m, a * 2)
total.backward()
print(total, m.grad)
print(nn.CrossEntropyLoss())
