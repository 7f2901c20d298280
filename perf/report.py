"""Turning measurements into the report: JSON (complete), Markdown and the terminal table.

The JSON keeps every sample so anyone can recompute statistics; the Markdown and terminal
tables show the median with min/max (the spread is part of the result on a noisy machine),
the ratio to the hardware floor and to the fastest implementation, and achieved GB/s or
GFLOP/s. A result that is not "ok" shows its status (WRONG, unavailable, not installed)
instead of numbers, so nothing silently disappears from a table.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .harness import Result
from .workloads import Workload

UNIT_SCALE = {"ms": 1e3, "us/op": 1e6, "us/iter": 1e6}


def floor_time(workload: Workload, inputs: dict, floors: dict) -> tuple[float | None, dict]:
    """Seconds the workload needs at the measured floor, and its bytes/FLOPs."""
    info: dict[str, Any] = {}
    if workload.bytes_moved:
        info["bytes"] = int(workload.bytes_moved(inputs))
    if workload.flops:
        info["flops"] = int(workload.flops(inputs))
    if workload.floor == "bandwidth" and floors.get("GBps"):
        return info["bytes"] / (floors["GBps"] * 1e9), info
    if workload.floor == "gemm" and floors.get("GFLOPs"):
        return info["flops"] / (floors["GFLOPs"] * 1e9), info
    return None, info


def workload_entry(
    workload: Workload, inputs: dict, results: list[Result], floors: dict
) -> dict[str, Any]:
    """The JSON record of one workload with derived ratios per implementation."""
    t_floor, info = floor_time(workload, inputs, floors)
    medians = [r.median for r in results if r.ok and r.times]
    fastest = min(medians) if medians else None
    rows = []
    for r in results:
        row: dict[str, Any] = {
            "impl": r.impl,
            "name": r.name,
            "status": r.status if (r.times or not r.ok) else "ok (no samples)",
            "message": r.message,
            "first_call_s": r.first_call_s,
            "max_err": r.max_err,
        }
        if r.ok and r.times:
            med = r.median
            row.update(
                samples=len(r.times),
                calls_per_sample=r.calls_per_sample,
                median_s=med,
                min_s=min(r.times),
                max_s=max(r.times),
                times_s=r.times,
                vs_fastest=med / fastest,
                vs_floor=med / t_floor if t_floor else None,
            )
            if workload.floor == "bandwidth":
                row["achieved"], row["achieved_unit"] = info["bytes"] / med / 1e9, "GB/s"
            elif workload.floor == "gemm":
                row["achieved"], row["achieved_unit"] = info["flops"] / med / 1e9, "GFLOP/s"
        rows.append(row)
    return {
        "name": workload.name,
        "title": workload.title,
        "group": workload.group,
        "dtype": workload.dtype,
        "size": workload.size(inputs),
        "unit": workload.unit,
        "per_call": workload.per_call,
        "floor": workload.floor,
        "floor_time_s": t_floor,
        **info,
        "results": rows,
    }


def _num(v: float | None, digits: int = 3) -> str:
    if v is None:
        return "-"
    if v == 0:
        return "0"
    if abs(v) >= 10**digits:
        return f"{v:,.0f}"
    return f"{v:.{digits}g}"


def _cells(w: dict, row: dict) -> list[str]:
    """Display cells: median, min, max (in the workload's unit), x floor, x fastest, achieved."""
    if "median_s" not in row:
        return ["-"] * 6
    scale = UNIT_SCALE[w["unit"]] / w["per_call"]
    achieved = f"{row['achieved']:.3g} {row['achieved_unit']}" if row.get("achieved") else "-"
    return [
        _num(row["median_s"] * scale),
        _num(row["min_s"] * scale),
        _num(row["max_s"] * scale),
        _num(row["vs_floor"]) if row.get("vs_floor") else "-",
        _num(row["vs_fastest"]),
        achieved,
    ]


def _note(row: dict, repeat: int) -> str:
    """Status if not ok; else the check's note, plus the sample count if the budget cut it."""
    if row["status"] != "ok":
        return row["status"] + (f" ({row['message']})" if row["message"] else "")
    notes = [row["message"]] if row["message"] else []
    if row.get("samples", repeat) < repeat:
        notes.append(f"{row['samples']} samples (time budget)")
    return "; ".join(notes)


HEADER = ["implementation", "median", "min", "max", "x floor", "x fastest", "achieved", "note"]


def terminal(report: dict) -> str:
    """Fixed-width tables, one block per workload."""
    lines = []
    for w in report["workloads"]:
        floor = f"floor {_num(w['floor_time_s'] * 1e3)} ms" if w["floor_time_s"] else "no floor"
        lines.append(f"\n{w['name']} [{w['dtype']}, {w['size']}; {w['unit']}; {floor}]")
        lines.append(f"  {w['title']}")
        rows = [HEADER] + [
            [r["name"], *_cells(w, r), _note(r, report["config"]["repeat"])] for r in w["results"]
        ]
        widths = [max(len(r[i]) for r in rows) for i in range(len(HEADER) - 1)]
        for r in rows:
            cells = [
                c.ljust(widths[0]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(r[:-1])
            ]
            lines.append("  " + "  ".join(cells) + "  " + r[-1][:100])
    return "\n".join(lines)


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(report: dict) -> str:
    """The full human-readable report."""
    m, cfg = report["machine"], report["config"]
    out = ["# jitgrad performance comparison", ""]
    out.append(f"Command: `{report['command']}`  ")
    out.append(
        f"Date: {m['date']}, {report['elapsed_s']:.0f} s, "
        f"{cfg['repeat']} interleaved repetitions, "
        f"{'quick (tiny sizes, numbers not meaningful)' if cfg['quick'] else 'full sizes'}"
    )
    out += ["", "## Machine", ""]
    v = m["versions"]
    out.append(
        f"- CPU: {m['cpu']}, {m['logical_cores']} logical cores "
        f"({m['usable_cores']} usable), {m['memory_GB']} GB RAM; {m['platform']}"
    )
    out.append("- Versions: " + ", ".join(f"{k} {val}" for k, val in v.items()))
    out.append(f"- BLAS: {json.dumps(m['blas'])}")
    out.append(
        f"- Threads: numba {m['numba_threads']} ({m.get('numba_threading_layer')}), "
        f"torch {m.get('torch_threads', '-')}; load average (1, 5, 15 min) at start "
        f"{m['load_average']}, at end {m.get('load_average_end')}"
    )
    if m["git_commit"]:
        dirty = " (jitgrad/ has uncommitted changes)" if m["git_dirty"] else ""
        moved = m.get("git_commit_end")
        moved = f"; HEAD was {moved} at the end of the run" if moved != m["git_commit"] else ""
        out.append(f"- jitgrad commit {m['git_commit']} at the start{dirty}{moved}")
    else:
        out.append("- jitgrad commit unknown (not a git checkout)")
    fl = report["floors"]
    for when in ("start", "end"):
        f = fl.get(when)
        if not f:
            continue
        t = f["threads"]
        check = (
            f"sgemm {t['n']}: 1 thread {t['GFLOPs_1t']:.1f}, 2 threads {t['GFLOPs_2t']:.1f} "
            f"GFLOP/s, speedup {t['speedup']:.2f} ({t['verdict']})"
            if "speedup" in t
            else f"thread check failed: {t.get('error')}"
        )
        out.append(
            f"- Floors at {when}: copy {f['bandwidth']['GBps']:.1f} GB/s, sgemm "
            f"{f['gemm']['n']}: {f['gemm']['GFLOPs']:.1f} GFLOP/s; {check}"
        )
    out.append(
        f"- Floors used (best of start/end): {fl['used']['GBps']:.1f} GB/s, "
        f"{fl['used']['GFLOPs']:.1f} GFLOP/s"
    )
    out += [
        "",
        "## Workloads",
        "",
        "| workload | computes | dtype | size | floor |",
        "|---|---|---|---|---|",
    ]
    for w in report["workloads"]:
        floor = "-"
        if w["floor_time_s"]:
            amount = (
                f"{w['bytes'] / 1e6:.1f} MB"
                if w["floor"] == "bandwidth"
                else f"{w['flops'] / 1e9:.2f} GFLOP"
            )
            floor = f"{w['floor']}: {amount} = {w['floor_time_s'] * 1e3:.3g} ms"
        out.append(
            f"| {w['name']} | `{_md_escape(w['title'])}` | {w['dtype']} | "
            f"{_md_escape(w['size'])} | {floor} |"
        )
    out += [
        "",
        "## Results",
        "",
        "Times per call (per op for `dispatch`): median of the interleaved samples, with "
        "min and max. `x floor` = median / floor time; `x fastest` = median / fastest "
        "median for that workload.",
        "",
        "| workload | unit | " + " | ".join(HEADER) + " |",
        "|---|---|" + "---|" * len(HEADER),
    ]
    for w in report["workloads"]:
        for i, r in enumerate(w["results"]):
            name = f"**{w['name']}**" if i == 0 else ""
            unit = w["unit"] if i == 0 else ""
            cells = [r["name"], *_cells(w, r), _md_escape(_note(r, cfg["repeat"]))]
            out.append(f"| {name} | {unit} | " + " | ".join(cells) + " |")
    if report.get("compile"):
        out += [
            "",
            "## jitgrad compile time",
            "",
            "Cold: new process, empty `JITGRAD_CACHE_DIR`/`NUMBA_CACHE_DIR`; warm: new "
            "process, same cache; hot: second call in the same process. `first call` is "
            "build + first forward+backward; `process` is the whole subprocess wall time.",
            "",
            "| workload | impl | cold import | cold first call | cold process | "
            "warm import | warm first call | warm process | hot call |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for c in report["compile"]:
            if "error" in c:
                out.append(f"| {c['workload']} | {c['impl']} | {_md_escape(c['error'])} |||||||")
                continue
            cold, warm = c["cold"], c["warm"]
            cells = [
                cold["import_s"],
                cold["first_s"],
                cold["process_s"],
                warm["import_s"],
                warm["first_s"],
                warm["process_s"],
            ]
            out.append(
                f"| {c['workload']} | {c['impl']} | "
                + " | ".join(f"{s:.2f} s" for s in cells)
                + f" | {warm['hot_s'] * 1e3:.2f} ms |"
            )
    if report.get("skipped"):
        out += ["", "## Skipped", ""] + [f"- {s}" for s in report["skipped"]]
    return "\n".join(out) + "\n"


def write(report: dict, out_dir: Path) -> dict[str, Path]:
    """Write compare.json and compare.md into ``out_dir``; returns their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"json": out_dir / "compare.json", "md": out_dir / "compare.md"}
    paths["json"].write_text(json.dumps(report, indent=1, default=str) + "\n")
    paths["md"].write_text(markdown(report))
    return paths
