"""Views on the device alias their base, as on the CPU: in-place writes through a transpose,
a strided slice, a select, a diagonal ... reach the base, a view read after its base changed
sees the change, and versions, refusals and errors are the CPU's. Each case runs the same
program on both devices and compares the base's and the view's values."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import jitgrad as torch

VIEWS: dict[str, Callable] = {
    "t": lambda x: x.t(),
    "T": lambda x: x.T,
    "transpose": lambda x: x.transpose(0, 1),
    "permute": lambda x: x.permute(1, 0),
    "slice_step": lambda x: x[:, ::2],
    "slice_rows": lambda x: x[1:],
    "select": lambda x: x[1],
    "select_col": lambda x: x.select(1, 2),
    "narrow": lambda x: x.narrow(1, 1, 2),
    "diagonal": lambda x: x.diagonal(),
    "t_then_slice": lambda x: x.t()[1:, ::2],
    "slice_then_select": lambda x: x[1:][:, 1],
    "select_then_view": lambda x: x[1].view(2, 2),
    "slice_then_unsqueeze": lambda x: x[:, 1:3].unsqueeze(0),
    "squeeze": lambda x: x[1:2].squeeze(0),
    "view": lambda x: x.view(2, 6),
    "view_then_select": lambda x: x.view(2, 6)[1, ::2],
    "unsqueeze_then_t": lambda x: x.unsqueeze(0)[0].t(),
    "unbind": lambda x: x.unbind(1)[2],
    "split": lambda x: x.split(2, dim=1)[1],
    "chunk": lambda x: x.chunk(3)[1],
    "tensor_split": lambda x: x.tensor_split(3, dim=1)[0],
    "hsplit": lambda x: x.hsplit(2)[1],
    "expand_as_of_row": lambda x: x[1:2].expand_as(x[1:2]),
}


def _copy_src(v: torch.Tensor) -> torch.Tensor:
    return torch.arange(v.numel(), dtype=torch.float32, device=v.device).reshape(v.shape) * -1


OPS: dict[str, Callable] = {
    "mul_": lambda v: v.mul_(2),
    "add_": lambda v: v.add_(1.5),
    "iadd": lambda v: v.__iadd__(3),
    "fill_": lambda v: v.fill_(7),
    "zero_": lambda v: v.zero_(),
    "copy_": lambda v: v.copy_(_copy_src(v)),
    "clamp_": lambda v: v.clamp_(max=4.0),  # through the host fallback
    "setitem": lambda v: v.__setitem__(0, 9.0),
}


def _np(t: torch.Tensor) -> np.ndarray:
    """A copy of ``t``'s values (a CPU tensor's ``numpy()`` shares its memory)."""
    return t.detach().cpu().numpy().copy()


def _base(device: str) -> torch.Tensor:
    return torch.tensor(np.arange(12.0).reshape(3, 4), dtype=torch.float32, device=device)


def _run(view: Callable, op: Callable, device: str) -> tuple[np.ndarray, np.ndarray, int]:
    x = _base(device)
    v = view(x)
    op(v)
    return _np(x), _np(v), x._version


@pytest.mark.parametrize("op", sorted(OPS))
@pytest.mark.parametrize("view", sorted(VIEWS))
def test_inplace_through_a_view_reaches_the_base(view: str, op: str) -> None:
    base_cpu, view_cpu, version_cpu = _run(VIEWS[view], OPS[op], "cpu")
    base_dev, view_dev, version_dev = _run(VIEWS[view], OPS[op], "cuda")
    assert not np.array_equal(base_cpu, np.arange(12.0).reshape(3, 4))  # the op wrote
    np.testing.assert_array_equal(base_dev, base_cpu)
    np.testing.assert_array_equal(view_dev, view_cpu)
    assert version_dev >= 1 and version_cpu >= 1


@pytest.mark.parametrize("view", sorted(VIEWS))
def test_a_view_reads_its_base_after_the_base_changed(view: str) -> None:
    results = []
    for device in ("cpu", "cuda"):
        x = _base(device)
        v = VIEWS[view](x)
        x.add_(1)
        first = _np(v)
        x[0] = -5.0  # through the host fallback
        results.append((first, _np(v), _np(v * 2)))
    for cpu, dev in zip(*results, strict=True):
        np.testing.assert_array_equal(dev, cpu)
    np.testing.assert_array_equal(results[1][0], VIEWS[view](_base("cpu") + 1).numpy())


def test_sibling_views_see_each_others_writes() -> None:
    x = _base("cuda")
    row, col, tr = x[1], x[:, 2], x.t()
    row.mul_(10)
    col.fill_(-1)
    tr[0] += 100  # t()[0] is column 0
    want = np.arange(12.0, dtype=np.float32).reshape(3, 4)
    want[1] *= 10
    want[:, 2] = -1
    want[:, 0] += 100
    np.testing.assert_array_equal(x.cpu().numpy(), want)
    np.testing.assert_array_equal(row.cpu().numpy(), want[1])
    np.testing.assert_array_equal(col.cpu().numpy(), want[:, 2])
    np.testing.assert_array_equal(tr.cpu().numpy(), want.T)


def test_views_share_the_version_counter() -> None:
    x = _base("cuda")
    v = x.t()[1]
    assert x._version == v._version == 0
    v.add_(1)
    assert x._version == v._version == 1
    x.mul_(2)
    assert v._version == 2
    assert v._base is x


def test_a_deferred_result_reads_the_value_at_its_op() -> None:
    x = _base("cuda")
    v = x[1]
    y = v * 2  # possibly deferred (fused chains run late)
    x.fill_(0)
    z = v + 1  # after the base changed
    np.testing.assert_array_equal(y.cpu().numpy(), [8.0, 10.0, 12.0, 14.0])
    np.testing.assert_array_equal(z.cpu().numpy(), [1.0, 1.0, 1.0, 1.0])


def test_writes_through_an_expanded_view_raise_as_on_the_cpu() -> None:
    messages = []
    for device in ("cpu", "cuda"):
        x = _base(device)
        e = x[0].expand(2, 4)
        with pytest.raises(RuntimeError) as info:
            e.add_(1)
        messages.append(str(info.value))
        np.testing.assert_array_equal(x.cpu().numpy(), _base("cpu").numpy())  # untouched
        e.fill_(3)  # allowed: every overlapping element gets the same value
        assert x[0].tolist() == [3.0] * 4 and e.cpu().tolist() == [[3.0] * 4] * 2
    assert messages[0] == messages[1]
    assert "more than one element of the written-to tensor" in messages[1]


def test_view_of_a_transposed_tensor_raises_as_on_the_cpu() -> None:
    messages = []
    for device in ("cpu", "cuda"):
        with pytest.raises(RuntimeError) as info:
            _base(device).t().view(12)
        messages.append(str(info.value))
    assert messages[0] == messages[1]


def test_contiguous_and_reshape_of_a_transpose_are_copies() -> None:
    for device in ("cpu", "cuda"):
        x = _base(device)
        c = x.t().contiguous()
        r = x.t().reshape(12)
        c.fill_(0)
        r.fill_(0)
        np.testing.assert_array_equal(x.cpu().numpy(), _base("cpu").numpy())
        s = x[1].contiguous()  # already contiguous: the view itself
        s.fill_(-2)
        assert x[1].tolist() == [-2.0] * 4


def test_inplace_on_a_view_of_a_leaf_that_requires_grad_is_refused() -> None:
    messages = []
    for device in ("cpu", "cuda"):
        x = _base(device).requires_grad_(True)
        with pytest.raises(RuntimeError) as info:
            x.t().mul_(2)
        messages.append(str(info.value))
    assert messages[0] == messages[1]
    assert "a view of a leaf Variable that requires grad" in messages[1]


def test_grads_through_views_match_the_cpu() -> None:
    grads = []
    for device in ("cpu", "cuda"):
        x = _base(device).requires_grad_(True)
        w = torch.arange(3.0).to(device)
        y = (x.t()[1:, ::2] * 2).sum() + (x[1] * x.diagonal().sum()).sum() + (x[:, 1] * w).sum()
        y.backward()
        grads.append(x.grad.cpu().numpy())
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-6)


def _w(device: str) -> torch.Tensor:
    return torch.tensor([0.5, -1.0, 2.0], device=device).requires_grad_(True)


def _prog_t_mul(y: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    v = y.t()
    v.mul_(2)
    return v


def _prog_select_iadd(y: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    y[0] += 1
    return y[0]


def _prog_slice_set_tensor(y: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    y[:, 1] = w * 3
    return y[:, 1]


def _prog_diag_add_tensor(y: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    d = y.diagonal()
    d.add_(w)
    return d


def _prog_step_set_scalar(y: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    y[1:, ::2] = 5.0
    return y[1:]


def _prog_broadcast_set(y: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    y[1:, :3] = w  # broadcast over the rows
    return y.t()


def _prog_view_of_view(y: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    v = y.t()[1:]
    v[0].mul_(w)
    return v


def _prog_sibling_written(y: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    v = y.t()[:, 1:]  # taken before a sibling view's write: stale, reads y's new history
    y[:, 2].mul_(w)
    return v


def _prog_two_stale_views(y: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    a = y[1:, ::2]
    v = a.t()
    y.diagonal().add_(w)
    return v * a.sum()


def _prog_reshape_view_stale(y: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    v = y.view(2, 6)  # a view of the same device buffer (the reshape family)
    y[1, 1:].mul_(w)
    return v


HISTORY = {
    f.__name__[6:]: f
    for f in (
        _prog_t_mul,
        _prog_select_iadd,
        _prog_slice_set_tensor,
        _prog_diag_add_tensor,
        _prog_step_set_scalar,
        _prog_broadcast_set,
        _prog_view_of_view,
        _prog_sibling_written,
        _prog_two_stale_views,
        _prog_reshape_view_stale,
    )
}


def _history(prog: Callable, device: str) -> tuple:
    x = _base(device).requires_grad_(True)
    w = _w(device)
    y = x * 1
    v = prog(y, w)
    names = (y.grad_fn.name(), v.grad_fn.name() if v.grad_fn is not None else None)
    weights = torch.arange(12.0).reshape(3, 4).to(device)
    ((y * weights).sum() + (v * v).sum()).backward()
    return _np(y), _np(v), _np(x.grad), None if w.grad is None else _np(w.grad), names


@pytest.mark.parametrize("prog", sorted(HISTORY))
def test_inplace_through_a_view_with_history_matches_the_cpu(prog: str) -> None:
    """CopySlices on the base, as the CPU records it: values, gradients and node names."""
    cpu = _history(HISTORY[prog], "cpu")
    dev = _history(HISTORY[prog], "cuda")
    assert "CopySlices" in cpu[4][0]
    assert dev[4] == cpu[4]
    for a, b in zip(dev[:4], cpu[:4], strict=True):
        if b is None:
            assert a is None
        else:
            np.testing.assert_allclose(a, b, rtol=1e-6)


SET_ERRORS = {
    "index_out_of_range": lambda x: x.__setitem__(5, 1.0),
    "too_many_indices": lambda x: x.__setitem__((0, 0, 0), 1.0),
    "shape_mismatch": lambda x: x.__setitem__(0, torch.ones(3, device=x.device)),
}


@pytest.mark.parametrize("case", sorted(SET_ERRORS))
def test_setitem_errors_are_the_cpus(case: str) -> None:
    errors = []
    for device in ("cpu", "cuda"):
        x = _base(device)
        with pytest.raises(Exception) as info:
            SET_ERRORS[case](x)
        errors.append((type(info.value), str(info.value)))
        np.testing.assert_array_equal(_np(x), _np(_base("cpu")))
    assert errors[0] == errors[1]


def test_setitem_casts_and_broadcasts_like_the_cpu() -> None:
    out = []
    for device in ("cpu", "cuda"):
        x = _base(device)
        x[1] = torch.tensor([7, 8, 9, 10], device=device)  # int64 into float32
        x[:, 0] = True
        x[..., 2:] = torch.tensor([[-1.0, -2.0]], device=device)
        y = torch.zeros(2, 3, dtype=torch.int64, device=device)
        y[0] = 2.7  # truncates
        out.append((_np(x), _np(y)))
    np.testing.assert_array_equal(out[1][0], out[0][0])
    np.testing.assert_array_equal(out[1][1], out[0][1])


MULTI = {
    "unbind": lambda x: x.unbind(0),
    "split": lambda x: x.split(1, dim=1),
    "chunk": lambda x: x.chunk(2),
}


@pytest.mark.parametrize("op", sorted(MULTI))
def test_multi_view_outputs_refuse_inplace_with_grad_as_on_the_cpu(op: str) -> None:
    errors = []
    for device in ("cpu", "cuda"):
        y = _base(device).requires_grad_(True) * 1
        outs = MULTI[op](y)
        assert len(outs) > 1
        with pytest.raises(RuntimeError) as info:
            outs[1].mul_(2)
        errors.append(str(info.value))
        with pytest.raises(RuntimeError) as info:
            outs[1][0] = 1.0
        errors.append(str(info.value))
        with torch.no_grad():  # allowed without grad, and it reaches the base
            outs[1].fill_(-3)
        errors.append(_np(y).tolist())
    half = len(errors) // 2
    assert errors[:half] == errors[half:]
    assert "returns multiple views" in errors[0]


def test_layout_queries_answer_for_the_place_in_the_base() -> None:
    answers = []
    for device in ("cpu", "cuda"):
        x = _base(device)
        row = []
        for name in sorted(VIEWS):
            v = VIEWS[name](x)
            row.append((name, v.stride(), v.stride(-1), v.is_contiguous(), v.storage_offset()))
        answers.append(row)
    assert answers[1] == answers[0]
    assert ("t", (1, 4), 4, False, 0) in answers[1]


OVERLAPPING = {
    "shifted": lambda x: x.view(12)[1:].add_(x.view(12)[:-1]),
    "view_and_transpose": lambda x: x[:, :3].t().add_(x[:, :3]),
    "base_and_transpose": lambda x: x[:, :3].add_(x[:, :3].t()),
    "disjoint": lambda x: x[:, ::2].add_(x[:, 1::2]),
    "same_view": lambda x: x[1:].mul_(x[1:]),
}


@pytest.mark.parametrize("case", sorted(OVERLAPPING))
def test_overlapping_operands_are_refused_or_computed_as_on_the_cpu(case: str) -> None:
    outcomes = []
    for device in ("cpu", "cuda"):
        x = _base(device)
        try:
            OVERLAPPING[case](x)
            outcomes.append(_np(x).tolist())
        except RuntimeError as e:
            outcomes.append(str(e))
    assert outcomes[1] == outcomes[0]
    refused = isinstance(outcomes[1], str)
    assert refused == (case == "shifted"), outcomes[1]


def _stale_after_root_write(device: str) -> tuple:
    x = _base(device).requires_grad_(True)
    y = x * 1
    v = y[1:, 1:3]
    y.mul_(2)
    with torch.no_grad():  # PyTorch regenerates under no_grad too
        name = v.grad_fn.name()
    (v * v).sum().backward()
    return name, _np(x.grad)


def test_a_view_whose_root_was_written_regenerates_as_on_the_cpu() -> None:
    """The device view goes stale and reads its root's new history (not the old slice's)."""
    cpu, dev = _stale_after_root_write("cpu"), _stale_after_root_write("cuda")
    assert cpu[0] == dev[0] == "AsStridedBackward0"
    np.testing.assert_allclose(dev[1], cpu[1], rtol=1e-6)


def _empty_views(device: str) -> list:
    """An empty view's base, version and history on ``device`` (the CPU's is the spec)."""
    out = []
    x = torch.ones(2, 3, device=device)
    y = x[:, :0]
    out.append((y._base is x, y.t()._base is x, x.narrow(1, 3, 0)._base is x))
    e = torch.ones(0, 3, device=device)
    out.append((e.unflatten(1, (3, 1))._base is e, y.detach()._base is None))
    x.add_(1)
    y.add_(1)  # no elements written: both versions move
    out.append((x._version, y._version))
    leaf = torch.ones(2, 3, device=device, requires_grad=True)
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        leaf[:, :0].add_(1)
    a = leaf * 2
    v = a[:, :0]
    v.mul_(2)
    out.append((v.grad_fn.name(), a.grad_fn.name(), a._version))
    (a.sum() + v.sum()).backward()
    out.append(leaf.grad.cpu().tolist())
    return out


def test_an_empty_view_is_a_view_of_its_base() -> None:
    """``x[:, :0]`` on the device: ``_base``, the shared version counter and an in-place op's
    history (``CopySlices`` on the base, ``AsStridedBackward0`` on the view) are the CPU's."""
    assert _empty_views("cuda") == _empty_views("cpu")
