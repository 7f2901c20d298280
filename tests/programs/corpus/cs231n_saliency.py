"""Network visualization (Stanford CS231n assignment 3): saliency maps as the absolute gradient
of the correct class score with respect to the image (scores.gather over the labels, a
backward of their sum, max over channels), a fooling image made by normalized gradient ascent
on a target class until the model predicts it, and class visualization with L2 regularisation
and jitter by torch.roll.

Model: https://cs231n.github.io/assignments2023/assignment3/ (Network_Visualization.ipynb,
cs231n/net_visualization_pytorch.py). Written for jitgrad's corpus, not copied. Changes: a
tiny random CNN on 3x8x8 images instead of SqueezeNet on ImageNet; few iterations.
"""

import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Sequential(
    nn.Conv2d(3, 6, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(6, 8, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
    nn.Linear(8, 5),
)
model.eval()
for param in model.parameters():
    param.requires_grad = False


def compute_saliency_maps(X, y, model):
    model.eval()
    X.requires_grad_()
    scores = model(X)
    correct = scores.gather(1, y.view(-1, 1)).squeeze()
    correct.backward(torch.ones_like(correct))
    saliency, _ = X.grad.abs().max(dim=1)
    return saliency


X = torch.randn(3, 3, 8, 8)
y = torch.tensor([0, 3, 4])
saliency = compute_saliency_maps(X, y, model)
print(saliency.shape)
print(saliency[1])


def make_fooling_image(X, target_y, model):
    X_fooling = X.clone()
    X_fooling = X_fooling.requires_grad_()
    learning_rate = 1
    for it in range(20):  # noqa: B007 - returned below, as the assignment's code does
        scores = model(X_fooling)
        _, idx = scores.max(1)
        if idx.item() == target_y:
            break
        score = scores[0, target_y]
        score.backward()
        with torch.no_grad():
            g = X_fooling.grad
            X_fooling += learning_rate * g / g.norm()
            X_fooling.grad.zero_()
    return X_fooling, it


X_fooling, iters = make_fooling_image(X[0:1].detach(), 2, model)
print(iters, model(X_fooling).argmax(1).item(), (X_fooling - X[0:1]).norm().item() > 0)


def jitter(X, ox, oy):
    if ox != 0:
        left = X[:, :, :, :-ox]
        right = X[:, :, :, -ox:]
        X = torch.cat([right, left], dim=3)
    if oy != 0:
        top = X[:, :, :-oy]
        bottom = X[:, :, -oy:]
        X = torch.cat([bottom, top], dim=2)
    return X


img = torch.randn(1, 3, 8, 8).mul_(1.0).requires_grad_()
print(torch.equal(jitter(img, 1, 2), torch.roll(img, shifts=(2, 1), dims=(2, 3))))
l2_reg, learning_rate, target_y = 1e-3, 5.0, 1
for t in range(10):
    ox, oy = [1, 0, 1, 2, 0][t % 5], [0, 1, 1, 0, 2][t % 5]
    with torch.no_grad():
        img.data.copy_(jitter(img.data, ox, oy))
    score = model(img)[0, target_y] - l2_reg * img.norm() ** 2
    score.backward()
    with torch.no_grad():
        img += learning_rate * img.grad / img.grad.norm()
        img.grad.zero_()
        img.data.copy_(jitter(img.data, -ox if ox else 0, -oy if oy else 0))
        img.data.clamp_(-3, 3)
    if t % 3 == 0:
        print(t, round(score.item(), 4))
print(model(img).softmax(1))
