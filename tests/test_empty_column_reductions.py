"""Reductions over a dimension when the kept dimensions hold no elements (a ``(3, 0)`` tensor
reduced over dim 0): the result is empty, and the call must return.

``prod`` over such a shape never returned: the chunk size of its rows
(``reduce_leaves._chunk_rows``) doubled while ``rows * 2 * B`` stayed within a bound, which
with ``B == 0`` holds forever. The calls run in a child process with a time limit so a hang
fails the test instead of stopping the suite.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

PROGRAM = """
import json, jitgrad as torch
out = []
for shape, dim in [((3, 0), 0), ((2, 3, 0), 1), ((0, 3, 0), 1), ((4, 0), 0)]:
    for name in ("prod", "sum", "mean", "nansum", "logsumexp", "std", "var"):
        x = torch.zeros(shape, requires_grad=True)
        y = getattr(x, name)(dim, keepdim=True)
        y.sum().backward()
        out.append([name, list(shape), dim, list(y.shape), list(x.grad.shape)])
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def results() -> list:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([ROOT, os.environ.get("PYTHONPATH", "")]))
    env["JITGRAD_COMPILE_NOTICE"] = "0"
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM], capture_output=True, text=True, env=env, timeout=600
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_every_reduction_returns_the_kept_shape_and_an_input_shaped_gradient(results: list) -> None:
    assert len(results) == 28
    for name, shape, dim, result_shape, grad_shape in results:
        kept = list(shape)
        kept[dim] = 1  # keepdim=True: PyTorch's result shape
        assert result_shape == kept, (name, shape)
        assert grad_shape == shape, (name, shape)
