#!/usr/bin/env bash
# One shot on a GPU machine (issue 15; sized for an H100, ~8 minutes in all):
#   1. pip install -e .[cuda]   (numba-cuda, CuPy for cuBLAS; skipped with a note when offline)
#   2. the CUDA tests on the real device: tests/test_cuda_kernels.py runs every kern_*.py module
#      on the GPU (test_on_gpu) and the PTX check, tests/test_cuda_backend.py runs every
#      cases_*.py module on the GPU (test_device_tests_on_the_gpu); their simulator halves are
#      CI's and are left out here (-k "not simulator") to keep within the time box
#   3. perf/gpu_bench.py: chain, gelu, mse at 64M float32 and the 784-512-10 MLP step at batch
#      4096, jitgrad vs PyTorch eager CUDA and torch.compile, one process each; its table is
#      also written to perf/results/gpu_bench.txt (copy it into perf/RESULTS.md)
# Usage: bash perf/gpu_run.sh            (from any directory)
set -uo pipefail
cd "$(dirname "$0")/.."
unset NUMBA_ENABLE_CUDASIM
export JITGRAD_CACHE_DIR="${JITGRAD_CACHE_DIR:-/tmp/jg-cache-gpu}"
start=$SECONDS

if ! nvidia-smi -L >/dev/null 2>&1; then  # before the install: nothing here to measure
    echo "gpu_run: no GPU (nvidia-smi finds no NVIDIA device); nothing was run" >&2
    exit 1
fi
timeout 240 python3 -m pip install -q -e ".[cuda]" \
    || echo "gpu_run: pip install -e .[cuda] failed (offline?); using what is installed"
python3 -c "import sys; from numba import cuda; ok = cuda.is_available(); \
print('GPU:', cuda.get_current_device().name) if ok else \
sys.exit('gpu_run: no GPU that numba.cuda can use (driver or numba-cuda missing?)')" || exit 1
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true

echo "== CUDA tests on the device ($((SECONDS - start)) s)"
timeout 300 python3 -m pytest -q -p no:cacheprovider -k "not simulator" \
    tests/test_cuda_kernels.py tests/test_cuda_backend.py
tests_rc=$?

echo "== GPU benchmark ($((SECONDS - start)) s)"
mkdir -p perf/results
timeout 360 python3 perf/gpu_bench.py --repeats 11 | tee perf/results/gpu_bench.txt
bench_rc=${PIPESTATUS[0]}
echo "gpu_run: tests exit $tests_rc, benchmark exit $bench_rc, $((SECONDS - start)) s in all"
exit $((tests_rc || bench_rc))
