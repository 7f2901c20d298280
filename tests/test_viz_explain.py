"""``jitgrad.explain`` and ``jitgrad.viz.make_dot``: what backward will run, as text and DOT."""

from __future__ import annotations

import numpy as np
import pytest

import jitgrad
from jitgrad import viz


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
    assert group.kernel.startswith("_gen_mul_tanh_add_fbwd_")
    assert report.unfused == ["AccumulateGrad", "AccumulateGrad"]
    text = str(report)
    assert "1 fused group(s)" in text and group.kernel in text and "def " not in text
    out.backward(jitgrad.ones(2, 3, dtype=jitgrad.float64))
    after = jitgrad.explain(out, source=True)  # the graph is freed: reports the kernel it ran
    assert after.groups[0].kernel == group.kernel
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
    assert '"x\\n(2, 3)"' in src and '"w\\n(3)"' in src
    assert src.count("TanhBackward0") == 1
    assert src.count(" -> ") == 7  # 6 graph edges + the output
    plain = viz.make_dot(out, show_fusion=False).source
    assert "cluster" not in plain and '"(2, 3)"' in plain


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
