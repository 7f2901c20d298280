"""Bounding-box utilities in the style of ultralytics' YOLOv5 (utils/general.py and
utils/metrics.py): xywh2xyxy / xyxy2xywh on tensors (x.clone(), column assignment),
box_iou with (torch.min(a2, b2) - torch.max(a1, b1)).clamp(0).prod(2) over [:, None]
broadcasting and unsqueeze(1).chunk(2, 2), bbox_iou with GIoU / DIoU / CIoU (torch.atan,
torch.no_grad() for alpha, eps), a greedy non-max suppression written with argsort /
boolean masks, and the CIoU box loss back-propagated to predicted boxes.

Source: https://github.com/ultralytics/yolov5 (utils/general.py, utils/metrics.py; AGPL-3.0).
Written for jitgrad's corpus after those files' structure, not copied. Changes: torchvision's
nms is replaced by a small greedy NMS in torch ops (the original calls
torchvision.ops.nms); boxes are random; 4 gradient steps on predicted boxes.
"""

import math

import torch


def xywh2xyxy(x):
    y = x.clone()
    y[..., 0] = x[..., 0] - x[..., 2] / 2
    y[..., 1] = x[..., 1] - x[..., 3] / 2
    y[..., 2] = x[..., 0] + x[..., 2] / 2
    y[..., 3] = x[..., 1] + x[..., 3] / 2
    return y


def xyxy2xywh(x):
    y = x.clone()
    y[..., 0] = (x[..., 0] + x[..., 2]) / 2
    y[..., 1] = (x[..., 1] + x[..., 3]) / 2
    y[..., 2] = x[..., 2] - x[..., 0]
    y[..., 3] = x[..., 3] - x[..., 1]
    return y


def box_iou(box1, box2, eps=1e-7):
    (a1, a2), (b1, b2) = box1.unsqueeze(1).chunk(2, 2), box2.unsqueeze(0).chunk(2, 2)
    inter = (torch.min(a2, b2) - torch.max(a1, b1)).clamp(0).prod(2)
    return inter / ((a2 - a1).prod(2) + (b2 - b1).prod(2) - inter + eps)


def bbox_iou(box1, box2, xywh=True, GIoU=False, DIoU=False, CIoU=False, eps=1e-7):
    if xywh:
        (x1, y1, w1, h1), (x2, y2, w2, h2) = box1.chunk(4, -1), box2.chunk(4, -1)
        w1_, h1_, w2_, h2_ = w1 / 2, h1 / 2, w2 / 2, h2 / 2
        b1_x1, b1_x2, b1_y1, b1_y2 = x1 - w1_, x1 + w1_, y1 - h1_, y1 + h1_
        b2_x1, b2_x2, b2_y1, b2_y2 = x2 - w2_, x2 + w2_, y2 - h2_, y2 + h2_
    else:
        b1_x1, b1_y1, b1_x2, b1_y2 = box1.chunk(4, -1)
        b2_x1, b2_y1, b2_x2, b2_y2 = box2.chunk(4, -1)
        w1, h1 = b1_x2 - b1_x1, (b1_y2 - b1_y1).clamp(eps)
        w2, h2 = b2_x2 - b2_x1, (b2_y2 - b2_y1).clamp(eps)
    inter = (b1_x2.minimum(b2_x2) - b1_x1.maximum(b2_x1)).clamp(0) * \
            (b1_y2.minimum(b2_y2) - b1_y1.maximum(b2_y1)).clamp(0)
    union = w1 * h1 + w2 * h2 - inter + eps
    iou = inter / union
    if CIoU or DIoU or GIoU:
        cw = b1_x2.maximum(b2_x2) - b1_x1.minimum(b2_x1)
        ch = b1_y2.maximum(b2_y2) - b1_y1.minimum(b2_y1)
        if CIoU or DIoU:
            c2 = cw ** 2 + ch ** 2 + eps
            rho2 = ((b2_x1 + b2_x2 - b1_x1 - b1_x2) ** 2 + (b2_y1 + b2_y2 - b1_y1 - b1_y2) ** 2) / 4
            if CIoU:
                v = (4 / math.pi ** 2) * (torch.atan(w2 / h2) - torch.atan(w1 / h1)).pow(2)
                with torch.no_grad():
                    alpha = v / (v - iou + (1 + eps))
                return iou - (rho2 / c2 + v * alpha)
            return iou - rho2 / c2
        c_area = cw * ch + eps
        return iou - (c_area - union) / c_area
    return iou


def greedy_nms(boxes, scores, iou_thres):
    order = scores.argsort(descending=True)
    keep = []
    while order.numel() > 0:
        i = order[0]
        keep.append(i.item())
        if order.numel() == 1:
            break
        ious = box_iou(boxes[i].unsqueeze(0), boxes[order[1:]])[0]
        order = order[1:][ious <= iou_thres]
    return torch.tensor(keep, dtype=torch.long)


torch.manual_seed(0)
xywh = torch.cat([torch.rand(8, 2) * 10, torch.rand(8, 2) * 4 + 1], dim=1)
xyxy = xywh2xyxy(xywh)
print(xyxy[:2])
print(torch.allclose(xyxy2xywh(xyxy), xywh, atol=1e-6))
ious = box_iou(xyxy[:3], xyxy)
print(ious.shape, ious[0])
for kw in ({}, {"GIoU": True}, {"DIoU": True}, {"CIoU": True}):
    print(kw, bbox_iou(xywh[:4], xywh[4:], **kw).squeeze(-1))
print(bbox_iou(xyxy[:2], xyxy[2:4], xywh=False, CIoU=True).squeeze(-1))
scores = torch.rand(8)
print(greedy_nms(xyxy, scores, 0.1), greedy_nms(xyxy, scores, 0.6))
pred = (xywh[4:] + torch.randn(4, 4) * 0.5).requires_grad_(True)
target = xywh[:4]
opt = torch.optim.SGD([pred], lr=0.5)
for step in range(4):
    iou = bbox_iou(pred, target, CIoU=True).squeeze()
    lbox = (1.0 - iou).mean()
    opt.zero_grad()
    lbox.backward()
    opt.step()
    print(step, round(lbox.item(), 5), pred.grad.abs().sum().item() > 0)
