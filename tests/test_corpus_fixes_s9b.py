"""Focused tests for what the session-9 model-code corpus programs (nanoGPT's model.py and
train.py, makemore.py, minGPT, llama2.c's model.py) needed that jitgrad lacked.

* ``torch.nn.attention.SDPBackend`` / ``sdpa_kernel`` (programs pin the attention kernel);
* ``torch.nn.parallel.DistributedDataParallel``, ``torch.distributed.init_process_group`` and
  ``destroy_process_group``: nanoGPT's train.py imports them at the top and takes the
  single-process path, so the import alone failed;
* ``inspect.signature(torch.optim.AdamW)`` hid PyTorch's keywords (``fused`` among them, which
  nanoGPT and build-nanogpt look for) behind ``**kwargs``.

Expected texts and values are PyTorch 2.13's for the same calls.
"""

from __future__ import annotations

import pytest

import jitgrad as torch
import jitgrad.nn.functional as F
from jitgrad.nn.attention import SDPBackend, sdpa_kernel


def test_sdpbackend_names_and_values_are_pytorchs():
    assert [(b.name, b.value) for b in SDPBackend] == [
        ("ERROR", -1),
        ("MATH", 0),
        ("FLASH_ATTENTION", 1),
        ("EFFICIENT_ATTENTION", 2),
        ("CUDNN_ATTENTION", 3),
        ("OVERRIDEABLE", 4),
    ]
    assert repr(SDPBackend.MATH) == "<SDPBackend.MATH: 0>"
    assert str(SDPBackend.MATH) == "SDPBackend.MATH"


def test_sdpa_kernel_math_gives_pytorchs_attention():
    q = torch.tensor([[[1.0, 0.0], [0.0, 1.0]]])
    with sdpa_kernel(SDPBackend.MATH):
        out = F.scaled_dot_product_attention(q, q, torch.tensor([[[1.0, 2.0], [3.0, 4.0]]]))
    with sdpa_kernel([SDPBackend.MATH, SDPBackend.FLASH_ATTENTION]):
        again = F.scaled_dot_product_attention(q, q, torch.tensor([[[1.0, 2.0], [3.0, 4.0]]]))
    # PyTorch 2.13: [[[1.660477, 2.660477], [2.339523, 3.339523]]]
    assert out.flatten().tolist() == pytest.approx(
        [1.660477, 2.660477, 2.339523, 3.339523], abs=1e-5
    )
    assert again.tolist() == out.tolist()


def test_ddp_without_process_group_raises_pytorchs_error():
    from jitgrad.nn.parallel import DistributedDataParallel as DDP

    with pytest.raises(
        ValueError,
        match="^Default process group has not been initialized, "
        "please make sure to call init_process_group.$",
    ):
        DDP(torch.nn.Linear(2, 2))


def test_distributed_process_group_names_exist():
    from jitgrad.distributed import destroy_process_group, init_process_group

    with pytest.raises(AssertionError, match="^Process group cannot be None$"):
        destroy_process_group()
    with pytest.raises(RuntimeError, match="no process groups"):
        init_process_group(backend="gloo")


def test_adamw_signature_lists_pytorchs_keywords():
    """nanoGPT's configure_optimizers asks ``'fused' in inspect.signature(AdamW).parameters``."""
    import inspect

    params = inspect.signature(torch.optim.AdamW).parameters
    # PyTorch 2.13's order
    assert list(params) == [
        "params",
        "lr",
        "betas",
        "eps",
        "weight_decay",
        "amsgrad",
        "maximize",
        "foreach",
        "capturable",
        "differentiable",
        "fused",
    ]
    assert params["weight_decay"].default == 0.01
    assert params["fused"].kind is inspect.Parameter.KEYWORD_ONLY
    with pytest.raises(
        TypeError,
        match=r"^AdamW\.__init__\(\) got an unexpected keyword argument 'decoupled_weight_decay'$",
    ):
        torch.optim.AdamW([torch.zeros(1, requires_grad=True)], decoupled_weight_decay=True)
