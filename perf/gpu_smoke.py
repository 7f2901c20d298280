"""A one-minute check that the CUDA backend runs on this machine's GPU, before the long stages
of ``perf/gpu_run.sh``: a fused chain with its backward, the joint loss kernel, a reduction,
matmul, cross-entropy and one SGD step, each compared with the same program on the CPU.
Prints one line per check (with the seconds it took, numba's compiles included) and exits
non-zero if any failed, so a backend that cannot run at all is known at once.

    python perf/gpu_smoke.py                       # a GPU
    NUMBA_ENABLE_CUDASIM=1 python perf/gpu_smoke.py  # the simulator (a dry run)
"""

from __future__ import annotations

import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import jitgrad as torch  # noqa: E402

F = torch.nn.functional
RNG = np.random.default_rng(0)
X = RNG.standard_normal((8, 6)).astype(np.float32)
Y = RNG.standard_normal(6).astype(np.float32)
T = RNG.integers(0, 6, 8)


def _leaves(device: str) -> tuple:
    x = torch.tensor(X, device=device, requires_grad=True)
    y = torch.tensor(Y, device=device, requires_grad=True)
    return x, y


def chain(device: str) -> list:
    x, y = _leaves(device)
    loss = (torch.tanh(x * y + torch.sin(x)) * torch.exp(-x * x) / (1 + y * y)).sum()
    loss.backward()
    return [loss, x.grad, y.grad]


def mean_loss(device: str) -> list:
    x, y = _leaves(device)
    loss = ((x - y) ** 2).mean()
    loss.backward()
    return [loss, x.grad, y.grad]


def reductions(device: str) -> list:
    x, _ = _leaves(device)
    return [x.sum(0), x.amax(1), x.mean(), x.softmax(1), x.argmax(1)]


def matmul_ce(device: str) -> list:
    x, y = _leaves(device)
    w = torch.tensor(X.T.copy(), device=device, requires_grad=True)
    logits = x @ w[:, :6] + y
    loss = F.cross_entropy(logits, torch.tensor(T, device=device))
    loss.backward()
    return [loss, x.grad, w.grad, y.grad]


def sgd_step(device: str) -> list:
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(6, 5), torch.nn.ReLU(), torch.nn.Linear(5, 3))
    model.to(device)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for _ in range(2):
        opt.zero_grad()
        F.cross_entropy(
            model(torch.tensor(X, device=device)), torch.tensor(T % 3, device=device)
        ).backward()
        opt.step()
    return list(model.parameters())


CHECKS: dict[str, Callable[[str], list]] = {
    "fused chain + backward": chain,
    "mean loss (joint kernel)": mean_loss,
    "reductions, softmax, argmax": reductions,
    "matmul + cross_entropy": matmul_ce,
    "MLP, two SGD steps": sgd_step,
}


def main() -> int:
    if not torch.cuda.is_available():
        print("gpu_smoke: no CUDA device (torch.cuda.is_available() is False)")
        return 1
    failed = 0
    for name, fn in CHECKS.items():
        start = time.perf_counter()
        try:
            dev = fn("cuda")
            torch.cuda.synchronize()
            took = time.perf_counter() - start
            ref = fn("cpu")
            for d, c in zip(dev, ref, strict=True):
                assert d.device.type == "cuda", d.device
                np.testing.assert_allclose(
                    d.detach().cpu().numpy(), c.detach().numpy(), rtol=2e-4, atol=1e-5
                )
            print(f"ok    {name} ({took:.1f} s)", flush=True)
        except Exception:  # noqa: BLE001 - every check runs; the failures are printed
            failed += 1
            print(f"FAIL  {name} ({time.perf_counter() - start:.1f} s)", flush=True)
            traceback.print_exc()
    print(f"gpu_smoke: {len(CHECKS) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
