"""Focused tests for what the corpus programs added in session 5 found broken in jitgrad.

* ``einsum``'s graph: PyTorch permutes every operand to the output's order before anything
  else, so one operand that is not summed ends in ``PermuteBackward0`` (even ``"ii->i"`` and
  ``"ij->ij"``), and a pair with no summed subscript is multiplied (``MulBackward0``).
* Internal helpers must not leak into the ``jitgrad`` namespace (PyTorch's is the spec).

Node names and error texts are PyTorch 2.13's (recorded with it); values come from NumPy.
"""

from __future__ import annotations

import numpy as np
import pytest

import jitgrad as torch


# ---- einsum: the node PyTorch's einsum records last -------------------------------------------
@pytest.mark.parametrize(
    "equation, shapes, node",
    [
        ("ij->ij", [(3, 3)], "PermuteBackward0"),
        ("ii->i", [(3, 3)], "PermuteBackward0"),
        ("iij->ji", [(2, 2, 3)], "PermuteBackward0"),
        ("i->i", [(3,)], "PermuteBackward0"),
        ("iij->j", [(2, 2, 3)], "SumBackward1"),
        ("ij->i", [(3, 4)], "SumBackward1"),
        ("i,j->ij", [(3,), (4,)], "MulBackward0"),
        ("i,j->ji", [(3,), (4,)], "MulBackward0"),
        ("ij,j->ij", [(3, 4), (4,)], "MulBackward0"),
        ("ii,i->i", [(3, 3), (3,)], "MulBackward0"),
        ("i,j,k->ijk", [(2,), (3,), (4,)], "MulBackward0"),
        ("ij,j->i", [(3, 4), (4,)], "ViewBackward0"),
        ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)], "ViewBackward0"),
    ],
)
def test_einsum_records_pytorchs_last_node(equation, shapes, node) -> None:
    rng = np.random.default_rng(5)
    arrays = [rng.standard_normal(s) for s in shapes]
    xs = [torch.tensor(a, requires_grad=True) for a in arrays]
    got = torch.einsum(equation, *xs)
    assert got.grad_fn.name() == node
    np.testing.assert_allclose(got.detach().numpy(), np.einsum(equation, *arrays), rtol=1e-12)
    got.sum().backward()
    for x, a in zip(xs, arrays, strict=True):
        assert x.grad.shape == a.shape


# ---- the namespace: no internal helper under jitgrad.* -------------------------------------
@pytest.mark.parametrize(
    "name",
    "write_out run apply apply_inplace record cast unary_ add_ mul_ REGISTRY R D Any "
    "INPLACE_UNARY elementwise_operands missing_attribute functional_namespace annotations".split(),
)
def test_internal_helpers_are_not_public_names(name: str) -> None:
    assert name not in dir(torch)
    with pytest.raises(AttributeError):
        getattr(torch, name)


# ---- Embedding: max_norm, scale_grad_by_freq, from_pretrained ------------------------------
def test_embedding_max_norm_renormalizes_the_looked_up_rows_in_place() -> None:
    table = np.arange(30.0).reshape(10, 3) / 10
    weight = torch.tensor(table)
    out = torch.nn.functional.embedding(torch.tensor([1, 9]), weight, max_norm=1.0)
    want = table[9] / (np.linalg.norm(table[9]) + 1e-7)
    np.testing.assert_allclose(out.numpy()[1], want, rtol=1e-12)
    np.testing.assert_allclose(weight.numpy()[9], want, rtol=1e-12)  # the table changed too
    np.testing.assert_array_equal(weight.numpy()[:9], table[:9])  # rows under max_norm kept
    layer = torch.nn.Embedding(10, 3, max_norm=2.0, norm_type=1.0, _weight=torch.tensor(table))
    layer(torch.tensor([2]))
    np.testing.assert_allclose(layer.weight.detach().numpy()[2], table[2] * 2.0 / (2.1 + 1e-7))


