"""The sweep of public ops that went through the CUDA backend's host fallback (issue 15):
each row runs one op on CPU tensors and on device copies, with the host fallback refused
and NumPy reads of device arrays refused (NumPy cannot read a GPU's memory; the simulator's
device arrays it can, silently), and compares the device's values, node name and gradients
with the CPU's (for logsumexp, second derivatives too). Most of these ops are written in
Tensor ops with device kernels, so the backend now leaves them unwrapped
(``jitgrad/backends/cuda/composed.py``); ``broadcast_to`` and ``tile`` got device
implementations (``expand``, ``repeat``), ``logsumexp`` and ``nll_loss`` their own
(``backends/cuda/spread.py``, ``nn_losses.py``). The cuda14b rows (``isclose`` ...
``diag_embed``) are ops whose CPU bodies were NumPy on ``._value``, rewritten in Tensor ops
so the one body runs on both devices; the cuda14c rows (``addmm`` ... ``prod``) are
``addmm`` (a device product blended in Tensor ops), ``block_diag``, the ``torch.*`` loss
aliases, ``scatter`` and ``prod`` (device ops in ``index_add.py``, ``scans.py``); the cuda15
rows are device kernels for the last ops the sweep found on the host: the sort family,
``median``, ``cummax``/``cummin`` and ``masked_select`` (``backends/cuda/sorting.py``: a
stable merge sort per line, rows with ties and NaN checking PyTorch's ``stable=True`` order),
complex ``conj``, integer ``prod``, ``scatter_reduce`` / ``scatter(reduce=)``, ``F.fold`` /
``F.unfold``; the cuda15b rows are what ``tools/fallback_probe.py`` found next: gradients
of ``scatter_reduce`` prod/amax/amin and indices smaller than ``self``, the sort family on
16-bit, bool, 0-d and empty inputs (and the ``half``/``bfloat16`` casts), vector norms of
other orders (``dist``/``cdist``), ``take``, ``index_fill``, ``trapezoid``, 0-d and empty
``prod``/``cumprod``; the cuda16 rows are the probe's next list: float16/bfloat16
``var``/``std``/``logsumexp``/``cumsum``/``cumprod``/``prod`` (float32 on the same buffer,
rounded once), 0-d ``logsumexp``, views with no elements, ``take``/``gather`` with an empty
index, ``gather`` of bool, ``index_copy`` and 0-d ``index_add``, ``renorm``, norms of 0-d and
empty inputs, ``frexp``, eval-mode ``rrelu``, complex ``var``/``std``, and ``var``/``std``
without degrees of freedom. Before, every row here took a host round
trip, and the in-place activations (``F.elu_`` ...) of a tensor with history raised
NotImplementedError on the device where the CPU records them.

A row is ``name: (call(torch, F, *inputs), input shapes)``; an input ``"i:SHAPE:HIGH"`` is
int64 in ``[0, HIGH)``. Simulator cost (235 tests, cuda16): about 8 CPU s warm, 0.9 CPU s
more than the 196 before them (perf/RESULTS.md, Run cuda16)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import jitgrad as torch
import jitgrad.nn.functional as F

ROWS = {
    # device implementations (the CPU bodies call their own module's expand / repeat)
    "torch.broadcast_to": (lambda T, F, x: T.broadcast_to(x, (4, 2, 3)), [(2, 3)]),
    "Tensor.broadcast_to": (lambda T, F, x: x.broadcast_to((4, 2, 3)), [(2, 3)]),
    "torch.tile": (lambda T, F, x: T.tile(x, (2, 1)), [(2, 3)]),
    "Tensor.tile": (lambda T, F, x: x.tile(1, 2), [(2, 3)]),
    "torch.tile (more dims)": (lambda T, F, x: T.tile(x, (2, 1, 2)), [(2, 3)]),
    "torch.logsumexp": (lambda T, F, x: T.logsumexp(x, 1), [(2, 3)]),
    "Tensor.logsumexp": (lambda T, F, x: x.logsumexp(-1, keepdim=True), [(2, 3)]),
    "logsumexp (dims)": (lambda T, F, x: x.logsumexp((0, -1)), [(2, 3, 2)]),
    "F.nll_loss": (lambda T, F, x, t: F.nll_loss(x.log_softmax(1), t), [(4, 3), "i:4:3"]),
    "F.nll_loss (weight, sum)": (
        lambda T, F, x, t, w: F.nll_loss(x, t, weight=w.detach().abs(), reduction="sum"),
        [(4, 3), "i:4:3", (3,)],
    ),
    "F.nll_loss (ignored, none)": (
        lambda T, F, x, t: F.nll_loss(x, t - 1, ignore_index=-1, reduction="none"),
        [(5, 2), "i:5:3"],
    ),
    "F.nll_loss (ignored, weight, mean)": (
        lambda T, F, x, t, w: F.nll_loss(x, t - 1, w.detach().abs() + 0.1, ignore_index=-1),
        [(5, 2), "i:5:3", (2,)],
    ),
    "torch.detach": (lambda T, F, x: T.detach(x) * 1, [(2, 3)]),
    "torch.ravel": (lambda T, F, x: T.ravel(x.t()), [(2, 3)]),
    "Tensor.ravel": (lambda T, F, x: x.t().ravel(), [(2, 3)]),
    "Tensor.reshape_as": (lambda T, F, x, y: x.reshape_as(y), [(2, 3), (3, 2)]),
    "torch.atleast_2d": (lambda T, F, x: T.atleast_2d(x), [(3,)]),
    "torch.atleast_3d": (lambda T, F, x: T.atleast_3d(x), [(2, 3)]),
    "torch.hstack": (lambda T, F, x, y: T.hstack([x, y]), [(2, 3), (2, 3)]),
    "torch.vstack": (lambda T, F, x, y: T.vstack([x, y]), [(2, 3), (2, 3)]),
    "torch.dstack": (lambda T, F, x, y: T.dstack([x, y]), [(2, 3), (2, 3)]),
    "torch.column_stack": (lambda T, F, x, y: T.column_stack([x, y]), [(3,), (3,)]),
    "torch.row_stack": (lambda T, F, x, y: T.row_stack([x, y]), [(2, 3), (2, 3)]),
    "torch.fliplr": (lambda T, F, x: T.fliplr(x), [(2, 3)]),
    "torch.flipud": (lambda T, F, x: T.flipud(x), [(2, 3)]),
    "torch.outer": (lambda T, F, x, y: T.outer(x, y), [(3,), (4,)]),
    "torch.ger": (lambda T, F, x, y: T.ger(x, y), [(3,), (4,)]),
    "torch.inner": (lambda T, F, x, y: T.inner(x, y), [(2, 3), (4, 3)]),
    "torch.vdot": (lambda T, F, x, y: T.vdot(x, y), [(3,), (3,)]),
    "F.softmin": (lambda T, F, x: F.softmin(x, 1), [(2, 3)]),
    "F.glu": (lambda T, F, x: F.glu(x, -1), [(2, 4)]),
    "F.huber_loss": (lambda T, F, x, y: F.huber_loss(x, y, delta=0.5), [(2, 3), (2, 3)]),
    "F.smooth_l1_loss": (lambda T, F, x, y: F.smooth_l1_loss(x, y, beta=0.5), [(2, 3), (2, 3)]),
    "F.kl_div": (
        lambda T, F, x, y: F.kl_div(x, y.softmax(-1), reduction="batchmean"),
        [(2, 3), (2, 3)],
    ),
    "F.soft_margin_loss": (lambda T, F, x, y: F.soft_margin_loss(x, y.sign()), [(2, 3), (2, 3)]),
    "F.margin_ranking_loss": (
        lambda T, F, x, y, z: F.margin_ranking_loss(x, y, z.sign()),
        [(4,), (4,), (4,)],
    ),
    "F.hinge_embedding_loss": (
        lambda T, F, x, y: F.hinge_embedding_loss(x, y.sign()),
        [(2, 3), (2, 3)],
    ),
    "F.poisson_nll_loss": (lambda T, F, x, y: F.poisson_nll_loss(x, y.abs()), [(2, 3), (2, 3)]),
    "F.gaussian_nll_loss": (
        lambda T, F, x, y, v: F.gaussian_nll_loss(x, y, v.abs() + 0.1),
        [(2, 3), (2, 3), (2, 3)],
    ),
    "F.cosine_embedding_loss": (
        lambda T, F, x, y, z: F.cosine_embedding_loss(x, y, z.sign()),
        [(2, 3), (2, 3), (2,)],
    ),
    "F.triplet_margin_loss": (
        lambda T, F, a, p, n: F.triplet_margin_loss(a, p, n),
        [(2, 3), (2, 3), (2, 3)],
    ),
    "F.pairwise_distance": (lambda T, F, x, y: F.pairwise_distance(x, y), [(2, 3), (2, 3)]),
    "F.rms_norm": (lambda T, F, x, w: F.rms_norm(x, (3,), w), [(2, 3), (3,)]),
    "F.instance_norm": (lambda T, F, x: F.instance_norm(x), [(2, 3, 4)]),
    "F.binary_cross_entropy": (
        lambda T, F, x, y: F.binary_cross_entropy(x.sigmoid(), y.sigmoid()),
        [(2, 3), (2, 3)],
    ),
    "F.multilabel_soft_margin_loss": (
        lambda T, F, x, y: F.multilabel_soft_margin_loss(x, (y > 0).float()),
        [(2, 3), (2, 3)],
    ),
    "torch.baddbmm": (lambda T, F, b, x, y: T.baddbmm(b, x, y), [(2, 2, 4), (2, 2, 3), (2, 3, 4)]),
    "torch.diff": (lambda T, F, x: T.diff(x, dim=1), [(2, 4)]),
    "torch.einsum": (lambda T, F, x, y: T.einsum("ij,jk->ik", x, y), [(2, 3), (3, 4)]),
    "torch.tensordot": (lambda T, F, x, y: T.tensordot(x, y, dims=1), [(2, 3), (3, 4)]),
    "torch.kron": (lambda T, F, x, y: T.kron(x, y), [(2, 2), (2, 3)]),
    "F.prelu": (lambda T, F, x, w: F.prelu(x, w), [(2, 3, 2), (3,)]),
    "F.bilinear": (lambda T, F, x, y, w: F.bilinear(x, y, w), [(2, 3), (2, 4), (5, 3, 4)]),
    "torch.rot90": (lambda T, F, x: T.rot90(x, 1, (0, 1)), [(2, 3)]),
    "torch.cartesian_prod": (lambda T, F, x, y: T.cartesian_prod(x, y), [(2,), (3,)]),
    "torch.meshgrid": (lambda T, F, x, y: T.meshgrid(x, y, indexing="ij")[0], [(2,), (3,)]),
    "torch.take_along_dim": (lambda T, F, x, i: T.take_along_dim(x, i, 1), [(4, 3), "i:4,2:3"]),
    "torch.dist": (lambda T, F, x, y: T.dist(x, y), [(2, 3), (2, 3)]),
    "torch.cdist": (lambda T, F, x, y: T.cdist(x, y), [(2, 3), (4, 3)]),
    "torch.aminmax": (lambda T, F, x: T.aminmax(x, dim=1)[0], [(2, 3)]),
    "F.threshold_": (lambda T, F, x: F.threshold_(x * 1, 0.1, 0.0), [(2, 3)]),
    "F.leaky_relu_": (lambda T, F, x: F.leaky_relu_(x * 1), [(2, 3)]),
    "F.hardtanh_": (lambda T, F, x: F.hardtanh_(x * 1), [(2, 3)]),
    "F.elu_": (lambda T, F, x: F.elu_(x * 1), [(2, 3)]),
    "torch.atleast_1d": (lambda T, F, x: T.atleast_1d(x), [()]),
    "torch.concatenate": (lambda T, F, x, y: T.concatenate([x, y], 1), [(2, 3), (2, 1)]),
    "F.celu_": (lambda T, F, x: F.celu_(x * 1), [(2, 3)]),
    "F.selu_": (lambda T, F, x: F.selu_(x * 1), [(2, 3)]),
    "torch.pairwise_distance": (lambda T, F, x, y: T.pairwise_distance(x, y), [(2, 3), (2, 3)]),
    "torch.prelu": (lambda T, F, x, w: T.prelu(x, w), [(2, 3, 2), (3,)]),
    "torch.rms_norm": (lambda T, F, x: T.rms_norm(x, (3,)), [(2, 3)]),
    "torch.bilinear": (lambda T, F, x, y, w: T.bilinear(x, y, w), [(2, 3), (2, 4), (5, 3, 4)]),
    "Tensor.outer": (lambda T, F, x, y: x.outer(y), [(3,), (4,)]),
    "Tensor.take_along_dim": (lambda T, F, x, i: x.take_along_dim(i, 1), [(4, 3), "i:4,2:3"]),
    # cuda14b: CPU bodies rewritten in Tensor ops (one body for both devices)
    "torch.isclose": (lambda T, F, x, y: T.isclose(x, x + y * 1e-6).float() * x, [(2, 3), (2, 3)]),
    "Tensor.isclose (equal_nan)": (
        lambda T, F, x: (x / x.round()).isclose(x / x.round(), equal_nan=True).float() * x,
        [(3, 4)],
    ),
    "torch.isclose (int)": (lambda T, F, i, j: T.isclose(i, j, atol=1), ["i:3,4:5", "i:3,4:5"]),
    "torch.count_nonzero": (lambda T, F, x: T.count_nonzero(x.round()), [(3, 4)]),
    "Tensor.count_nonzero (dims)": (lambda T, F, x: x.round().count_nonzero((0, 1)), [(3, 4, 2)]),
    "torch.nansum": (lambda T, F, x: T.nansum(x.log(), 1), [(3, 4)]),
    "Tensor.nansum": (lambda T, F, x: x.log().nansum(), [(3, 4)]),
    "torch.nanmean": (lambda T, F, x: T.nanmean(x.log(), (0, 1), keepdim=True), [(3, 4)]),
    "torch.trace": (lambda T, F, x: T.trace(x), [(3, 4)]),
    "Tensor.trace": (lambda T, F, x: x.t().trace(), [(3, 2)]),
    "torch.roll": (lambda T, F, x: T.roll(x, (1, -4), (0, -1)), [(3, 5)]),
    "Tensor.roll (flat)": (lambda T, F, x: x.roll(2), [(2, 3)]),
    "torch.roll (no move)": (lambda T, F, x: T.roll(x, 3, 1), [(2, 3)]),
    "F.pixel_shuffle": (lambda T, F, x: F.pixel_shuffle(x, 2), [(2, 8, 2, 3)]),
    "torch.pixel_unshuffle": (lambda T, F, x: T.pixel_unshuffle(x, 2), [(2, 4, 6)]),
    "F.channel_shuffle": (lambda T, F, x: F.channel_shuffle(x, 2), [(2, 6, 2)]),
    "torch.channel_shuffle": (lambda T, F, x: T.channel_shuffle(x, 3), [(1, 6, 2, 2)]),
    "torch.addmv": (lambda T, F, b, m, v: T.addmv(b, m, v), [(2,), (2, 3), (3,)]),
    "Tensor.addmv (beta, alpha)": (
        lambda T, F, b, m, v: b.addmv(m, v, beta=0.5, alpha=2),
        [(1,), (2, 3), (3,)],
    ),
    "torch.addr": (lambda T, F, b, x, y: T.addr(b, x, y, alpha=-1), [(2, 3), (2,), (3,)]),
    "Tensor.addr (beta 0)": (lambda T, F, b, x, y: b.addr(x, y, beta=0), [(3,), (2,), (3,)]),
    "F.scaled_dot_product_attention": (
        lambda T, F, q, k, v: F.scaled_dot_product_attention(q, k, v),
        [(2, 3, 4), (2, 5, 4), (2, 5, 2)],
    ),
    "F.scaled_dot_product_attention (causal, scale)": (
        lambda T, F, q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True, scale=0.3),
        [(1, 2, 3, 4), (1, 2, 3, 4), (1, 2, 3, 4)],
    ),
    "F.scaled_dot_product_attention (bool mask)": (
        lambda T, F, q, k, v, m: F.scaled_dot_product_attention(q, k, v, m.t() > -1),
        [(3, 2), (4, 2), (4, 2), (4, 3)],
    ),
    "F.group_norm": (lambda T, F, x: F.group_norm(x, 2), [(2, 4, 3)]),
    "F.group_norm (affine)": (
        lambda T, F, x, w, b: F.group_norm(x, 3, w, b, eps=0.1),
        [(2, 6, 2, 2), (6,), (6,)],
    ),
    "torch.diag_embed": (lambda T, F, x: T.diag_embed(x), [(2, 3)]),
    "Tensor.diag_embed (offset, dims)": (lambda T, F, x: x.diag_embed(-1, 2, 0), [(2, 3)]),
    "torch.diag (vector)": (lambda T, F, x: T.diag(x, 1), [(3,)]),
    "Tensor.diag (matrix)": (lambda T, F, x: x.diag(-1), [(3, 4)]),
    "torch.cross": (lambda T, F, x, y: T.cross(x, y, dim=0), [(3, 2), (3, 2)]),
    "Tensor.cross (broadcast)": (lambda T, F, x, y: x.cross(y, -1), [(2, 3), (3,)]),
    "torch.addbmm": (
        lambda T, F, b, x, y: T.addbmm(b, x, y, beta=2),
        [(2, 4), (3, 2, 3), (3, 3, 4)],
    ),
    # cuda14c: addmm (its blend in device Tensor ops), block_diag (zeros on the blocks'
    # device), the torch.* loss aliases (left unwrapped: they reach F's op)
    "torch.addmm": (lambda T, F, b, x, y: T.addmm(b, x, y), [(3,), (2, 4), (4, 3)]),
    "Tensor.addmm (beta, alpha)": (
        lambda T, F, b, x, y: b.addmm(x, y, beta=0.5, alpha=2),
        [(2, 3), (2, 4), (4, 3)],
    ),
    "torch.addmm (beta 0)": (
        lambda T, F, b, x, y: T.addmm(b.log(), x, y, beta=0, alpha=-1),
        [(1, 3), (2, 4), (4, 3)],
    ),
    "torch.block_diag": (lambda T, F, x, y, z: T.block_diag(x, y, z), [(2, 2), (3,), (1, 2)]),
    "torch.kl_div": (
        lambda T, F, x, y: T.kl_div(x, y.log_softmax(-1), 2, log_target=True),
        [(2, 3), (2, 3)],
    ),
    "torch.binary_cross_entropy_with_logits": (
        lambda T, F, x, y: T.binary_cross_entropy_with_logits(x, y.sigmoid(), reduction=0),
        [(2, 3), (2, 3)],
    ),
    "torch.cosine_embedding_loss": (
        lambda T, F, x, y, z: T.cosine_embedding_loss(x, y, z.sign(), 0.1, 2),
        [(2, 3), (2, 3), (2,)],
    ),
    "torch.margin_ranking_loss": (
        lambda T, F, x, y, z: T.margin_ranking_loss(x, y, z.sign(), 0.5),
        [(4,), (4,), (4,)],
    ),
    "torch.hinge_embedding_loss": (
        lambda T, F, x, y: T.hinge_embedding_loss(x, y.sign(), 0.5),
        [(2, 3), (2, 3)],
    ),
    "torch.poisson_nll_loss": (
        lambda T, F, x, y: T.poisson_nll_loss(x, y.abs(), True, False, 1e-8, 2),
        [(2, 3), (2, 3)],
    ),
    "torch.triplet_margin_loss": (
        lambda T, F, a, p, n: T.triplet_margin_loss(a, p, n, 0.5),
        [(2, 3), (2, 3), (2, 3)],
    ),
    # cuda14c: scatter as a device kernel (index order, the last write wins, as the CPU's)
    "torch.scatter": (lambda T, F, x, i, s: T.scatter(x, 1, i, s), [(3, 4), "i:3,2:4", (3, 2)]),
    "Tensor.scatter (value)": (lambda T, F, x, i: x.scatter(0, i, 2.0), [(3, 4), "i:1,4:3"]),
    "Tensor.scatter_ (value=)": (
        lambda T, F, x, i: (x.detach() * 1).scatter_(1, i, value=-1.5) * x,
        [(3, 4), "i:3,1:4"],
    ),
    # cuda14c: prod as the device cumprod's last element, its gradient in device ops
    "torch.prod (dim)": (lambda T, F, x: T.prod(x, 1), [(2, 3)]),
    "Tensor.prod": (lambda T, F, x: x.prod(), [(2, 3)]),
    "Tensor.prod (keepdim, zeros)": (
        lambda T, F, x: x.clamp_min(0).prod(0, keepdim=True),
        [(3, 4)],
    ),
    "torch.prod (float64, -1)": (lambda T, F, x: T.prod(x.double(), -1), [(2, 1, 3)]),
    # cuda15: sorting and selection (a stable merge sort per line, backends/cuda/sorting.py)
    "torch.sort": (lambda T, F, x: T.sort(x, 1)[0], [(3, 5)]),
    "Tensor.sort (descending, dim 0, indices)": (
        lambda T, F, x: x.sort(dim=0, descending=True)[1].float() * x,
        [(4, 3)],
    ),
    "Tensor.sort (stable ties, NaN)": (
        lambda T, F, x: _ties(x).sort(dim=-1, stable=True)[1].float() * x,
        [(3, 6)],
    ),
    "Tensor.sort (descending stable ties, NaN)": (
        lambda T, F, x: _ties(x).sort(dim=1, descending=True, stable=True)[1].float() * x,
        [(3, 6)],
    ),
    "Tensor.sort (values with ties)": (
        lambda T, F, x: (x.round() * 0.5 + x * 0).sort(dim=1, stable=True)[0],
        [(3, 7)],
    ),
    "torch.argsort (int)": (lambda T, F, i: T.argsort(i, dim=0, stable=True), ["i:6,2:3"]),
    "torch.msort": (lambda T, F, x: T.msort(x), [(4, 2)]),
    "Tensor.sort (long lines, ties)": (
        lambda T, F, x: (x * 4).round().sort(dim=1, stable=True)[1].float() * x,
        [(2, 300)],
    ),
    "torch.topk": (lambda T, F, x: T.topk(x, 2)[0], [(3, 5)]),
    "Tensor.topk (smallest, dim 0, indices)": (
        lambda T, F, x: x.topk(3, 0, largest=False)[1].float() * x[:3],
        [(5, 2)],
    ),
    "torch.kthvalue": (lambda T, F, x: T.kthvalue(x, 2, 1)[0], [(3, 4)]),
    "Tensor.kthvalue (keepdim, indices)": (
        lambda T, F, x: x.kthvalue(3, 0, keepdim=True)[1].float() + x.kthvalue(3, 0, True)[0],
        [(4, 3)],
    ),
    "torch.median (dim)": (lambda T, F, x: T.median(x, 1)[0], [(3, 4)]),
    "Tensor.median (NaN row, indices)": (
        lambda T, F, x: _ties(x).median(1, keepdim=True)[1].float() + x.median(1, True)[0],
        [(3, 6)],
    ),
    "Tensor.median (all)": (lambda T, F, x: x.median(), [(3, 5)]),
    "Tensor.median (all, ties)": (lambda T, F, x: (x.round() + x * 0).median(), [(4, 3)]),
    "torch.nanmedian (NaN row, indices)": (
        lambda T, F, x: T.nanmedian(_ties(x) + x, 1)[0] + T.nanmedian(_ties(x), 1)[1].float(),
        [(3, 6)],
    ),
    "Tensor.nanmedian (all)": (lambda T, F, x: (_ties(x) + x).nanmedian(), [(3, 5)]),
    "torch.mode": (lambda T, F, x: T.mode((x * 2).round() + x * 0, 1)[0], [(3, 7)]),
    "Tensor.mode (dim 0, keepdim, NaN, indices)": (
        lambda T, F, x: _ties(x).mode(0, True)[1].float() + (x.round() + x * 0).mode(0, True)[0],
        [(6, 3)],
    ),
    "Tensor.mode (int)": (lambda T, F, i: i.cumsum(1).mode()[1], ["i:2,5:3"]),
    "torch.cummax": (lambda T, F, x: T.cummax(x, 1)[0], [(3, 5)]),
    "Tensor.cummax (ties, NaN, indices)": (
        lambda T, F, x: _ties(x).cummax(1)[1].float() * x,
        [(3, 6)],
    ),
    "torch.cummin (dim 0)": (lambda T, F, x: T.cummin(x, 0)[0], [(4, 3)]),
    "Tensor.cummin (int, indices)": (lambda T, F, i: i.cummin(1)[1] + i.cummin(1)[0], ["i:3,5:3"]),
    "torch.masked_select": (lambda T, F, x, y: T.masked_select(x, y > 0), [(3, 4), (3, 4)]),
    "Tensor.masked_select (broadcast)": (
        lambda T, F, x, y: x.masked_select(y > 0),
        [(3, 1), (2, 3, 4)],
    ),
    "torch.masked_select (long, 600)": (
        lambda T, F, x: T.masked_select(x, x.abs() > 0.3),
        [(600,)],
    ),
    # cuda15: complex conj, integer prod, scatter_reduce / scatter(reduce=), fold / unfold
    "Tensor.conj (complex)": (
        lambda T, F, x, y: T.view_as_real(T.complex(x, y).conj() * (1 + 2j)),
        [(2, 3), (2, 3)],
    ),
    "torch.conj_physical (complex)": (
        lambda T, F, x, y: T.view_as_real(T.conj_physical(T.complex(x, y))),
        [(2, 3), (2, 3)],
    ),
    "torch.prod (int, dim)": (lambda T, F, i: T.prod(i - 1, 1), ["i:3,4:4"]),
    "Tensor.prod (bool)": (lambda T, F, i: (i > 0).prod(), ["i:3,4:4"]),
    "Tensor.prod (int32, dtype int64)": (
        lambda T, F, i: (i - 2).int().prod(0, dtype=T.int64),
        ["i:3,4:5"],
    ),
    "Tensor.scatter_reduce (sum)": (
        lambda T, F, x, i, s: x.scatter_reduce(1, i, s, "sum"),
        [(3, 4), "i:3,5:4", (3, 5)],
    ),
    "torch.scatter_reduce (mean, not self)": (
        lambda T, F, x, i, s: T.scatter_reduce(x, 1, i, s, "mean", include_self=False),
        [(3, 4), "i:3,5:4", (3, 5)],
    ),
    "Tensor.scatter_reduce (amax, prod, amin; no grad)": (
        lambda T, F, x, i, s: _no_grad_reduces(x, i, s),
        [(3, 4), "i:3,5:4", (3, 5)],
    ),
    "Tensor.scatter (reduce=multiply)": (
        lambda T, F, x, i, s: x.detach().scatter(0, i, s.detach(), reduce="multiply") * x,
        [(3, 4), "i:5,4:3", (5, 4)],
    ),
    "torch.scatter (reduce=add, value)": (
        lambda T, F, x, i: T.scatter(x.detach(), 1, i, 0.5, reduce="add") * x,
        [(3, 4), "i:3,6:4"],
    ),
    # cuda15b: scatter_reduce prod/amax/amin gradients (the CPU's Tensor-op formulas on the
    # device), an index smaller than self off dim, and the sort family's other dtypes, 0-d
    # and empty inputs
    "scatter_reduce amax (ties, grad)": (
        lambda T, F, x, i, s: x.scatter_reduce(1, i, s.clamp(-0.5, 0.5), "amax"),
        [(3, 4), "i:3,5:4", (3, 5)],
    ),
    "scatter_reduce amin (include_self=False, grad)": (
        lambda T, F, x, i, s: x.scatter_reduce(
            1, i, s.clamp(-0.5, 0.5), "amin", include_self=False
        ),
        [(3, 4), "i:3,5:4", (3, 5)],
    ),
    "scatter_reduce prod (grad)": (
        lambda T, F, x, i, s: x.scatter_reduce(0, i, s, "prod"),
        [(3, 4), "i:5,4:3", (5, 4)],
    ),
    "scatter_reduce prod (zeros, include_self=False, grad)": (
        lambda T, F, x, i, s: x.clamp_min(0).scatter_reduce(
            1, i, s.clamp_max(0), "prod", include_self=False
        ),
        [(3, 4), "i:3,5:4", (3, 5)],
    ),
    "scatter_reduce sum (index smaller than self)": (
        lambda T, F, x, i, s: x.scatter_reduce(1, i, s, "sum"),
        [(4, 5), "i:2,3:4", (2, 3)],
    ),
    "scatter_reduce amax (index smaller than self)": (
        lambda T, F, x, i, s: x.scatter_reduce(0, i, s, "amax", include_self=False),
        [(4, 5), "i:3,2:4", (3, 2)],
    ),
    "scatter_add (index smaller than self)": (
        lambda T, F, x, i, s: x.scatter_add(1, i, s),
        [(4, 5), "i:2,3:5", (2, 3)],
    ),
    # cuda15b: vector norms of other orders (dist / cdist / norm with p != 2 took the host)
    "norm p=3 (dim)": (lambda T, F, x: x.norm(3, 1), [(3, 4)]),
    "norm p=1 / p=0.5 / p=0 (keepdim)": (
        lambda T, F, x: T.cat([x.norm(p, 0, True) for p in (1, 0.5, 0)]),
        [(3, 4)],
    ),
    "norm p=inf / -inf (ties)": (
        lambda T, F, x: T.stack(
            [x.clamp(-0.5, 0.5).norm(p, 1) for p in (float("inf"), -float("inf"))]
        ),
        [(3, 4)],
    ),
    "dist p=4": (lambda T, F, x, y: T.dist(x, y, 4), [(3, 4), (4,)]),
    "cdist p=1": (lambda T, F, x, y: T.cdist(x, y, 1.0), [(3, 4), (2, 4)]),
    # cuda15b: take (a device read of the flat input), trapezoid rules (their Tensor-op bodies)
    "torch.take": (lambda T, F, x, i: T.take(x, i - 6), [(3, 4), "i:2,3:12"]),
    "torch.trapezoid (x)": (lambda T, F, y, x: T.trapezoid(y, x.cumsum(0)), [(3, 4), (4,)]),
    "torch.cumulative_trapezoid (dx)": (
        lambda T, F, y: T.cumulative_trapezoid(y, dx=0.5, dim=0),
        [(3, 4)],
    ),
    # cuda15b: index_fill (a device mask from index_add of ones)
    "Tensor.index_fill (scalar, negative index)": (
        lambda T, F, x, i: x.index_fill(1, i[0] - 2, -1.5),
        [(3, 4), "i:2,2:4"],
    ),
    "Tensor.index_fill (0-d tensor value)": (
        lambda T, F, x, v: x.index_fill(0, T.tensor([2, 0, 2], device=x.device), v.sum()),
        [(3, 4), (2,)],
    ),
    # cuda15b: prod / cumprod of 0-d and empty inputs (no kernel: itself, or ones)
    "prod / cumprod 0-d": (
        lambda T, F, x: T.stack([x.sum().prod(), x.sum().prod(0, True), x.sum().cumprod(0)]),
        [(2, 3)],
    ),
    "prod / cumprod empty": (
        lambda T, F, x, y: T.cat([x.prod(1), y.prod(0, True)[0], x.cumprod(1).sum(1)]) + x.prod(),
        [(3, 0), (0, 3)],
    ),
    "sort float16": (lambda T, F, x: x.half().sort(1, descending=True)[0].float(), [(3, 5)]),
    "sort bfloat16 (indices)": (
        lambda T, F, x: x.bfloat16().sort(dim=0, stable=True)[1].float() * x,
        [(4, 3)],
    ),
    "topk / kthvalue / median float16": (
        lambda T, F, x: (
            x.half().topk(2, 1)[0] + x.half().kthvalue(2, 1, True)[0] + x.half().median(1, True)[0]
        ).float(),
        [(3, 5)],
    ),
    "sort / cummax / mode bool": (
        lambda T, F, x: (
            T.stack(
                [
                    (x > 0).sort(dim=1, stable=True)[1].float(),
                    (x > 0).cummax(1)[1].float(),
                    (x > 0).sort(1)[0].float(),
                ]
            )
            * x
            + (x > 0).mode(1)[1].float()[:, None]
        ),
        [(3, 5)],
    ),
    "sort family 0-d": (
        lambda T, F, x: T.stack(
            [
                x.sum().sort(0)[0],
                x.sum().topk(1)[0],
                x.sum().kthvalue(1)[0],
                x.sum().median(0)[0],
                x.sum().mode()[0],
                x.sum().cummin(0)[0],
                x.sum().argsort().float(),
            ]
        ),
        [(2, 3)],
    ),
    "sort family empty": (
        lambda T, F, x, y: (
            T.stack(
                [
                    x.sort(1)[0].sum(),
                    x.topk(0)[0].sum(),
                    x.cummin(1)[0].sum(),
                    x.argsort(1).float().sum(),
                    y.topk(0, 1)[0].sum(),
                    x.msort().sum(),
                ]
            )
            + y.sum()
        ),
        [(3, 0), (3, 4)],
    ),
    # cuda16: float16/bfloat16 spreads and logsumexp (float32 on the same buffer, rounded
    # once, as the CPU's), 0-d logsumexp
    "std_mean float16": (lambda T, F, x: T.std_mean(x.half(), 1, keepdim=True)[0], [(3, 5)]),
    "var_mean bfloat16 (correction 0)": (
        lambda T, F, x: T.var_mean(x.bfloat16(), 0, correction=0)[0].float(),
        [(4, 3)],
    ),
    "std / var float16 (all dims)": (
        lambda T, F, x: T.stack([x.half().std(), x.half().var()]),
        [(3, 4)],
    ),
    "logsumexp float16": (lambda T, F, x: (x * 4).half().logsumexp(1), [(3, 5)]),
    "logsumexp bfloat16 (keepdim)": (
        lambda T, F, x: x.bfloat16().logsumexp(0, keepdim=True).float(),
        [(4, 3)],
    ),
    "logsumexp 0-d": (lambda T, F, x: x.sum().logsumexp(0), [(2, 3)]),
    # cuda16: float16/bfloat16 scans and products (the float32 buffer scanned, each result
    # rounded once, as the CPU's kernels)
    "cumsum float16": (lambda T, F, x: (x * 8).half().cumsum(1), [(3, 5)]),
    "cumprod float16": (lambda T, F, x: (x + 0.5).half().cumprod(0), [(4, 3)]),
    "cumsum / cumprod bfloat16": (
        lambda T, F, x: (x.bfloat16().cumsum(0) + (x + 1).bfloat16().cumprod(1)).float(),
        [(3, 4)],
    ),
    "prod float16 (dim)": (lambda T, F, x: (x + 0.5).half().prod(1), [(3, 5)]),
    "prod float16 (all) / bfloat16 (keepdim)": (
        lambda T, F, x: T.stack(
            [x.half().prod().float(), (x + 1).bfloat16().prod(0, True).float().sum()]
        ),
        [(3, 4)],
    ),
    # cuda16: views with no elements (a new empty device tensor, the CPU's node, zero
    # gradients), take/gather with an empty index, gather of bool, index_add / index_copy of
    # 0-d and index_copy (index_add's kernel writing), renorm (its body: device norms)
    "empty views (unflatten, t, x[:, :0], narrow)": (
        lambda T, F, x, e: (
            T.cat(
                [
                    e.unflatten(0, (2, 2)).reshape(-1),
                    e.t().reshape(-1),
                    x[:, :0].reshape(-1),
                    x.narrow(1, 2, 0).reshape(-1),
                    e.unflatten(1, (2, 0, 0)).reshape(-1),
                ]
            )
            + x.sum()
        ),
        [(3, 4), (4, 0)],
    ),  # fmt: skip
    "x[:, :0] (node)": (lambda T, F, x: x[:, 1:1], [(3, 4)]),
    "torch.take (empty index; empty, 0-d input)": (
        lambda T, F, x, i: T.cat(
            [T.take(x, i[:0]), T.take(x[0, :0], i[:0]), T.take(x.sum(), i[:0])]
        ),
        [(3, 4), "i:3:12"],
    ),
    "torch.gather (empty index)": (
        lambda T, F, x, i: T.gather(x, 1, i[:, :0]),
        [(3, 4), "i:3,2:4"],
    ),
    "torch.gather bool": (
        lambda T, F, x, i: T.gather(x > 0, 1, i) * x[:, :2],
        [(3, 4), "i:3,2:4"],
    ),
    "Tensor.index_add 0-d (alpha)": (
        lambda T, F, x, y, i: x.sum().index_add(0, i[:1] * 0, y.sum(), alpha=2),
        [(2, 3), (3,), "i:2:3"],
    ),
    "Tensor.index_copy": (
        lambda T, F, x, s: x.index_copy(1, T.tensor([3, 0], device=x.device), s),
        [(3, 4), (3, 2)],
    ),
    "Tensor.index_copy (dim 0)": (
        lambda T, F, x, s: x.index_copy(0, T.tensor([2, 0], device=x.device), s * 0 - 0.0),
        [(3, 4), (2, 4)],
    ),
    "torch.index_copy 0-d": (
        lambda T, F, x, y: T.index_copy(x.sum(), 0, T.tensor([0], device=x.device), y.sum()),
        [(2, 3), (3,)],
    ),
    "Tensor.renorm p=2 / p=inf / p=1": (
        lambda T, F, x: T.stack(
            [x.renorm(2, 0, 1.0), x.renorm(float("inf"), 1, 0.5), x.renorm(1, -1, 2.0)]
        ),
        [(3, 4)],
    ),  # fmt: skip
    "Tensor.renorm float16": (lambda T, F, x: x.half().renorm(2, 1, 1.0), [(3, 4)]),
    # cuda16: norms of 0-d (over (): the absolute value) and empty inputs (from the shape)
    "norm 0-d (p=2, 3, inf, 0)": (
        lambda T, F, x: T.stack([x.sum().norm(p) for p in (2, 3, float("inf"), 0)]),
        [(2, 3)],
    ),
    "norm empty (lines of nothing, empty result)": (
        lambda T, F, x: (
            T.stack([x[:0].norm(), x[:, :0].norm(1, 1).sum(), x[:0].norm(3, 0).sum()]) + x.sum()
        ),
        [(3, 4)],
    ),
    "dist 0-d p=4": (lambda T, F, x, y: T.dist(x.sum(), y.sum(), 4), [(2, 3), (3,)]),
    "cdist p=1 (empty operand)": (lambda T, F, x, y: T.cdist(x[:0], y, 1.0), [(3, 4), (2, 4)]),
    # cuda16: frexp (the exponent in device ops, the mantissa the declared op), rrelu in eval
    "torch.frexp (mantissa)": (lambda T, F, x: T.frexp(x * 3)[0], [(3, 4)]),
    "torch.frexp (exponent: zero, powers of two, subnormal, inf, NaN)": (
        lambda T, F, x: T.frexp(T.cat([x.reshape(-1) * 100, T.tensor(_EDGES, device=x.device)]))[
            1
        ].float(),
        [(3, 4)],
    ),
    "torch.frexp float16": (lambda T, F, x: T.frexp((x * 40).half())[0], [(3, 4)]),
    "F.rrelu (eval)": (lambda T, F, x: F.rrelu(x, 0.1, 0.3), [(3, 4)]),
    # cuda16: complex var/std (the parts' variances summed, one node over the complex input)
    "var complex (dim)": (lambda T, F, x, y: T.complex(x, y).var(1), [(3, 4), (3, 4)]),
    "std complex (all, correction 0)": (
        lambda T, F, x, y: T.complex(x, y).std(correction=0),
        [(3, 4), (3, 4)],
    ),
    "std_mean complex (dim 0, keepdim)": (
        lambda T, F, x, y: T.std_mean(T.complex(x, y), 0, keepdim=True)[0],
        [(3, 4), (3, 4)],
    ),
    # cuda16: var/std without degrees of freedom (empty inputs, correction >= N): NaN / inf
    # from the CPU's divisor max(0, N - correction)
    "std_mean / var_mean empty": (
        lambda T, F, x: T.cat(
            [T.std_mean(x[:0])[0].reshape(1), T.var_mean(x[:0], 0)[0], T.var_mean(x[:0], 0)[1]]
        ),
        [(3, 4)],
    ),
    "var correction = N, std correction > N": (
        lambda T, F, x: T.stack([x.var(0, correction=3), x.std(0, correction=5)]),
        [(3, 4)],
    ),
    "F.unfold": (lambda T, F, x: F.unfold(x, (2, 3), padding=1, stride=(2, 1)), [(2, 3, 5, 4)]),
    "F.unfold (unbatched, dilation)": (lambda T, F, x: F.unfold(x, 2, (2, 1)), [(2, 5, 4)]),
    "F.fold": (lambda T, F, x: F.fold(x, (4, 5), 2, stride=(2, 1)), [(2, 12, 8)]),
    "nn.Fold (unbatched)": (lambda T, F, x: T.nn.Fold((3, 3), 2)(x), [(8, 4)]),
}


#: frexp's edges: zeros, powers of two and their neighbours, subnormals, the largest, inf, NaN
_EDGES = [0.0, -0.0, 1.0, 0.5, 2.0, 0.99999994, 1.0000001, 1e-40, -3e-45, 3.4e38, -np.inf,
          np.inf, np.nan]  # fmt: skip


def _ties(x):
    """``x`` rounded to quarters (equal values in every row) with a NaN at ``[1, 2]``: the
    order among ties and NaN's place (no gradient: a constant of ``x``'s shape)."""
    with torch.no_grad():
        r = (x * 2).round() * 0.25
        r[1, 2] = float("nan")
    return r


def _no_grad_reduces(x, i, s):
    with torch.no_grad():
        parts = [x.scatter_reduce(1, i, s, r, include_self=inc)
                 for r in ("amax", "prod", "amin") for inc in (True, False)]  # fmt: skip
    return torch.stack(parts) * x


def _inputs(specs: list) -> list[np.ndarray]:
    rng = np.random.default_rng(3)
    out = []
    for s in specs:
        if isinstance(s, str):
            _, shape, high = s.split(":")
            dims = tuple(int(v) for v in shape.split(","))
            out.append(rng.integers(0, int(high), dims).astype(np.int64))
        else:
            out.append(rng.standard_normal(s).astype(np.float32))
    return out


def _run(call, arrays: list, device: str) -> tuple:
    """The op's value, node name, device, and the inputs' gradients of a weighted sum."""
    xs = [torch.tensor(a, device=device, requires_grad=a.dtype.kind == "f") for a in arrays]
    out = call(torch, F, *xs)
    node = out.grad_fn.name() if out.grad_fn is not None else None
    if out.requires_grad:  # (torch.detach: none)
        w = np.linspace(0.5, 1.5, out.numel()).reshape(tuple(out.shape)).astype(np.float32)
        (out * torch.tensor(w, device=device)).sum().backward()
    grads = [None if x.grad is None else x.grad.cpu().numpy() for x in xs]
    return out.detach().cpu().numpy(), node, out.device.type, grads


@pytest.mark.parametrize("name", sorted(ROWS))
def test_composed_op_runs_on_the_device(name, no_fallback, numpy_refused):
    call, specs = ROWS[name]
    arrays = _inputs(specs)
    value, node, _, grads = _run(call, arrays, "cpu")
    d_value, d_node, where, d_grads = _run(call, arrays, "cuda")
    assert (where, d_node) == ("cuda", node)
    np.testing.assert_allclose(d_value, value, rtol=1e-4, atol=1e-5)
    for g, d in zip(grads, d_grads, strict=True):
        assert (g is None) == (d is None)
        if g is not None:
            np.testing.assert_allclose(d, g, rtol=1e-4, atol=1e-5)


def test_area_3d_keeps_a_nan_in_its_window_on_both_devices(no_fallback):
    """``F.interpolate(mode="area")`` on 5-d input: the device's window sums and the CPU's
    taps agree, NaN included (the CPU's dense matrices spread it over whole rows)."""
    x = np.arange(96, dtype=np.float32).reshape(2, 1, 4, 4, 3) / 7
    x[0, 0, 1, 2, 0] = np.nan
    outs = [
        F.interpolate(torch.tensor(x, device=d), size=(2, 3, 2), mode="area").cpu().numpy()
        for d in ("cpu", "cuda")
    ]
    # (windows: depth 4->2 puts index 1 in one, height 4->3 index 2 in two, width 3->2
    # index 0 in one: two outputs)
    assert np.isnan(outs[0]).sum() == 2
    np.testing.assert_allclose(outs[1], outs[0], rtol=1e-6)


SECOND = {
    "logsumexp": lambda x, t: x.logsumexp(1) ** 2,
    "nll_loss": lambda x, t: F.nll_loss(x, t, reduction="none") ** 2,
}


@pytest.mark.parametrize("name", sorted(SECOND))
def test_create_graph_on_the_device(no_fallback, name):
    """The gradient recorded (logsumexp's through its result, the CPU's ``MulBackward0``;
    nll_loss's ``NllLossBackwardBackward0``), and the second derivative the CPU's."""
    x0 = np.random.default_rng(4).standard_normal((3, 4))
    out = []
    for device in ("cpu", "cuda"):
        x = torch.tensor(x0, device=device, requires_grad=True)
        t = torch.tensor([1, 3, 0], device=device)
        (g,) = torch.autograd.grad(SECOND[name](x, t).sum(), x, create_graph=True)
        (gg,) = torch.autograd.grad((g * g).sum(), x)
        out.append((g.grad_fn.name(), g.detach().cpu().numpy(), gg.cpu().numpy()))
    assert out[1][0] == out[0][0]
    np.testing.assert_allclose(out[1][1], out[0][1], rtol=1e-12)
    np.testing.assert_allclose(out[1][2], out[0][2], rtol=1e-12)


def test_nll_loss_target_out_of_range_is_reported_at_synchronization(no_fallback):
    x = torch.tensor(np.zeros((2, 3), np.float32)).cuda()
    loss = F.nll_loss(x, torch.tensor([0, 3]).cuda())  # no error yet: no synchronization
    with pytest.raises(RuntimeError, match="device-side assert triggered"):
        loss.item()


@pytest.mark.parametrize("op", ["var", "std", "std_mean", "var_mean"])
def test_no_degrees_of_freedom_warns_as_the_cpu(no_fallback, op):
    """``N - correction <= 0`` on the device: the CPU's warning, worded for the op
    (``std_mean():``), once for a real input and once per part for a complex one."""
    said = {}
    for device in ("cpu", "cuda"):
        for dt in (torch.float32, torch.complex64):
            x = torch.ones(3, 1, dtype=dt, device=device)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                getattr(torch, op)(x, 1)
            # (the simulator's NumPy may add its own RuntimeWarning for 0/0: not PyTorch's)
            said[device, dt] = [str(w.message) for w in caught if w.category is UserWarning]
    assert said["cuda", torch.float32] == said["cpu", torch.float32]
    assert said["cuda", torch.complex64] == said["cpu", torch.complex64]
    assert len(said["cpu", torch.float32]) == 1 and said["cpu", torch.float32][0].startswith(
        f"{op}(): degrees of freedom is <= 0"
    )
    assert len(said["cpu", torch.complex64]) == 2
