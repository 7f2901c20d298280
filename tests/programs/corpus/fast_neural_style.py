"""Fast neural style transfer, after pytorch/examples' fast_neural_style: the TransformerNet
(ConvLayer = ReflectionPad2d + Conv2d, InstanceNorm2d(affine=True), ResidualBlocks,
UpsampleConvLayer with F.interpolate(mode='nearest')), utils.gram_matrix and
utils.normalize_batch (new_tensor, in-place div_), and the training step: content loss on one
feature map, style loss on gram matrices with the style batch repeated, Adam.

Model and training loop: https://github.com/pytorch/examples/tree/main/fast_neural_style
(neural_style/transformer_net.py, utils.py, neural_style.py; BSD-3-Clause). Written for
jitgrad's corpus, not copied. Changes: channel widths 32/64/128 are 4/8/8 and two residual
blocks instead of five; the pretrained VGG16 feature extractor (a download) is replaced by a
small fixed random Conv2d/ReLU stack returning two feature maps; the COCO images are 2
synthetic 3x16x16 images with values in [0, 255]; 3 steps.
"""
# ruff: noqa: UP008, UP032  (the original's style, kept)

from collections import namedtuple

import torch
from torch.optim import Adam


class TransformerNet(torch.nn.Module):
    def __init__(self):
        super(TransformerNet, self).__init__()
        # Initial convolution layers
        self.conv1 = ConvLayer(3, 4, kernel_size=9, stride=1)
        self.in1 = torch.nn.InstanceNorm2d(4, affine=True)
        self.conv2 = ConvLayer(4, 8, kernel_size=3, stride=2)
        self.in2 = torch.nn.InstanceNorm2d(8, affine=True)
        self.conv3 = ConvLayer(8, 8, kernel_size=3, stride=2)
        self.in3 = torch.nn.InstanceNorm2d(8, affine=True)
        # Residual layers
        self.res1 = ResidualBlock(8)
        self.res2 = ResidualBlock(8)
        # Upsampling Layers
        self.deconv1 = UpsampleConvLayer(8, 8, kernel_size=3, stride=1, upsample=2)
        self.in4 = torch.nn.InstanceNorm2d(8, affine=True)
        self.deconv2 = UpsampleConvLayer(8, 4, kernel_size=3, stride=1, upsample=2)
        self.in5 = torch.nn.InstanceNorm2d(4, affine=True)
        self.deconv3 = ConvLayer(4, 3, kernel_size=9, stride=1)
        # Non-linearities
        self.relu = torch.nn.ReLU()

    def forward(self, X):
        y = self.relu(self.in1(self.conv1(X)))
        y = self.relu(self.in2(self.conv2(y)))
        y = self.relu(self.in3(self.conv3(y)))
        y = self.res1(y)
        y = self.res2(y)
        y = self.relu(self.in4(self.deconv1(y)))
        y = self.relu(self.in5(self.deconv2(y)))
        y = self.deconv3(y)
        return y


class ConvLayer(torch.nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size, stride):
        super(ConvLayer, self).__init__()
        reflection_padding = kernel_size // 2
        self.reflection_pad = torch.nn.ReflectionPad2d(reflection_padding)
        self.conv2d = torch.nn.Conv2d(in_channels, out_channels, kernel_size, stride)

    def forward(self, x):
        out = self.reflection_pad(x)
        out = self.conv2d(out)
        return out


class ResidualBlock(torch.nn.Module):
    def __init__(self, channels):
        super(ResidualBlock, self).__init__()
        self.conv1 = ConvLayer(channels, channels, kernel_size=3, stride=1)
        self.in1 = torch.nn.InstanceNorm2d(channels, affine=True)
        self.conv2 = ConvLayer(channels, channels, kernel_size=3, stride=1)
        self.in2 = torch.nn.InstanceNorm2d(channels, affine=True)
        self.relu = torch.nn.ReLU()

    def forward(self, x):
        residual = x
        out = self.relu(self.in1(self.conv1(x)))
        out = self.in2(self.conv2(out))
        out = out + residual
        return out


