"""NeRF's positional encoding, volume rendering and hierarchical sampling after
yenchenlin/nerf-pytorch (run_nerf_helpers.py, run_nerf.py): the Embedder building sin/cos
functions of 2.**torch.linspace(0., max_freq, steps=N_freqs) with functools-free lambdas,
the NeRF MLP with a skip concatenation and torch.split of the input, get_rays from
torch.meshgrid (indexing 'ij' then .t()), raw2outputs (distances with torch.cat of a 1e10
column, norms of ray directions, alpha = 1 - exp(-relu(sigma) * dists), the transmittance by
torch.cumprod over a ones column, weights, depth/acc/disp maps), sample_pdf (cumsum, searchsorted
right=True, clamp, torch.stack, gather on expanded shapes, torch.where), and one Adam step on a
photometric MSE with mse2psnr.

Source: https://github.com/yenchenlin/nerf-pytorch (run_nerf_helpers.py, run_nerf.py; MIT).
Written for jitgrad's corpus after their structure, not copied. Changes: a 4x4 image, 8 coarse
and 8 fine samples per ray, W=32 and D=4, deterministic (det=True) sampling, no view dirs.
"""
# ruff: noqa: E501, UP008, UP031, UP032, UP035, UP006, UP018, UP039, B006, B007, E721, E731, F401, F841  (the original's style, kept)

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

img2mse = lambda x, y: torch.mean((x - y) ** 2)
mse2psnr = lambda x: -10. * torch.log(x) / torch.log(torch.Tensor([10.]))
to8b = lambda x: (255 * np.clip(x, 0, 1)).astype(np.uint8)


class Embedder:
    def __init__(self, **kwargs):
        self.kwargs = kwargs
        self.create_embedding_fn()

    def create_embedding_fn(self):
        embed_fns = []
        d = self.kwargs['input_dims']
        out_dim = 0
        if self.kwargs['include_input']:
            embed_fns.append(lambda x: x)
            out_dim += d

        max_freq = self.kwargs['max_freq_log2']
        N_freqs = self.kwargs['num_freqs']

        if self.kwargs['log_sampling']:
            freq_bands = 2. ** torch.linspace(0., max_freq, steps=N_freqs)
        else:
            freq_bands = torch.linspace(2. ** 0., 2. ** max_freq, steps=N_freqs)

        for freq in freq_bands:
            for p_fn in self.kwargs['periodic_fns']:
                embed_fns.append(lambda x, p_fn=p_fn, freq=freq: p_fn(x * freq))
                out_dim += d

        self.embed_fns = embed_fns
        self.out_dim = out_dim

    def embed(self, inputs):
        return torch.cat([fn(inputs) for fn in self.embed_fns], -1)


def get_embedder(multires):
    embed_kwargs = {
        'include_input': True,
        'input_dims': 3,
        'max_freq_log2': multires - 1,
        'num_freqs': multires,
        'log_sampling': True,
        'periodic_fns': [torch.sin, torch.cos],
    }
    embedder_obj = Embedder(**embed_kwargs)
    embed = lambda x, eo=embedder_obj: eo.embed(x)
    return embed, embedder_obj.out_dim


class NeRF(nn.Module):
    def __init__(self, D=8, W=256, input_ch=3, output_ch=4, skips=[4]):
        super(NeRF, self).__init__()
        self.D = D
        self.W = W
        self.input_ch = input_ch
        self.skips = skips
        self.pts_linears = nn.ModuleList(
            [nn.Linear(input_ch, W)] + [nn.Linear(W, W) if i not in self.skips else nn.Linear(W + input_ch, W) for i in range(D - 1)])
        self.output_linear = nn.Linear(W, output_ch)

    def forward(self, x):
        input_pts, input_views = torch.split(x, [self.input_ch, 0], dim=-1)
        h = input_pts
        for i, l in enumerate(self.pts_linears):
            h = self.pts_linears[i](h)
            h = F.relu(h)
            if i in self.skips:
                h = torch.cat([input_pts, h], -1)
        outputs = self.output_linear(h)
        return outputs


def get_rays(H, W, K, c2w):
    i, j = torch.meshgrid(torch.linspace(0, W - 1, W), torch.linspace(0, H - 1, H), indexing='ij')
    i = i.t()
    j = j.t()
    dirs = torch.stack([(i - K[0][2]) / K[0][0], -(j - K[1][2]) / K[1][1], -torch.ones_like(i)], -1)
    rays_d = torch.sum(dirs[..., np.newaxis, :] * c2w[:3, :3], -1)
    rays_o = c2w[:3, -1].expand(rays_d.shape)
    return rays_o, rays_d


