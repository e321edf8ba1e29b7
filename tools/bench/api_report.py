"""What ``cloudpark bench api`` leaves behind: JSON and a Markdown section."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tools.bench.report import save

SEARCH_P99_TARGET_MS = 50.0


def _f(v: Any) -> str:
    return "-" if v is None else f"{v:.1f}" if isinstance(v, float) else str(v)


def _errors(statuses: dict[str, int]) -> str:
    bad = {k: n for k, n in statuses.items() if k != "200"}
    return ", ".join(f"{k}: {n}" for k, n in sorted(bad.items())) or "0"


def markdown(run: dict[str, Any]) -> str:
    m, s = run["machine"], run["settings"]
    engines = run["results"]["engines"]
    names = [e["engine"] for e in engines]
    lines = [
        f"## Zone platform API, {run['started']}",
        "",
        f"Machine: {m['nproc']} cores, {m['cpu_model']}, Python {m['python']} ({m['platform']}), load average "
        f"{m.get('load_average_1m', '-')} when the run began. `cloudpark web` pinned to core {s['web_core']} "
        f"(one uvicorn worker: requests/s is one core's), the load generator (this process, "
        f"{s['clients']} concurrent httpx clients) to core {s['load_core']}; {s['seconds']:g} s per scenario after "
        f"1 s of warm-up; latency measured by the client (request sent to answer read). Data: the demo zone at "
        f"scale {s['scale']:g}. Engines: " + "; ".join(f"{e['engine']}: {e['version']}" for e in engines) +
        f". Command: `{run['command']}`.",
        "",
        "Each scenario runs twice: one client at a time (the latency a person waits on an idle server) and "
        f"{s['clients']} concurrent clients (what one web core serves: requests/s; latency then includes the queue).",
        "",
        "| scenario | " + " | ".join(f"{n}: 1 client p50 / p99 ms | {n}: {s['clients']} clients req/s "
                                     f"| {n}: {s['clients']} clients p50 / p99 / max ms | {n}: web CPU % (others on its core) | {n}: errors"
                                     for n in names) + " |",
        "|---|" + "---|---:|---|---:|---:|" * len(names),
    ]
    scenarios = list(engines[0]["scenarios"]) if engines else []
    for name in scenarios:
        cells = []
        for e in engines:
            r = e["scenarios"].get(name)
            if r is None:
                cells.append("- | - | - | - | -")
                continue
            one, many = r["one_client"], r["concurrent"]
            a = many["all"]
            cells.append(f"{_f(one['all']['p50_ms'])} / {_f(one['all']['p99_ms'])} | {_f(many['requests_per_s'])} "
                         f"| {_f(a['p50_ms'])} / {_f(a['p99_ms'])} / {_f(a['max_ms'])} | {_f(many['web_cpu_percent'])} "
                         f"({_f(many.get('others_on_web_core_percent'))}) "
                         f"| {_errors({**one['statuses'], **many['statuses']})} ")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    mixed = "directory API (mixed)"
    if engines and mixed in engines[0]["scenarios"]:
        lines += ["", f"Directory searches by kind ({mixed}, one client; target p99 < {SEARCH_P99_TARGET_MS:.0f} ms; "
                  f"then under {s['clients']} clients):", "",
                  "| query | " + " | ".join(f"{n}: 1 client p50 / p99 ms | {n}: {s['clients']} clients p50 / p99 ms"
                                           for n in names) + " |",
                  "|---|" + "---|---|" * len(names)]
        for label in engines[0]["scenarios"][mixed]["one_client"]["by_label"]:
            cells = []
            for e in engines:
                r = e["scenarios"].get(mixed, {})
                b1 = r.get("one_client", {}).get("by_label", {}).get(label)
                bn = r.get("concurrent", {}).get("by_label", {}).get(label)
                cells.append(("-" if not b1 else f"{_f(b1['p50_ms'])} / {_f(b1['p99_ms'])}") + " | " +
                             ("-" if not bn else f"{_f(bn['p50_ms'])} / {_f(bn['p99_ms'])}"))
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
    crowd = run["results"].get("crowd")
    if crowd:
        lines += ["", f"The tick under API load: `cloudpark serve` (its own process) pinned to core "
                  f"{crowd['world_core']} with {crowd['bots']} bots (`tour`, park `{crowd['park']}`, bots on core "
                  f"{crowd['bots_core']}); then the same while the directory load above runs against `cloudpark web` "
                  f"({crowd['engine']}) on core {crowd['web_core']}, load generator on core {crowd['load_core']}.", "",
                  "| window | tick p50 / p99 / max ms | snapshots/s/client min | world server CPU % "
                  "(others on its core) | holds |", "|---|---|---|---|---|"]
        for key, label in (("alone", "no API load"), ("with_api_load", "directory API loaded")):
            w = crowd.get(key, {})
            if "error" in w:
                lines.append(f"| {label} | {str(w['error'])[:80]} | - | - | no |")
                continue
            t = w.get("tick_ms", {})
            lines.append(f"| {label} | {_f(t.get('p50'))} / {_f(t.get('p99'))} / {_f(t.get('max'))} "
                         f"| {_f(w.get('snapshots_per_client_per_s', {}).get('min'))} | {_f(w.get('server_cpu_percent'))} "
                         f"({_f(w.get('other_load_on_server_core_percent'))}) | {'yes' if w.get('holds') else 'no'} |")
        a = crowd.get("api_load") or {}
        if a.get("all"):
            lines.append(f"\nAPI load meanwhile: {_f(a['requests_per_s'])} req/s, p50 / p99 {_f(a['all']['p50_ms'])} / "
                         f"{_f(a['all']['p99_ms'])} ms, web CPU {_f(a.get('web_cpu_percent'))} %, errors "
                         f"{_errors(a.get('statuses') or {})}.")
    lines += ["", f"JSON: `{run['json']}`.", ""]
    return "\n".join(lines)


def write(run: dict[str, Any], out_dir: Path, docs: Path | None) -> dict[str, Path]:
    paths = save(run, out_dir, docs, "api", markdown)
    md_path = paths["json"].with_suffix(".md")
    md_path.write_text(markdown(run), encoding="utf-8")
    return {"json": paths["json"], "markdown": md_path, **({"docs": docs} if docs is not None else {})}
