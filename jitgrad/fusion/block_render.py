"""A blocked reduction's per-block loop as a generated function of its own.

:func:`.codegen._blocked_reduction` runs a 1-D loop with a full reduction block by block. With
the element loop written inside the block loop, two things went wrong in the compiled code:

* the vectorized loop calls the masked libm fallback of ``sin32``/``cos32`` (see
  :mod:`jitgrad.kernels.cpu.fastmath_base`) in every iteration, and a call clobbers every vector
  register: the chain workload's loop spilled and reloaded ~35 vectors and rematerialized ~60
  constants around its two calls per 16 elements. Numba optimizes a function's final module
  once, and the vectorizer creates that call after the inliner has run, so it stays a call.
  A callee function is vectorized when its own library is finalized and optimized *again* in
  the caller's module, where the inliner inlines the variant: its "no lane out of range" test
  then sits in the loop and the libm calls in a cold branch. The chain joint kernel alone, one
  thread, 4M elements, CPU time: 20.9 -> 13.0 ms (the hand-written floor: 11.6);
* any enclosing loop made LLVM reload tanh32's constants in every iteration (gelu: 62 -> 55
  instructions per 16 elements; no measurable change in time).

The block function takes the scalars, the compacted operands, the block's slices and its
length; the values it computes are the same operations in the same order (bitwise the same
results: ``tests/test_chunked_launch.py``).

A float summand is also added into a running sum that nobody reads (``ilv_``, through
:func:`jitgrad.kernels.cpu.scalar.interleave_hint`, a ``reassoc`` add). LLVM's loop vectorizer
interleaves a vectorized loop (several vectors per iteration, their instructions alternated)
only when the loop has a reduction; a loop that only stores runs one vector per iteration.
tanh-GELU's body (``tanh32``, a division) then waits on its own dependency chain: the block
loop took 4.8 us per 4096 elements where the same loop with a running sum took 3.5 (one
thread, in L1). The hint makes the loop a reduction loop (LLVM interleaved it 4x); the value
is dropped, so the stored summands and the block sums (``lanes_add`` over the scratch, the
order tier 0 and capture share) are unchanged, bit for bit (perf/RESULTS.md, Run floor11).
"""

from __future__ import annotations

#: Lanes of the 64-lane summation order (:func:`jitgrad.kernels.cpu.scalar.lanes_sum`).
LANES = 64


def keeps_lanes(body: list[str]) -> bool:
    """Whether a block loop keeps the 64 lanes itself (``lanes[i0 - j_] += s``) rather than
    storing its summands for ``lanes_add``: the same bits either way. A short body without
    math calls is memory-bound, and the lanes in the loop save the pass over the scratch
    (mse 1.26 -> 0.92 the floor); a body with ``tanh32`` & co. kept in a 64-wide inner loop
    reloads its constants and is not interleaved (gelu 1.55 -> 1.87; Run lanes64)."""
    return not any("_fm." in ln or "_k." in ln for ln in body)


def lanes_function(name: str, params: list[str], main: list[str], tail: list[str], flags: str):
    """Source lines of ``name(params..., n_)`` keeping each reduced output's lanes (params
    ``lanes_<output>``, zeroed here): ``main`` (indented 12) runs over the whole groups of 64,
    ``tail`` (indented 8) over the rest; both add summand ``i0`` into lane ``i0 - j_``."""
    lanes = [p for p in params if p.startswith("lanes_")]
    lines = [f"@cached_njit({flags})", f"def {name}({', '.join([*params, 'n_'])}):"]
    lines += [f"    for l_ in range({LANES}):", *[f"        {a}[l_] = 0" for a in lanes]]
    lines += [f"    m_ = n_ - n_ % {LANES}", f"    for j_ in range(0, m_, {LANES}):"]
    lines += [f"        for l_ in range({LANES}):", "            i0 = j_ + l_", *main]
    lines += ["    j_ = m_", "    for i0 in range(m_, n_):", *tail]
    return [*lines, "", ""]


