"""The public ops whose own bodies run on device tensors as they are: written in Tensor ops
that have device kernels, so the CUDA backend leaves them unwrapped (:mod:`.fallback`) and
they record the CPU's nodes on the device, instead of a round trip through the host.

Each name here was found by the sweep of ``tests/cuda_sim/cases_sweep.py``: the op's
unwrapped body run on device operands with the host fallback refused and NumPy reads of
device arrays refused (a GPU's memory cannot be read by NumPy; the simulator's can, so the
guard stands in for the GPU), giving the CPU's values, node and gradients. An op whose body
reads host values (``._value`` with NumPy, a host constant tensor) stays wrapped: the sweep
shows it as a host fallback.
"""

from __future__ import annotations

import sys
from typing import Any

#: ``jitgrad.<name>`` functions and Tensor methods (either or both, as the name exists)
TORCH = frozenset(
    (
        "logcumsumexp cosine_similarity detach ravel reshape_as atleast_1d atleast_2d "
        "atleast_3d hstack vstack dstack column_stack row_stack fliplr flipud outer ger inner "
        "vdot einsum tensordot kron baddbmm diff rot90 meshgrid cartesian_prod "
        "take_along_dim aminmax dist cdist "
        # (cuda14b: CPU bodies rewritten in Tensor ops, one body for both devices)
        "isclose count_nonzero nansum nanmean trace roll addmv addr addbmm diag diag_embed cross "
        # (cuda14c: block_diag's zeros made on the blocks' device; addmm's blend of a device
        # product in Tensor ops)
        "block_diag addmm "
        # (cuda15: its count of valid values in Tensor ops, beside the device sort and gather)
        "nanmedian "
        # (cuda15b: the fallback probe's rows; narrow, diff, cumsum and sum on the device)
        "trapezoid cumulative_trapezoid "
        # (cuda16: the device's norms, where and a product)
        "renorm"
    ).split()
)
#: ``jitgrad.nn.functional`` functions (and the ``jitgrad.<name>`` that is the same object);
#: the in-place activations write through the pointwise hook, recorded
FUNCTIONAL = frozenset(
    (
        "mse_loss l1_loss binary_cross_entropy_with_logits cosine_similarity normalize "
        "softmin glu huber_loss smooth_l1_loss kl_div soft_margin_loss margin_ranking_loss "
        "hinge_embedding_loss poisson_nll_loss gaussian_nll_loss cosine_embedding_loss "
        "triplet_margin_loss pairwise_distance rms_norm instance_norm binary_cross_entropy "
        "multilabel_soft_margin_loss prelu bilinear threshold_ leaky_relu_ hardtanh_ elu_ "
        "celu_ selu_ "
        # (cuda14b: CPU bodies rewritten in Tensor ops; sdpa's bias made on the query's device)
        "pixel_shuffle pixel_unshuffle channel_shuffle native_channel_shuffle group_norm "
        "scaled_dot_product_attention"
    ).split()
)

#: the module of the ``torch.<name>`` functions that only call the ``nn.functional`` op
#: with other arguments (``torch.batch_norm``'s order, ``torch.kl_div``'s integer
#: ``reduction``): left alone, so the call reaches F's device op or composed body (wrapped,
#: the alias ran that op with its own arguments, or took the host fallback)
ALIASES_MODULE = "jitgrad.functional_aliases"


def nn_f(name: str) -> Any:
    return getattr(sys.modules["jitgrad.nn.functional"], name, None)


def is_nn_f(top: Any, name: str) -> bool:
    """``jitgrad.<name>`` is the ``nn.functional`` op, or it under an argument renamer
    (:mod:`~jitgrad.frontend.numpy_names`): wrapped, it rerouted ``F.<name>`` too."""
    fn, target = getattr(top, name, None), nn_f(name)
    while fn is not None:
        if fn is target:
            return True
        fn = getattr(fn, "__wrapped__", None)
    return False
