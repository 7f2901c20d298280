"""SimpleViT ("Better plain ViT baselines for ImageNet-1k"): a fixed 2-d sin-cos position
embedding (posemb_sincos_2d: meshgrid with indexing="ij", omega = 1 / 10000^(i / (dim/4 - 1)),
sin/cos of x and y concatenated), pre-norm attention and MLP blocks without dropout or a class
token, mean pooling over patches and a linear head; shapes, the embedding's values, and three
Adam steps.

Model: https://github.com/lucidrains/vit-pytorch (vit_pytorch/simple_vit.py, MIT) after Beyer
et al. 2022. Written for jitgrad's corpus, not copied. Changes: einops written as
reshape/permute; 1x8x8 images, patch 4, dim 16, two heads of 8.
"""

import torch
from torch import nn

torch.manual_seed(0)


def posemb_sincos_2d(h, w, dim, temperature: int = 10000, dtype=torch.float32):
    y, x = torch.meshgrid(torch.arange(h), torch.arange(w), indexing="ij")
    assert (dim % 4) == 0, "feature dimension must be multiple of 4 for sincos emb"
    omega = torch.arange(dim // 4) / (dim // 4 - 1)
    omega = 1.0 / (temperature**omega)
    y = y.flatten()[:, None] * omega[None, :]
    x = x.flatten()[:, None] * omega[None, :]
    pe = torch.cat((x.sin(), x.cos(), y.sin(), y.cos()), dim=1)
    return pe.type(dtype)


class FeedForward(nn.Module):
    def __init__(self, dim, hidden_dim):
        super().__init__()
        self.net = nn.Sequential(
            nn.LayerNorm(dim), nn.Linear(dim, hidden_dim), nn.GELU(), nn.Linear(hidden_dim, dim)
        )

    def forward(self, x):
        return self.net(x)


class Attention(nn.Module):
    def __init__(self, dim, heads=8, dim_head=64):
        super().__init__()
        inner_dim = dim_head * heads
        self.heads = heads
        self.scale = dim_head**-0.5
        self.norm = nn.LayerNorm(dim)
        self.attend = nn.Softmax(dim=-1)
        self.to_qkv = nn.Linear(dim, inner_dim * 3, bias=False)
        self.to_out = nn.Linear(inner_dim, dim, bias=False)

    def forward(self, x):
        x = self.norm(x)
        b, n, _ = x.shape
        qkv = self.to_qkv(x).chunk(3, dim=-1)
        q, k, v = (t.reshape(b, n, self.heads, -1).transpose(1, 2) for t in qkv)
        dots = torch.matmul(q, k.transpose(-1, -2)) * self.scale
        attn = self.attend(dots)
        out = torch.matmul(attn, v)
        out = out.transpose(1, 2).reshape(b, n, -1)
        return self.to_out(out)


class Transformer(nn.Module):
    def __init__(self, dim, depth, heads, dim_head, mlp_dim):
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        self.layers = nn.ModuleList([])
        for _ in range(depth):
            self.layers.append(nn.ModuleList(
                [Attention(dim, heads=heads, dim_head=dim_head), FeedForward(dim, mlp_dim)]
            ))

    def forward(self, x):
        for attn, ff in self.layers:
            x = attn(x) + x
            x = ff(x) + x
        return self.norm(x)


class SimpleViT(nn.Module):
    def __init__(self, *, image_size, patch_size, num_classes, dim, depth, heads, mlp_dim,
                 channels=3, dim_head=64):
        super().__init__()
        self.p = patch_size
        patch_dim = channels * patch_size * patch_size
        self.to_patch_embedding = nn.Sequential(
            nn.LayerNorm(patch_dim), nn.Linear(patch_dim, dim), nn.LayerNorm(dim)
        )
        n = image_size // patch_size
        self.pos_embedding = posemb_sincos_2d(h=n, w=n, dim=dim)
        self.transformer = Transformer(dim, depth, heads, dim_head, mlp_dim)
        self.linear_head = nn.Linear(dim, num_classes)

    def forward(self, img):
        b, c, h, w = img.shape
        p = self.p
        x = img.reshape(b, c, h // p, p, w // p, p).permute(0, 2, 4, 3, 5, 1)
        x = self.to_patch_embedding(x.reshape(b, -1, p * p * c))
        x = x + self.pos_embedding.to(x.device, dtype=x.dtype)
        x = self.transformer(x)
        x = x.mean(dim=1)
        return self.linear_head(x)


print(posemb_sincos_2d(2, 2, 8))
v = SimpleViT(image_size=8, patch_size=4, num_classes=3, dim=16, depth=2, heads=2,
              mlp_dim=32, channels=1, dim_head=8)
img = torch.randn(2, 1, 8, 8)
preds = v(img)
print(preds.shape, preds)
opt = torch.optim.Adam(v.parameters(), lr=1e-3)
for step in range(3):
    loss = nn.functional.cross_entropy(v(img), torch.tensor([0, 2]))
    opt.zero_grad()
    loss.backward()
    opt.step()
    print(step, round(loss.item(), 5))
