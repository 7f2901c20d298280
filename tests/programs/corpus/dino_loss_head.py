"""DINO's self-distillation pieces after facebookresearch/dino (main_dino.py DINOLoss,
vision_transformer.py DINOHead, utils.py cosine_scheduler and clip_gradients): the projection
head's MLP with trunc_normal_ init, F.normalize(x, dim=-1, p=2) and the last layer wrapped in
nn.utils.weight_norm with weight_g filled with 1 and frozen (requires_grad = False); the
teacher-temperature schedule from np.concatenate((np.linspace(...), np.ones(...))); the loss's
center register_buffer, student_out.chunk, teacher softmax((t - center) / temp).detach(),
torch.sum(-q * F.log_softmax(...), dim=-1) over all view pairs but iq == v, and the center's
EMA update under @torch.no_grad() with torch.sum(..., dim=0, keepdim=True); the teacher an EMA
copy (param_k.data.mul_(m).add_((1 - m) * param_q.detach().data)); clip_gradients by
p.grad.data.norm(2) with clip_coef and p.grad.data.mul_; cancel_gradients_last_layer; the teacher a second instance given the
student's state_dict (load_state_dict's printed result).

Source: https://github.com/facebookresearch/dino (Apache-2.0; written for jitgrad's corpus after
its structure, not copied). Changes: an MLP backbone on random 16-d views, out_dim 32, two
global and two local "crops", 3 steps.
"""
# ruff: noqa: E501, UP004, UP006, UP007, UP008, UP031, UP032, UP035, UP045, E701, E731, B006, B007, F401, F841  (the original's style, kept)

import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class DINOHead(nn.Module):
    def __init__(self, in_dim, out_dim, use_bn=False, norm_last_layer=True, nlayers=3, hidden_dim=32, bottleneck_dim=16):
        super().__init__()
        nlayers = max(nlayers, 1)
        layers = [nn.Linear(in_dim, hidden_dim)]
        if use_bn:
            layers.append(nn.BatchNorm1d(hidden_dim))
        layers.append(nn.GELU())
        for _ in range(nlayers - 2):
            layers.append(nn.Linear(hidden_dim, hidden_dim))
            layers.append(nn.GELU())
        layers.append(nn.Linear(hidden_dim, bottleneck_dim))
        self.mlp = nn.Sequential(*layers)
        self.apply(self._init_weights)
        self.last_layer = nn.utils.weight_norm(nn.Linear(bottleneck_dim, out_dim, bias=False))
        self.last_layer.weight_g.data.fill_(1)
        if norm_last_layer:
            self.last_layer.weight_g.requires_grad = False

    def _init_weights(self, m):
        if isinstance(m, nn.Linear):
            nn.init.trunc_normal_(m.weight, std=.02)
            if isinstance(m, nn.Linear) and m.bias is not None:
                nn.init.constant_(m.bias, 0)

    def forward(self, x):
        x = self.mlp(x)
        x = nn.functional.normalize(x, dim=-1, p=2)
        x = self.last_layer(x)
        return x


class DINOLoss(nn.Module):
    def __init__(self, out_dim, ncrops, warmup_teacher_temp, teacher_temp,
                 warmup_teacher_temp_epochs, nepochs, student_temp=0.1, center_momentum=0.9):
        super().__init__()
        self.student_temp = student_temp
        self.center_momentum = center_momentum
        self.ncrops = ncrops
        self.register_buffer("center", torch.zeros(1, out_dim))
        self.teacher_temp_schedule = np.concatenate((
            np.linspace(warmup_teacher_temp, teacher_temp, warmup_teacher_temp_epochs),
            np.ones(nepochs - warmup_teacher_temp_epochs) * teacher_temp
        ))

    def forward(self, student_output, teacher_output, epoch):
        student_out = student_output / self.student_temp
        student_out = student_out.chunk(self.ncrops)
        temp = self.teacher_temp_schedule[epoch]
        teacher_out = F.softmax((teacher_output - self.center) / temp, dim=-1)
        teacher_out = teacher_out.detach().chunk(2)
        total_loss = 0
        n_loss_terms = 0
        for iq, q in enumerate(teacher_out):
            for v in range(len(student_out)):
                if v == iq:
                    # we skip cases where student and teacher operate on the same view
                    continue
                loss = torch.sum(-q * F.log_softmax(student_out[v], dim=-1), dim=-1)
                total_loss += loss.mean()
                n_loss_terms += 1
        total_loss /= n_loss_terms
        self.update_center(teacher_output)
        return total_loss

    @torch.no_grad()
    def update_center(self, teacher_output):
        batch_center = torch.sum(teacher_output, dim=0, keepdim=True)
        batch_center = batch_center / len(teacher_output)
        self.center = self.center * self.center_momentum + batch_center * (1 - self.center_momentum)


