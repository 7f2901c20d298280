"""``jitgrad.explain`` and ``jitgrad.viz.make_dot``: what backward will run, as text and DOT."""

from __future__ import annotations

import re

import numpy as np
import pytest

import jitgrad
from jitgrad import viz
from jitgrad.frontend import lazy


def _graph():
    x = jitgrad.tensor(np.linspace(-1, 1, 6).reshape(2, 3), requires_grad=True)
    w = jitgrad.tensor([0.5, 1.0, 1.5], requires_grad=True)
    return x, w, jitgrad.tanh(x * w + 1) * x


def test_explain_reports_groups_kernels_and_cache_status():
    x, w, out = _graph()
    report = jitgrad.explain(out)
    assert len(report.groups) == 1
    group = report.groups[0]
    assert group.ops == ["MulBackward0", "TanhBackward0", "AddBackward0", "MulBackward0"]
    assert report.unfused == ["AccumulateGrad", "AccumulateGrad"]
    text = str(report)
    if lazy.STATE.enabled:  # JITGRAD_LAZY=1: building the kernel would compute the forward
        assert group.kernel == "(none)" and "still deferred" in group.status
    else:
        assert group.kernel.startswith("_gen_mul_tanh_add_fbwd_")
        assert "1 fused group(s)" in text and group.kernel in text and "def " not in text
    out.backward(jitgrad.ones(2, 3, dtype=jitgrad.float64))
    after = jitgrad.explain(out, source=True)  # the graph is freed: reports the kernel it ran
    assert after.groups[0].kernel.startswith("_gen_mul_tanh_add_fbwd_")
    group = after.groups[0]
    assert "calls" in after.groups[0].status
    assert f"def {group.kernel}(" in str(after)


def test_explain_with_fusion_off_and_on_a_leaf():
    _, _, out = _graph()
    with jitgrad.fusion(False):
        report = jitgrad.explain(out)
    assert report.groups == [] and "fusion off" in str(report)
    with pytest.raises(RuntimeError, match="grad_fn"):
        jitgrad.explain(jitgrad.ones(2, requires_grad=True))


def test_make_dot_draws_groups_as_clusters_and_leaves_as_accumulate_grad():
    x, w, out = _graph()
    dot = viz.make_dot(out, params={"x": x, "w": w})
    src = dot.source
    assert src.startswith("digraph {") and src.rstrip().endswith("}")
    assert src.count("subgraph cluster_fused") == 1
    # torchviz's labels: "name\n (shape)" in light blue feeding the leaf's AccumulateGrad
    assert f'{id(x)} [label="x\\n (2, 3)" fillcolor="lightblue"]' in src
    assert f'{id(w)} [label="w\\n (3)" fillcolor="lightblue"]' in src
    assert src.count('[label="AccumulateGrad"]') == 2
    accumulate_x = out.grad_fn.next_functions[1][0]  # out = tanh(...) * x
    assert f"{id(x)} -> {id(accumulate_x)}\n" in src
    assert src.count("TanhBackward0") == 1
    assert src.count(" -> ") == 9  # 6 graph edges, 2 leaf -> AccumulateGrad, 1 output
    assert f'{id(out)} [label="\\n (2, 3)" fillcolor="darkolivegreen1"]' in src
    kernel = jitgrad.explain(out).groups[0].kernel
    assert f"fused kernel 0: {kernel}" in src and "subgraph cluster_legend" in src
    plain = viz.make_dot(out, show_fusion=False, legend=False).source
    assert "cluster" not in plain


def test_make_dot_show_saved_and_attr_and_notebook_display():
    x, w, out = _graph()
    dot = viz.make_dot(out, params={"x": x, "w": w}, show_saved=True)
    src = dot.source
    assert 'fillcolor="orange"' in src and '[dir="none"]' in src
    assert "saved tensor" in src  # the legend names the colour
    dot.attr(rankdir="LR")  # a graphviz.Digraph method: works on the fallback too
    assert "\trankdir=LR\n" in dot.source
    bundle = dot._repr_mimebundle_()
    assert bundle.get("text/plain", dot.source) == dot.source or "image/svg+xml" in bundle


def test_dot_without_graphviz_renders_clearly():
    try:
        import graphviz  # noqa: F401

        pytest.skip("graphviz installed: make_dot returns a graphviz object")
    except ImportError:
        pass
    _, _, out = _graph()
    dot = viz.make_dot(out)
    with pytest.raises(RuntimeError, match="graphviz"):
        dot.render("graph")
    assert str(dot) == dot.source


def test_debug_levels_print_launches_and_source(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import jitgrad\n"
        "x = jitgrad.ones(3, requires_grad=True)\n"
        "(jitgrad.exp(x * 2.5) * 3).backward(jitgrad.ones(3))\n"
    )
    env = {
        **os.environ,
        "JITGRAD_CACHE_DIR": str(tmp_path),
        "JITGRAD_DEBUG": "2",
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
    }
    res = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300
    )
    assert res.returncode == 0, res.stderr
    assert "launch _gen_mul_exp_fbwd_" in res.stderr or "launch _gen_exp_mul_fbwd_" in res.stderr
    assert "compiled _gen_" in res.stderr and "@cached_njit" in res.stderr
    assert "fusion group 0: MulBackward0 <- ExpBackward0 <- MulBackward0" in res.stderr


