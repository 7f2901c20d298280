#!/usr/bin/env bash
# One shot on a GPU machine (issue 15; sized for an H100, under ~8 minutes in all). The machine
# is offline: numba, numba-cuda, PyTorch (CUDA) and CuPy are preinstalled there, and nothing
# here downloads anything. Each stage has its own time limit (also cut to what is left of
# GPU_RUN_SECONDS, default 450) and writes its log into the results folder as it goes, so a
# stage that overruns loses nothing before it:
#   env      nvidia-smi, versions of python/numba/numba-cuda/torch/cupy, whether the `cuda`
#            extra's requirements are met and CuPy imports (jitgrad's matmul otherwise falls
#            back to a slow tiled kernel without a word)                       (env.log)
#   install  pip install --no-deps --no-build-isolation --no-index -e ".[cuda]" (install.log)
#            (the `cuda` extra's packages are preinstalled: env checked them; a failure,
#            e.g. a setuptools without bdist_wheel, is only noted: PYTHONPATH points at this
#            checkout either way)
#   smoke    perf/gpu_smoke.py: five small device programs vs the CPU         (smoke.log)
#   tests    perf/gpu_tests.py: tests/cuda_sim/kern_*.py and cases_*.py on the GPU, in 6
#            parallel pytest processes (tests-N.log, pytest -v: every result as it comes); the
#            simulator and PTX halves of the CUDA tests are CI's and are left out here. Cut
#            at what leaves the bench its time; its compiles warm the kernel cache the bench
#            then loads
#   bench    perf/gpu_bench.py: chain, gelu, mse at 64M float32 and the 784-512-10 MLP step at
#            batch 4096, jitgrad (fused and unfused) vs PyTorch eager CUDA and torch.compile,
#            one process each, started together; the table is rewritten after every round
#            (gpu_bench.txt, each timing in gpu_bench.txt.jsonl): copy it into perf/RESULTS.md.
#            It fails (FAILED: lines) when a library or workload did not run, when jitgrad's
#            losses/gradients disagree with PyTorch's, or when its matmul is not cuBLAS
# Results go to $OUT when set (the device runner's folder), else perf/results/gpu/; the summary
# of exit codes is status.txt; the script exits non-zero when any stage failed or timed out
# (env included), and its last line names them.
# Usage: bash perf/gpu_run.sh            (from any directory)
#        GPU_RUN_DRY=1 GPU_RUN_SECONDS=900 bash perf/gpu_run.sh
#                                             (no GPU: every stage in Numba's CUDA simulator at
#                                              tiny sizes, one test file per group, no pip
#                                              install: a dry run, slower than a GPU: give it
#                                              900 s;
#                                              TORCH_PYTHON=<python with torch> also runs the
#                                              PyTorch eager and torch.compile workers, on CPU)
set -uo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
total=${GPU_RUN_SECONDS:-450}
res=${OUT:-perf/results/gpu}
mkdir -p "$res"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
export JITGRAD_CACHE_DIR="${JITGRAD_CACHE_DIR:-/tmp/jg-cache-gpu}"
export PYTHONUNBUFFERED=1
py=${PYTHON:-python3}
dry=${GPU_RUN_DRY:-0}
if [ "$dry" = 1 ]; then export NUMBA_ENABLE_CUDASIM=1; else unset NUMBA_ENABLE_CUDASIM; fi

log() { echo "[gpu_run $((SECONDS - start)) s] $*" | tee -a "$res/gpu_run.log"; }

# stage NAME LIMIT CMD...: run CMD with its output in $res/NAME.log, cut at LIMIT seconds or
# at what is left of the total (less $reserve, kept for the stages after it)
reserve=0
stage() {
    local name=$1 limit=$2 left rc
    shift 2
    left=$((total - (SECONDS - start) - reserve))
    [ "$left" -lt "$limit" ] && limit=$left
    if [ "$limit" -lt 10 ]; then
        log "$name: skipped (no time left)"
        echo "$name skipped" >> "$res/status.txt"
        return 124
    fi
    log "== $name (up to $limit s)"
    timeout -k 10 "$limit" "$@" > "$res/$name.log" 2>&1
    rc=$?
    tail -n 25 "$res/$name.log"
    [ "$rc" = 124 ] && log "$name: TIMED OUT after $limit s"
    log "$name: exit $rc"
    echo "$name $rc" >> "$res/status.txt"
    return "$rc"
}

: > "$res/status.txt"
if [ "$dry" != 1 ] && ! nvidia-smi -L > /dev/null 2>&1; then
    log "no GPU (nvidia-smi finds no NVIDIA device); nothing was run"
    exit 1
fi

reserve=400
env_rc=0
install_note=""
stage env 30 bash -c "nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv \
    || true; $py perf/gpu_env.py $([ "$dry" = 1 ] && echo --dry)" || env_rc=$?
if [ "$dry" = 1 ]; then  # (a dry run is on a shared machine: never repoint its install)
    log "install: skipped in a dry run"
else
    stage install 45 env PIP_BREAK_SYSTEM_PACKAGES=1 "$py" -m pip install --no-deps \
        --no-build-isolation --no-index -q -e ".[cuda]" \
        || { install_note=" (install failed: see install.log; ran from this checkout through \
PYTHONPATH)"; log "install failed$install_note"; }
fi
# every later stage imports this checkout's jitgrad: say so, or fail here
"$py" -c "import jitgrad, sys; p = jitgrad.__file__; print('jitgrad from', p); \
sys.exit(not p.startswith('$PWD/'))" | tee -a "$res/gpu_run.log" \
    || { log "FAILED: python does not import jitgrad from $PWD"; env_rc=1; }

reserve=330
smoke_rc=0
# (a dry run compiles the CPU references cold on a shared machine: 90 s ran out there at load
# 16-20, sessions 18 and 19; a GPU machine takes seconds)
stage smoke "$([ "$dry" = 1 ] && echo 240 || echo 90)" "$py" perf/gpu_smoke.py || smoke_rc=$?

reserve=230  # the bench's: its workers' compiles (torch.compile's the longest) and 11 rounds
tests_rc=0
stage tests 600 "$py" perf/gpu_tests.py "$res" $([ "$dry" = 1 ] && echo --dry) || tests_rc=$?

reserve=0
if [ "$dry" = 1 ]; then bench_args=(--smoke); else bench_args=(--repeats 11); fi
left=$((total - (SECONDS - start)))
budget=$((left < 220 ? left - 10 : 210))
bench_rc=0
stage bench 220 "$py" perf/gpu_bench.py "${bench_args[@]}" --budget "$budget" \
    --out "$res/gpu_bench.txt" || bench_rc=$?

failed=""
for name in env smoke tests bench; do
    rc_var="${name}_rc"
    [ "${!rc_var}" != 0 ] && failed="$failed $name(exit ${!rc_var})"
done
if [ -n "$failed" ]; then
    log "FAILED:$failed; results in $res$install_note"
    exit 1
fi
log "all stages passed; results in $res$install_note"
