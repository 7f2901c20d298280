"""Gaussian diffusion pieces in the style of lucidrains' denoising-diffusion-pytorch
(denoising_diffusion_pytorch.py): a cosine beta schedule computed in float64
(torch.linspace(..., dtype=torch.float64), torch.clip), alphas_cumprod with F.pad(...,
(1, 0), value=1.), buffers registered through a lambda that casts to float32, extract() as
a.gather(-1, t).reshape(b, *((1,) * (len(x_shape) - 1))), q_sample, min-SNR loss weights
(snr.clone().clamp_(max=5) / snr), a weight-standardised Conv2d (mean/var over (1, 2, 3)
with unbiased=False, (w - mean) * (var + eps).rsqrt()), an RMSNorm of F.normalize * g *
sqrt(dim), sinusoidal time embeddings, p_losses with F.mse_loss(reduction='none') reduced
per sample, and DDPM sampling steps with torch.full((b,), t, dtype=torch.long) and clamp_.

Source: https://github.com/lucidrains/denoising-diffusion-pytorch
(denoising_diffusion_pytorch/denoising_diffusion_pytorch.py; MIT licence). Written for
jitgrad's corpus after that file's structure, not copied. Changes: einops' rearrange/reduce
spelled with view/mean/var; the Unet is one ResNet-style block of weight-standardised convs
with a time MLP (width 8) on 1x8x8 images; 10 timesteps; 3 Adam steps; 2 samples.
"""
# ruff: noqa: E501, E731  (the original's style, kept)

import math

import torch
import torch.nn.functional as F
from torch import nn


def exists(x):
    return x is not None


def extract(a, t, x_shape):
    b, *_ = t.shape
    out = a.gather(-1, t)
    return out.reshape(b, *((1,) * (len(x_shape) - 1)))


def cosine_beta_schedule(timesteps, s=0.008):
    steps = timesteps + 1
    t = torch.linspace(0, timesteps, steps, dtype=torch.float64) / timesteps
    alphas_cumprod = torch.cos((t + s) / (1 + s) * math.pi * 0.5) ** 2
    alphas_cumprod = alphas_cumprod / alphas_cumprod[0]
    betas = 1 - (alphas_cumprod[1:] / alphas_cumprod[:-1])
    return torch.clip(betas, 0, 0.999)


