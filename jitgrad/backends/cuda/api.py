"""The CUDA backend's entry points: activation, moving tensors, device copies.

What runs where on a device tensor:

* CUDA kernels: elementwise ops (every declared op, forward and backward, through the same
  plans and kernel descriptions as the CPU, see :mod:`.elementwise` and :mod:`.render`);
  sum/mean/amax/amin/argmax/argmin over any dims (:mod:`.reductions`); mm, bmm, matmul of
  2-D/3-D operands, linear on 2-D input (:mod:`.linalg`); softmax/log_softmax over the last
  dimension, cross_entropy (2-D logits, class targets, weight, ignore_index, any reduction),
  layer_norm (:mod:`.rows`, :mod:`.nn_rows`: under the nn layer's declarations, so any order
  of gradient); transpose/permute/slicing/expand/select/narrow/T/mT/unbind/split/chunk as
  views that alias their base (:mod:`.views`, :mod:`.aliasing`),
  ``t[key] = v`` for basic keys (:mod:`.setitem`), ``index_put`` and ``t[idx] = v`` with
  index tensors (:mod:`.index_put`); the reshape family as views,
  fill_/zero_ (:mod:`.native`); SGD and Adam/AdamW updates (:mod:`.optim`); complex
  elementwise ops (:mod:`.complex_elementwise`), ``.real``/``.imag``/``view_as_real`` as views
  and ``torch.complex`` (:mod:`.complex_views`), complex ``conj`` as a rendered kernel;
  sort/argsort/topk/kthvalue/median/cummax/cummin/masked_select (:mod:`.sorting`: a stable
  merge sort per line, a chunked compaction); nonzero/argwhere/``x[mask]`` (:mod:`.masks`:
  the same counting, one read of the count, coordinates written on the device);
  scatter_reduce and ``scatter(reduce=)`` (:mod:`.index_add`); convolutions of every type,
  ``F.fold``/``F.unfold`` and pools
  (:mod:`.nn_conv`, :mod:`.nn_windows`), ``F.interpolate`` (:mod:`.nn_resample`),
  ``resize_``/``set_``/``as_strided_`` on the device tensor's own storage (:mod:`.storage`),
  and in-place ops without a kernel that autograd records, as their out-of-place form made
  the tensor's (through a view: the root rebased), in :func:`.fallback.recorded_inplace`
  with device ops. The kernels
  themselves are :mod:`jitgrad.kernels.cuda`'s (one implementation per job); device memory
  comes from the caching allocator (:mod:`.pool`).
* every other op: the host fallback, installed once at activation around the public
  functions and methods (:mod:`.fallback`): operands are copied to the host with
  differentiable copies, the CPU op runs, the results are copied back, and
  ``JITGRAD_DEBUG=1`` logs ``host fallback: <op>``. So every op that runs on the CPU runs
  on 'cuda' with the same values and gradients.

Fusion: elementwise results on the device are deferred and a chain runs as one CUDA kernel
(:mod:`.deferred`); the engine plans a device graph's backward groups as a CPU graph's and
runs each as one CUDA kernel (:mod:`.fused_backward`); the replay cache stays CPU-only.
``dropout`` draws its mask on the device (:mod:`.random`).
"""

from __future__ import annotations

import os
import time
import weakref
from typing import Any

import numpy as np
from numba import cuda

from ... import dtypes as D
from ... import lowp
from ...frontend.copy_ops import under_node
from ...frontend.tensor import Tensor, _make
from ...kernels.cuda import common as kernel_common
from .. import STATE
from . import (
    aliasing,
    complex_elementwise,  # noqa: F401 - sets elementwise.COMPLEX
    deferred,
    elementwise,
    fallback,
    float_bits,  # noqa: F401 - frexp joins native.NATIVE
    fused_backward,
    index_add,  # noqa: F401 - its ops join native.NATIVE
    index_copy,  # noqa: F401 - its ops join native.NATIVE (after index_add's: it wraps it)
    index_put,  # noqa: F401 - its ops join native.NATIVE (after setitem's: it wraps it)
    joint,
    nn_losses,  # noqa: F401 - its ops join nn_rows.NATIVE
    nn_resample,  # noqa: F401 - its ops join native.NATIVE
    optim,
    pool,
    rows,
    runtime,
    storage,  # noqa: F401 - its ops join native.NATIVE
    transfer,
)

to_host = runtime.to_host
synchronize = runtime.synchronize