def test_debug_reports_hand_written_kernels_through_the_jitgrad_logger(tmp_path):
    import os
    import re
    import subprocess
    import sys
    from pathlib import Path

    # The program configures logging itself: jitgrad adds no handler, its records propagate.
    code = (
        "import logging, sys\n"
        "logging.basicConfig(stream=sys.stdout, format='%(name)s|%(levelname)s|%(message)s')\n"
        "import jitgrad\n"
        "from jitgrad import nn\n"
        "import jitgrad.nn.functional as F\n"
        "lin = nn.Linear(20, 5)\n"
        "x, t = jitgrad.randn(64, 20), jitgrad.tensor([1, 3] * 32)\n"
        "F.cross_entropy(lin(x), t).backward()\n"
    )
    env = {
        **os.environ,
        "JITGRAD_CACHE_DIR": str(tmp_path),
        "JITGRAD_DEBUG": "1",
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
    }
    res = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300
    )
    assert res.returncode == 0, res.stderr
    assert "[jitgrad]" not in res.stderr  # no handler of its own: the root's prints it
    lines = res.stdout.splitlines()
    assert lines and all(line.startswith("jitgrad|DEBUG|") for line in lines)
    launches = [line.split("|", 2)[2] for line in lines if "|launch " in line]
    names = [line.split()[1] for line in launches]
    for kernel in ("matmul", "cross_entropy_fwd", "cross_entropy_bwd", "col_sum"):
        assert kernel in names, names
    mm = next(line for line in launches if line.startswith("launch matmul"))
    assert re.search(r"f32\[64,20\] f32\[20,5\] f32\[64,5\] [0-9.]+ ms [0-9.]+ KB", mm), mm
    assert re.search(r"[0-9.]+ GB/s \([0-9]+% of copy\)", mm), mm
    assert any(line.split("|", 2)[2].startswith("compiled cross_entropy_fwd") for line in lines)


def test_explain_after_backward_describes_the_graph_and_changes_nothing():
    # The README's example: explain after backward used to raise "backward ... a second time".
    x = jitgrad.tensor(np.linspace(-1, 1, 1000), requires_grad=True)
    y = (x * x + x.sin()).sum()
    y.backward()
    grad = x.grad.numpy().copy()
    report = jitgrad.explain(y)
    assert [g.ops for g in report.groups] == [["AddBackward0", "SinBackward0", "MulBackward0"]]
    assert "calls" in report.groups[0].status
    np.testing.assert_array_equal(x.grad.numpy(), grad)
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()  # explain freed nothing new and kept nothing alive either


def test_explain_forward_groups_say_why_each_kernel_ran_alone():
    x = jitgrad.tensor(np.linspace(-1, 1, 1000), requires_grad=True)
    y = (x * x + x.sin()).sum()
    report = jitgrad.explain(y)
    if lazy.STATE.enabled:  # JITGRAD_LAZY=1: everything deferred, one chain with the sum
        assert [g.ops for g in report.forward] == [["mul", "sin", "add", "sum"]]
        assert report.forward[0].kind == "deferred"
        assert "epilogue" in report.forward[0].reason
        return
    assert [g.ops for g in report.forward] == [["mul"], ["sin"], ["add"], ["sum"]]
    assert [g.kind for g in report.forward] == ["eager"] * 3 + ["hand-written"]
    threshold = "1,000 elements < the deferral threshold 65,536"
    assert all(threshold in g.reason for g in report.forward[:3])
    assert report.forward[3].reason == "not elementwise"
    text = str(report)
    assert "forward to <SumBackward0>: 4 kernel(s)" in text
    assert "SumBackward0: not elementwise" in text


def test_explain_forward_chain_cut_by_a_non_elementwise_op_and_the_cap():
    x = jitgrad.tensor(np.linspace(-1, 1, 70000), requires_grad=True)  # above the threshold
    h = (x * 2).exp()
    m = h.reshape(700, 100).sum(1)  # reads the chain: cuts it
    z = (m * 3).sin()
    launches = lazy.LAUNCHES[0]
    report = jitgrad.explain(z)
    assert lazy.LAUNCHES[0] == launches  # explain computed nothing
    kinds = [(g.ops, g.kind) for g in report.forward]
    assert kinds[0] == (["mul", "exp"], "deferred")
    assert report.forward[0].reason == "cut: view reads it (not elementwise)"
    assert ["sum"] in [g.ops for g in report.forward]
    w = x
    for _ in range(lazy.MAX_CHAIN + 2):
        w = w * 1.0
    capped = jitgrad.explain(w.sum()).forward
    assert capped[0].reason.startswith(f"cut: the cap of {lazy.MAX_CHAIN} ops")
    assert len(capped[0].ops) == lazy.MAX_CHAIN


def test_make_dot_saved_boxes_are_named_like_pytorchs_saved_attributes():
    # PyTorch 2.13: TanhBackward0 has _saved_result, MulBackward0 _saved_self/_saved_other,
    # SinBackward0 _saved_self (dir() of each node); torchviz labels boxes by those names.
    x = jitgrad.ones(3, requires_grad=True)
    a, b = x * 2.0, x + 1.0
    y = (a * b).sin().tanh().sum()
    source = viz.make_dot(y, show_saved=True, legend=False).source
    labels = re.findall(r'label="([a-z]+)\\n', source)
    assert sorted(labels) == ["other", "result", "self", "self"], labels
