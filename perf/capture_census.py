"""Census of what ``jitgrad.compile`` keeps: which ops of a real training step split the
graph or run eagerly, and why (issue 16 section 1).

Each workload is one training step (forward, backward, optimizer step) of the kind the perf/
workloads and the corpus programs run, small enough to trace in seconds. It is run three times
under ``jitgrad.compile`` (the first call may create optimizer state, the next traces, the
third replays) and ``explain()`` is printed: that is what a user sees, the *first* op that
stopped the recording. Then the step is traced once more with the recorder told to note every
refusal and keep going, so the census lists *every* op a step would have to capture, not
only the first (refusals that only follow from an earlier one, "a tensor computed by an op
the trace did not see", are counted apart).

    python perf/capture_census.py              # every workload
    python perf/capture_census.py cnn lstm     # some
"""

from __future__ import annotations

import collections
import re
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import jitgrad as torch  # noqa: E402
import jitgrad.nn as nn  # noqa: E402
import jitgrad.nn.functional as F  # noqa: E402
from jitgrad.capture import compiled as _compiled  # noqa: E402
from jitgrad.capture import trace as _trace  # noqa: E402
from perf.rogozhnikov import run_graph  # noqa: E402

#: refusals that only follow from an earlier one (a value or gradient the trace never saw made)
FOLLOWS = ("a tensor computed by an op the trace did not see",
           ".grad of a tensor the trace has no gradient for")  # fmt: skip


def _sgd_step(params: list, lr: float = 0.1, **kw: Any):
    """A step function over ``loss_fn`` with an optimizer made once."""
    return torch.optim.SGD(params, lr=lr, **kw)


def rogozhnikov() -> tuple:
    leaves = torch.arange(100, dtype=torch.float32, requires_grad=True)
    return (lambda: run_graph(torch, leaves, 200)[-1].backward()), ()


def chain() -> tuple:
    x = torch.randn(4096, requires_grad=True)
    y = torch.randn(4096, requires_grad=True)

    def step():
        loss = (torch.tanh(x * y + torch.sin(x)) * torch.exp(-x * x) / (1 + y * y)).sum()
        loss.backward()
        return loss.detach()

    return step, ()


def gelu() -> tuple:
    x = torch.randn(4096, requires_grad=True)

    def step():
        loss = F.gelu(x, approximate="tanh").mean()
        loss.backward()
        return loss.detach()

    return step, ()


def mse() -> tuple:
    a = torch.randn(4096, requires_grad=True)
    b = torch.randn(4096, requires_grad=True)

    def step():
        loss = ((a - b) ** 2).mean()
        loss.backward()
        return loss.detach()

    return step, ()


def logistic() -> tuple:
    w = torch.tensor(0.1, requires_grad=True)
    b = torch.tensor(0.0, requires_grad=True)
    xs, ys = torch.randn(8), (torch.randn(8) > 0).float()
    opt = _sgd_step([w, b])

    def step():
        opt.zero_grad()
        p = torch.sigmoid(xs * w + b)
        loss = -(ys * torch.log(p) + (1 - ys) * torch.log(1 - p)).mean()
        loss.backward()
        opt.step()
        return loss.detach()

    return step, ()


def dispatch() -> tuple:
    x = torch.randn(16, requires_grad=True)

    def step():
        y = x
        for i in range(200):
            y = y * 1.0001 if i % 2 else y + 0.5
        y.sum().backward()

    return step, ()


def mlp_step() -> tuple:
    model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
    opt = _sgd_step(list(model.parameters()), momentum=0.9)
    x, t = torch.randn(16, 64), torch.randint(0, 10, (16,))

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(model(x), t)
        loss.backward()
        opt.step()
        return loss.detach()

    return step, ()


def cnn() -> tuple:
    model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(4 * 3 * 3, 10))  # fmt: skip
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x, t = torch.randn(8, 1, 8, 8), torch.randint(0, 10, (8,))

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(model(x), t)
        loss.backward()
        opt.step()
        return loss.detach()

    return step, ()


