"""``optim.SparseAdam`` as PyTorch 2.13 behaves for what jitgrad can express: its argument
checks and messages, repr and state_dict, a step without gradients, and the RuntimeError
for dense gradients (jitgrad has no sparse tensors, so every gradient is dense, including
``nn.Embedding(sparse=True)``'s, where PyTorch would hand SparseAdam a sparse one)."""

from __future__ import annotations

import pytest

import jitgrad as torch
from jitgrad import nn

DENSE = "SparseAdam does not support dense gradients, please consider Adam instead"


def _p() -> nn.Parameter:
    return nn.Parameter(torch.ones(3))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lr": 0}, "Invalid learning rate: 0"),  # strictly positive, unlike Adam
        ({"lr": -1}, "Invalid learning rate: -1"),
        ({"eps": 0}, "Invalid epsilon value: 0"),
        ({"betas": (1.0, 0.9)}, "Invalid beta parameter at index 0: 1.0"),
        ({"betas": (0.5, -0.1)}, "Invalid beta parameter at index 1: -0.1"),
    ],
)
def test_argument_checks(kwargs, message) -> None:
    with pytest.raises(ValueError) as info:
        torch.optim.SparseAdam([_p()], **kwargs)
    assert str(info.value) == message


def test_tensor_lr_empty_params_and_complex_params() -> None:
    with pytest.raises(ValueError, match="^Tensor lr must be 1-element$"):
        torch.optim.SparseAdam([_p()], lr=torch.tensor([1.0, 2.0]))
    with pytest.raises(ValueError, match="^optimizer got an empty parameter list$"):
        torch.optim.SparseAdam([])
    z = nn.Parameter(torch.ones(2, dtype=torch.complex64))
    with pytest.raises(ValueError) as info:
        torch.optim.SparseAdam([{"params": [_p()]}, {"params": [_p(), z]}])
    assert str(info.value) == (
        "Complex params at indices [[1, 1]]: SparseAdam does not support complex parameters"
    )


def test_repr_and_state_dict() -> None:
    opt = torch.optim.SparseAdam([_p()], lr=0.1)
    assert repr(opt) == (
        "SparseAdam (\nParameter Group 0\n    betas: (0.9, 0.999)\n    eps: 1e-08\n"
        "    lr: 0.1\n    maximize: False\n)"
    )
    assert opt.state_dict() == {
        "state": {},
        "param_groups": [
            {"lr": 0.1, "betas": (0.9, 0.999), "eps": 1e-08, "maximize": False, "params": [0]}
        ],
    }


def test_step_without_grads_is_a_no_op_and_returns_the_closure_loss() -> None:
    p = _p()
    opt = torch.optim.SparseAdam([p])
    assert opt.step() is None
    assert opt.step(lambda: 3) == 3
    assert p.tolist() == [1.0, 1.0, 1.0] and opt.state_dict()["state"] == {}


def test_dense_gradients_are_refused_before_any_state() -> None:
    p = _p()
    opt = torch.optim.SparseAdam([p])
    (p * 2).sum().backward()
    with pytest.raises(RuntimeError) as info:
        opt.step()
    assert str(info.value) == DENSE
    assert p.tolist() == [1.0, 1.0, 1.0] and opt.state_dict()["state"] == {}


def test_embedding_sparse_flag_still_gives_a_dense_gradient() -> None:
    emb = nn.Embedding(5, 2, sparse=True)
    opt = torch.optim.SparseAdam(emb.parameters())
    emb(torch.tensor([1, 2])).sum().backward()
    assert emb.weight.grad.is_sparse is False  # where PyTorch's is sparse
    with pytest.raises(RuntimeError, match="^SparseAdam does not support dense gradients"):
        opt.step()
