"""``jitgrad.compile`` (``torch.compile``) and ``torch.compiler``'s functions.

A compiled function is captured as a tape: its first call (per guard set: argument shapes,
dtypes, ``requires_grad``, ``.grad`` presence, Python scalar values, grad mode) runs eagerly
while every op the user's code calls is recorded; later calls copy the inputs into one flat
arena, run one pre-compiled Numba loop over the recorded rows (forward, the backward sweep
in the eager engine's order, the optimizer's update) and write parameters, optimizer state,
``.grad`` and results back. A new graph costs a trace, never a Numba compile. The parts:

- :mod:`.api`: ``torch.compile``'s signature, checks and wrappers;
- :mod:`.compiled`: guards, the per-function cache, the eager fallback and ``explain()``;
- :mod:`.trace`: the interposed API during a trace; :mod:`.record`,
  :mod:`.record_pointwise` and :mod:`.record_optim`: what each call records;
- :mod:`.optable`: the forms capture records, derived from the op declarations (op ->
  forward code, each input's derivative code);
- :mod:`.record_host`: host calls, for what the interpreter has no rows for (``F.linear``'s
  BLAS products, ``cross_entropy``/``nll_loss``/``log_softmax``'s kernels): eager's own calls
  on views of the arena, run between the interpreter's segments;
- :mod:`.tape`: the arena layout, the backward schedule; :mod:`.program`: the frozen
  :class:`~.program.Program` and its run (interpreter segments around the host calls);
- :mod:`.tile` and :mod:`.fused`: a program's elementwise rows over >= 512K elements
  (forward and backward, and a full sum or mean summed in eager's blocked order) grouped and
  run as one generated loop per group, a host call compiled when the trace ends, its blocks
  on the worker pool (a loop per row was 40x slower than eager's fused kernel on an
  8M-element step); small programs keep their rows; :mod:`.direct`: such a loop reads the
  caller's inputs and writes the leaves' ``.grad`` itself where nothing else in the program
  touches them (no copies in or out: one pass over memory, as eager's joint kernel);
- :mod:`.interp`: the interpreter loop's template, generated per dtype with the declarations'
  formulas of the op codes a tape uses (their families; float32 and float64, each code set
  cached on disk, and a tape replays on any loop having its codes). Not on disk yet, a loop
  is compiled by a child process while the compiled function's calls run eagerly
  (:mod:`.build`): a few seconds for a program's own codes (the full loop, built once small
  ones have cost half of it, ~10-15 s), so a new user's first captured program barely waits;
- :mod:`.straight`: ``mode="max-autotune"``'s tier, a program as
  generated straight-line source compiled per graph (no per-row dispatch, a Numba compile
  per graph).

Results: the forward and each derivative use the eager kernels' formulas (the op
declarations' expressions, the same fast-math exp/tanh, the reduction kernels' pairwise sum
and softmax bodies), and gradients are added in the engine's order. Where the engine fuses
backward groups, the trace asks the fusion planner for the groups this graph gets and the
tape adds as their kernels do (member by member, then each outgoing sum once into its
target's buffer). So values and gradients equal eager's bit for bit, fused or not.

What is kept: the elementwise ops of :mod:`.optable` (arithmetic with tensors or Python
numbers on either side, ``alpha=``, powers, softplus, clamp, and every declared elementwise
op with a ``torch.*`` name and one or two tensor inputs:
exp/log/tanh/sigmoid/relu/sqrt/erf/atan/atan2/hypot/maximum/...), a one-element operand
broadcast over the other, sums and means of everything or over the last dim, ``F.mse_loss``,
softmax of a vector, stack/unbind/select of scalars, ``nn.functional``'s elementwise
activations (``gelu`` with either approximation, ``silu``, ``mish``, ``logsigmoid``,
``leaky_relu``, ``elu``/``celu``/``selu``, ``hardtanh``/``relu6``; not ``inplace=True``),
``F.linear`` of an (N, in) matrix, ``F.cross_entropy`` and ``F.nll_loss`` of (N, C) inputs
with class-index targets (no class weights; reduction, ``ignore_index`` and
``label_smoothing`` as given), ``log_softmax`` along one dim of a matrix or more (host
calls: an MLP training step is one program), the transformer's ops (layer_norm, embedding,
``@``, layout ops, ``contiguous``, ``masked_fill`` with a mask made by a comparison,
``F.dropout`` in training: its mask drawn at each run by eager's code from the default
generator, so the stream and the masks are eager's), ``backward()``,
``nn.utils.clip_grad_norm_`` (eager's own norm and scaling on the arena's gradients), and
SGD (momentum, dampening, weight decay, Nesterov, maximize), Adam and AdamW (no amsgrad)
steps, float32 or float64 (Adam's float32 step count beside float64 parameters), with the
learning rate read from the param group at each run and ``lr_scheduler.step()`` inside the
step replayed as a host call, so a schedule needs no new trace. What runs eagerly (the
reason is logged under ``JITGRAD_DEBUG`` and kept for ``compiled.explain()``): any other op
(``.item()``, creation functions, sums over other dims, ...), other broadcasting, mixed
dtypes, hooks, ``retain_grad``, ``backward`` with
arguments, other optimizers and amsgrad, returning a tensor whose graph outlives the call (a
loss the step called ``backward()`` on is fine: it comes back with its value and its freed
node, so a second ``backward()`` raises as in eager), non-tensor non-scalar arguments, and
``OptimizedModule`` (modules run eagerly). A step that creates an optimizer's state (its
first) runs eagerly; the next call is traced.

Known limits: a function object bound before the trace (``from jitgrad import exp``)
bypasses the recording; Python numbers are guarded where they are arguments, in the
function's own globals and closure, or an optimizer's hyper-parameters, and baked in
elsewhere (an attribute, a helper function's global); one trace runs at a time (other
threads' calls pass through it unrecorded); a replay bumps an in-place-updated tensor's
version once; an Adam step count held in the other float dtype than the parameters is exact
up to 2**24 steps (float32's whole numbers), after which eager's float32 count stops growing
and the replay's does not.
"""

from __future__ import annotations

from ..backends import opwrap
from .api import (
    InvalidBackend,
    OptimizedModule,
    compile,  # noqa: A004 - PyTorch's name
    disable,
    is_compiling,
    list_backends,
    reset,
)

__all__ = [
    "InvalidBackend",
    "OptimizedModule",
    "compile",
    "disable",
    "is_compiling",
    "list_backends",
    "reset",
]

# Loaded at first use (jitgrad/__init__'s _LAZY): a device backend installed before this
# points these modules' by-name imports of the ops it wraps at its wrappers now.
opwrap.reroute_package(__name__)
del opwrap