def cosine_scheduler(base_value, final_value, epochs, niter_per_ep, warmup_epochs=0, start_warmup_value=0):
    warmup_schedule = np.array([])
    warmup_iters = warmup_epochs * niter_per_ep
    if warmup_epochs > 0:
        warmup_schedule = np.linspace(start_warmup_value, base_value, warmup_iters)
    iters = np.arange(epochs * niter_per_ep - warmup_iters)
    schedule = final_value + 0.5 * (base_value - final_value) * (1 + np.cos(np.pi * iters / len(iters)))
    schedule = np.concatenate((warmup_schedule, schedule))
    assert len(schedule) == epochs * niter_per_ep
    return schedule


def clip_gradients(model, clip):
    norms = []
    for name, p in model.named_parameters():
        if p.grad is not None:
            param_norm = p.grad.data.norm(2)
            norms.append(param_norm.item())
            clip_coef = clip / (param_norm + 1e-6)
            if clip_coef < 1:
                p.grad.data.mul_(clip_coef)
    return norms


def cancel_gradients_last_layer(epoch, model, freeze_last_layer):
    if epoch >= freeze_last_layer:
        return
    for n, p in model.named_parameters():
        if "last_layer" in n:
            p.grad = None


torch.manual_seed(0)
student = nn.Sequential(nn.Linear(16, 24), nn.GELU(), DINOHead(24, 32))
teacher = nn.Sequential(nn.Linear(16, 24), nn.GELU(), DINOHead(24, 32))
print(teacher.load_state_dict(student.state_dict()))
for p in teacher.parameters():
    p.requires_grad = False
print(student[2].last_layer)
print([n for n, p in student.named_parameters()][-3:], student[2].last_layer.weight_g.requires_grad, student[2].last_layer.weight_g.shape)
print(student[2].last_layer.weight_g[:3, 0], student[2].last_layer.weight_v.norm(dim=1)[:3])
dino_loss = DINOLoss(32, 4, 0.04, 0.07, 2, 3)
print(dino_loss.teacher_temp_schedule, dino_loss.center.shape)
lr_schedule = cosine_scheduler(0.05, 1e-3, 3, 1, warmup_epochs=1)
momentum_schedule = cosine_scheduler(0.996, 1, 3, 1)
print(lr_schedule, momentum_schedule)
optimizer = torch.optim.AdamW([p for p in student.parameters() if p.requires_grad])
base = torch.randn(6, 16)
for it in range(3):
    for param_group in optimizer.param_groups:
        param_group["lr"] = lr_schedule[it]
    images = [base + 0.1 * torch.randn(6, 16) for _ in range(4)]
    teacher_output = teacher(torch.cat(images[:2]))
    student_output = student(torch.cat(images))
    loss = dino_loss(student_output, teacher_output, it)
    if not math.isfinite(loss.item()):
        print("Loss is {}, stopping training".format(loss.item()))
    optimizer.zero_grad()
    loss.backward()
    norms = clip_gradients(student, 0.05)
    cancel_gradients_last_layer(it, student, 1)
    optimizer.step()
    with torch.no_grad():
        m = momentum_schedule[it]  # momentum parameter
        for param_q, param_k in zip(student.parameters(), teacher.parameters()):
            param_k.data.mul_(m).add_((1 - m) * param_q.detach().data)
    print(it, round(loss.item(), 5), len(norms), round(max(norms), 5), dino_loss.center[0, :3])
print(student[2].last_layer.weight_v.grad.shape, student[2].last_layer.weight_g.grad, student[0].weight.grad.norm().item() <= 0.05 + 1e-6)
print(teacher[0].weight.requires_grad, (teacher[0].weight - student[0].weight).abs().max() > 0)