def lstm() -> tuple:
    rnn, head = nn.LSTM(4, 8, batch_first=True), nn.Linear(8, 1)
    params = [*rnn.parameters(), *head.parameters()]
    opt = torch.optim.Adam(params, lr=1e-3)
    x, t = torch.randn(2, 5, 4), torch.randn(2, 1)

    def step():
        opt.zero_grad()
        out, _ = rnn(x)
        loss = F.mse_loss(head(out[:, -1]), t)
        loss.backward()
        opt.step()
        return loss.detach()

    return step, ()


def transformer() -> tuple:
    """One pre-norm block (the shape of build_nanogpt_train / annotated_transformer)."""
    torch.manual_seed(0)
    emb, ln, qkv = nn.Embedding(20, 16), nn.LayerNorm(16), nn.Linear(16, 48)
    mlp1, mlp2, out = nn.Linear(16, 32), nn.Linear(32, 16), nn.Linear(16, 20)
    mods = [emb, ln, qkv, mlp1, mlp2, out]
    params = [p for m in mods for p in m.parameters()]
    opt = torch.optim.AdamW(params, lr=1e-3)
    idx, tgt = torch.randint(0, 20, (2, 6)), torch.randint(0, 20, (2, 6))

    def step():
        opt.zero_grad()
        h = emb(idx)
        q, k, v = qkv(ln(h)).split(16, dim=-1)
        att = F.softmax(q @ k.transpose(-2, -1) / 4.0, dim=-1)
        h = h + F.dropout(att @ v, 0.1)
        h = h + mlp2(F.gelu(mlp1(ln(h))))
        loss = F.cross_entropy(out(h).view(-1, 20), tgt.view(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        return loss.detach()

    return step, ()


WORKLOADS = {f.__name__: f for f in (rogozhnikov, chain, gelu, mse, logistic, dispatch,
                                     mlp_step, cnn, lstm, transformer)}  # fmt: skip


def _every_refusal(reasons: list[str]):
    """Patches that make a trace note every refusal and go on recording (census only: the
    program it would keep is dropped, ``failed`` is set once the call returns)."""
    real_run, real_fail = _compiled.run_traced, _trace.Recorder.fail

    def fail(self: Any, why: str) -> None:
        reasons.append(re.sub(r" \(at .*\)$", "", why))

    def run_traced(rec: Any, fn: Any, args: tuple, kwargs: dict) -> Any:
        try:
            return real_run(rec, fn, args, kwargs)
        finally:
            rec.failed = "census"

    return (real_run, real_fail), (run_traced, fail)


def census(name: str) -> tuple[str, collections.Counter, int]:
    step, args = WORKLOADS[name]()
    compiled = torch.compile(step)
    for _ in range(3):
        compiled(*args)
    explain = compiled.explain()
    reasons: list[str] = []
    real, patched = _every_refusal(reasons)
    _compiled.run_traced, _trace.Recorder.fail = patched
    try:
        torch.compile(step)(*args)
    finally:
        _compiled.run_traced, _trace.Recorder.fail = real
    follows = [r for r in reasons if any(f in r for f in FOLLOWS)]
    primary = collections.Counter(r for r in reasons if r not in follows)
    return explain, primary, len(follows)


def main(argv: list[str]) -> None:
    names = argv or list(WORKLOADS)
    total: collections.Counter = collections.Counter()
    for name in names:
        explain, primary, follows = census(name)
        print(f"## {name}\n{explain}")
        for why, n in primary.most_common():
            print(f"    refused x{n}: {why}")
            total[why] += 1
        if follows:
            print(f"    (+{follows} refusals that follow from those)")
    print("\n## refusals by the number of workloads they split")
    for why, n in total.most_common():
        print(f"  {n:2d}  {why}")


if __name__ == "__main__":
    main(sys.argv[1:])
