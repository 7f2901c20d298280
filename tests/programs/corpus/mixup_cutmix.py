"""mixup and CutMix training steps after facebookresearch/mixup-cifar10 (train.py: mixup_data
with np.random.beta, torch.randperm(batch_size), lam * x + (1 - lam) * x[index, :],
mixup_criterion, and the accuracy bookkeeping lam * predicted.eq(targets_a.data).cpu().sum().float())
and clovaai/CutMix-PyTorch (train.py: rand_bbox with np.sqrt / np.int64 / np.random.randint /
np.clip, the pasted box input[:, :, bbx1:bbx2, bby1:bby2] = input[rand_index, :, ...], and lam
adjusted to the box's exact area).

Sources: https://github.com/facebookresearch/mixup-cifar10 (BSD-style license) and
https://github.com/clovaai/CutMix-PyTorch (MIT); written for jitgrad's corpus after their
structure, not copied. Changes: a small CNN on random 8x8 images, 4 steps alternating the two
methods, numpy seeded with np.random.seed(0).
"""
# ruff: noqa: E501, UP004, UP006, UP007, UP008, UP031, UP032, UP035, UP045, E701, E731, B006, B007, F401, F841  (the original's style, kept)

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim


def mixup_data(x, y, alpha=1.0, use_cuda=False):
    '''Returns mixed inputs, pairs of targets, and lambda'''
    if alpha > 0:
        lam = np.random.beta(alpha, alpha)
    else:
        lam = 1
    batch_size = x.size()[0]
    if use_cuda:
        index = torch.randperm(batch_size).cuda()
    else:
        index = torch.randperm(batch_size)
    mixed_x = lam * x + (1 - lam) * x[index, :]
    y_a, y_b = y, y[index]
    return mixed_x, y_a, y_b, lam


def mixup_criterion(criterion, pred, y_a, y_b, lam):
    return lam * criterion(pred, y_a) + (1 - lam) * criterion(pred, y_b)


def rand_bbox(size, lam):
    W = size[2]
    H = size[3]
    cut_rat = np.sqrt(1. - lam)
    cut_w = np.int64(W * cut_rat)
    cut_h = np.int64(H * cut_rat)
    # uniform
    cx = np.random.randint(W)
    cy = np.random.randint(H)
    bbx1 = np.clip(cx - cut_w // 2, 0, W)
    bby1 = np.clip(cy - cut_h // 2, 0, H)
    bbx2 = np.clip(cx + cut_w // 2, 0, W)
    bby2 = np.clip(cy + cut_h // 2, 0, H)
    return bbx1, bby1, bbx2, bby2


np.random.seed(0)
torch.manual_seed(0)
net = nn.Sequential(nn.Conv2d(3, 6, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(6 * 16, 5))
criterion = nn.CrossEntropyLoss()
optimizer = optim.SGD(net.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
inputs = torch.randn(8, 3, 8, 8)
targets = torch.tensor([0, 1, 2, 3, 4, 0, 1, 2])
train_loss = 0
correct = 0
total = 0
for batch_idx in range(4):
    if batch_idx % 2 == 0:
        inputs_m, targets_a, targets_b, lam = mixup_data(inputs, targets, 1.0, False)
        kind = "mixup"
    else:
        lam = np.random.beta(1.0, 1.0)
        rand_index = torch.randperm(inputs.size()[0])
        targets_a = targets
        targets_b = targets[rand_index]
        bbx1, bby1, bbx2, bby2 = rand_bbox(inputs.size(), lam)
        inputs_m = inputs.clone()
        inputs_m[:, :, bbx1:bbx2, bby1:bby2] = inputs[rand_index, :, bbx1:bbx2, bby1:bby2]
        # adjust lambda to exactly match pixel ratio
        lam = 1 - ((bbx2 - bbx1) * (bby2 - bby1) / (inputs.size()[-1] * inputs.size()[-2]))
        kind = "cutmix (%d, %d, %d, %d)" % (bbx1, bby1, bbx2, bby2)
    outputs = net(inputs_m)
    loss = mixup_criterion(criterion, outputs, targets_a, targets_b, lam)
    train_loss += loss.item()
    _, predicted = torch.max(outputs.data, 1)
    total += targets.size(0)
    correct += (lam * predicted.eq(targets_a.data).cpu().sum().float() + (1 - lam) * predicted.eq(targets_b.data).cpu().sum().float())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    print(batch_idx, kind, 'lam %.4f' % lam, type(lam).__name__, targets_b.tolist())
    print('Loss: %.3f | Acc: %.3f%% (%d/%d)' % (train_loss / (batch_idx + 1), 100. * correct / total, correct, total))
print(type(correct), correct.dtype, (inputs_m == inputs).float().mean().item() < 1)
