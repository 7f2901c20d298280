"""``jitgrad.explain(t)``, ``cache_info()``, ``clear_cache()``: the fusion pass, on request.

``explain`` plans backward from ``t`` exactly as ``t.backward()`` would and reports each
fusion group: its ops, the kernel it runs, whether that kernel was compiled, loaded from
the disk cache or not run yet (with the time it took), and optionally its generated source.
It builds the kernels' modules but runs nothing, so it leaves gradients untouched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .autograd.engine import FREED
from .fusion import backward, control, diskcache, replay
from .fusion.planner import partition
from .viz import graph_nodes


@dataclass
class GroupReport:
    """One fusion group: node names root first, kernel name, cache status, source."""

    ops: list[str]
    kernel: str
    status: str
    source: str


@dataclass
class Explanation:
    """What backward from a tensor runs. ``str()`` gives the readable report."""

    root: str
    fusion_enabled: bool
    groups: list[GroupReport] = field(default_factory=list)
    unfused: list[str] = field(default_factory=list)
    show_source: bool = False

    def __str__(self) -> str:
        state = "on" if self.fusion_enabled else "off (jitgrad.fusion(False))"
        lines = [
            f"backward from <{self.root}>: fusion {state}, {len(self.groups)} fused "
            f"group(s), {len(self.unfused)} node(s) run alone"
        ]
        for i, g in enumerate(self.groups):
            lines.append(f"group {i}: {len(g.ops)} ops -> {g.kernel} [{g.status}]")
            lines.append("  " + " <- ".join(g.ops))
            if self.show_source:
                lines += ["  " + line for line in g.source.splitlines()]
        if self.unfused:
            lines.append("run alone: " + ", ".join(self.unfused))
        return "\n".join(lines)

    __repr__ = __str__


def _status(kernel: diskcache.Kernel) -> str:
    if kernel.compile_seconds is not None:
        what = "loaded from disk cache" if kernel.from_disk else "compiled"
        return f"{what} in {kernel.compile_seconds * 1e3:.1f} ms, {kernel.calls}+ calls"
    cached = kernel.has_cached_code()
    return "not run yet; " + ("compiled code on disk" if cached else "compiles on first run")


def explain(t: Any, source: bool = False) -> Explanation:
    """The fusion groups and kernels ``t.backward()`` would run (``source``: their code)."""
    root = t.grad_fn
    if root is None:
        raise RuntimeError("explain() needs a tensor with a grad_fn (the result of an op)")
    nodes = graph_nodes(root)
    needed = dict.fromkeys(nodes, True)
    report = Explanation(root.name(), control.STATE.enabled, show_source=source)
    planned = partition(nodes, needed, [root]) if control.STATE.enabled else []
    grouped: set[Any] = set()
    for members in planned:
        group = backward.FusedGroup(members)
        group.kernel, group.spec = getattr(members[0], "_ran", (None, None))
        joint = backward.JointGroup.over(t, {members[0]: group})
        if joint is not None:  # forward and backward in one kernel: computes nothing now
            group = joint
            grouped.add(joint.root)
        if members[0]._saved is not FREED:
            group.prepare(needed)
        grouped.update(group.members)
        kernel = group.kernel
        if kernel is None:  # zero-size tensors: nothing to run
            report.groups.append(GroupReport(group.names(), "(empty)", "no kernel", ""))
            continue
        report.groups.append(
            GroupReport(group.names(), kernel.name, _status(kernel), kernel.source)
        )
    report.unfused = [n.name() for n in nodes if n not in grouped]
    return report


def cache_info() -> dict[str, Any]:
    """The compiled-kernel cache: kernels in memory and on disk, compiles, disk hits, time."""
    info = diskcache.info()
    info["fused_groups_in_memory"] = len(backward._kernels)
    info["backward_programs"] = replay.info()
    return info


def clear_cache(disk: bool = True) -> None:
    """Forget compiled fused kernels; with ``disk`` also delete this build's cache files."""
    backward._kernels.clear()
    replay.clear()
    diskcache.clear(disk)