class UpsampleConvLayer(torch.nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size, stride, upsample=None):
        super(UpsampleConvLayer, self).__init__()
        self.upsample = upsample
        reflection_padding = kernel_size // 2
        self.reflection_pad = torch.nn.ReflectionPad2d(reflection_padding)
        self.conv2d = torch.nn.Conv2d(in_channels, out_channels, kernel_size, stride)

    def forward(self, x):
        x_in = x
        if self.upsample:
            x_in = torch.nn.functional.interpolate(x_in, mode="nearest", scale_factor=self.upsample)
        out = self.reflection_pad(x_in)
        out = self.conv2d(out)
        return out


class SmallFeatures(torch.nn.Module):
    """Stands in for the tutorial's frozen Vgg16 (two named feature maps)."""

    def __init__(self):
        super().__init__()
        self.slice1 = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3, padding=1), torch.nn.ReLU())
        self.slice2 = torch.nn.Sequential(
            torch.nn.MaxPool2d(2), torch.nn.Conv2d(4, 6, 3, padding=1), torch.nn.ReLU()
        )
        for param in self.parameters():
            param.requires_grad = False

    def forward(self, X):
        h_relu1_2 = self.slice1(X)
        h_relu2_2 = self.slice2(h_relu1_2)
        vgg_outputs = namedtuple("VggOutputs", ["relu1_2", "relu2_2"])
        return vgg_outputs(h_relu1_2, h_relu2_2)


def gram_matrix(y):
    (b, ch, h, w) = y.size()
    features = y.view(b, ch, w * h)
    features_t = features.transpose(1, 2)
    gram = features.bmm(features_t) / (ch * h * w)
    return gram


def normalize_batch(batch):
    # normalize using imagenet mean and std
    mean = batch.new_tensor([0.485, 0.456, 0.406]).view(-1, 1, 1)
    std = batch.new_tensor([0.229, 0.224, 0.225]).view(-1, 1, 1)
    batch = batch.div_(255.0)
    return (batch - mean) / std


torch.manual_seed(42)
transformer = TransformerNet()
vgg = SmallFeatures()
optimizer = Adam(transformer.parameters(), 1e-3)
mse_loss = torch.nn.MSELoss()
print(sum(p.numel() for p in transformer.parameters()), "parameters")

style = torch.rand(1, 3, 16, 16) * 255
style = style.repeat(2, 1, 1, 1)
features_style = vgg(normalize_batch(style))
gram_style = [gram_matrix(y) for y in features_style]
print("gram_style", [tuple(g.shape) for g in gram_style], gram_style[0][0, 0, :3])

content_weight, style_weight = 1e5, 1e10
images = torch.rand(2, 3, 16, 16) * 255
for step in range(3):
    x = images.clone()
    n_batch = len(x)
    optimizer.zero_grad()

    y = transformer(x)

    y = normalize_batch(y)
    x = normalize_batch(x)

    features_y = vgg(y)
    features_x = vgg(x)

    content_loss = content_weight * mse_loss(features_y.relu2_2, features_x.relu2_2)

    style_loss = 0.0
    for ft_y, gm_s in zip(features_y, gram_style):
        gm_y = gram_matrix(ft_y)
        style_loss += mse_loss(gm_y, gm_s[:n_batch, :, :])
    style_loss *= style_weight

    total_loss = content_loss + style_loss
    total_loss.backward()
    optimizer.step()
    print(
        "step {}\tcontent: {:.4f}\tstyle: {:.4f}\ttotal: {:.4f}".format(
            step + 1, content_loss.item(), style_loss.item(), total_loss.item()
        )
    )

transformer.eval()
with torch.no_grad():
    output = transformer(images[:1]).clamp(0, 255)
print(output.shape, output.mean().item() > 0)
print(y.grad_fn, content_loss.grad_fn, style_loss.grad_fn)
