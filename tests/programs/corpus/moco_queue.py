"""MoCo's momentum-contrast builder after facebookresearch/moco (moco/builder.py and
main_moco.py): two encoders, the key encoder's parameters copied with param_k.data.copy_ and
requires_grad = False, then updated under @torch.no_grad() by param_k.data * m + param_q.data *
(1. - m); the negative-key queue a register_buffer normalised along dim 0 with a queue_ptr long
buffer, enqueued by slice assignment of keys.T; logits from torch.einsum('nc,nc->n') and
torch.einsum('nc,ck->nk'), torch.cat, divided by T in place, labels from torch.zeros(dtype=
torch.long); nn.CrossEntropyLoss, SGD with momentum and weight decay, and accuracy(output,
target, topk=(1, 5)) from main_moco.py (topk, t(), eq, expand_as, reshape(-1).float().sum).

Source: https://github.com/facebookresearch/moco (CC-BY-NC 4.0; written for jitgrad's corpus
after its structure, not copied). Changes: an MLP encoder on random 12-d "images", feature dim
8, queue of 16, no distributed gather or batch shuffle, 3 steps.
"""
# ruff: noqa: E501, UP004, UP006, UP007, UP008, UP031, UP032, UP035, UP045, E701, E731, B006, B007, F401, F841  (the original's style, kept)

import torch
import torch.nn as nn


class MoCo(nn.Module):
    def __init__(self, base_encoder, dim=8, K=16, m=0.999, T=0.07, mlp=False):
        super(MoCo, self).__init__()
        self.K = K
        self.m = m
        self.T = T
        self.encoder_q = base_encoder(num_classes=dim)
        self.encoder_k = base_encoder(num_classes=dim)
        if mlp:
            dim_mlp = self.encoder_q.fc.weight.shape[1]
            self.encoder_q.fc = nn.Sequential(nn.Linear(dim_mlp, dim_mlp), nn.ReLU(), self.encoder_q.fc)
            self.encoder_k.fc = nn.Sequential(nn.Linear(dim_mlp, dim_mlp), nn.ReLU(), self.encoder_k.fc)
        for param_q, param_k in zip(self.encoder_q.parameters(), self.encoder_k.parameters()):
            param_k.data.copy_(param_q.data)  # initialize
            param_k.requires_grad = False  # not update by gradient
        self.register_buffer("queue", torch.randn(dim, K))
        self.queue = nn.functional.normalize(self.queue, dim=0)
        self.register_buffer("queue_ptr", torch.zeros(1, dtype=torch.long))

    @torch.no_grad()
    def _momentum_update_key_encoder(self):
        for param_q, param_k in zip(self.encoder_q.parameters(), self.encoder_k.parameters()):
            param_k.data = param_k.data * self.m + param_q.data * (1. - self.m)

    @torch.no_grad()
    def _dequeue_and_enqueue(self, keys):
        batch_size = keys.shape[0]
        ptr = int(self.queue_ptr)
        assert self.K % batch_size == 0  # for simplicity
        self.queue[:, ptr:ptr + batch_size] = keys.T
        ptr = (ptr + batch_size) % self.K  # move pointer
        self.queue_ptr[0] = ptr

    def forward(self, im_q, im_k):
        q = self.encoder_q(im_q)  # queries: NxC
        q = nn.functional.normalize(q, dim=1)
        with torch.no_grad():  # no gradient to keys
            self._momentum_update_key_encoder()  # update the key encoder
            k = self.encoder_k(im_k)  # keys: NxC
            k = nn.functional.normalize(k, dim=1)
        l_pos = torch.einsum('nc,nc->n', [q, k]).unsqueeze(-1)
        l_neg = torch.einsum('nc,ck->nk', [q, self.queue.clone().detach()])
        logits = torch.cat([l_pos, l_neg], dim=1)
        logits /= self.T
        labels = torch.zeros(logits.shape[0], dtype=torch.long)
        self._dequeue_and_enqueue(k)
        return logits, labels


class Encoder(nn.Module):
    def __init__(self, num_classes=8):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(12, 32), nn.BatchNorm1d(32), nn.ReLU(inplace=True))
        self.fc = nn.Linear(32, num_classes)

    def forward(self, x):
        return self.fc(self.body(x))


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


torch.manual_seed(0)
model = MoCo(Encoder, dim=8, K=16, m=0.99, T=0.2, mlp=True)
print(model.encoder_k.fc)
print(model.queue.shape, model.queue.norm(dim=0)[:4], model.queue_ptr)
print(sum(p.requires_grad for p in model.parameters()), [n for n, b in model.named_buffers()][:3])
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), 0.03, momentum=0.9, weight_decay=1e-4)
x = torch.randn(8, 12)
for i in range(3):
    im_q = x + 0.1 * torch.randn(8, 12)
    im_k = x + 0.1 * torch.randn(8, 12)
    output, target = model(im_q=im_q, im_k=im_k)
    loss = criterion(output, target)
    acc1, acc5 = accuracy(output, target, topk=(1, 5))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    print(i, output.shape, round(loss.item(), 4), acc1, acc5[0].item(), model.queue_ptr.item())
print(model.queue[:2, :9])
print(model.encoder_k.fc[0].weight.grad, model.encoder_q.fc[2].bias.grad.abs().sum() > 0)
