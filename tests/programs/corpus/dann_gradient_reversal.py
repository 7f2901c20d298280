"""Domain-adversarial training (DANN) after fungtion/DANN (models/functions.py, models/model.py,
train/main.py): ReverseLayerF, a torch.autograd.Function whose forward is x.view_as(x) keeping
ctx.alpha and whose backward returns grad_output.neg() * ctx.alpha, None; a CNNModel with
feature/class/domain heads built with add_module, BatchNorm2d, Dropout2d, MaxPool2d, LogSoftmax
and NLLLoss; the alpha schedule 2. / (1. + np.exp(-10 * p)) - 1; source and target batches
with domain labels from torch.zeros / torch.ones(...).long(); and a check that the reversal
flips the feature gradient.

Source: https://github.com/fungtion/DANN (models/functions.py, models/model.py, train/main.py;
MIT). Written for jitgrad's corpus after their structure, not copied. Changes: 14x14
single-channel inputs, 4 and 8 feature maps, dropout 0, 4 steps on random data.
"""
# ruff: noqa: E501, UP008, UP031, UP032, UP035, UP006, UP018, UP039, B006, B007, E721, E731, F401, F841  (the original's style, kept)

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim
from torch.autograd import Function


class ReverseLayerF(Function):

    @staticmethod
    def forward(ctx, x, alpha):
        ctx.alpha = alpha

        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad_output):
        output = grad_output.neg() * ctx.alpha

        return output, None


class CNNModel(nn.Module):

    def __init__(self):
        super(CNNModel, self).__init__()
        self.feature = nn.Sequential()
        self.feature.add_module('f_conv1', nn.Conv2d(1, 4, kernel_size=3))
        self.feature.add_module('f_bn1', nn.BatchNorm2d(4))
        self.feature.add_module('f_pool1', nn.MaxPool2d(2))
        self.feature.add_module('f_relu1', nn.ReLU(True))
        self.feature.add_module('f_conv2', nn.Conv2d(4, 8, kernel_size=3))
        self.feature.add_module('f_bn2', nn.BatchNorm2d(8))
        self.feature.add_module('f_drop1', nn.Dropout2d(0.0))
        self.feature.add_module('f_pool2', nn.MaxPool2d(2))
        self.feature.add_module('f_relu2', nn.ReLU(True))

        self.class_classifier = nn.Sequential()
        self.class_classifier.add_module('c_fc1', nn.Linear(8 * 2 * 2, 16))
        self.class_classifier.add_module('c_bn1', nn.BatchNorm1d(16))
        self.class_classifier.add_module('c_relu1', nn.ReLU(True))
        self.class_classifier.add_module('c_drop1', nn.Dropout())
        self.class_classifier.add_module('c_fc2', nn.Linear(16, 10))
        self.class_classifier.add_module('c_softmax', nn.LogSoftmax(dim=1))

        self.domain_classifier = nn.Sequential()
        self.domain_classifier.add_module('d_fc1', nn.Linear(8 * 2 * 2, 16))
        self.domain_classifier.add_module('d_bn1', nn.BatchNorm1d(16))
        self.domain_classifier.add_module('d_relu1', nn.ReLU(True))
        self.domain_classifier.add_module('d_fc2', nn.Linear(16, 2))
        self.domain_classifier.add_module('d_softmax', nn.LogSoftmax(dim=1))

    def forward(self, input_data, alpha):
        input_data = input_data.expand(input_data.data.shape[0], 1, 14, 14)
        feature = self.feature(input_data)
        feature = feature.view(-1, 8 * 2 * 2)
        reverse_feature = ReverseLayerF.apply(feature, alpha)
        class_output = self.class_classifier(feature)
        domain_output = self.domain_classifier(reverse_feature)

        return class_output, domain_output


torch.manual_seed(0)
x = torch.randn(3, requires_grad=True)
y = ReverseLayerF.apply(x, 0.5)
print(y, y.grad_fn.__class__.__name__)
(y * torch.tensor([1., 2., 3.])).sum().backward()
print(x.grad)

my_net = CNNModel()
my_net.class_classifier.c_drop1.p = 0.0
print(my_net.feature)
print(my_net.domain_classifier.d_softmax)
optimizer = optim.Adam(my_net.parameters(), lr=1e-3)
loss_class = torch.nn.NLLLoss()
loss_domain = torch.nn.NLLLoss()
for p in my_net.parameters():
    p.requires_grad = True

n_epoch, len_dataloader, batch_size = 2, 2, 6
s_img = torch.randn(batch_size, 1, 14, 14)
s_label = torch.randint(0, 10, (batch_size,))
t_img = torch.randn(batch_size, 1, 14, 14) + 0.5
for epoch in range(n_epoch):
    for i in range(len_dataloader):
        p = float(i + epoch * len_dataloader) / n_epoch / len_dataloader
        alpha = 2. / (1. + np.exp(-10 * p)) - 1

        my_net.zero_grad()
        domain_label = torch.zeros(batch_size).long()
        class_output, domain_output = my_net(input_data=s_img, alpha=alpha)
        err_s_label = loss_class(class_output, s_label)
        err_s_domain = loss_domain(domain_output, domain_label)

        domain_label = torch.ones(batch_size).long()
        _, domain_output = my_net(input_data=t_img, alpha=alpha)
        err_t_domain = loss_domain(domain_output, domain_label)
        err = err_t_domain + err_s_domain + err_s_label
        err.backward()
        optimizer.step()

        print('epoch: %d, [iter: %d / all %d], alpha: %.4f, err_s_label: %f, err_s_domain: %f, err_t_domain: %f'
              % (epoch, i + 1, len_dataloader, alpha, err_s_label.data.cpu().numpy(),
                 err_s_domain.data.cpu().numpy(), err_t_domain.data.cpu().item()))

my_net.eval()
with torch.no_grad():
    class_output, _ = my_net(input_data=t_img, alpha=0)
    pred = class_output.data.max(1, keepdim=True)[1]
print(pred.view(-1), pred.eq(s_label.data.view_as(pred)).cpu().sum())
