"""Host calls: ops the interpreter has no rows for, run by eager's own kernels (issue 16 §1).

``F.linear`` is a BLAS product plus a bias pass, ``F.cross_entropy`` a fused row kernel: a
replay calls exactly what eager calls (``np.matmul`` with the same operands transposed the
same way, ``bias_add_rows``, ``col_sum``, ``cross_entropy_rows_fwd``/``_bwd``, ``_finish``'s
sum and division), on views of the arena, so its values are eager's bit for bit. Each call is
a host call (:meth:`.tape.Tape.host`): the program runs as interpreter segments around them
(:mod:`.program`), one Python call per host call and a few microseconds each, against a BLAS
product of hundreds of microseconds.

Why not BLAS from inside the compiled loop: Numba's ``np.dot`` calls SciPy's BLAS through
``scipy.linalg.cython_blas``, another OpenBLAS build than the one numpy's ``matmul`` (eager's
product) links. It gave numpy's bits for the MLP's shapes on this machine (one thread,
perf/RESULTS.md, run capture14), but nothing ties the two libraries' versions, kernels or
thread splits together, a loop that can call it compiles longer (a kernel using ``np.dot``:
~0.65 s), and the host call costs microseconds against a product of hundreds: not built.

Class-index targets (an int64 tensor) are not copied into the arena: the host call reads the
caller's tensor at each run (its shape and dtype guarded, its values fresh), as eager does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..frontend.tensor import Tensor
from ..kernels.cpu import reduce as KR
from ..kernels.cpu.reduce_call import plan_3d
from ..nn import _kernels as K
from ..nn._functional_cross_entropy import _bad_target, _finish, _row_scale
from ..nn._functional_loss import probability_targets
from .record import _out, slot_of
from .record import softmax as vector_softmax
from .tape import Slot, Unsupported, tensor_key


def _ref(rec: Any, t: Any) -> tuple:
    """A tensor a host call reads at run time (not through the arena): the call's argument
    or one from outside the call, guarded as :func:`.record.slot_of` guards it (or the one
    an integer view was noted as, :func:`.record_embedding.int_view`)."""
    noted = rec.int_views.get(id(t))
    if noted is not None:
        return noted
    if not isinstance(t, Tensor) or not isinstance(t._value, np.ndarray):
        raise Unsupported("targets that are not a CPU tensor")
    made = rec.created.get(id(t))
    if t.grad_fn is not None or (made is not None and made() is t) or id(t) in rec.slots:
        raise Unsupported("targets computed by the traced function")
    i = rec.args.get(id(t))
    if i is not None:
        return ("arg", i)
    rec.guards.append((t, tensor_key(t)))
    rec.keep.append(t)
    return ("ext", t)


def _view(arena: np.ndarray, s: Slot, shape: tuple | None = None) -> np.ndarray:
    return arena[s.off : s.off + s.n].reshape(s.shape if shape is None else shape)


def _into(tape: Any, s: Slot, target: Any) -> tuple[Slot, int, int]:
    """Where a host call writes input ``s``'s gradient: its target itself when this is the
    first gradient to reach it, else scratch that a ``b_g`` row then adds in (eager's
    ``previous + new``). Returns (scratch-or-target slot, target offset, acc)."""
    dst, acc = target(s)
    into = Slot(tape.alloc(s.n) if acc else dst, s.n, s.shape)
    return into, dst, acc


def _node(rec: Any, out: Tensor, inputs: list, outputs: list, backward: Any) -> None:
    fn = out.grad_fn
    if fn is None:
        return
    node = rec.tape.node("host", inputs, outputs)
    node.host = backward
    rec.nodes_by_fn[id(fn)] = node
    rec.keep.append(fn)


def one_input_backward(name: str, sx: Slot, s: Slot, make: Any) -> Any:
    """The backward of a host node with one input (output slot ``s``): the host call
    ``make(sg, into)`` (``sg``: the incoming gradient's slot) writes the input's gradient into
    its target, or into scratch that a ``b_g`` row then adds in."""

    def backward(tape: Any, node: Any, g: int | None, target: Any) -> None:
        if g is None:
            raise Unsupported(f"no gradient reached {name}")
        if not sx.rg:
            return
        into, dst, acc = _into(tape, sx, target)
        tape.host(make(Slot(g, s.n, s.shape), into))
        if acc:
            tape.row("b_g", dst, into.off, n=sx.n, acc=1)

    return backward


def linear(rec: Any, out: Any, input: Any, weight: Any, bias: Any = None) -> None:  # noqa: A002
    """``F.linear`` of an input with two or more dimensions: ``out = x @ W.T`` by BLAS into
    the output's slot (the input's leading dimensions as one, as eager's ``_matrix`` views
    it), then the bias added row by row, as :func:`jitgrad.nn._functional_linear.linear`."""
    sx, sw = slot_of(rec, input), slot_of(rec, weight)
    sb = None if bias is None else slot_of(rec, bias)
    if len(sx.shape) < 2 or len(sw.shape) != 2 or (sb is not None and len(sb.shape) != 1):
        raise Unsupported("linear of a vector input (capture takes (..., in) inputs)")
    if not isinstance(out, Tensor) or not sx.n or not sw.n:
        raise Unsupported("an empty linear")
    s = _out(rec, out)
    rows = sx.n // sx.shape[-1]
    xm, om = (rows, sx.shape[-1]), (rows, sw.shape[0])  # the matrices eager multiplies

    def forward(arena: np.ndarray, args: tuple) -> None:
        o = _view(arena, s, om)
        np.matmul(_view(arena, sx, xm), _view(arena, sw).T, out=o)
        if sb is not None:
            K.bias_add_rows(o, _view(arena, sb))

    rec.tape.host(forward)
    names = ("MmBackward0", "AddmmBackward0") if len(sx.shape) == 2 else ("ViewBackward0",)
    if out.grad_fn is not None and out.grad_fn.name() not in names:
        raise Unsupported(f"eager recorded {out.grad_fn.name()} for linear")
    _node(rec, out, [sx, sw] if sb is None else [sb, sx, sw], [s], _linear_backward)


def _linear_backward(tape: Any, node: Any, g: int | None, target: Any) -> None:
    """``(column sums of g, g @ W, g.T @ x)`` over ``g`` and ``x`` as matrices: eager's
    ``col_sum`` and ``mm`` calls (the same operands, the same transposes), each into its
    target or scratch."""
    if g is None:
        raise Unsupported("no gradient reached AddmmBackward0")
    *rest, sx, sw = node.inputs
    sb = rest[0] if rest else None
    rows = sx.n // sx.shape[-1]
    sg = Slot(g, node.outputs[0].n, (rows, sw.shape[0]))
    for s, which in ((sb, "b"), (sx, "x"), (sw, "w")):
        if s is None or not s.rg:
            continue
        into, dst, acc = _into(tape, s, target)
        tape.host(_linear_grad(which, sg, Slot(sx.off, sx.n, (rows, sx.shape[-1])), sw, into))
        if acc:
            tape.row("b_g", dst, into.off, n=s.n, acc=1)


def _linear_grad(which: str, sg: Slot, sx: Slot, sw: Slot, into: Slot) -> Any:
    def grad(arena: np.ndarray, args: tuple) -> None:
        g = _view(arena, sg)
        if which == "b":
            K.col_sum(g, _view(arena, into))
        elif which == "x":
            np.matmul(g, _view(arena, sw), out=_view(arena, into, sx.shape))
        else:
            np.matmul(g.T, _view(arena, sx), out=_view(arena, into))

    return grad


def cross_entropy(rec: Any, out: Any, input: Any, target: Any, weight: Any = None,  # noqa: A002
                  size_average: Any = None, ignore_index: int = -100, reduce: Any = None,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> None:  # fmt: skip
    """``F.cross_entropy`` of (N, C) logits and class indices, no class weights: eager's
    fused row kernels (log-sum-exp and the target's pick per row), the per-row losses summed
    and divided by the counted rows as eager's ``_finish`` does."""
    sx = slot_of(rec, input)
    if weight is not None or size_average is not None or reduce is not None:
        raise Unsupported("cross_entropy with class weights or legacy reduction arguments")
    if len(sx.shape) != 2 or not isinstance(target, Tensor) or probability_targets(input, target):
        raise Unsupported("cross_entropy other than (N, C) logits with class-index targets")
    ref = _ref(rec, target)
    tape = rec.tape
    n, c = sx.shape
    lse, rows = Slot(tape.alloc(n), n, (n,)), Slot(tape.alloc(n), n, (n,))
    s = _out(rec, out)
    opts = (ignore_index, label_smoothing, reduction, tuple(target.shape))

    def forward(arena: np.ndarray, args: tuple) -> None:
        t = _targets(ref, args)
        counted = K.count_targets(t, ignore_index, c)
        _bad_target(counted, t)
        r = _view(arena, rows)
        K.cross_entropy_rows_fwd(_view(arena, sx), t, ignore_index, label_smoothing,
                                 _view(arena, lse), r)  # fmt: skip
        _view(arena, s)[...] = _finish(r, counted, reduction, opts[3])

    tape.host(forward)
    _node(rec, out, [sx], [s], _ce_backward(ref, sx, lse, rows, s, opts))


def _targets(ref: tuple, args: tuple) -> np.ndarray:
    """The class indices as eager's ``_class_last`` reads them (int64, contiguous)."""
    kind, r = ref
    t = args[r] if kind == "arg" else r
    return np.ascontiguousarray(t._value.reshape(-1), dtype=np.int64)


def _ce_backward(ref: tuple, sx: Slot, lse: Slot, rows: Slot, s: Slot, opts: tuple) -> Any:
    ignore_index, label_smoothing, reduction, _ = opts
    c = sx.shape[1]

    def make(sg: Slot, into: Slot) -> Any:
        def grad(arena: np.ndarray, args: tuple) -> None:
            t = _targets(ref, args)
            r = _view(arena, rows)
            scale = _row_scale(r, K.count_targets(t, ignore_index, c), reduction,
                               _view(arena, sg))  # fmt: skip
            K.cross_entropy_rows_bwd(_view(arena, sx), t, ignore_index, label_smoothing,
                                     _view(arena, lse), scale, _view(arena, into))  # fmt: skip

        return grad

    return one_input_backward("NllLossBackward0", sx, s, make)


def softmax_like(log: bool):
    """``softmax``/``log_softmax`` of a tensor with two or more dimensions along one of them:
    eager's row kernels over its ``(A, R, B)`` view
    (:func:`jitgrad.frontend.reduce_softmax._softmax_like`), its backward
    :func:`jitgrad.frontend.reduce_grads.softmax_backward_data`'s kernel. A vector's softmax
    keeps its tape row (:func:`.record.softmax`)."""
    name = "LogSoftmaxBackward0" if log else "SoftmaxBackward0"

    def handler(rec: Any, out: Any, input: Any, dim: Any = None, dtype: Any = None,  # noqa: A002
                **kw: Any) -> None:  # fmt: skip
        if not log and isinstance(input, Tensor) and input._value.ndim == 1:
            return vector_softmax(rec, out, input, dim, dtype, **kw)
        sx = slot_of(rec, input)
        nd = len(sx.shape)
        if kw or dtype is not None or type(dim) is not int or nd < 2 or not -nd <= dim < nd:
            raise Unsupported(f"{name[:-9].lower()} other than along one dim of a matrix or more")
        s3 = plan_3d(sx.shape, (dim % nd,))[1]
        s = _out(rec, out)
        fwd = KR.pick(KR.log_softmax_fwd if log else KR.softmax_fwd, sx.n)

        def forward(arena: np.ndarray, args: tuple) -> None:
            fwd(_view(arena, sx, s3), _view(arena, s, s3))

        rec.tape.host(forward)
        bwd = KR.pick(KR.log_softmax_bwd if log else KR.softmax_bwd, sx.n)

        def make(sg: Slot, into: Slot) -> Any:
            return lambda arena, args: bwd(_view(arena, sg, s3), _view(arena, s, s3),
                                           _view(arena, into, s3))  # fmt: skip

        if out.grad_fn is not None and out.grad_fn.name() != name:
            raise Unsupported(f"eager recorded {out.grad_fn.name()} for {name}")
        _node(rec, out, [sx], [s], one_input_backward(name, sx, s, make))
        return None

    return handler


log_softmax = softmax_like(True)


def nll_loss(rec: Any, out: Any, input: Any, target: Any, weight: Any = None,  # noqa: A002
             size_average: Any = None, ignore_index: int = -100, reduce: Any = None,
             reduction: str = "mean") -> None:  # fmt: skip
    """``F.nll_loss`` of (N, C) log-probabilities and class indices, no class weights: eager's
    ``nll_fwd`` (``-x[i, t[i]]``), ``_finish``'s sum, the mean's division by the count; the
    backward's per-row scale and ``nll_bwd``."""
    sx = slot_of(rec, input)
    if weight is not None or size_average is not None or reduce is not None:
        raise Unsupported("nll_loss with class weights or legacy reduction arguments")
    if len(sx.shape) != 2 or not isinstance(target, Tensor):
        raise Unsupported("nll_loss other than (N, C) inputs with class-index targets")
    ref = _ref(rec, target)
    n = sx.shape[0]
    rows = Slot(rec.tape.alloc(n), n, (n,))
    s = _out(rec, out)
    shape = tuple(target.shape)

    def forward(arena: np.ndarray, args: tuple) -> None:
        t = _targets(ref, args)
        r = _view(arena, rows)
        counted = K.nll_fwd(_view(arena, sx), t, ignore_index, r)
        _bad_target(counted, t)
        value = _finish(r, 1, reduction, shape)
        if reduction == "mean":
            value = value / r.dtype.type(counted)
        _view(arena, s)[...] = value

    rec.tape.host(forward)
    _node(rec, out, [sx], [s], _nll_backward(ref, sx, s, ignore_index, reduction))


def _nll_backward(ref: tuple, sx: Slot, s: Slot, ignore_index: int, reduction: str) -> Any:
    """nll_loss's node backward: eager's per-row scale (``1 / count`` for a mean, times the
    incoming gradient) and ``nll_bwd``."""
    n, c = sx.shape

    def make(sg: Slot, into: Slot) -> Any:
        def grad(arena: np.ndarray, args: tuple) -> None:
            t = _targets(ref, args)
            base = np.ones(n, arena.dtype)
            if reduction == "mean":
                base = base / arena.dtype.type(K.count_targets(t, ignore_index, c))
            gv = _view(arena, sg)
            scale = base * (gv.reshape(-1) if reduction == "none" else gv)
            K.nll_bwd(t, ignore_index, np.ascontiguousarray(scale, dtype=arena.dtype),
                      _view(arena, into))  # fmt: skip

        return grad

    return one_input_backward("NllLossBackward0", sx, s, make)


#: ``jitgrad.nn.functional`` names recorded as host calls
NN: dict[str, Any] = {"linear": linear, "cross_entropy": cross_entropy,
                      "log_softmax": log_softmax, "nll_loss": nll_loss,
                      "softmax": softmax_like(False)}  # fmt: skip
#: ``Tensor`` methods and ``jitgrad`` functions recorded as host calls
METHODS: dict[str, Any] = {"log_softmax": log_softmax, "softmax": softmax_like(False)}
