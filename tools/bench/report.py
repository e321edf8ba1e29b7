"""What a crowd benchmark run leaves behind: JSON, a PNG plot, a Markdown table."""

from __future__ import annotations

import json
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tools.bench.crowd import MIN_SNAPSHOTS_PER_S, TICK_P99_BUDGET_MS


def machine() -> dict[str, Any]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu_model": model or platform.processor() or "unknown",
        "python": platform.python_version(),
        "platform": platform.platform(),
        # Other work on the machine skews every figure: say how busy it was when the run began.
        "load_average_1m": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
    }


def _median(values: list[float]) -> float | None:
    values = sorted(v for v in values if v is not None)
    if not values:
        return None
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def summary(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per (mode, count) over its rounds: medians, and whether most rounds held."""
    groups: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for st in steps:
        if "skipped" not in st:
            groups.setdefault((st["mode"], st["clients"]), []).append(st)
    rows = []
    for (mode, clients), runs in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        ok = [r for r in runs if "tick_ms" in r]
        rows.append({
            "mode": mode, "clients": clients, "rounds": len(runs),
            "held_rounds": sum(1 for r in runs if r.get("holds")),
            "holds": sum(1 for r in runs if r.get("holds")) * 2 > len(runs),
            "tick_p99_ms": _median([r["tick_ms"]["p99"] for r in ok]),
            "tick_p50_ms": _median([r["tick_ms"]["p50"] for r in ok]),
            "snapshots_min": _median([r["snapshots_per_client_per_s"]["min"] for r in ok]),
            "snapshots_mean": _median([r["snapshots_per_client_per_s"]["mean"] for r in ok]),
            "server_cpu_percent": _median([r["server_cpu_percent"] for r in ok]),
            "other_load_percent": _median([r.get("other_load_on_server_core_percent") for r in ok]),
        })
    return rows


def largest_held(steps: list[dict[str, Any]], mode: str) -> int | None:
    """The largest count whose rounds mostly held (with one round: the count held)."""
    held = [s["clients"] for s in summary(steps) if s["mode"] == mode and s["holds"]]
    return max(held) if held else None


def verdict(steps: list[dict[str, Any]]) -> dict[str, Any]:
    real, naive, before = (largest_held(steps, m) for m in ("real", "naive", "before"))
    ratio = None
    if real is not None and naive:
        ratio = round(real / naive, 2)
    per_count = {}
    for s in steps:
        if s.get("mode") != "real" or s.get("round", 0) != 0:
            continue
        twin = next((n for n in steps if n.get("mode") == "naive" and n["clients"] == s["clients"]), None)
        p_real = s.get("tick_ms", {}).get("p99")
        p_naive = (twin or {}).get("tick_ms", {}).get("p99")
        if p_real and p_naive:
            per_count[str(s["clients"])] = round(p_naive / p_real, 2)
    return {"largest_held_real": real, "largest_held_naive": naive, "clients_ratio": ratio,
            "largest_held_before": before,
            "real_over_before": round(real / before, 2) if real is not None and before else None,
            "tick_p99_ratio_naive_over_real": per_count,
            "targets": {"tick_p99_ms_below": TICK_P99_BUDGET_MS, "snapshots_per_s_at_least": MIN_SNAPSHOTS_PER_S}}


def plot(steps: list[dict[str, Any]], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    for mode, style in (("real", "o-"), ("before", "^:"), ("naive", "s--")):
        rows = [s for s in steps if s.get("mode") == mode and "tick_ms" in s and s.get("round", 0) == 0]
        if not rows:
            continue
        xs = [s["clients"] for s in rows]
        ax1.plot(xs, [s["tick_ms"]["p99"] for s in rows], style, label=f"{mode} tick p99")
        ax2.plot(xs, [s["snapshots_per_client_per_s"]["mean"] for s in rows], style, label=f"{mode} mean")
        ax2.plot(xs, [s["snapshots_per_client_per_s"]["min"] for s in rows], style, alpha=0.5, label=f"{mode} min")
    ax1.axhline(TICK_P99_BUDGET_MS, color="red", lw=0.8, label="budget 50 ms")
    ax1.set(xlabel="clients", ylabel="tick duration p99 (ms)", title="server tick p99")
    ax2.axhline(MIN_SNAPSHOTS_PER_S, color="red", lw=0.8, label="target 19/s")
    ax2.set(xlabel="clients", ylabel="snapshots / s / client", title="snapshots delivered")
    for ax in (ax1, ax2):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _f(v: Any, digits: int = 1) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.{digits}f}"
    return str(v)


def markdown(run: dict[str, Any]) -> str:
    m, s, v = run["machine"], run["settings"], run["verdict"]
    lines = [
        f"## Crowd benchmark, {run['started']}: `{s['shape']}` shape, park `{s['park']}`",
        "",
        f"Machine: {m['nproc']} cores, {m['cpu_model']}, Python {m['python']} ({m['platform']}), "
        f"load average {m.get('load_average_1m', '-')} when the run began. "
        f"Server pinned to core {s['server_core']}, bots to core {s['bots_core']} "
        f"({s['procs']} generator process(es)); {s['tick_rate']} Hz; {s['seconds']:.0f} s measured per step "
        f"after the crowd joined; a fresh server per step. Command: `{run['command']}`.",
        "",
        "| mode | clients | joined | tick p50 / p99 / max ms | snaps/s/client mean (min) | input->ack p50 / p99 ms "
        "| down / up B/s/client | server CPU % (others on its core) | RSS MB (KB/client) | dropped "
        "| generator CPU % | holds |",
        "|---|---:|---:|---|---|---|---|---|---|---|---|---|",
    ]
    several = s.get("rounds", 1) > 1
    for st in run["steps"]:
        mode = f"{st['mode']} #{st.get('round', 0) + 1}" if several else st["mode"]
        if "error" in st or "skipped" in st:
            why = st.get("error") or st.get("skipped")
            lines.append(f"| {mode} | {st['clients']} | - | {str(why)[:80].replace('|', '/')} "
                         "| - | - | - | - | - | - | - | no |")
            continue
        t, r, lat = st["tick_ms"], st["snapshots_per_client_per_s"], st["latency_ms"]
        dropped = ", ".join(f"{k} {n}" for k, n in st.get("dropped", {}).items()) or "0"
        bound = ">" if t.get("max_beyond_buckets") else "<=" if t.get("max_is_bucket_bound") else ""
        top = bound + _f(t["max"])
        lines.append(
            f"| {mode} | {st['clients']} | {st['joined']} | {_f(t['p50'])} / {_f(t['p99'])} / {top} "
            f"| {_f(r['mean'])} ({_f(r['min'])}) | {_f(lat['p50'])} / {_f(lat['p99'])} "
            f"| {_f(st['down_bytes_per_client_per_s'], 0)} / {_f(st['up_bytes_per_client_per_s'], 0)} "
            f"| {_f(st['server_cpu_percent'])} ({_f(st.get('other_load_on_server_core_percent'))}) | {_f(st['rss_mb'])} ({_f(st['rss_per_client_kb'])}) "
            f"| {dropped} | {_f(st['generator']['cpu_percent'])}{' starved' if st.get('generator_starved') else ''} "
            f"| {'yes' if st['holds'] else 'no'} |"
        )
    lines += [
        "",
        f"Largest count holding the targets (tick p99 < {TICK_P99_BUDGET_MS:.0f} ms, every client >= "
        f"{MIN_SNAPSHOTS_PER_S:.0f} snapshots/s): real **{_f(v['largest_held_real'])}**, naive "
        f"**{_f(v['largest_held_naive'])}**" + (f", ratio **{v['clients_ratio']}x**." if v["clients_ratio"] else "."),
    ]
    if s.get("before"):
        lines.append(f"The code before the change (`{s['before']}`, commit {s.get('before_commit') or '?'}): "
                     f"**{_f(v.get('largest_held_before'))}** held"
                     + (f"; this code over it: **{v['real_over_before']}x**." if v.get("real_over_before") else "."))
    if several or s.get("before"):
        lines += ["", f"Medians over the rounds ({s.get('rounds', 1)} per count and mode, interleaved):", "",
                  "| mode | clients | rounds held | tick p50 / p99 ms | snaps/s/client mean (min) "
                  "| server CPU % (others on its core) | holds |", "|---|---:|---:|---|---|---|---|"]
        for row in summary(run["steps"]):
            lines.append(
                f"| {row['mode']} | {row['clients']} | {row['held_rounds']} of {row['rounds']} "
                f"| {_f(row['tick_p50_ms'])} / {_f(row['tick_p99_ms'])} "
                f"| {_f(row['snapshots_mean'])} ({_f(row['snapshots_min'])}) "
                f"| {_f(row['server_cpu_percent'])} ({_f(row['other_load_percent'])}) "
                f"| {'yes' if row['holds'] else 'no'} |")
        lines.append("")
    if v["tick_p99_ratio_naive_over_real"]:
        pairs = ", ".join(f"{k}: {x}x" for k, x in v["tick_p99_ratio_naive_over_real"].items())
        lines.append(f"Tick p99, naive over real, at the same count: {pairs}.")
    lines += ["", f"JSON: `{run['json']}`; plot: `{run['plot']}`.", ""]
    return "\n".join(lines)


def save(run: dict[str, Any], out_dir: Path, docs: Path | None, name: str,
         markdown_of: Callable[[dict[str, Any]], str]) -> dict[str, Path]:
    """A run's JSON as ``<name>-<stamp>.json`` in ``out_dir`` (its path recorded in the run,
    the stamp from ``started_epoch``) and, unless ``docs`` is None, its Markdown appended
    there: what every bench but the crowd's (which adds a plot and the file's head) writes."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(run["started_epoch"]))
    json_path = out_dir / f"{name}-{stamp}.json"
    run["json"] = str(json_path)
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(run, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    paths = {"json": json_path}
    if docs is not None:
        with docs.open("a", encoding="utf-8") as f:
            f.write("\n" + markdown_of(run))
        paths["docs"] = docs
    return paths


def write(run: dict[str, Any], out_dir: Path, docs: Path | None) -> dict[str, Path]:
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(run["started_epoch"]))
    json_path = out_dir / f"crowd-{stamp}.json"
    png_path = out_dir / f"crowd-{stamp}.png"
    run["json"], run["plot"] = str(json_path), str(png_path)
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(run, indent=2) + "\n", encoding="utf-8")
    plot(run["steps"], png_path, f"Cloud Park crowd benchmark ({run['settings']['shape']}, {run['started']})")
    paths = {"json": json_path, "plot": png_path}
    if docs is not None:
        docs.parent.mkdir(parents=True, exist_ok=True)
        head = "" if docs.is_file() else DOCS_HEAD
        with docs.open("a", encoding="utf-8") as f:
            f.write(head + "\n" + markdown(run))
        paths["docs"] = docs
    return paths


DOCS_HEAD = """# Benchmarks

Crowd runs of `cloudpark bench crowd`, newest last. Each step starts a fresh
`cloudpark serve` pinned to one core and drives it with `cloudpark bots` pinned to
the other; the bots speak the real protocol over real websockets. Columns: tick
duration from the server's `/metrics` histogram (interpolated inside buckets; `<=`
marks a max known only as a bucket bound, `>` one past the last bucket); snapshots delivered per client per second
and input->ack latency as the bots measured them; bytes per client per second on the
wire (websocket framing included); server CPU and RSS from psutil, with the CPU other
processes took on the server's core in brackets (the machine is shared: a high figure
there means the step measured contention, not the server); clients the server dropped,
by reason; the generator's own CPU (near 100 %, or `starved` when the bots sent under
90 % of their inputs, means the bots, not the server, were the limit). `naive` is the
server's `--snapshot-mode naive`: every client gets every avatar, packed per client,
unquantized (world/naive_snapshot.py).
"""