class RMSNorm(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.scale = dim ** 0.5
        self.g = nn.Parameter(torch.ones(1, dim, 1, 1))

    def forward(self, x):
        return F.normalize(x, dim=1) * self.g * self.scale


class SinusoidalPosEmb(nn.Module):
    def __init__(self, dim, theta=10000):
        super().__init__()
        self.dim = dim
        self.theta = theta

    def forward(self, x):
        half_dim = self.dim // 2
        emb = math.log(self.theta) / (half_dim - 1)
        emb = torch.exp(torch.arange(half_dim, device=x.device) * -emb)
        emb = x[:, None] * emb[None, :]
        return torch.cat((emb.sin(), emb.cos()), dim=-1)


class WeightStandardizedConv2d(nn.Conv2d):
    def forward(self, x):
        eps = 1e-5 if x.dtype == torch.float32 else 1e-3
        weight = self.weight
        mean = weight.mean(dim=(1, 2, 3), keepdim=True)
        var = weight.var(dim=(1, 2, 3), keepdim=True, unbiased=False)
        normalized_weight = (weight - mean) * (var + eps).rsqrt()
        return F.conv2d(x, normalized_weight, self.bias, self.stride, self.padding,
                        self.dilation, self.groups)


class Block(nn.Module):
    def __init__(self, dim, dim_out, groups=2):
        super().__init__()
        self.proj = WeightStandardizedConv2d(dim, dim_out, 3, padding=1)
        self.norm = nn.GroupNorm(groups, dim_out)
        self.act = nn.SiLU()

    def forward(self, x, scale_shift=None):
        x = self.norm(self.proj(x))
        if exists(scale_shift):
            scale, shift = scale_shift
            x = x * (scale + 1) + shift
        return self.act(x)


class TinyUnet(nn.Module):
    def __init__(self, dim=8, channels=1):
        super().__init__()
        self.channels = channels
        self.time_mlp = nn.Sequential(SinusoidalPosEmb(dim), nn.Linear(dim, dim * 4), nn.GELU(),
                                      nn.Linear(dim * 4, dim * 2))
        self.init_conv = nn.Conv2d(channels, dim, 7, padding=3)
        self.block1 = Block(dim, dim)
        self.block2 = Block(dim, dim)
        self.norm = RMSNorm(dim)
        self.final_conv = nn.Conv2d(dim, channels, 1)

    def forward(self, x, time):
        t = self.time_mlp(time).view(x.shape[0], -1, 1, 1)
        scale_shift = t.chunk(2, dim=1)
        x = self.init_conv(x)
        h = self.block1(x, scale_shift=scale_shift)
        h = self.block2(h)
        return self.final_conv(self.norm(h + x))


class GaussianDiffusion(nn.Module):
    def __init__(self, model, image_size, timesteps=10, min_snr_gamma=5):
        super().__init__()
        self.model = model
        self.channels = model.channels
        self.image_size = image_size
        betas = cosine_beta_schedule(timesteps)
        alphas = 1. - betas
        alphas_cumprod = torch.cumprod(alphas, dim=0)
        alphas_cumprod_prev = F.pad(alphas_cumprod[:-1], (1, 0), value=1.)
        self.num_timesteps = int(betas.shape[0])
        register_buffer = lambda name, val: self.register_buffer(name, val.to(torch.float32))
        register_buffer('betas', betas)
        register_buffer('alphas_cumprod', alphas_cumprod)
        register_buffer('sqrt_alphas_cumprod', torch.sqrt(alphas_cumprod))
        register_buffer('sqrt_one_minus_alphas_cumprod', torch.sqrt(1. - alphas_cumprod))
        register_buffer('sqrt_recip_alphas_cumprod', torch.sqrt(1. / alphas_cumprod))
        register_buffer('sqrt_recipm1_alphas_cumprod', torch.sqrt(1. / alphas_cumprod - 1))
        posterior_variance = betas * (1. - alphas_cumprod_prev) / (1. - alphas_cumprod)
        register_buffer('posterior_variance', posterior_variance)
        register_buffer('posterior_log_variance_clipped', torch.log(posterior_variance.clamp(min=1e-20)))
        register_buffer('posterior_mean_coef1', betas * torch.sqrt(alphas_cumprod_prev) / (1. - alphas_cumprod))
        register_buffer('posterior_mean_coef2', (1. - alphas_cumprod_prev) * torch.sqrt(alphas) / (1. - alphas_cumprod))
        snr = alphas_cumprod / (1 - alphas_cumprod)
        maybe_clipped_snr = snr.clone()
        maybe_clipped_snr.clamp_(max=min_snr_gamma)
        register_buffer('loss_weight', maybe_clipped_snr / snr)

    def predict_start_from_noise(self, x_t, t, noise):
        return (extract(self.sqrt_recip_alphas_cumprod, t, x_t.shape) * x_t
                - extract(self.sqrt_recipm1_alphas_cumprod, t, x_t.shape) * noise)

    def q_posterior(self, x_start, x_t, t):
        posterior_mean = (extract(self.posterior_mean_coef1, t, x_t.shape) * x_start
                          + extract(self.posterior_mean_coef2, t, x_t.shape) * x_t)
        return (posterior_mean, extract(self.posterior_variance, t, x_t.shape),
                extract(self.posterior_log_variance_clipped, t, x_t.shape))

    @torch.inference_mode()
    def p_sample(self, x, t: int):
        b = x.shape[0]
        batched_times = torch.full((b,), t, dtype=torch.long)
        pred_noise = self.model(x, batched_times.float())
        x_start = self.predict_start_from_noise(x, batched_times, pred_noise)
        x_start.clamp_(-1., 1.)
        model_mean, _, model_log_variance = self.q_posterior(x_start, x, batched_times)
        noise = torch.randn_like(x) if t > 0 else 0.
        return model_mean + (0.5 * model_log_variance).exp() * noise

    @torch.inference_mode()
    def sample(self, batch_size=2):
        img = torch.randn((batch_size, self.channels, self.image_size, self.image_size))
        for t in reversed(range(0, self.num_timesteps)):
            img = self.p_sample(img, t)
        return img

    def q_sample(self, x_start, t, noise=None):
        noise = noise if exists(noise) else torch.randn_like(x_start)
        return (extract(self.sqrt_alphas_cumprod, t, x_start.shape) * x_start
                + extract(self.sqrt_one_minus_alphas_cumprod, t, x_start.shape) * noise)

    def p_losses(self, x_start, t):
        noise = torch.randn_like(x_start)
        x = self.q_sample(x_start=x_start, t=t, noise=noise)
        model_out = self.model(x, t.float())
        loss = F.mse_loss(model_out, noise, reduction='none')
        loss = loss.reshape(loss.shape[0], -1).mean(dim=1)
        loss = loss * extract(self.loss_weight, t, loss.shape)
        return loss.mean()

    def forward(self, img):
        b = img.shape[0]
        t = torch.randint(0, self.num_timesteps, (b,)).long()
        img = img * 2 - 1
        return self.p_losses(img, t)


torch.manual_seed(0)
betas = cosine_beta_schedule(10)
print(betas.dtype, betas)
diffusion = GaussianDiffusion(TinyUnet(), image_size=8, timesteps=10)
print(diffusion.betas.dtype, diffusion.loss_weight)
print(extract(diffusion.sqrt_alphas_cumprod, torch.tensor([0, 9]), (2, 1, 8, 8)).shape)
conv = WeightStandardizedConv2d(1, 2, 3, padding=1)
print(conv(torch.ones(1, 1, 4, 4))[0, :, 1, :2])
images = torch.rand(4, 1, 8, 8)
opt = torch.optim.Adam(diffusion.parameters(), lr=8e-4, betas=(0.9, 0.99))
for step in range(3):
    loss = diffusion(images)
    opt.zero_grad()
    loss.backward()
    opt.step()
    print(step, round(loss.item(), 5))
samples = diffusion.sample(batch_size=2)
print(samples.shape, samples.requires_grad, samples[0, 0, 0, :4])
