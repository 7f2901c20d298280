"""Blocks of the simulator run in the launching thread (kern_common.py's workaround 1b/1c).

Why: the simulator starts a Python thread for every CUDA thread of every block (~66 us of
CPU each, two thirds of it system time) and, in kern_common's threaded runner, hands the GIL
round at every barrier. Two kinds of block need no thread:

- a kernel whose threads never wait on each other (kern_common's ``_independent``) runs its
  threads one after another (:func:`run_in_turn`);
- a kernel whose threads meet only at ``cuda.syncthreads()`` statements (the reductions,
  softmax and norm rows, the tiled matmul, the rendered block sums) is rewritten once
  (:func:`stepped`): each barrier statement becomes ``yield``, and each call of a device
  function that itself waits becomes ``yield from`` its rewritten twin. :func:`run_stepped`
  then runs every thread of the block to its next barrier in turn, and starts the next round
  when all that still run have arrived: the threaded runner's barrier (a thread that returned
  no longer counts), one schedule the block could have on a GPU.

Either way each CUDA thread sees its own ``threadIdx``/``blockIdx``/``thread_id`` (the fake
``cuda`` module reads them from the current Python thread, which takes each one's in turn),
and the first failing thread's exception is raised with its ids as the simulator words it.
The rewrite keeps the function's file name, line numbers (``cuda.shared.array`` tells its
arrays apart by call site), closure and globals (into which the launch swaps the fake ``cuda``
module). Anything it does not understand (a barrier used other than as a statement, warp
votes or shuffles, ``syncthreads_count``, cooperative groups, nested functions, a source it
cannot find) leaves the kernel to the threaded runner.
"""

from __future__ import annotations

import ast
import contextlib
import inspect
import re
import sys
import textwrap
import threading
import types
from collections.abc import Iterator
from typing import Any

import numpy as np
from numba.cuda.simulator import kernel as _sim_kernel
from numba.cuda.simulator import kernelapi as _sim_api

#: Names that need real threads: a value exchanged at a barrier, a warp, the grid
_THREADED = re.compile(r"syncthreads_|syncwarp|shfl|activemask|lanemask|ballot|this_grid|^cg$")
#: Attributes the launching thread takes while it plays a CUDA thread
_THREAD_ATTRS = ("_manager", "blockIdx", "threadIdx", "thread_id")
#: :func:`stepped`'s answer for a function with no barrier: called as it is
NO_BARRIER = "no barrier"
_stepped_of: dict = {}
#: Whether a block is running in the launching thread now (no other simulated thread runs)
_alone = [False]
_threads_of: dict = {}


def alone() -> bool:
    """Whether the running block is one of this module's (its device calls need no lock)."""
    return _alone[0]


@contextlib.contextmanager
def _playing(manager: Any, grid_point: tuple, swaps: tuple) -> Iterator[threading.Thread]:
    """The launching thread as a thread of block ``grid_point``; its own attributes back after.
    ``swaps`` is (the globals of the modules whose device functions the kernel reaches, the
    simulator's module swap): the fake ``cuda`` module goes into them for the block, so a
    device call (or a twin, which runs without its launch wrapper) finds it there."""
    me = threading.current_thread()
    saved = {k: me.__dict__[k] for k in _THREAD_ATTRS if k in me.__dict__}
    me._manager, me.blockIdx = manager, _sim_api.Dim3(*grid_point)
    modules, swap = swaps
    ctx = _sim_kernel._get_kernel_context()
    _alone[0] = True
    try:
        with contextlib.ExitStack() as stack:
            for g in modules:
                stack.enter_context(swap(types.SimpleNamespace(__globals__=g), ctx))
            yield me
    finally:
        _alone[0] = False
        for k in _THREAD_ATTRS:
            me.__dict__.pop(k, None)
        me.__dict__.update(saved)


def _threads(block_dim: tuple) -> list:
    """(point, threadIdx, thread_id) of each thread of a block, made once per block shape."""
    known = _threads_of.get(block_dim)
    if known is None:
        bx, by = block_dim[0], block_dim[1]
        known = _threads_of[block_dim] = [
            (p, _sim_api.Dim3(*p), p[0] + bx * (p[1] + by * p[2])) for p in np.ndindex(*block_dim)
        ]
    return known


def _failed(e: Exception, point: tuple, grid_point: tuple) -> Exception:
    """``e`` with the thread's ids, as the simulator's ``BlockThread.run`` words it."""
    ids = f"tid={list(point)} ctaid={list(grid_point)}"
    return type(e)(f"{ids}: {e}" if str(e) else ids).with_traceback(sys.exc_info()[2])


def run_in_turn(manager: Any, grid_point: tuple, args: tuple, swaps: tuple) -> None:
    """A block of a kernel whose threads never wait on each other, its threads one after
    another; later threads do not run after one fails (a barrier the check missed fails
    loudly: the launching thread has no ``syncthreads``)."""
    with _playing(manager, grid_point, swaps) as me:
        for point, me.threadIdx, me.thread_id in _threads(manager._block_dim):
            try:
                manager._f(*args)
            except Exception as e:
                raise _failed(e, point, grid_point) from None


def run_stepped(manager: Any, grid_point: tuple, args: tuple, gen_fn: Any, swaps: tuple) -> None:
    """A block of ``gen_fn`` (:func:`stepped`), its threads run barrier to barrier in turn."""
    with _playing(manager, grid_point, swaps) as me:
        live = []
        for point, me.threadIdx, me.thread_id in _threads(manager._block_dim):
            live.append((point, me.threadIdx, me.thread_id, gen_fn(*args)))
        while live:  # a round: every running thread to its next barrier or its end
            waiting = []
            for thread in live:
                point, me.threadIdx, me.thread_id, gen = thread
                try:
                    next(gen)
                except StopIteration:
                    continue
                except Exception as e:
                    raise _failed(e, point, grid_point) from None
                waiting.append(thread)
            live = waiting


