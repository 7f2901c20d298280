"""DETR's box utilities and sine position embedding after facebookresearch/detr
(util/box_ops.py, models/position_encoding.py, models/detr.py MLP and SetCriterion pieces):
box_cxcywh_to_xyxy / box_xyxy_to_cxcywh with x.unbind(-1) and torch.stack(b, dim=-1), box_area,
box_iou and generalized_box_iou with [:, None, :2] broadcasting, clamp(min=0) and the
degenerate-box asserts; PositionEmbeddingSine (not_mask.cumsum(1, dtype=torch.float32),
normalisation by the last row / column with eps and 2 * pi, dim_t = temperature ** (2 *
(dim_t // 2) / num_pos_feats), torch.stack((pos_x[:, :, :, 0::2].sin(), pos_x[:, :, :,
1::2].cos()), dim=4).flatten(3), torch.cat(...).permute(0, 3, 1, 2)); the bbox MLP built with
zip of [input_dim] + h and h + [output_dim]; the L1 and GIoU box losses on matched pairs with
torch.diag and loss_bbox.sum() / num_boxes; _get_src_permutation_idx with torch.full_like and
torch.cat.

Source: https://github.com/facebookresearch/detr (Apache-2.0; written for jitgrad's corpus after
its structure, not copied). Changes: a fixed matching instead of the Hungarian matcher (scipy),
hand-picked boxes, an 4x5 feature mask, 8 position features.
"""
# ruff: noqa: E501, UP004, UP006, UP007, UP008, UP031, UP032, UP035, UP045, E701, E731, B006, B007, F401, F841  (the original's style, kept)

import math

import torch
import torch.nn.functional as F
from torch import nn


def box_cxcywh_to_xyxy(x):
    x_c, y_c, w, h = x.unbind(-1)
    b = [(x_c - 0.5 * w), (y_c - 0.5 * h),
         (x_c + 0.5 * w), (y_c + 0.5 * h)]
    return torch.stack(b, dim=-1)


def box_xyxy_to_cxcywh(x):
    x0, y0, x1, y1 = x.unbind(-1)
    b = [(x0 + x1) / 2, (y0 + y1) / 2,
         (x1 - x0), (y1 - y0)]
    return torch.stack(b, dim=-1)


def box_area(boxes):
    return (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])


def box_iou(boxes1, boxes2):
    area1 = box_area(boxes1)
    area2 = box_area(boxes2)
    lt = torch.max(boxes1[:, None, :2], boxes2[:, :2])  # [N,M,2]
    rb = torch.min(boxes1[:, None, 2:], boxes2[:, 2:])  # [N,M,2]
    wh = (rb - lt).clamp(min=0)  # [N,M,2]
    inter = wh[:, :, 0] * wh[:, :, 1]  # [N,M]
    union = area1[:, None] + area2 - inter
    iou = inter / union
    return iou, union


def generalized_box_iou(boxes1, boxes2):
    # degenerate boxes gives inf / nan results
    # so do an early check
    assert (boxes1[:, 2:] >= boxes1[:, :2]).all()
    assert (boxes2[:, 2:] >= boxes2[:, :2]).all()
    iou, union = box_iou(boxes1, boxes2)
    lt = torch.min(boxes1[:, None, :2], boxes2[:, :2])
    rb = torch.max(boxes1[:, None, 2:], boxes2[:, 2:])
    wh = (rb - lt).clamp(min=0)  # [N,M,2]
    area = wh[:, :, 0] * wh[:, :, 1]
    return iou - (area - union) / area