def device_name() -> str:
    device = cuda.get_current_device() if not runtime.SIMULATOR else cuda.gpus[0]
    name = getattr(device, "name", "CUDA simulator")
    return name.decode() if isinstance(name, bytes) else str(name)


def device_properties() -> dict[str, Any]:
    """The GPU's name, compute capability, memory and multiprocessor count (the fields
    ``torch.cuda.get_device_properties`` shows; the simulator's: its fake device's)."""
    if runtime.SIMULATOR:
        device, sms = cuda.gpus[0], 1
    else:
        device = cuda.get_current_device()
        sms = device.MULTIPROCESSOR_COUNT
    free, total = memory_info()
    major, minor = device.compute_capability
    return {"name": device_name(), "major": major, "minor": minor, "total_memory": total,
            "multi_processor_count": sms}  # fmt: skip


def memory_info() -> tuple[int, int]:
    """(free, total) device memory in bytes, as the driver reports them (the simulator's
    device memory is host memory, which it reports as unlimited: the host's RAM here)."""
    if runtime.SIMULATOR:
        page = os.sysconf("SC_PAGE_SIZE")
        return os.sysconf("SC_AVPHYS_PAGES") * page, os.sysconf("SC_PHYS_PAGES") * page
    free, total = cuda.current_context().get_memory_info()
    return int(free), int(total)


class DeviceEvent:
    """``torch.cuda.Event``'s device side: a numba CUDA event on the default stream (every
    jitgrad kernel runs there). Numba's simulator runs kernels synchronously and its events
    keep no time, so there the host clock at ``record`` stands in."""

    __slots__ = ("event", "host_time", "recorded")

    def __init__(self, timing: bool) -> None:
        self.event = cuda.event() if runtime.SIMULATOR else cuda.event(timing=timing)
        self.host_time = 0.0
        self.recorded = False

    def record(self) -> None:
        self.event.record()
        self.host_time = time.perf_counter()
        self.recorded = True

    def synchronize(self) -> None:
        self.event.synchronize()

    def query(self) -> bool:
        return runtime.SIMULATOR or not self.recorded or bool(self.event.query())

    def elapsed_ms(self, end: DeviceEvent) -> float:
        if runtime.SIMULATOR:
            return (end.host_time - self.host_time) * 1000.0
        return float(self.event.elapsed_time(end.event))


def _pinned(value: Any) -> Any:
    """A copy of the host array ``value`` in page-locked host memory (``pin_memory``)."""
    out = cuda.pinned_array(value.shape, value.dtype)
    out[...] = value
    return out


#: the page-locked host buffers ``pin_memory`` made (a tensor is pinned when its array's
#: base chain ends in one of them, so views of a pinned tensor are pinned too)
_PINNED: weakref.WeakValueDictionary = weakref.WeakValueDictionary()  # by id (arrays: no hash)


def _root(value: Any) -> Any:
    while isinstance(getattr(value, "base", None), np.ndarray):
        value = value.base
    return value


def pin_memory(t: Tensor) -> Tensor:
    """``t.pin_memory()``: a copy in page-locked host memory (``t`` itself if pinned), as
    PyTorch's; device tensors cannot be pinned."""
    if t.is_cuda:
        raise RuntimeError(f"cannot pin '{t.type()}' only dense CPU tensors can be pinned")
    if is_pinned(t):
        return t
    out = under_node(t.clone(), "PinMemoryBackward0", copy=False)  # PyTorch's node
    out._value = _pinned(np.asarray(out._value))  # a new tensor: nothing shares it
    root = _root(out._value)
    _PINNED[id(root)] = root
    return out


def is_pinned(t: Tensor) -> bool:
    """Whether ``t`` lies in a buffer :func:`pin_memory` made (never without a device)."""
    if not _PINNED or t.is_cuda:
        return False
    root = _root(t._value)
    return _PINNED.get(id(root)) is root


def copy(value: Any) -> Any:
    """A fresh contiguous device copy of a device array."""
    return runtime.cast(value, value.dtype)


def activate() -> None:
    """Switch the CPU paths' device hooks on (once, at the first device tensor)."""
    if STATE.active:
        return
    STATE.backend = _Backend()
    kernel_common.set_allocator(pool.alloc)  # the kernels' outputs from the caching pool
    STATE.elementwise = elementwise.run
    lowp.DEVICE[0] = elementwise.round_device
    fallback.install()
    Tensor.__cuda_array_interface__ = property(_cuda_array_interface)  # type: ignore[attr-defined]
    STATE.active = True


