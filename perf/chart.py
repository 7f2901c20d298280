"""PNG bar chart of the report (matplotlib optional).

Left: time / floor time per workload and implementation, log scale, so "how far from the
hardware" is read off directly and 1.0 is the line nobody can beat. Right: the overhead-bound
workloads (no floor), in microseconds per op / per iteration, also log scale.
"""

from __future__ import annotations

from pathlib import Path


def write(report: dict, path: Path) -> str:
    """Draw the chart into ``path``; returns a message saying what happened."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "PNG chart skipped: matplotlib not installed"

    impls: list[str] = []
    for w in report["workloads"]:
        for r in w["results"]:
            if r["name"] not in impls:
                impls.append(r["name"])
    floored = [w for w in report["workloads"] if w["floor_time_s"]]
    overhead = [w for w in report["workloads"] if not w["floor_time_s"]]
    colors = {name: f"C{i}" for i, name in enumerate(impls)}
    width = 0.8 / max(1, len(impls))

    fig, axes = plt.subplots(
        1, 2, figsize=(15, 5.5), gridspec_kw={"width_ratios": [max(1, len(floored)), 2.5]}
    )
    panels = (
        (
            axes[0],
            floored,
            lambda w, r: r.get("vs_floor"),
            "time / floor time (log)",
            "Ratio to hardware floor (1 = floor)",
        ),
        (
            axes[1],
            overhead,
            lambda w, r: r["median_s"] * 1e6 / w["per_call"],
            "us per op / per iteration (log)",
            "Overhead-bound workloads",
        ),
    )
    for ax, ws, value, ylabel, title in panels:
        for j, name in enumerate(impls):
            xs, ys = [], []
            for i, w in enumerate(ws):
                r = next((r for r in w["results"] if r["name"] == name), None)
                if r and "median_s" in r and value(w, r):
                    xs.append(i + (j - (len(impls) - 1) / 2) * width)
                    ys.append(value(w, r))
            if xs:
                ax.bar(xs, ys, width, label=name, color=colors[name])
        ax.set_xticks(range(len(ws)), [w["name"] for w in ws], rotation=30, ha="right")
        ax.set_yscale("log")
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.grid(axis="y", which="both", alpha=0.3)
        if ax is axes[0]:
            ax.axhline(1.0, color="black", linewidth=0.8)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(
        handles,
        labels,
        loc="lower center",
        bbox_to_anchor=(0.5, 0.035),
        ncol=len(labels) or 1,
        fontsize=9,
    )
    fig.text(
        0.5,
        0.005,
        "No bar: unavailable, not installed, WRONG or n/a; see the table.",
        fontsize=8,
        ha="center",
    )
    m = report["machine"]
    fig.suptitle(
        f"jitgrad comparison, {m['cpu']}, {m['usable_cores']} cores, {m['date']}"
        + (" (quick mode: not meaningful)" if report["config"]["quick"] else "")
    )
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return f"chart: {path}"