class PositionEmbeddingSine(nn.Module):
    def __init__(self, num_pos_feats=64, temperature=10000, normalize=False, scale=None):
        super().__init__()
        self.num_pos_feats = num_pos_feats
        self.temperature = temperature
        self.normalize = normalize
        if scale is not None and normalize is False:
            raise ValueError("normalize should be True if scale is passed")
        if scale is None:
            scale = 2 * math.pi
        self.scale = scale

    def forward(self, x, mask):
        assert mask is not None
        not_mask = ~mask
        y_embed = not_mask.cumsum(1, dtype=torch.float32)
        x_embed = not_mask.cumsum(2, dtype=torch.float32)
        if self.normalize:
            eps = 1e-6
            y_embed = y_embed / (y_embed[:, -1:, :] + eps) * self.scale
            x_embed = x_embed / (x_embed[:, :, -1:] + eps) * self.scale
        dim_t = torch.arange(self.num_pos_feats, dtype=torch.float32, device=x.device)
        dim_t = self.temperature ** (2 * (dim_t // 2) / self.num_pos_feats)
        pos_x = x_embed[:, :, :, None] / dim_t
        pos_y = y_embed[:, :, :, None] / dim_t
        pos_x = torch.stack((pos_x[:, :, :, 0::2].sin(), pos_x[:, :, :, 1::2].cos()), dim=4).flatten(3)
        pos_y = torch.stack((pos_y[:, :, :, 0::2].sin(), pos_y[:, :, :, 1::2].cos()), dim=4).flatten(3)
        pos = torch.cat((pos_y, pos_x), dim=3).permute(0, 3, 1, 2)
        return pos


class MLP(nn.Module):
    """ Very simple multi-layer perceptron (also called FFN)"""

    def __init__(self, input_dim, hidden_dim, output_dim, num_layers):
        super().__init__()
        self.num_layers = num_layers
        h = [hidden_dim] * (num_layers - 1)
        self.layers = nn.ModuleList(nn.Linear(n, k) for n, k in zip([input_dim] + h, h + [output_dim]))

    def forward(self, x):
        for i, layer in enumerate(self.layers):
            x = F.relu(layer(x)) if i < self.num_layers - 1 else layer(x)
        return x


def _get_src_permutation_idx(indices):
    # permute predictions following indices
    batch_idx = torch.cat([torch.full_like(src, i) for i, (src, _) in enumerate(indices)])
    src_idx = torch.cat([src for (src, _) in indices])
    return batch_idx, src_idx


boxes = torch.tensor([[0.5, 0.5, 0.4, 0.2], [0.3, 0.6, 0.2, 0.4], [0.7, 0.2, 0.3, 0.3]])
xyxy = box_cxcywh_to_xyxy(boxes)
print(xyxy, torch.allclose(box_xyxy_to_cxcywh(xyxy), boxes))
print(box_iou(xyxy, xyxy[[1, 0]])[0], generalized_box_iou(xyxy, xyxy[[2, 0]]))
try:
    generalized_box_iou(xyxy[:, [2, 3, 0, 1]], xyxy)
except AssertionError:
    print("degenerate boxes refused")
mask = torch.zeros(2, 4, 5, dtype=torch.bool)
mask[1, 3:, :] = True
mask[1, :, 4:] = True
pe = PositionEmbeddingSine(4, normalize=True)
pos = pe(torch.zeros(2, 3, 4, 5), mask)
print(pos.shape, pos[1, :, 0, 0].round(decimals=4), pos[0, :, 3, 4].round(decimals=4))
print((~mask).cumsum(1, dtype=torch.float32)[1], (~mask).cumsum(2).dtype)
try:
    PositionEmbeddingSine(4, scale=2.0)
except ValueError as e:
    print(e)
torch.manual_seed(0)
bbox_embed = MLP(8, 8, 4, 3)
print(bbox_embed)
hs = torch.randn(2, 5, 8)
opt = torch.optim.AdamW(bbox_embed.parameters(), lr=1e-3, weight_decay=1e-4)
indices = [(torch.tensor([4, 1]), torch.tensor([0, 1])), (torch.tensor([2]), torch.tensor([0]))]
targets = [{"boxes": boxes[:2]}, {"boxes": boxes[2:]}]
print(_get_src_permutation_idx(indices))
for step in range(2):
    outputs = bbox_embed(hs).sigmoid()
    idx = _get_src_permutation_idx(indices)
    src_boxes = outputs[idx]
    target_boxes = torch.cat([t['boxes'][i] for t, (_, i) in zip(targets, indices)], dim=0)
    num_boxes = 3
    loss_bbox = F.l1_loss(src_boxes, target_boxes, reduction='none')
    loss_giou = 1 - torch.diag(generalized_box_iou(box_cxcywh_to_xyxy(src_boxes), box_cxcywh_to_xyxy(target_boxes)))
    loss = loss_bbox.sum() / num_boxes * 5 + loss_giou.sum() / num_boxes * 2
    opt.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(bbox_embed.parameters(), 0.1)
    opt.step()
    print(step, round(loss.item(), 5), loss_giou)