class _Backend:
    """What the core modules call through ``backends.STATE.backend``."""

    to_host = staticmethod(runtime.to_host)
    copy = staticmethod(copy)
    zeros = staticmethod(runtime.zeros)
    resize = staticmethod(aliasing.resize)
    interface = staticmethod(runtime.interface)
    optim = optim
    memory_stats = staticmethod(pool.stats)
    empty_cache = staticmethod(pool.empty_cache)
    reset_peak_memory_stats = staticmethod(pool.reset_peak)
    flush = staticmethod(deferred.flush)

    @staticmethod
    def device_groups(groups: dict, tensors: Any = ()) -> dict:
        """The engine's fusion plan with its device groups (:mod:`.fused_backward`) and a
        loss among ``tensors`` that sums a deferred device chain as one joint kernel."""
        return joint.joint_groups(fused_backward.device_groups(groups), tensors)

    #: ``(g, y, dim, log)``: the declared softmax_backward_data's kernel on the device
    softmax_backward_data = staticmethod(rows.softmax_backward_data)
    #: ``(t, groups)``: the device joint group from loss ``t``, or None (for ``explain``)
    joint_group = staticmethod(joint.DeviceJointGroup.over_device)

    @staticmethod
    def optimizer_update(optimizer: Any, group: dict, params: list, dtype: Any) -> None:
        """One optimizer group's update on device parameters: its own kernels where it has
        device ones (``_device_native``: every jitgrad optimizer with an ``_update``), else (a
        subclass without device kernels) its CPU update on host copies, logged as a host
        fallback."""
        for p in params:  # deferred results that read a parameter compute before it changes
            deferred.flush(p)
        if optimizer._device_native:
            optimizer._update(group, params, dtype)
        else:
            optim.host_update(optimizer, group, params, dtype)

    @staticmethod
    def owns(t: Tensor) -> bool:
        return elementwise.on_device(t)

    @staticmethod
    def on_device(roots: Any) -> bool:
        """Whether the graph below ``roots`` runs a device node (whose kernels the CPU fusion
        groups and replay programs must not take over)."""
        seen = set()
        stack = [node for node, _ in roots]
        while stack:
            node = stack.pop()
            if node is None or id(node) in seen:
                continue
            if getattr(node, "on_device", False):
                return True
            seen.add(id(node))
            stack.extend(n for n, _ in node.next_functions)
        return False

    @staticmethod
    def seeds(tensors: Any, grads: Any) -> list:
        """The backward seeds, each on its output's device. A one-element host seed (the
        implicit ``loss.backward()`` one) is a device fill, not a host-to-device copy."""
        return [
            _seed(g) if g is not None and elementwise.on_device(t) else g
            for t, g in zip(tensors, grads, strict=True)
        ]

    check_write = staticmethod(aliasing.check_write)


def _seed(g: Tensor) -> Tensor:
    if elementwise.on_device(g) or g._value.size != 1 or g._requires_grad:
        return to_cuda(g)
    value = runtime.full(tuple(g.shape), g._value.reshape(-1)[0].item(), g._dtype.np)
    return _make(value, g._dtype)


def to_cuda(t: Tensor) -> Tensor:
    """``t`` on the device (the backend activated first, at the first device tensor)."""
    activate()
    return transfer.to_device(t)


to_cpu = transfer.to_cpu


def _cuda_array_interface(t: Tensor) -> dict:
    """A device tensor's memory for CuPy, Numba and PyTorch (PyTorch's refusals else)."""
    if not elementwise.on_device(t):
        name = {"float32": "Float", "float64": "Double", "int64": "Long", "int32": "Int"}
        raise AttributeError(
            f"Can't get __cuda_array_interface__ on non-CUDA tensor type: "
            f"torch.{name.get(t._dtype.name, 'Bool')}Tensor If CUDA data is required use "
            "tensor.cuda() to copy tensor to device memory."
        )
    if t._requires_grad:
        raise RuntimeError(
            "Can't get __cuda_array_interface__ on Variable that requires grad. If gradients "
            "aren't required, use var.detach() to get Variable that doesn't require grad."
        )
    return runtime.interface(t._value)


def from_cuda_array(obj: Any, dtype: Any = None) -> Tensor:
    """A tensor sharing the device memory of ``obj`` (``__cuda_array_interface__``; a copy
    only where ``obj`` is not C-contiguous)."""
    activate()
    value = runtime.contiguous(runtime.as_device_array(obj))
    t = _make(value, D.from_numpy_dtype(value.dtype))
    return t if dtype is None else t.to(dtype)