def test_embedding_scale_grad_by_freq_divides_by_the_batch_count() -> None:
    e = torch.nn.Embedding(4, 2, scale_grad_by_freq=True)
    e(torch.tensor([1, 1, 2, 1])).sum().backward()
    np.testing.assert_array_equal(e.weight.grad.numpy(), [[0, 0], [1, 1], [1, 1], [0, 0]])


def test_embedding_from_pretrained_and_reprs() -> None:
    w = torch.arange(6.0).view(3, 2)
    e = torch.nn.Embedding.from_pretrained(w)
    assert not e.weight.requires_grad
    np.testing.assert_array_equal(e(torch.tensor([2, 0])).numpy(), [[4, 5], [0, 1]])
    bag = torch.nn.EmbeddingBag.from_pretrained(w, freeze=False, mode="sum")
    assert bag.weight.requires_grad
    np.testing.assert_array_equal(bag(torch.tensor([[2, 0]])).detach().numpy(), [[4, 6]])
    with pytest.raises(AssertionError, match="Embeddings parameter is expected to be 2-dim"):
        torch.nn.Embedding.from_pretrained(torch.ones(3))
    kw = {"max_norm": 1.0, "norm_type": 1.0, "scale_grad_by_freq": True, "padding_idx": 1}
    assert repr(torch.nn.Embedding(5, 3, sparse=True, **kw)) == (
        "Embedding(5, 3, padding_idx=1, max_norm=1.0, norm_type=1.0, scale_grad_by_freq=True, "
        "sparse=True)"
    )
    assert repr(torch.nn.EmbeddingBag(5, 3, mode="max", **kw)) == (
        "EmbeddingBag(5, 3, max_norm=1.0, norm_type=1.0, scale_grad_by_freq=True, mode='max', "
        "padding_idx=1)"
    )


# ---- cross_entropy: label smoothing with class weights; nll_loss2d's node names -----------
def _smoothed_reference(x, t, w, eps, ignore, reduction):
    """PyTorch's documented formula, in NumPy: (1-eps) * weighted NLL + eps/C * smooth."""
    logp = x - np.log(np.exp(x).sum(1, keepdims=True))
    c = x.shape[1]
    kept = t != ignore
    safe = np.where(kept, t, 0)
    nll = np.where(kept, -w[safe] * logp[np.arange(len(t)), safe], 0.0)
    smooth = np.where(kept, -(logp * w).sum(1), 0.0)
    if reduction == "none":
        return (1 - eps) * nll + eps / c * smooth
    if reduction == "sum":
        return (1 - eps) * nll.sum() + eps / c * smooth.sum()
    total = w[t[kept]].sum()
    return (1 - eps) * nll.sum() / total + eps / c * smooth.sum() / total


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("ignore", [-100, 0])
def test_cross_entropy_label_smoothing_with_weight(reduction: str, ignore: int) -> None:
    x = np.linspace(-2, 3, 15).reshape(3, 5)
    t = np.array([1, 0, 4])
    w = np.array([1.0, 2.0, 0.5, 1.0, 1.5])
    xt = torch.tensor(x, requires_grad=True)
    loss = torch.nn.functional.cross_entropy(
        xt, torch.tensor(t), weight=torch.tensor(w), ignore_index=ignore,
        reduction=reduction, label_smoothing=0.2,
    )  # fmt: skip
    want = _smoothed_reference(x, t, w, 0.2, ignore, reduction)
    np.testing.assert_allclose(loss.detach().numpy(), want, rtol=1e-12)
    assert loss.grad_fn.name() == "AddBackward0"
    loss.sum().backward()
    eps, num = 1e-6, np.zeros_like(x)
    for i in np.ndindex(x.shape):
        bumped = x.copy()
        bumped[i] += eps
        diff = _smoothed_reference(bumped, t, w, 0.2, ignore, reduction) - want
        num[i] = np.sum(diff) / eps
    np.testing.assert_allclose(xt.grad.numpy(), num, rtol=1e-4, atol=1e-6)


