"""``jitgrad.explain(t)``, ``cache_info()``, ``clear_cache()``: the fusion pass, on request.

``explain`` reports both halves of a step. The forward: the kernels the ops that built ``t``
ran, deferred chains fused or ops alone, and why each ended (see :mod:`.explain_forward`).
The backward: it plans backward from ``t`` exactly as ``t.backward()`` would and reports
each fusion group: its ops, the kernel it runs, whether that kernel was compiled, loaded
from the disk cache, run by the tier-0 interpreter or not run yet (with the time it took),
and optionally its generated source; and why each other node runs alone. It builds the
kernels' modules but runs and frees nothing, so it leaves gradients and deferred values
untouched. After ``backward()``
freed the graph it reports the kernels that backward ran (recorded on the group's root).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import explain_backward as EB
from .backends import STATE as DEVICE
from .engine import fusion_mode as control
from .engine.sweep import FREED, AccumulateGrad, hooked
from .engine.targets import edge_of
from .explain_forward import ForwardGroup, forward_groups, graph_nodes
from .frontend import lazy
from .frontend.pointwise import ElementwiseBackward
from .fusion import backward, diskcache, replay, tier0
from .fusion.planner import partition
from .kernels.cpu import jit


@dataclass
class GroupReport:
    """One fusion group: node names root first, kernel name, cache status, source."""

    ops: list[str]
    kernel: str
    status: str
    source: str
    nodes: list[Any] = field(default_factory=list, repr=False)
    #: ``(argument, who it is)``: the kernel's arguments as the user's tensors (empty where
    #: the graph no longer holds them)
    arguments: list[tuple[str, str]] = field(default_factory=list)
    #: why the group starts at its root and stops at each node below it
    reasons: list[str] = field(default_factory=list)


@dataclass
class Explanation:
    """What backward from a tensor runs. ``str()`` gives the readable report."""

    root: str
    fusion_enabled: bool
    groups: list[GroupReport] = field(default_factory=list)
    unfused: list[str] = field(default_factory=list)
    show_source: bool = False
    forward: list[ForwardGroup] = field(default_factory=list)
    #: why each node in :attr:`unfused` runs alone (same order)
    alone_reasons: list[str] = field(default_factory=list)
    #: the graph has CUDA nodes: its kernels are CUDA kernels
    on_device: bool = False

    @property
    def forward_kernels(self) -> int:
        """Kernels the forward runs (every forward group is one launch)."""
        return len(self.forward)

    def __str__(self) -> str:
        state = "on" if self.fusion_enabled else "off (jitgrad.fusion(False))"
        lines = [
            f"forward to <{self.root}>: {self.forward_kernels} kernel(s) "
            f"({sum(g.kind == 'deferred' for g in self.forward)} fused chain(s))"
        ]
        for i, g in enumerate(self.forward):
            lines.append("  " + g.line(i))
            if self.show_source and g.source:
                lines += ["    " + line for line in g.source.splitlines()]
        lines.append(
            f"backward from <{self.root}>: fusion {state}, {len(self.groups)} fused "
            f"group(s), {len(self.unfused)} node(s) run alone"
        )
        for i, g in enumerate(self.groups):
            lines.append(f"group {i}: {len(g.ops)} ops -> {g.kernel} [{g.status}]")
            lines.append("  " + " <- ".join(g.ops))
            lines += ["  " + why for why in g.reasons]
            lines += [f"  {name}: {who}" for name, who in g.arguments]
            if self.show_source:
                lines += ["  " + line for line in g.source.splitlines()]
        if self.unfused:
            lines.append("run alone: " + ", ".join(self.unfused))
            for name, why in zip(self.unfused, self.alone_reasons, strict=False):
                lines.append(f"  {name}: {why}")
        return "\n".join(lines)

    __repr__ = __str__


def _status(kernel: diskcache.Kernel) -> str:
    if kernel.compile_seconds is not None:
        what = "loaded from disk cache" if kernel.from_disk else "compiled"
        return f"{what} in {kernel.compile_seconds * 1e3:.1f} ms, {kernel.calls}+ calls"
    interpreter = getattr(kernel, "fn", None)  # (a device kernel has no interpreter tier)
    interpreter = interpreter if isinstance(interpreter, tier0.Tier0) else None
    if interpreter is not None and interpreter.calls:
        when = "compiling in a background process" if interpreter.waiting else "compiled when hot"
        return f"run by the tier-0 interpreter, {interpreter.calls} calls; {when}"
    cached = kernel.has_cached_code()
    return "not run yet; " + ("compiled code on disk" if cached else "compiles on first run")


def _planned_group(
    t: Any, members: list[Any], needed: dict[Any, bool], on_device: bool
) -> tuple[Any, Any, bool]:
    """The group the backward sweep would run for ``members``, built as the engine builds
    it (its CUDA form on a device; a joint forward+backward group when ``t``'s forward is
    still deferred) and prepared when that computes nothing: (the group, the joint group or
    None, whether a member's saved values are still deferred)."""
    group = backward.FusedGroup(members)
    if on_device:  # its CUDA kernel, as the engine plans it
        group = DEVICE.backend.device_groups({members[0]: group})[members[0]]
    group.kernel, group.spec = getattr(members[0], "_ran", (None, None))
    joint = backward.JointGroup.over(t, {members[0]: group})
    if joint is None and on_device:
        joint = DEVICE.backend.joint_group(t, {members[0]: group})
    if joint is not None:  # forward and backward in one kernel: computes nothing now
        group = joint
    freed = any(m._saved is FREED for m in members)
    deferred = any(isinstance(m._saved, lazy.LazySaved) for m in members)  # (cuda's too)
    if joint is not None or not (freed or deferred):  # prepare() would compute or raise
        group.prepare(needed)
    return group, joint, deferred


def _group_report(
    group: Any, nodes_of: list[Any], why: Any, namer: Any, forward_deferred: bool
) -> GroupReport:
    """One group's line of the report: its kernel (name, status, source, arguments), or
    why it has none yet."""
    names = group.names()
    kernel = group.kernel
    if kernel is None:
        status = (
            "not built yet: its forward is still deferred (explain computes nothing)"
            if forward_deferred
            else "no kernel (zero-size tensors)"
        )
        return GroupReport(names, "(none)", status, "", nodes_of, [], why)
    args = EB.arguments(group, namer) if group.layout is not None else []
    return GroupReport(names, kernel.name, _status(kernel), kernel.source, nodes_of, args, why)


def explain(t: Any, source: bool = False, params: dict[str, Any] | None = None) -> Explanation:
    """The fusion groups and kernels ``t.backward()`` would run (``source``: their code).

    ``params`` (``dict(model.named_parameters())``, as for :func:`jitgrad.viz.make_dot`)
    names the tensors a kernel's arguments stand for. Given a ``jitgrad.compile``'d function
    instead, it returns that function's capture report (a str: what each guard set was
    captured as, or where and why it runs eagerly).
    """
    capture = getattr(t, "_capture", None)
    if capture is not None:
        return capture.explain()
    root = t.grad_fn
    if root is None:
        raise RuntimeError("explain() needs a tensor with a grad_fn (the result of an op)")
    nodes = graph_nodes(root)
    needed = dict.fromkeys(nodes, True)
    report = Explanation(root.name(), control.STATE.enabled, show_source=source)
    # a graph with device nodes runs each node's own kernel, as run_backward plans it
    report.on_device = DEVICE.active and DEVICE.backend.on_device([edge_of(t)])
    report.forward = forward_groups(nodes, t, report.on_device)
    fuse = control.STATE.enabled
    planned = partition(nodes, needed, [root]) if fuse else []
    namer = EB.Namer(params)
    grouped: set[Any] = set()
    for members in planned:
        group, joint, deferred = _planned_group(t, members, needed, report.on_device)
        if joint is not None:
            grouped.add(joint.root)
        grouped.update(group.members)
        nodes_of = [joint.root, *members] if joint is not None else list(members)
        why = EB.cut_reasons(nodes_of, nodes, planned, root, namer)
        report.groups.append(_group_report(group, nodes_of, why, namer, deferred and joint is None))
    alone = [n for n in nodes if n not in grouped]
    report.unfused = [type(n).__name__ for n in alone]
    report.alone_reasons = [_alone_reason(n) for n in alone]
    return report


def _alone_reason(node: Any) -> str:
    """Why backward runs ``node`` by itself rather than in a fused group."""
    if isinstance(node, AccumulateGrad):
        return "adds the gradient into the leaf's .grad"
    if not isinstance(node, ElementwiseBackward):
        return "not elementwise: its own hand-written backward"
    if not control.STATE.enabled:
        return "fusion off"
    if hooked(node, "hooks", "prehooks"):
        return "a hook on the node sees its own gradients"
    return "no elementwise neighbour it can fuse with"


def cache_info() -> dict[str, Any]:
    """The compiled-kernel cache: kernels in memory and on disk, compiles, disk hits, time.

    ``compiled``, ``disk_hits`` and ``compile_seconds`` count generated (fusion) kernels;
    ``numba_compiled`` and ``numba_loaded`` count every compiled overload, hand-written or
    generated, that Numba compiled or loaded from jitgrad's disk cache in this process.
    """
    info = diskcache.info()
    info["numba_compiled"] = jit.STATS["compiled"]
    info["numba_loaded"] = jit.STATS["loaded"]
    info["fused_groups_in_memory"] = len(backward._kernels)
    info["backward_programs"] = replay.info()
    return info


def clear_cache(disk: bool = True) -> None:
    """Forget compiled fused kernels; with ``disk`` also delete this build's cache files."""
    backward._kernels.clear()
    replay.clear()
    diskcache.clear(disk)