def reduction_block(name: str, params: list[str], body_at, reduced: list, flags: str) -> tuple:
    """(the outputs summed from a scratch, the block function's lines, per reduced output the
    start of its block-sum call) for codegen's blocked reduction; appends the block's own
    parameters (``lanes_<output>`` or ``blk_<output>``) to ``params``. ``body_at(indent,
    reduce, prefix)`` renders the element loop's body, ``reduce`` storing each summand."""
    body = body_at(" " * 8, "blk_{array}[i0] = {local}", "blk_")
    if keeps_lanes(body):  # the same bits as lanes_sum over the stored summands
        params += [f"lanes_{o[0]}" for o in reduced]
        add = "lanes_{array}[i0 - j_] += np.{dt}({local})"
        block = lanes_function(
            name, params, body_at(" " * 12, add, "blk_"), body_at(" " * 8, add, "blk_"), flags
        )
        cut = f"[: min(blk_hi - blk_lo, {LANES})]"
        return [], block, [f"_k.fold_sum(lanes_{o[0]}{cut}, " for o in reduced]
    params += [f"blk_{o[0]}" for o in reduced]
    block = block_function(name, params, body, flags, reduced[0][1::2])
    return reduced, block, [f"_k.lanes_fold(lanes_{o[0]}, blk_hi - blk_lo, " for o in reduced]


#: Elements per call of a storing block function (a multiple of :data:`LANES`, so every
#: sub-block but a block's last starts a new row of the lanes: the same order as
#: ``lanes_sum`` over the whole block). The block's operands and outputs and the scratch, a
#: sub-block each, then stay in L1 (32 KB): tanh-GELU's loop with 4096-element calls wrote
#: 48 KB per call, and ran 1.62-1.65 the floor against 1.39-1.40 with 1024 or 2048 (Run gelu13).
SUB_BLOCK = 1024


def block_calls(name: str, params: list[str], sliced: list[str], scratch: list) -> list[str]:
    """The lines inside a blocked reduction's block loop (indented 8) that slice the block's
    arrays (``sliced``, as ``blk_<name>``) and call the block function ``name``. A function
    storing its summands (``scratch``, the reduced outputs) is called on sub-blocks of
    :data:`SUB_BLOCK`, each sub-block's summands then added into the lanes (``lanes_add``);
    one keeping the lanes itself is called once on the block."""
    lo, hi, ind = "blk_lo", "blk_hi", " " * 8
    lines = [f"{ind}lanes_{o[0]}[:] = 0" for o in scratch]
    if scratch:
        lines += [f"{ind}for sub_lo in range(blk_lo, blk_hi, {SUB_BLOCK}):"]
        lo, hi, ind = "sub_lo", "sub_hi", " " * 12
        lines += [f"{ind}sub_hi = min(sub_lo + {SUB_BLOCK}, blk_hi)"]
    lines += [f"{ind}blk_{n} = {n}[{lo}:{hi}]" for n in sliced]
    lines += [f"{ind}blk_{o[0]} = scr_{o[0]}[: {hi} - {lo}]" for o in scratch]
    lines.append(f"{ind}{name}({', '.join(params)}, {hi} - {lo})")
    return lines + [f"{ind}_k.lanes_add(blk_{o[0]}, lanes_{o[0]})" for o in scratch]


#: Summand dtypes given the interleave hint (a ``reassoc`` add means something for floats only;
#: LLVM interleaves integer reductions anyway).
HINTED = ("float32", "float64")


def block_function(
    name: str, params: list[str], body: list[str], flags: str, summand: tuple = ()
) -> list[str]:
    """Source lines of ``name(params..., n_)``: ``for i0 in range(n_):`` over ``body`` (lines
    indented for that loop), decorated like the kernel (``flags``). ``summand``: the
    ``(local, dtype)`` of a reduced value, added into the discarded interleave hint when its
    dtype is in :data:`HINTED` (module docstring)."""
    hint = len(summand) == 2 and summand[1] in HINTED
    lines = [f"@cached_njit({flags})", f"def {name}({', '.join([*params, 'n_'])}):"]
    lines += [f"    ilv_ = np.{summand[1]}(0)"] if hint else []
    lines += ["    for i0 in range(n_):", *body]
    if hint:
        local, dt = summand
        lines += [f"        ilv_ = _k.interleave_hint(ilv_, np.{dt}({local}))", "    return ilv_"]
    return [*lines, "", ""]
