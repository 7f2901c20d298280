"""Grad-CAM: the last convolution's activations captured with a forward hook and its output
gradient with a full backward hook (or a tensor hook), the channel weights as the gradient's
spatial mean, the class activation map relu(sum_k w_k A_k) upsampled with F.interpolate
(bilinear) and min-max normalised; the same map computed through torch.autograd.grad.

Model: after jacobgil/pytorch-grad-cam (pytorch_grad_cam/grad_cam.py and
activations_and_gradients.py, MIT) and Selvaraju et al. 2017. Written for jitgrad's corpus,
not copied. Changes: a tiny untrained CNN on a 1x8x8 input instead of a torchvision ResNet.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
model = nn.Sequential(
    nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(),
    nn.Conv2d(4, 6, 3, padding=1), nn.ReLU(),
    nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(6, 3),
)
model.eval()
target_layer = model[2]


class ActivationsAndGradients:
    def __init__(self, model, target_layer):
        self.model = model
        self.gradients = []
        self.activations = []
        self.handles = [
            target_layer.register_forward_hook(self.save_activation),
            target_layer.register_forward_hook(self.save_gradient),
        ]

    def save_activation(self, module, input, output):
        self.activations.append(output.cpu().detach())

    def save_gradient(self, module, input, output):
        def _store_grad(grad):
            self.gradients = [grad.cpu().detach()] + self.gradients

        output.register_hook(_store_grad)

    def __call__(self, x):
        self.gradients = []
        self.activations = []
        return self.model(x)

    def release(self):
        for handle in self.handles:
            handle.remove()


x = torch.randn(1, 1, 8, 8)
wrapper = ActivationsAndGradients(model, target_layer)
out = wrapper(x)
print(out)
category = out.argmax(1).item()
model.zero_grad()
out[:, category].sum().backward(retain_graph=True)
acts, grads = wrapper.activations[0], wrapper.gradients[0]
print(acts.shape, grads.shape)
weights = grads.mean(dim=(2, 3), keepdim=True)
print(weights.flatten())
cam = F.relu((weights * acts).sum(dim=1, keepdim=True))
cam = F.interpolate(cam, size=(8, 8), mode="bilinear", align_corners=False)
cam = cam - cam.min()
cam = cam / (cam.max() + 1e-7)
print(cam[0, 0])
wrapper.release()

feats = {}
h = target_layer.register_forward_hook(lambda m, i, o: feats.__setitem__("a", o))
score = model(x)[0, category]
(g,) = torch.autograd.grad(score, feats["a"])
h.remove()
print(torch.allclose(g, grads), torch.allclose(feats["a"].detach(), acts))
grads_b = []
hb = target_layer.register_full_backward_hook(lambda m, gi, go: grads_b.append(go[0]))
model(x)[0, category].backward()
hb.remove()
print(torch.allclose(grads_b[0], grads), model[0].weight.grad.abs().sum())
