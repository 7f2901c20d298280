"""A U-Net in the style of milesial's Pytorch-UNet (unet/unet_parts.py, unet/unet_model.py,
utils/dice_score.py): DoubleConv (conv-BN-ReLU(inplace=True) twice, bias=False), Down
(MaxPool2d then DoubleConv), Up with nn.Upsample(scale_factor=2, mode='bilinear',
align_corners=True) or ConvTranspose2d, F.pad of the upsampled map by diffX // 2 and
diffX - diffX // 2 before torch.cat([x2, x1], dim=1), OutConv; the Dice loss over
F.softmax(...).float() and F.one_hot(mask, n_classes).permute(0, 3, 1, 2).float() with
reduce_batch_first sums over (-1, -2) / (-1, -2, -3) and torch.where(sets_sum == 0, inter,
sets_sum); trained with RMSprop(momentum=0.999, foreach=True) and gradient clipping, then
argmax masks.

Source: https://github.com/milesial/Pytorch-UNet (GPL-3.0). Written for jitgrad's corpus after
those files' structure, not copied. Changes: base width 4 (not 64), two Down/Up levels (not
four), 3x11x13 inputs (odd sizes so that the padding is exercised), 3 classes from a
synthetic mask; 3 steps; no AMP GradScaler.
"""
# ruff: noqa: E501, UP008  (the original's style, kept)

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor


class DoubleConv(nn.Module):
    def __init__(self, in_channels, out_channels, mid_channels=None):
        super().__init__()
        if not mid_channels:
            mid_channels = out_channels
        self.double_conv = nn.Sequential(
            nn.Conv2d(in_channels, mid_channels, kernel_size=3, padding=1, bias=False),
            nn.BatchNorm2d(mid_channels),
            nn.ReLU(inplace=True),
            nn.Conv2d(mid_channels, out_channels, kernel_size=3, padding=1, bias=False),
            nn.BatchNorm2d(out_channels),
            nn.ReLU(inplace=True))

    def forward(self, x):
        return self.double_conv(x)


class Down(nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.maxpool_conv = nn.Sequential(nn.MaxPool2d(2), DoubleConv(in_channels, out_channels))

    def forward(self, x):
        return self.maxpool_conv(x)


class Up(nn.Module):
    def __init__(self, in_channels, out_channels, bilinear=True):
        super().__init__()
        if bilinear:
            self.up = nn.Upsample(scale_factor=2, mode='bilinear', align_corners=True)
            self.conv = DoubleConv(in_channels, out_channels, in_channels // 2)
        else:
            self.up = nn.ConvTranspose2d(in_channels, in_channels // 2, kernel_size=2, stride=2)
            self.conv = DoubleConv(in_channels, out_channels)

    def forward(self, x1, x2):
        x1 = self.up(x1)
        diffY = x2.size()[2] - x1.size()[2]
        diffX = x2.size()[3] - x1.size()[3]
        x1 = F.pad(x1, [diffX // 2, diffX - diffX // 2, diffY // 2, diffY - diffY // 2])
        x = torch.cat([x2, x1], dim=1)
        return self.conv(x)


class OutConv(nn.Module):
    def __init__(self, in_channels, out_channels):
        super(OutConv, self).__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size=1)

    def forward(self, x):
        return self.conv(x)


class UNet(nn.Module):
    def __init__(self, n_channels, n_classes, bilinear=False):
        super(UNet, self).__init__()
        self.n_channels = n_channels
        self.n_classes = n_classes
        self.bilinear = bilinear
        self.inc = DoubleConv(n_channels, 4)
        self.down1 = Down(4, 8)
        factor = 2 if bilinear else 1
        self.down2 = Down(8, 16 // factor)
        self.up1 = Up(16, 8 // factor, bilinear)
        self.up2 = Up(8, 4, bilinear)
        self.outc = OutConv(4, n_classes)

    def forward(self, x):
        x1 = self.inc(x)
        x2 = self.down1(x1)
        x3 = self.down2(x2)
        x = self.up1(x3, x2)
        x = self.up2(x, x1)
        return self.outc(x)


def dice_coeff(input: Tensor, target: Tensor, reduce_batch_first: bool = False, epsilon: float = 1e-6):
    assert input.size() == target.size()
    assert input.dim() == 3 or not reduce_batch_first
    sum_dim = (-1, -2) if input.dim() == 2 or not reduce_batch_first else (-1, -2, -3)
    inter = 2 * (input * target).sum(dim=sum_dim)
    sets_sum = input.sum(dim=sum_dim) + target.sum(dim=sum_dim)
    sets_sum = torch.where(sets_sum == 0, inter, sets_sum)
    dice = (inter + epsilon) / (sets_sum + epsilon)
    return dice.mean()


def multiclass_dice_coeff(input: Tensor, target: Tensor, reduce_batch_first: bool = False, epsilon: float = 1e-6):
    return dice_coeff(input.flatten(0, 1), target.flatten(0, 1), reduce_batch_first, epsilon)


def dice_loss(input: Tensor, target: Tensor, multiclass: bool = False):
    fn = multiclass_dice_coeff if multiclass else dice_coeff
    return 1 - fn(input, target, reduce_batch_first=True)


torch.manual_seed(0)
images = torch.randn(2, 3, 11, 13)
yy, xx = torch.meshgrid(torch.arange(11), torch.arange(13), indexing='ij')
true_masks = torch.stack([(xx > 6).long() + (yy > 5).long(), (xx + yy > 10).long() * 2])
print(true_masks.shape, true_masks.dtype, torch.bincount(true_masks.flatten()))
for bilinear in (False, True):
    model = UNet(n_channels=3, n_classes=3, bilinear=bilinear)
    print(bilinear, sum(p.numel() for p in model.parameters()), model.up1.up)
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3, weight_decay=1e-8, momentum=0.999, foreach=True)
    criterion = nn.CrossEntropyLoss() if model.n_classes > 1 else nn.BCEWithLogitsLoss()
    model.train()
    for step in range(3):
        masks_pred = model(images)
        loss = criterion(masks_pred, true_masks)
        loss += dice_loss(F.softmax(masks_pred, dim=1).float(),
                          F.one_hot(true_masks, model.n_classes).permute(0, 3, 1, 2).float(),
                          multiclass=True)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        print(step, round(loss.item(), 5))
    model.eval()
    with torch.no_grad():
        mask_pred = model(images)
        mask_pred = F.one_hot(mask_pred.argmax(dim=1), model.n_classes).permute(0, 3, 1, 2).float()
        mask_true = F.one_hot(true_masks, model.n_classes).permute(0, 3, 1, 2).float()
        print(round(multiclass_dice_coeff(mask_pred[:, 1:], mask_true[:, 1:], reduce_batch_first=False).item(), 5))
