"""Per-op microbenchmarks for ``perf/ab.py``: the best of 15 timeit repeats (robust on a
busy machine), one workload per process.

    python perf/ab.py --a OLD_TREE --b . --reps 7 --pattern "([0-9.]+) us" -- perf/micro_ab.py rec

``rec``: recording ``x * y`` on 16 elements; ``logistic``: a 0-d logistic regression
forward+backward; ``dispatch``: 101 elementwise ops on 16 elements forward+backward, per op.
``logistic_c``/``dispatch_c``: the same under ``jitgrad.compile`` (``logistic_c`` also zeroes
the grads and takes a plain SGD step, as a training step does); ``logistic_cs``/
``dispatch_cs``: with ``mode="max-autotune"`` (straight-line source per graph, not the
tape interpreter). ``views``: recording 8 view/index ops (transpose, permute, unsqueeze,
select, narrow, unbind, split, gather) of a 4x6 tensor, per op. ``rec_sum``: recording
``x.sum()`` (a node with a Python backward, its record a ``recording.Saved``);
``softmax_bwd``: ``x.softmax(0).sum()`` forward+backward
(a ``ResultSaved`` record, read back in backward). A second argument ``cpu`` times in CPU
time (``time.process_time``) instead of wall time, for a loaded machine.
"""

import sys
import time
import timeit

import jitgrad as torch

which = sys.argv[1]
x = torch.randn(16, requires_grad=True)
y = torch.randn(16, requires_grad=True)
w = torch.tensor(0.3, requires_grad=True)
xs = torch.tensor(1.5)
b = torch.tensor(0.1, requires_grad=True)


def rec():
    return x * y


def rec_sum():
    return x.sum()


def softmax_bwd():
    x.softmax(0).sum().backward()


def logistic():
    p = 1 / (torch.exp(-(w * xs + b)) + 1)
    p.backward()


def dispatch():
    z = x
    for _ in range(50):
        z = z * y + x
    z.sum().backward()


m = torch.randn(4, 6, requires_grad=True)
idx = torch.tensor([[0, 1, 2], [3, 4, 5], [0, 0, 0], [5, 4, 3]])


def views():
    m.transpose(0, 1)
    m.permute(1, 0)
    m.unsqueeze(-1)
    m.select(1, 2)
    m.narrow(1, 1, 3)
    m.unbind(0)
    m.split(2, 1)
    m.gather(1, idx)


opt = torch.optim.SGD([w, b], lr=0.01)


def logistic_step():
    opt.zero_grad()
    logistic()
    opt.step()


fn, per = {
    "rec": (rec, 1),
    "rec_sum": (rec_sum, 1),
    "softmax_bwd": (softmax_bwd, 1),
    "logistic": (logistic, 1),
    "dispatch": (dispatch, 101),
    "views": (views, 8),
    "logistic_c": (torch.compile(logistic_step), 1),
    "dispatch_c": (torch.compile(dispatch), 101),
    "logistic_cs": (torch.compile(logistic_step, mode="max-autotune"), 1),
    "dispatch_cs": (torch.compile(dispatch, mode="max-autotune"), 101),
}[which]
for _ in range(200):
    fn()
timer = time.process_time if sys.argv[2:] == ["cpu"] else time.perf_counter
best = min(timeit.repeat(fn, number=200, repeat=15, timer=timer)) / 200 / per
print(f"{which}: {best * 1e6:.3f} us")