def test_cross_entropy_label_smoothing_double_backward() -> None:
    x = torch.linspace(-2, 3, 15, dtype=torch.float64).view(3, 5).requires_grad_()
    t = torch.tensor([1, 0, 4])
    (g,) = torch.autograd.grad(
        torch.nn.functional.cross_entropy(x, t, label_smoothing=0.2), x, create_graph=True
    )
    smoothed = torch.nn.functional.one_hot(t, 5).double() * 0.8 + 0.04
    composed = -(x.log_softmax(1) * smoothed).sum(1)
    (want,) = torch.autograd.grad(composed.mean(), x, create_graph=True)
    np.testing.assert_allclose(g.detach().numpy(), want.detach().numpy(), rtol=1e-12)
    assert torch.autograd.grad((g * g).sum(), x)[0].shape == (3, 5)


@pytest.mark.parametrize(
    "shape, reduction, node",
    [
        ((2, 3), "none", "NllLossBackward0"),
        ((2, 3, 4), "mean", "NllLoss2DBackward0"),
        ((2, 3, 4), "none", "ViewBackward0"),
        ((2, 3, 2, 2), "none", "NllLoss2DBackward0"),
        ((2, 3, 2, 2, 2), "sum", "NllLoss2DBackward0"),
        ((2, 3, 2, 2, 2), "none", "ViewBackward0"),
    ],
)
def test_nll_loss_nodes_past_two_dimensions(shape, reduction, node) -> None:
    x = torch.linspace(-1, 1, int(np.prod(shape))).view(shape).requires_grad_()
    t = torch.zeros((shape[0], *shape[2:]), dtype=torch.long)
    for fn in (torch.nn.functional.nll_loss, torch.nn.functional.cross_entropy):
        assert fn(x, t, reduction=reduction).grad_fn.name() == node


def test_cross_entropy_probability_targets_mean_divides_by_the_batch() -> None:
    x = torch.zeros(4, 3, requires_grad=True)
    loss = torch.nn.functional.cross_entropy(x, torch.full((4, 3), 1 / 3))
    assert loss.grad_fn.name() == "DivBackward1"
    assert abs(loss.item() - np.log(3)) < 1e-6


def test_parameter_dict_repr_names_the_tensor_type() -> None:
    pd = torch.nn.ParameterDict({"a": torch.zeros(2, dtype=torch.float64)})
    pl = torch.nn.ParameterList([torch.zeros(2, dtype=torch.float64)])
    assert "(a): Parameter containing: [torch.DoubleTensor of size 2]" in repr(pd)
    assert "(0): Parameter containing: [" in repr(pl) and "float64 of size 2]" in repr(pl)


# ---- vmap: the result's node is the per-sample op's kind ----------------------------------
def test_vmap_result_node_is_the_mapped_ops() -> None:
    w = torch.tensor([1.0, -2.0, 0.5], requires_grad=True)
    xs = torch.tensor([[1.0, 0.0, 2.0], [0.0, 1.0, 0.0]])
    out = torch.func.vmap(lambda v: v.dot(w).relu())(xs)
    assert out.grad_fn.name() == "ReluBackward0"
    np.testing.assert_array_equal(out.detach().numpy(), [2.0, 0.0])
    out.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [1.0, 0.0, 2.0])  # only the first row counts
    assert torch.func.vmap(torch.mul)(xs, xs).grad_fn is None


