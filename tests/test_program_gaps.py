"""API gaps that public tutorial programs (tests/programs/corpus/) stopped on: indexing with a
``range``, ``nn.init.eye_``/``orthogonal_``/``xavier_normal_``/``kaiming_normal_``, the
function forms of in-place ops (``torch.sin_``), and ``_is_initial`` in a scheduler's state."""

from __future__ import annotations

import math

import numpy as np
import pytest

import jitgrad as torch
from jitgrad import nn


def test_range_index_reads_as_its_sequence() -> None:
    # what-is-torch-nn-really's nll: input[range(n), target]
    x = torch.arange(12.0).reshape(3, 4).requires_grad_()
    out = x[range(3), torch.tensor([0, 2, 1])]
    assert out.tolist() == [0.0, 6.0, 9.0]
    out.sum().backward()
    assert x.grad.tolist() == [[1, 0, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0]]
    assert x[range(1, 3)].tolist() == [[4, 5, 6, 7], [8, 9, 10, 11]]
    assert x[range(0)].shape == (0, 4)


def test_eye_() -> None:
    t = nn.init.eye_(torch.empty(3, 5))
    assert t.tolist() == np.eye(3, 5).tolist()
    with pytest.raises(ValueError, match="^Only tensors with 2 dimensions are supported$"):
        nn.init.eye_(torch.empty(3))


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (4, 2, 3)])
def test_orthogonal_(shape: tuple) -> None:
    torch.manual_seed(0)
    t = torch.empty(*shape)
    assert nn.init.orthogonal_(t, gain=2.0) is t
    q = np.asarray(t.tolist()).reshape(shape[0], -1)
    small = min(q.shape)
    gram = q @ q.T if q.shape[0] == small else q.T @ q
    np.testing.assert_allclose(gram, 4.0 * np.eye(small), atol=1e-5)
    with pytest.raises(ValueError, match="^Only tensors with 2 or more dimensions are supported$"):
        nn.init.orthogonal_(torch.empty(4))


def test_normal_initialisers_have_the_published_std() -> None:
    torch.manual_seed(0)
    w = nn.init.xavier_normal_(torch.empty(300, 400), gain=2.0)
    assert abs(w.std().item() / (2.0 * math.sqrt(2.0 / 700)) - 1) < 0.02
    w = nn.init.kaiming_normal_(torch.empty(300, 400), mode="fan_out", nonlinearity="relu")
    assert abs(w.std().item() / (math.sqrt(2.0) / math.sqrt(300)) - 1) < 0.02
    w = nn.init.kaiming_normal_(torch.empty(300, 400))  # leaky_relu, a=0, fan_in
    assert abs(w.std().item() / (math.sqrt(2.0) / math.sqrt(400)) - 1) < 0.02
    with pytest.raises(ValueError, match="^Mode fan_avg not supported, please use one of"):
        nn.init.kaiming_normal_(torch.empty(3, 4), mode="fan_avg")
    assert nn.init.kaiming_normal_(torch.empty(0, 4)).shape == (0, 4)


def test_function_forms_of_inplace_ops() -> None:
    t = torch.tensor([0.0, math.pi / 2])
    assert torch.sin_(t) is t
    np.testing.assert_allclose(t.tolist(), [0.0, 1.0], atol=1e-7)
    assert torch.zero_(t).tolist() == [0.0, 0.0]
    assert torch.fill_(t, 2.5).tolist() == [2.5, 2.5]
    leaf = torch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        torch.exp_(leaf)
    assert torch.relu_.__name__ == "relu_" and torch.relu_(torch.tensor([-1.0])).tolist() == [0.0]


def test_scheduler_is_initial_only_during_its_first_step() -> None:
    seen = []

    class Probe(torch.optim.lr_scheduler.LRScheduler):
        def get_lr(self):
            seen.append(self._is_initial)
            return self.base_lrs

    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    sched = Probe(opt)
    opt.step()
    sched.step()
    assert seen == [True, False]
    assert sched.state_dict()["_is_initial"] is False
