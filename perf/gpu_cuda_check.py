"""On a machine with an NVIDIA GPU: the device tests on the real device, then fwd+bwd timings
of an elementwise chain, a matmul and one MLP step on the GPU, against the CPU.

    python perf/gpu_cuda_check.py            # tests, then timings (sizes: --n, --batch)

Not run by the test suite (it needs a GPU: Numba's simulator would take hours at these sizes).
The timings synchronize the device before reading the clock.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _timed(fn, repeat: int = 5) -> float:
    import jitgrad as torch

    fn()  # compiles
    torch.cuda.synchronize()
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        torch.cuda.synchronize()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1 << 22)
    parser.add_argument("--batch", type=int, default=1024)
    parser.add_argument("--skip-tests", action="store_true")
    args = parser.parse_args()
    if os.environ.get("NUMBA_ENABLE_CUDASIM") == "1":
        sys.exit("unset NUMBA_ENABLE_CUDASIM: this script is for a real GPU")
    if not args.skip_tests:
        files = sorted(str(p) for p in (ROOT / "tests" / "cuda_sim").glob("cases_*.py"))
        rc = subprocess.call([sys.executable, "-m", "pytest", "-q", *files], cwd=ROOT)
        print(f"device tests: exit status {rc}")
    import jitgrad as torch

    if not torch.cuda.is_available():
        sys.exit("no CUDA device visible to Numba")
    print(f"device: {torch.cuda.get_device_name()}")
    for dev in ("cuda", "cpu"):
        x = torch.randn(args.n, device=dev, requires_grad=True)

        def chain(x=x):
            (torch.tanh(x * 1.5 + 0.5) * torch.exp(-x)).sum().backward()

        model = torch.nn.Sequential(
            torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Linear(512, 10)
        ).to(dev)
        opt = torch.optim.SGD(model.parameters(), lr=0.01)
        data = torch.randn(args.batch, 784, device=dev)
        target = torch.randint(0, 10, (args.batch,), device=dev)

        def step(model=model, opt=opt, data=data, target=target):
            opt.zero_grad()
            torch.nn.functional.cross_entropy(model(data), target).backward()
            opt.step()

        a = torch.randn(1024, 1024, device=dev)
        print(
            f"{dev}: chain fwd+bwd {args.n} elements {_timed(chain) * 1e3:.2f} ms, "
            f"matmul 1024^2 {_timed(lambda a=a: a @ a) * 1e3:.2f} ms, "
            f"MLP 784-512-10 step batch {args.batch} {_timed(step) * 1e3:.2f} ms"
        )


if __name__ == "__main__":
    main()
