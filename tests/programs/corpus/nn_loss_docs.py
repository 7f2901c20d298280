"""The examples of torch.nn's loss-function documentation, each run forward and backward:
L1Loss, MSELoss, CrossEntropyLoss (class indices, probabilities, label_smoothing, weight,
ignore_index), NLLLoss (2-D and image-shaped), PoissonNLLLoss, GaussianNLLLoss, KLDivLoss
(log_target), BCELoss, BCEWithLogitsLoss (pos_weight), MarginRankingLoss, HingeEmbeddingLoss,
MultiLabelMarginLoss, HuberLoss, SmoothL1Loss, SoftMarginLoss, MultiLabelSoftMarginLoss,
CosineEmbeddingLoss, MultiMarginLoss, TripletMarginLoss, TripletMarginWithDistanceLoss, and
each loss's repr.

Docs: https://pytorch.org/docs/stable/nn.html#loss-functions and the linked class pages
(pytorch/pytorch docstrings, BSD-3-Clause). Written for jitgrad's corpus, not copied.
Changes: the docstrings' random inputs are seeded draws or arange based; each loss and input
gradient is printed.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


def show(name, loss_fn, *args):
    input = args[0].detach().requires_grad_()
    output = loss_fn(input, *args[1:])
    output.backward()
    print(name, loss_fn, output, output.grad_fn.name())
    print("  grad", input.grad)


show("L1Loss", nn.L1Loss(), torch.randn(3, 5), torch.randn(3, 5))
show("MSELoss", nn.MSELoss(), torch.randn(3, 5), torch.randn(3, 5))
show("MSELoss sum", nn.MSELoss(reduction="sum"), torch.randn(3, 5), torch.randn(3, 5))

# Example of target with class indices
show("CrossEntropyLoss", nn.CrossEntropyLoss(), torch.randn(3, 5), torch.tensor([1, 0, 4]))
# Example of target with class probabilities
show(
    "CrossEntropyLoss probs", nn.CrossEntropyLoss(), torch.randn(3, 5), torch.randn(3, 5).softmax(1)
)
show(
    "CrossEntropyLoss smoothing",
    nn.CrossEntropyLoss(label_smoothing=0.1, weight=torch.tensor([1.0, 2.0, 0.5, 1.0, 1.0])),
    torch.randn(3, 5),
    torch.tensor([1, 2, 4]),
)
show("CrossEntropyLoss ignore", nn.CrossEntropyLoss(ignore_index=0), torch.randn(3, 5),
     torch.tensor([1, 0, 4]))  # fmt: skip

m = nn.LogSoftmax(dim=1)
loss = nn.NLLLoss()
show("NLLLoss", lambda x, t: loss(m(x), t), torch.randn(3, 5), torch.tensor([1, 0, 4]))
# 2D loss example (used, for example, with image inputs)
N, C = 2, 4
data = torch.randn(N, 16, 5, 5)
conv = nn.Conv2d(16, C, (3, 3))
show("NLLLoss 2d", lambda d, t: loss(m(conv(d)), t), data,
     torch.empty(N, 3, 3, dtype=torch.long).random_(0, C))  # fmt: skip

show("PoissonNLLLoss", nn.PoissonNLLLoss(), torch.randn(5, 2), torch.randn(5, 2).abs())
show("PoissonNLLLoss full", nn.PoissonNLLLoss(log_input=False, full=True),
     torch.rand(5, 2) + 0.5, torch.arange(10.0).view(5, 2))  # fmt: skip
show("GaussianNLLLoss", nn.GaussianNLLLoss(), torch.randn(5, 2), torch.randn(5, 2),
     torch.ones(5, 2) * 0.7)  # fmt: skip
show("GaussianNLLLoss hetero", nn.GaussianNLLLoss(), torch.randn(5, 2), torch.randn(5, 2),
     torch.rand(5, 1) + 0.1)  # fmt: skip

kl_loss = nn.KLDivLoss(reduction="batchmean")
# input should be a distribution in the log space
inp = F.log_softmax(torch.randn(3, 5), dim=1)
# Sample a batch of distributions. Usually this would come from the dataset
target = F.softmax(torch.rand(3, 5), dim=1)
show("KLDivLoss", kl_loss, inp, target)
kl_loss = nn.KLDivLoss(reduction="batchmean", log_target=True)
log_target = F.log_softmax(torch.rand(3, 5), dim=1)
show("KLDivLoss log_target", kl_loss, inp, log_target)

m = nn.Sigmoid()
show("BCELoss", lambda x, t: nn.BCELoss()(m(x), t), torch.randn(3), torch.empty(3).random_(2))
show("BCEWithLogitsLoss", nn.BCEWithLogitsLoss(), torch.randn(3), torch.empty(3).random_(2))
target = torch.ones([10, 64], dtype=torch.float32)  # 64 classes, batch size = 10
output = torch.full([10, 64], 1.5)  # A prediction (logit)
pos_weight = torch.ones([64])  # All weights are equal to 1
show("BCEWithLogitsLoss pos_weight", nn.BCEWithLogitsLoss(pos_weight=pos_weight), output, target)

show("MarginRankingLoss", nn.MarginRankingLoss(margin=0.1), torch.randn(3), torch.randn(3),
     torch.randn(3).sign())  # fmt: skip
show("HingeEmbeddingLoss", nn.HingeEmbeddingLoss(margin=0.5), torch.randn(4, 3),
     torch.tensor([[1.0, -1, 1], [-1, -1, 1], [1, 1, -1], [-1, 1, 1]]))  # fmt: skip
x = torch.FloatTensor([[0.1, 0.2, 0.4, 0.8]])
# for target y, only consider labels 3 and 0, not after label -1
y = torch.LongTensor([[3, 0, -1, 1]])
# 0.25 * ((1-(0.1-0.2)) + (1-(0.1-0.4)) + (1-(0.8-0.2)) + (1-(0.8-0.4)))
show("MultiLabelMarginLoss", nn.MultiLabelMarginLoss(), x, y)
show("HuberLoss", nn.HuberLoss(delta=0.5), torch.randn(3, 5) * 2, torch.randn(3, 5))
show("SmoothL1Loss", nn.SmoothL1Loss(beta=0.5), torch.randn(3, 5) * 2, torch.randn(3, 5))
show("SoftMarginLoss", nn.SoftMarginLoss(), torch.randn(3, 4), torch.randn(3, 4).sign())
show("MultiLabelSoftMarginLoss", nn.MultiLabelSoftMarginLoss(weight=torch.tensor([1.0, 2, 3])),
     torch.randn(2, 3), torch.tensor([[1.0, 0, 1], [0, 1, 1]]))  # fmt: skip
show("CosineEmbeddingLoss", nn.CosineEmbeddingLoss(margin=0.2), torch.randn(3, 5),
     torch.randn(3, 5), torch.tensor([1, -1, 1]))  # fmt: skip
x = torch.tensor([[0.1, 0.2, 0.4, 0.8]])
y = torch.tensor([3])
# 0.25 * ((1-(0.8-0.1)) + (1-(0.8-0.2)) + (1-(0.8-0.4)))
show("MultiMarginLoss", nn.MultiMarginLoss(), x, y)
show("MultiMarginLoss p2", nn.MultiMarginLoss(p=2, margin=0.5, weight=torch.tensor([1.0, 2, 1, 3])),
     torch.randn(3, 4), torch.tensor([0, 3, 1]))  # fmt: skip

triplet_loss = nn.TripletMarginLoss(margin=1.0, p=2, eps=1e-7)
anchor = torch.randn(10, 8)
positive = torch.randn(10, 8)
negative = torch.randn(10, 8)
show("TripletMarginLoss", triplet_loss, anchor, positive, negative)
show("TripletMarginLoss swap", nn.TripletMarginLoss(margin=0.5, swap=True), anchor, positive,
     negative)  # fmt: skip
# Custom Distance Function
def l_infinity(x1, x2):
    return torch.max(torch.abs(x1 - x2), dim=1).values


triplet_loss = nn.TripletMarginWithDistanceLoss(distance_function=l_infinity, margin=1.5)
show("TripletMarginWithDistanceLoss", triplet_loss, anchor, positive, negative)
# Custom Distance Function (Lambda)
triplet_loss = nn.TripletMarginWithDistanceLoss(
    distance_function=lambda x, y: 1.0 - F.cosine_similarity(x, y)
)
show("TripletMarginWithDistanceLoss cos", triplet_loss, anchor, positive, negative)
print(F.cross_entropy(torch.randn(2, 3, 4), torch.tensor([[0, 1, 2, 1], [2, 2, 0, 1]]),
                      reduction="none"))  # fmt: skip
