"""Prototypical networks for few-shot classification after jakesnell/prototypical-networks
(protonets/models/few_shot.py, protonets/models/utils.py): euclidean_dist through
unsqueeze(1).expand / unsqueeze(0).expand and pow(2).sum(2), the Protonet's loss building
target_inds with torch.arange(0, n_class).view(n_class, 1, 1).expand(n_class, n_query, 1),
the support/query split by torch.cat of view'ed slices, prototypes as the mean over shots,
F.log_softmax(-dists), gather, squeeze and view, the accuracy from max(2) and eq, and the
encoder's conv_block (Conv2d, BatchNorm2d, ReLU, MaxPool2d) plus a Flatten module, trained
episodically with a StepLR(gamma=0.5).

Source: https://github.com/jakesnell/prototypical-networks (protonets/models/few_shot.py,
protonets/models/utils.py; MIT). Written for jitgrad's corpus after their structure, not
copied. Changes: 8x8 single-channel "images", hidden 8, a 3-way 2-shot 3-query episode from
random class templates, 4 episodes, SGD with momentum for the original's Adam (each conv's
bias sits before a BatchNorm, so its gradient is float32 round-off, which Adam scales up to a
full step: the libraries' summation orders would then part ways).
"""
# ruff: noqa: E501, UP008, UP031, UP032, UP035, UP006, UP018, UP039, B006, B007, E721, E731, F401, F841  (the original's style, kept)

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.autograd import Variable


def euclidean_dist(x, y):
    # x: N x D
    # y: M x D
    n = x.size(0)
    m = y.size(0)
    d = x.size(1)
    assert d == y.size(1)

    x = x.unsqueeze(1).expand(n, m, d)
    y = y.unsqueeze(0).expand(n, m, d)

    return torch.pow(x - y, 2).sum(2)


class Flatten(nn.Module):
    def __init__(self):
        super(Flatten, self).__init__()

    def forward(self, x):
        return x.view(x.size(0), -1)


class Protonet(nn.Module):
    def __init__(self, encoder):
        super(Protonet, self).__init__()

        self.encoder = encoder

    def loss(self, sample):
        xs = Variable(sample['xs'])  # support
        xq = Variable(sample['xq'])  # query

        n_class = xs.size(0)
        assert xq.size(0) == n_class
        n_support = xs.size(1)
        n_query = xq.size(1)

        target_inds = torch.arange(0, n_class).view(n_class, 1, 1).expand(n_class, n_query, 1).long()
        target_inds = Variable(target_inds, requires_grad=False)

        x = torch.cat([xs.view(n_class * n_support, *xs.size()[2:]),
                       xq.view(n_class * n_query, *xq.size()[2:])], 0)

        z = self.encoder.forward(x)
        z_dim = z.size(-1)

        z_proto = z[:n_class * n_support].view(n_class, n_support, z_dim).mean(1)
        zq = z[n_class * n_support:]

        dists = euclidean_dist(zq, z_proto)

        log_p_y = F.log_softmax(-dists, dim=1).view(n_class, n_query, -1)

        loss_val = -log_p_y.gather(2, target_inds).squeeze().view(-1).mean()

        _, y_hat = log_p_y.max(2)
        acc_val = torch.eq(y_hat, target_inds.squeeze()).float().mean()

        return loss_val, {
            'loss': loss_val.item(),
            'acc': acc_val.item()
        }


def conv_block(in_channels, out_channels):
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, 3, padding=1),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(),
        nn.MaxPool2d(2)
    )


def load_protonet_conv(**kwargs):
    x_dim = kwargs['x_dim']
    hid_dim = kwargs['hid_dim']
    z_dim = kwargs['z_dim']

    encoder = nn.Sequential(
        conv_block(x_dim[0], hid_dim),
        conv_block(hid_dim, hid_dim),
        conv_block(hid_dim, z_dim),
        Flatten()
    )

    return Protonet(encoder)


torch.manual_seed(0)
print(euclidean_dist(torch.tensor([[0., 0.], [1., 1.]]), torch.tensor([[1., 0.], [2., 2.], [0., 0.]])))
model = load_protonet_conv(x_dim=(1, 8, 8), hid_dim=8, z_dim=8)
print(model.encoder[0])
print(model.encoder(torch.zeros(2, 1, 8, 8)).shape)
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 2, gamma=0.5, last_epoch=-1)
templates = torch.randn(5, 1, 8, 8)
n_way, n_shot, n_query = 3, 2, 3
for episode in range(4):
    classes = torch.randperm(5)[:n_way]
    data = templates[classes].unsqueeze(1) + 0.5 * torch.randn(n_way, n_shot + n_query, 1, 8, 8)
    sample = {'xs': data[:, :n_shot].contiguous(), 'xq': data[:, n_shot:].contiguous()}
    model.train()
    optimizer.zero_grad()
    loss, output = model.loss(sample)
    loss.backward()
    optimizer.step()
    scheduler.step()
    print('episode {:d}: loss = {:.6f}, acc = {:.6f}, lr = {}'.format(episode, output['loss'], output['acc'], scheduler.get_last_lr()))
model.eval()
with torch.no_grad():
    _, output = model.loss(sample)
print(sorted(output.items()))
