"""SimSiam after facebookresearch/simsiam (simsiam/builder.py and main_simsiam.py): the encoder's
fc replaced by a 3-layer projector built from prev_dim = self.encoder.fc.weight.shape[1]
(Linear bias=False, BatchNorm1d, ReLU(inplace=True), and a final BatchNorm1d(dim, affine=False)),
self.encoder.fc[6].bias.requires_grad = False "hack: not use bias as it is followed by BN", the
bottleneck predictor, the symmetric negative cosine loss with nn.CosineSimilarity(dim=1) and
z1.detach() / z2.detach() stop-gradients, SGD over param groups where the predictor keeps a
fixed lr ('fix_lr': True) and adjust_learning_rate's cosine schedule skips it, and
the collapse monitor std of F.normalize(z, dim=1) over the batch.

Source: https://github.com/facebookresearch/simsiam (CC-BY-NC 4.0; written for jitgrad's corpus
after its structure, not copied). Changes: an MLP "backbone" with an fc head on random 10-d
inputs, dim 16, pred_dim 4, 3 epochs of one batch.
"""
# ruff: noqa: E501, UP004, UP006, UP007, UP008, UP031, UP032, UP035, UP045, E701, E731, B006, B007, F401, F841  (the original's style, kept)

import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class SimSiam(nn.Module):
    def __init__(self, base_encoder, dim=2048, pred_dim=512):
        super(SimSiam, self).__init__()
        # create the encoder
        # num_classes is the output fc dimension, zero-initialize last BNs
        self.encoder = base_encoder(num_classes=dim, zero_init_residual=True)
        # build a 3-layer projector
        prev_dim = self.encoder.fc.weight.shape[1]
        self.encoder.fc = nn.Sequential(nn.Linear(prev_dim, prev_dim, bias=False),
                                        nn.BatchNorm1d(prev_dim),
                                        nn.ReLU(inplace=True),  # first layer
                                        nn.Linear(prev_dim, prev_dim, bias=False),
                                        nn.BatchNorm1d(prev_dim),
                                        nn.ReLU(inplace=True),  # second layer
                                        self.encoder.fc,
                                        nn.BatchNorm1d(dim, affine=False))  # output layer
        self.encoder.fc[6].bias.requires_grad = False  # hack: not use bias as it is followed by BN
        # build a 2-layer predictor
        self.predictor = nn.Sequential(nn.Linear(dim, pred_dim, bias=False),
                                       nn.BatchNorm1d(pred_dim),
                                       nn.ReLU(inplace=True),  # hidden layer
                                       nn.Linear(pred_dim, dim))  # output layer

    def forward(self, x1, x2):
        z1 = self.encoder(x1)  # NxC
        z2 = self.encoder(x2)  # NxC
        p1 = self.predictor(z1)  # NxC
        p2 = self.predictor(z2)  # NxC
        return p1, p2, z1.detach(), z2.detach()


class Backbone(nn.Module):
    def __init__(self, num_classes=10, zero_init_residual=False):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(10, 12), nn.ReLU())
        self.fc = nn.Linear(12, num_classes)

    def forward(self, x):
        return self.fc(self.body(x))


def adjust_learning_rate(optimizer, init_lr, epoch, epochs):
    """Decay the learning rate based on schedule"""
    cur_lr = init_lr * 0.5 * (1. + math.cos(math.pi * epoch / epochs))
    for param_group in optimizer.param_groups:
        if 'fix_lr' in param_group and param_group['fix_lr']:
            param_group['lr'] = init_lr
        else:
            param_group['lr'] = cur_lr


torch.manual_seed(0)
model = SimSiam(Backbone, 16, 4)
print(model.encoder.fc)
print(model.encoder.fc[7].weight, len(list(model.encoder.fc[7].parameters())), [n for n, b in model.encoder.fc[7].named_buffers()])
criterion = nn.CosineSimilarity(dim=1)
init_lr = 0.05 * 8 / 256
optim_params = [{'params': model.encoder.parameters(), 'fix_lr': False},
                {'params': model.predictor.parameters(), 'fix_lr': True}]
optimizer = torch.optim.SGD(optim_params, init_lr, momentum=0.9, weight_decay=1e-4)
print(len(optimizer.param_groups[0]['params']), optimizer.param_groups[1]['fix_lr'], sorted(optimizer.param_groups[1].keys()))
x = torch.randn(8, 10)
for epoch in range(3):
    adjust_learning_rate(optimizer, init_lr, epoch, 3)
    images = [x + 0.2 * torch.randn(8, 10), x + 0.2 * torch.randn(8, 10)]
    p1, p2, z1, z2 = model(x1=images[0], x2=images[1])
    loss = -(criterion(p1, z2).mean() + criterion(p2, z1).mean()) * 0.5
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    std = F.normalize(z1, dim=1).std(dim=0).mean()
    print(epoch, round(loss.item(), 5), [round(g['lr'], 6) for g in optimizer.param_groups], round(std.item(), 5), z1.requires_grad)
print(model.encoder.fc[6].bias.grad, model.encoder.fc[6].weight.grad.shape, model.encoder.fc[7].running_var[:3])
print(criterion, criterion(torch.ones(2, 3), torch.tensor([[1.0, 2.0, 3.0], [-1.0, 0.0, 0.0]])))
