"""SimCLR's contrastive (NT-Xent / InfoNCE) loss in the style of sthalles/SimCLR's simclr.py:
labels from torch.cat([torch.arange(batch) for i in range(n_views)]), a pairwise equality
matrix (labels.unsqueeze(0) == labels.unsqueeze(1)).float(), F.normalize'd features,
the similarity matrix with its diagonal dropped through a torch.eye(...).bool() mask and
[~mask].view(n, -1), positives and negatives gathered with a bool mask, logits of
torch.cat([positives, negatives], dim=1) / temperature against torch.zeros(..., dtype=torch.long)
labels, top-k accuracy through topk / eq / expand_as, and a ResNet-free encoder with a
projection head trained a few steps with Adam and a CosineAnnealingLR.

Source: https://github.com/sthalles/SimCLR (simclr.py, utils.py; MIT licence). Written for
jitgrad's corpus after those files' structure, not copied. Changes: the ResNet backbone is a
small MLP on 12-dimensional vectors; the two views are noise and scale augmentations made with
torch; batch 8, 4 steps; no AMP GradScaler, no tensorboard.
"""
# ruff: noqa: E501  (the original's style, kept)

import torch
import torch.nn.functional as F
from torch import nn


def accuracy(output, target, topk=(1,)):
    with torch.no_grad():
        maxk = max(topk)
        batch_size = target.size(0)
        _, pred = output.topk(maxk, 1, True, True)
        pred = pred.t()
        correct = pred.eq(target.view(1, -1).expand_as(pred))
        res = []
        for k in topk:
            correct_k = correct[:k].reshape(-1).float().sum(0, keepdim=True)
            res.append(correct_k.mul_(100.0 / batch_size))
        return res


class SimCLR:
    def __init__(self, model, optimizer, scheduler, batch_size, n_views=2, temperature=0.07):
        self.model = model
        self.optimizer = optimizer
        self.scheduler = scheduler
        self.batch_size = batch_size
        self.n_views = n_views
        self.temperature = temperature
        self.criterion = torch.nn.CrossEntropyLoss()

    def info_nce_loss(self, features):
        labels = torch.cat([torch.arange(self.batch_size) for i in range(self.n_views)], dim=0)
        labels = (labels.unsqueeze(0) == labels.unsqueeze(1)).float()
        features = F.normalize(features, dim=1)
        similarity_matrix = torch.matmul(features, features.T)
        mask = torch.eye(labels.shape[0], dtype=torch.bool)
        labels = labels[~mask].view(labels.shape[0], -1)
        similarity_matrix = similarity_matrix[~mask].view(similarity_matrix.shape[0], -1)
        positives = similarity_matrix[labels.bool()].view(labels.shape[0], -1)
        negatives = similarity_matrix[~labels.bool()].view(similarity_matrix.shape[0], -1)
        logits = torch.cat([positives, negatives], dim=1)
        labels = torch.zeros(logits.shape[0], dtype=torch.long)
        logits = logits / self.temperature
        return logits, labels

    def train(self, batches):
        for n_iter, images in enumerate(batches):
            images = torch.cat(images, dim=0)
            features = self.model(images)
            logits, labels = self.info_nce_loss(features)
            loss = self.criterion(logits, labels)
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()
            top1, top5 = accuracy(logits, labels, topk=(1, 5))
            print(f"step {n_iter} loss {loss.item():.5f} top1 {top1[0].item():.2f} top5 {top5[0].item():.2f}"
                  f" lr {self.scheduler.get_last_lr()[0]:.6f}")
            self.scheduler.step()


torch.manual_seed(0)
encoder = nn.Sequential(nn.Linear(12, 32), nn.ReLU(), nn.Linear(32, 32))
dim_mlp = encoder[-1].out_features
model = nn.Sequential(encoder, nn.Sequential(nn.Linear(dim_mlp, dim_mlp), nn.ReLU(), nn.Linear(dim_mlp, 8)))
optimizer = torch.optim.Adam(model.parameters(), 3e-3, weight_decay=1e-4)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=4, eta_min=0, last_epoch=-1)
data = torch.randn(32, 12)
batches = []
for i in range(4):
    x = data[i * 8:(i + 1) * 8]
    batches.append([x + 0.1 * torch.randn_like(x), x * (0.8 + 0.4 * torch.rand(8, 1))])
simclr = SimCLR(model, optimizer, scheduler, batch_size=8)
logits, labels = simclr.info_nce_loss(torch.randn(16, 8))
print(logits.shape, labels[:4], logits[0, :3])
simclr.train(batches)