def _source(fn: Any) -> tuple[str, int] | None:
    """``fn``'s source and the line number its first line has: from its file, or for a
    kernel jitgrad rendered and ``exec``-ed, from the renderer's table of sources."""
    try:
        return textwrap.dedent(inspect.getsource(fn)), fn.__code__.co_firstlineno - 1
    except (OSError, TypeError):
        pass
    render = sys.modules.get("jitgrad.backends.cuda.render")
    for spec, kernel in list(getattr(render, "_KERNELS", {}).items()):
        if getattr(kernel, "fn", None) is fn and spec in render._SOURCES:
            return render._SOURCES[spec], 0
    return None


def _scope(fn: Any) -> dict:
    scope = dict(fn.__globals__)
    for name, cell in zip(fn.__code__.co_freevars, fn.__closure__ or (), strict=True):
        with contextlib.suppress(ValueError):  # an empty cell
            scope[name] = cell.cell_contents
    return scope


class _Rewrite(ast.NodeTransformer):
    """``cuda.syncthreads()`` statements to ``yield``; calls of waiting device functions to
    ``yield from`` their twins (``__step_<n>``, closure variables of the factory)."""

    def __init__(self, fn: Any) -> None:
        self.scope, self.twins, self.ok, self.yields, self.defs = _scope(fn), {}, True, 0, 0

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        self.defs += 1
        self.ok &= self.defs == 1  # a nested function's barrier would not be the kernel's
        node.decorator_list = []
        return self.generic_visit(node)

    def visit_Lambda(self, node: ast.Lambda) -> ast.AST:
        self.ok = False
        return node

    def visit_Expr(self, node: ast.Expr) -> ast.AST:
        call = node.value
        if isinstance(call, ast.Call) and not call.args and not call.keywords:
            if isinstance(call.func, ast.Attribute) and call.func.attr == "syncthreads":
                self.yields += 1
                return ast.copy_location(ast.Expr(ast.copy_location(ast.Yield(None), node)), node)
        return self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        self.ok &= node.attr != "syncthreads" and not _THREADED.search(node.attr)
        return self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> ast.AST:
        self.ok &= node.id != "syncthreads" and not _THREADED.search(node.id)
        return node

    def _callee(self, func: ast.expr) -> Any:
        if isinstance(func, ast.Name):
            return self.scope.get(func.id)
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            owner = self.scope.get(func.value.id)
            if isinstance(owner, types.ModuleType):
                return getattr(owner, func.attr, None)
        return None

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        callee = self._callee(node.func)
        if not isinstance(callee, _sim_kernel.FakeCUDAKernel):
            return node
        twin = stepped(callee.fn)
        if twin is NO_BARRIER:
            return node
        if twin is None:
            self.ok = False
            return node
        name = self.twins.setdefault(twin, f"__step_{len(self.twins)}")
        self.yields += 1
        func = ast.copy_location(ast.Name(name, ast.Load()), node.func)
        call = ast.copy_location(ast.Call(func, node.args, node.keywords), node)
        return ast.copy_location(ast.YieldFrom(call), node)


def stepped(fn: Any) -> Any:
    """``fn`` (a kernel's or a device function's Python function) as a generator function that
    yields at each barrier; :data:`NO_BARRIER` where it has none and calls none; None where the
    rewrite does not understand it (then its blocks need threads). Cached per function."""
    known = _stepped_of.get(fn)
    if known is None and fn not in _stepped_of:
        _stepped_of[fn] = None  # (a recursive device function: left to the threads)
        known = _stepped_of[fn] = _build(fn)
    return known


def _build(fn: Any) -> Any:
    found = _source(fn)
    if found is None:
        return None
    src, offset = found
    try:
        tree = ast.parse("\n" * offset + src)  # (the file's line numbers, without a walk)
    except SyntaxError:
        return None
    target = next((n for n in tree.body if isinstance(n, ast.FunctionDef)
                   and n.name == fn.__code__.co_name), None)  # fmt: skip
    if target is None:
        return None
    rewrite = _Rewrite(fn)
    target = rewrite.visit(target)
    if not rewrite.ok:
        return None
    if not rewrite.yields:
        return NO_BARRIER
    # def __factory(<fn's closure variables>, <twins>): <the rewritten def>; return it
    outer = [*fn.__code__.co_freevars, *rewrite.twins.values()]
    ret = ast.Return(ast.Name(target.name, ast.Load()))
    factory = ast.FunctionDef(
        name="__factory",
        args=ast.arguments([], [ast.arg(a) for a in outer], None, [], [], None, []),
        body=[target, ret],
        decorator_list=[],
    )
    for node in (factory, factory.args, *factory.args.args, ret, ret.value):
        ast.copy_location(node, target)  # (new nodes: the def's own lines)
    module = ast.Module([factory], [])
    namespace: dict = {}
    exec(compile(module, fn.__code__.co_filename, "exec"), fn.__globals__, namespace)  # noqa: S102
    try:
        cells = [cell.cell_contents for cell in fn.__closure__ or ()]
    except ValueError:  # an empty cell
        return None
    made = namespace["__factory"](*cells, *rewrite.twins)
    made.__defaults__ = fn.__defaults__
    return made