def raw2outputs(raw, z_vals, rays_d):
    raw2alpha = lambda raw, dists, act_fn=F.relu: 1. - torch.exp(-act_fn(raw) * dists)

    dists = z_vals[..., 1:] - z_vals[..., :-1]
    dists = torch.cat([dists, torch.Tensor([1e10]).expand(dists[..., :1].shape)], -1)  # [N_rays, N_samples]

    dists = dists * torch.norm(rays_d[..., None, :], dim=-1)

    rgb = torch.sigmoid(raw[..., :3])  # [N_rays, N_samples, 3]
    alpha = raw2alpha(raw[..., 3], dists)  # [N_rays, N_samples]
    weights = alpha * torch.cumprod(torch.cat([torch.ones((alpha.shape[0], 1)), 1. - alpha + 1e-10], -1), -1)[:, :-1]
    rgb_map = torch.sum(weights[..., None] * rgb, -2)  # [N_rays, 3]

    depth_map = torch.sum(weights * z_vals, -1)
    disp_map = 1. / torch.max(1e-10 * torch.ones_like(depth_map), depth_map / torch.sum(weights, -1))
    acc_map = torch.sum(weights, -1)
    return rgb_map, disp_map, acc_map, weights, depth_map


def sample_pdf(bins, weights, N_samples, det=False):
    weights = weights + 1e-5  # prevent nans
    pdf = weights / torch.sum(weights, -1, keepdim=True)
    cdf = torch.cumsum(pdf, -1)
    cdf = torch.cat([torch.zeros_like(cdf[..., :1]), cdf], -1)  # (batch, len(bins))

    if det:
        u = torch.linspace(0., 1., steps=N_samples)
        u = u.expand(list(cdf.shape[:-1]) + [N_samples])
    else:
        u = torch.rand(list(cdf.shape[:-1]) + [N_samples])

    u = u.contiguous()
    inds = torch.searchsorted(cdf, u, right=True)
    below = torch.max(torch.zeros_like(inds - 1), inds - 1)
    above = torch.min((cdf.shape[-1] - 1) * torch.ones_like(inds), inds)
    inds_g = torch.stack([below, above], -1)  # (batch, N_samples, 2)

    matched_shape = [inds_g.shape[0], inds_g.shape[1], cdf.shape[-1]]
    cdf_g = torch.gather(cdf.unsqueeze(1).expand(matched_shape), 2, inds_g)
    bins_g = torch.gather(bins.unsqueeze(1).expand(matched_shape), 2, inds_g)

    denom = (cdf_g[..., 1] - cdf_g[..., 0])
    denom = torch.where(denom < 1e-5, torch.ones_like(denom), denom)
    t = (u - cdf_g[..., 0]) / denom
    samples = bins_g[..., 0] + t * (bins_g[..., 1] - bins_g[..., 0])

    return samples


torch.manual_seed(0)
embed_fn, input_ch = get_embedder(4)
print(input_ch, embed_fn(torch.tensor([[0.5, -0.25, 1.0]]))[0, :9])
H, W, focal = 4, 4, 5.0
K = np.array([[focal, 0, 0.5 * W], [0, focal, 0.5 * H], [0, 0, 1]])
c2w = torch.eye(4)[:3]
c2w[2, 3] = 4.0
rays_o, rays_d = get_rays(H, W, K, c2w)
print(rays_o.shape, rays_d[0, :2])
rays_o, rays_d = rays_o.reshape(-1, 3), rays_d.reshape(-1, 3)
near, far, N_samples = 2., 6., 8
t_vals = torch.linspace(0., 1., steps=N_samples)
z_vals = near * (1. - t_vals) + far * (t_vals)
z_vals = z_vals.expand([rays_o.shape[0], N_samples])
pts = rays_o[..., None, :] + rays_d[..., None, :] * z_vals[..., :, None]
print(pts.shape)

model = NeRF(D=4, W=32, input_ch=input_ch, skips=[2])
model_fine = NeRF(D=4, W=32, input_ch=input_ch, skips=[2])
grad_vars = list(model.parameters()) + list(model_fine.parameters())
optimizer = torch.optim.Adam(params=grad_vars, lr=5e-3, betas=(0.9, 0.999))
target = torch.rand(H * W, 3)


def run(network, pts):
    flat = torch.reshape(pts, [-1, pts.shape[-1]])
    raw = network(embed_fn(flat))
    return torch.reshape(raw, list(pts.shape[:-1]) + [raw.shape[-1]])


for it in range(3):
    raw = run(model, pts)
    rgb_map, disp_map, acc_map, weights, depth_map = raw2outputs(raw, z_vals, rays_d)
    z_vals_mid = .5 * (z_vals[..., 1:] + z_vals[..., :-1])
    z_samples = sample_pdf(z_vals_mid, weights[..., 1:-1], 8, det=True)
    z_samples = z_samples.detach()
    z_vals_f, _ = torch.sort(torch.cat([z_vals, z_samples], -1), -1)
    pts_f = rays_o[..., None, :] + rays_d[..., None, :] * z_vals_f[..., :, None]
    rgb_f, disp_f, acc_f, _, _ = raw2outputs(run(model_fine, pts_f), z_vals_f, rays_d)
    optimizer.zero_grad()
    img_loss = img2mse(rgb_f, target)
    loss = img_loss + img2mse(rgb_map, target)
    psnr = mse2psnr(img_loss)
    loss.backward()
    optimizer.step()
    print(f"[TRAIN] Iter: {it} Loss: {loss.item()}  PSNR: {psnr.item()}")
print(z_samples[0])
print(acc_map[:4], disp_f[:4])
print(to8b(rgb_f.detach().numpy())[:2])