# ---- smaller gaps: a Function's too-small gradient, float32 special functions -------------
def test_function_gradient_smaller_than_its_input_is_an_error() -> None:
    class WrongShape(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g.sum()

    with pytest.raises(RuntimeError) as info:
        WrongShape.apply(torch.ones(2, 3, requires_grad=True)).sum().backward()
    assert str(info.value) == (
        "Function WrongShapeBackward returned an invalid gradient at index 0 - got [] but "
        "expected shape compatible with [2, 3]"
    )


def test_float32_erfcx_is_computed_in_float64() -> None:
    # exp(x^2) overflows float32 from x = 9.4; erfcx(10) = 0.0561409927438226 (mpmath)
    got = torch.special.erfcx(torch.tensor([10.0, -1.0, 30.0]))
    np.testing.assert_allclose(got.numpy(), [0.0561409927438226, 5.00898008076228, 0.018795888861],
                               rtol=1e-6)  # fmt: skip


# ---- storages, linalg *_ex results -----------------------------------------------------------
def test_untyped_storage_is_shared_by_views_and_not_by_copies() -> None:
    x = torch.arange(6.0).view(2, 3)
    s = x.untyped_storage()
    assert (s.nbytes(), len(s), s.data_ptr()) == (24, 24, x.data_ptr())
    assert x[1].untyped_storage().data_ptr() == s.data_ptr()  # a view: same storage
    assert x.t()[1:, 1].untyped_storage().data_ptr() == s.data_ptr()
    assert x.clone().untyped_storage().data_ptr() != s.data_ptr()
    typed = x[1:].storage()
    assert (typed.size(), typed.element_size(), typed.dtype) == (6, 4, torch.float32)
    assert typed.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    assert repr(typed).startswith(" 0.0\n 1.0\n")
    assert repr(typed).endswith(", device=cpu) of size 6]")


def test_linalg_ex_results_are_named() -> None:
    a = torch.tensor([[4.0, 1.0], [1.0, 3.0]], dtype=torch.float64)
    inv = torch.linalg.inv_ex(a)
    np.testing.assert_allclose(inv.inverse.numpy(), np.linalg.inv(a.numpy()), rtol=1e-12)
    assert inv.info.item() == 0 and type(inv).__name__ == "linalg_inv_ex"
    chol = torch.linalg.cholesky_ex(a)
    np.testing.assert_allclose(chol.L.numpy(), np.linalg.cholesky(a.numpy()), rtol=1e-12)
    sol = torch.linalg.solve_ex(a, torch.ones(2, dtype=torch.float64))
    np.testing.assert_allclose(sol.result.numpy(), np.linalg.solve(a.numpy(), np.ones(2)))
    assert repr(inv).startswith("torch.return_types.linalg_inv_ex(\ninverse=")


# ---- Module: get_submodule / get_parameter / get_buffer, load_state_dict(assign=True) ---------
def test_module_lookup_by_dotted_path() -> None:
    net = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.BatchNorm1d(3))
    assert net.get_submodule("") is net and net.get_submodule("1") is net[1]
    assert net.get_parameter("0.weight") is net[0].weight
    assert net.get_buffer("1.running_mean") is net[1].running_mean
    for call, arg, msg in [
        (net.get_submodule, "2", "Sequential has no attribute `2`"),
        (net.get_submodule, "0.weight", "`weight` is not an nn.Module"),
        (net.get_parameter, "1.running_mean", "`running_mean` is not an nn.Parameter"),
        (net.get_buffer, "0.bias", "`bias` is not a buffer"),
        (net.get_parameter, "0.nope", "Linear has no attribute `nope`"),
    ]:
        with pytest.raises(AttributeError) as info:
            call(arg)
        assert str(info.value) == msg


def test_load_state_dict_assign_keeps_the_checkpoint_tensors() -> None:
    src = torch.nn.Linear(3, 2)
    sd = {k: v.detach().clone() for k, v in src.state_dict().items()}
    dst = torch.nn.Linear(3, 2)
    dst.load_state_dict(sd, assign=True)
    assert isinstance(dst.weight, torch.nn.Parameter) and dst.weight.requires_grad
    assert dst.weight.data_ptr() == sd["weight"].data_ptr()
    np.testing.assert_array_equal(dst.bias.detach().numpy(), src.bias.detach().numpy())
    with pytest.raises(TypeError) as info:
        dst.weight = torch.ones(2, 3, dtype=torch.float64)
    assert str(info.value) == (
        "cannot assign 'torch.DoubleTensor' as parameter 'weight' (torch.nn.Parameter or None "
        "expected)"
    )
