"""Capsule networks with dynamic routing after gram-ai/capsule-networks (capsule_network.py):
softmax over an arbitrary dim through transpose, squash (squared_norm ** scale), CapsuleLayer
with route_weights of shape (num_capsules, num_route_nodes, in_channels, out_channels),
priors = x[None, :, :, None, :] @ self.route_weights[:, None, :, :, :] (5-d broadcasting
matmul), routing logits from Variable(torch.zeros(*priors.size())), the agreement update
(priors * outputs).sum(dim=-1, keepdim=True), primary capsules as a ModuleList of Conv2d
concatenated along dim -1, the decoder reconstructing from the masked class capsule via
torch.eye(NUM_CLASSES).index_select(dim=0, index=max_length_indices.data), and CapsuleLoss
(margin loss with F.relu(0.9 - classes) ** 2 plus an MSELoss(reduction='sum') reconstruction
term).

Source: https://github.com/gram-ai/capsule-networks (capsule_network.py; MIT). Written for
jitgrad's corpus after its structure, not copied. Changes: 12x12 inputs, 4 classes, 8-channel
convolutions, 4 primary capsules of 2x2 grids, 2 routing iterations, 3 Adam steps.
"""
# ruff: noqa: E501, UP008, UP031, UP032, UP035, UP006, UP018, UP039, B006, B007, E721, E731, F401, F841  (the original's style, kept)

import torch
import torch.nn.functional as F
from torch import nn
from torch.autograd import Variable

BATCH_SIZE = 4
NUM_CLASSES = 4
NUM_ROUTING_ITERATIONS = 2


def softmax(input, dim=1):
    transposed_input = input.transpose(dim, len(input.size()) - 1)
    softmaxed_output = F.softmax(transposed_input.contiguous().view(-1, transposed_input.size(-1)), dim=-1)
    return softmaxed_output.view(*transposed_input.size()).transpose(dim, len(input.size()) - 1)


class CapsuleLayer(nn.Module):
    def __init__(self, num_capsules, num_route_nodes, in_channels, out_channels, kernel_size=None, stride=None,
                 num_iterations=NUM_ROUTING_ITERATIONS):
        super(CapsuleLayer, self).__init__()

        self.num_route_nodes = num_route_nodes
        self.num_iterations = num_iterations

        self.num_capsules = num_capsules

        if num_route_nodes != -1:
            self.route_weights = nn.Parameter(torch.randn(num_capsules, num_route_nodes, in_channels, out_channels))
        else:
            self.capsules = nn.ModuleList(
                [nn.Conv2d(in_channels, out_channels, kernel_size=kernel_size, stride=stride, padding=0) for _ in
                 range(num_capsules)])

    def squash(self, tensor, dim=-1):
        squared_norm = (tensor ** 2).sum(dim=dim, keepdim=True)
        scale = squared_norm / (1 + squared_norm)
        return scale * tensor / torch.sqrt(squared_norm)

    def forward(self, x):
        if self.num_route_nodes != -1:
            priors = x[None, :, :, None, :] @ self.route_weights[:, None, :, :, :]

            logits = Variable(torch.zeros(*priors.size()))
            for i in range(self.num_iterations):
                probs = softmax(logits, dim=2)
                outputs = self.squash((probs * priors).sum(dim=2, keepdim=True))

                if i != self.num_iterations - 1:
                    delta_logits = (priors * outputs).sum(dim=-1, keepdim=True)
                    logits = logits + delta_logits
        else:
            outputs = [capsule(x).view(x.size(0), -1, 1) for capsule in self.capsules]
            outputs = torch.cat(outputs, dim=-1)
            outputs = self.squash(outputs)

        return outputs


class CapsuleNet(nn.Module):
    def __init__(self):
        super(CapsuleNet, self).__init__()

        self.conv1 = nn.Conv2d(in_channels=1, out_channels=8, kernel_size=5, stride=1)
        self.primary_capsules = CapsuleLayer(num_capsules=4, num_route_nodes=-1, in_channels=8, out_channels=4,
                                             kernel_size=3, stride=2)
        self.digit_capsules = CapsuleLayer(num_capsules=NUM_CLASSES, num_route_nodes=4 * 3 * 3, in_channels=4,
                                           out_channels=8)

        self.decoder = nn.Sequential(
            nn.Linear(8 * NUM_CLASSES, 32),
            nn.ReLU(inplace=True),
            nn.Linear(32, 144),
            nn.Sigmoid()
        )

    def forward(self, x, y=None):
        x = F.relu(self.conv1(x), inplace=True)
        x = self.primary_capsules(x)
        x = self.digit_capsules(x).squeeze().transpose(0, 1)

        classes = (x ** 2).sum(dim=-1) ** 0.5
        classes = F.softmax(classes, dim=-1)

        if y is None:
            # In all batches, get the most active capsule.
            _, max_length_indices = classes.max(dim=1)
            y = Variable(torch.eye(NUM_CLASSES)).index_select(dim=0, index=max_length_indices.data)

        reconstructions = self.decoder((x * y[:, :, None]).reshape(x.size(0), -1))

        return classes, reconstructions


class CapsuleLoss(nn.Module):
    def __init__(self):
        super(CapsuleLoss, self).__init__()
        self.reconstruction_loss = nn.MSELoss(reduction='sum')

    def forward(self, images, labels, classes, reconstructions):
        left = F.relu(0.9 - classes, inplace=True) ** 2
        right = F.relu(classes - 0.1, inplace=True) ** 2

        margin_loss = labels * left + 0.5 * (1. - labels) * right
        margin_loss = margin_loss.sum()

        assert torch.numel(images) == torch.numel(reconstructions)
        images = images.view(reconstructions.size()[0], -1)
        reconstruction_loss = self.reconstruction_loss(reconstructions, images)

        return (margin_loss + 0.0005 * reconstruction_loss) / images.size(0)


torch.manual_seed(0)
print(softmax(torch.tensor([[[1., 2.], [3., 4.]]]), dim=1))
model = CapsuleNet()
print(model.primary_capsules.capsules[0], model.digit_capsules.route_weights.shape)
print("# parameters:", sum(param.numel() for param in model.parameters()))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
capsule_loss = CapsuleLoss()
data = torch.rand(BATCH_SIZE, 1, 12, 12)
labels = torch.LongTensor([0, 1, 2, 3])
labels = torch.eye(NUM_CLASSES).index_select(dim=0, index=labels)
for step in range(3):
    classes, reconstructions = model(data, labels)
    loss = capsule_loss(data, labels, classes, reconstructions)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    print(step, '%.6f' % loss.item(), classes.shape, reconstructions.shape)
model.eval()
with torch.no_grad():
    classes, reconstructions = model(data)
print(classes.max(dim=1)[1], classes.sum(1))
print(reconstructions.view(-1, 1, 12, 12)[0, 0, :2, :4])
