"""What ``cloudpark bench showcase`` reports: the verdicts, the stream's figures, JSON and Markdown.

Pure functions over the measured dicts (no processes, no clocks), so they are tested alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from tools.bench.crowd import MIN_SNAPSHOTS_PER_S, TICK_P99_BUDGET_MS, holds
from tools.bench.report import save

LATENCY_TARGET_S = 4.0  # the aim, "about 4 s" glass to glass (ffmpeg's packager: 1 s segments): reported, not judged
SPREAD_TARGET_S = 1.0  # "they see the same moment within a second"


def reactions_every_second(step: dict[str, Any]) -> bool:
    """Every client got a ``reactions`` message for every whole second of the window."""
    sc = step.get("showcase") or {}
    return bool(sc.get("seconds_expected")) and sc.get("clients_every_second") == step.get("clients")


def step_holds(step: dict[str, Any]) -> bool:
    """A showcase step holds: the crowd bench's targets (tick p99 < 50 ms, every client >= 19
    snapshots/s, all joined) and the reaction counts delivered every second to every client."""
    return holds(step) and reactions_every_second(step)


def largest_held(steps: list[dict[str, Any]], part: str = "hall") -> int | None:
    held = [s["clients"] for s in steps if s.get("holds") and s.get("part", "hall") == part]
    return max(held) if held else None


def over_capacity(step: dict[str, Any] | None) -> dict[str, Any] | None:
    """The over-capacity crowd: halls opened, the largest hall, none over capacity, shared
    reactions (the same counts in every hall each second) and Q&A (a question asked in one
    hall seen on the board in another)."""
    if step is None or "error" in step:
        return None
    sc = step.get("showcase") or {}
    halls = {int(h): n for h, n in (sc.get("halls") or {}).items()}
    cap = step.get("hall_capacity")
    seated = sum(halls.values())
    largest = max(halls.values(), default=0)
    with_counts = sc.get("seconds_with_counts", 0)
    return {
        "clients": step.get("clients"),
        "capacity": cap,
        "seated": seated,
        "halls_opened": len(halls),
        "halls_needed": -(-seated // cap) if cap else None,
        "largest_hall": largest,
        "none_over_capacity": cap is not None and largest <= cap,
        "reactions_shared": bool(with_counts) and sc.get("seconds_same_counts_in_every_hall") == with_counts
        and sc.get("halls_per_second_max", 0) == len(halls),
        "questions_asked": sc.get("questions_asked_in_window", 0),
        "questions_seen_in_another_hall": sc.get("questions_seen_in_another_hall", 0),
        "qa_shared": len(halls) > 1 and sc.get("questions_asked_in_window", 0) > 0
        and sc.get("questions_seen_in_another_hall") == sc.get("questions_asked_in_window"),
    }


def _pct(values: list[float], q: float) -> float | None:
    return round(float(np.percentile(values, q)), 3) if values else None


def stream_figures(pages: list[list[dict[str, Any]]], *, grid_s: float = 0.5) -> dict[str, Any]:
    """Glass-to-glass latency and the spread between viewers from each page's samples
    (``at``: the page's wall clock in ms when it read its video; ``source``: the decoded
    pixel clock in ms, None when the strip could not be read; ``delay``: the player's own
    figure from the program clock, s). The spread at a moment is max - min of the viewers'
    latencies, each viewer's sample nearest that moment (within ``grid_s``)."""
    per_page, series = [], []
    for samples in pages:
        read = [(s["at"] / 1000.0, (s["at"] - s["source"]) / 1000.0) for s in samples if s.get("source") is not None]
        delays = [float(s["delay"]) for s in samples if s.get("delay") is not None]
        lat = [x for _, x in read]
        per_page.append({"samples": len(samples), "read": len(read), "latency_p50_s": _pct(lat, 50),
                         "latency_p95_s": _pct(lat, 95), "program_clock_delay_p50_s": _pct(delays, 50)})
        series.append(read)
    everything = [x for s in series for _, x in s]
    spreads: list[float] = []
    live = [s for s in series if s]
    if len(live) >= 2:
        t0 = max(s[0][0] for s in live)
        t1 = min(s[-1][0] for s in live)
        t = t0
        while t <= t1:
            at_t = []
            for s in live:
                times = np.fromiter((a for a, _ in s), float)
                i = int(np.argmin(np.abs(times - t)))
                if abs(times[i] - t) <= grid_s:
                    at_t.append(s[i][1])
            if len(at_t) == len(live):
                spreads.append(max(at_t) - min(at_t))
            t += grid_s
    return {
        "viewers": len(pages),
        "samples": sum(p["samples"] for p in per_page),
        "read": len(everything),
        "latency_s": {"p50": _pct(everything, 50), "p95": _pct(everything, 95),
                      "min": _pct(everything, 0), "max": _pct(everything, 100)},
        "spread_s": {"p50": _pct(spreads, 50), "p95": _pct(spreads, 95), "max": _pct(spreads, 100),
                     "moments": len(spreads)},
        "per_page": per_page,
    }


def verdict(result: dict[str, Any]) -> dict[str, Any]:
    stream = result.get("stream") or {}
    lat, spread = stream.get("latency_s") or {}, stream.get("spread_s") or {}
    return {
        "largest_held_one_hall": largest_held(result.get("steps", [])),
        "largest_held_control": largest_held(result.get("steps", []), "control"),
        "over_capacity": over_capacity(result.get("over")),
        "latency_p50_s": lat.get("p50"),
        "latency_p95_s": lat.get("p95"),
        "spread_max_s": spread.get("max"),
        "spread_within_target": spread.get("max") is not None and spread["max"] <= SPREAD_TARGET_S,
        "targets": {"tick_p99_ms_below": TICK_P99_BUDGET_MS, "snapshots_per_s_at_least": MIN_SNAPSHOTS_PER_S,
                    "reactions": "every second to every client", "latency_s_about": LATENCY_TARGET_S,
                    "spread_s_within": SPREAD_TARGET_S},
    }


def _f(v: Any, digits: int = 1) -> str:
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:.{digits}f}"
    return str(v)


def _step_row(st: dict[str, Any]) -> str:
    if "error" in st:
        return f"| {st['clients']} | - | {str(st['error'])[:100].replace('|', '/')} | - | - | - | - | - | - | no |"
    t, r, sc = st["tick_ms"], st["snapshots_per_client_per_s"], st.get("showcase") or {}
    per, delay = sc.get("seconds_per_client") or {}, sc.get("reaction_delay_ms") or {}
    halls = ", ".join(f"{h}: {n}" for h, n in (sc.get("halls") or {}).items()) or "-"
    every = (f"{sc.get('clients_every_second', '-')} of {st['clients']} ({_f(per.get('min'), 0)} of "
             f"{sc.get('seconds_expected', '-')} s at least)") if sc else "-"
    sent = f"{sc.get('reactions_sent', '-')} / {sc.get('asks', '-')} / {sc.get('upvotes', '-')}" if sc else "-"
    return (f"| {st['clients']} | {st['joined']} | {_f(t['p50'])} / {_f(t['p99'])} / {_f(t['max'])} "
            f"| {_f(r['mean'])} ({_f(r['min'])}) | {every} | {_f(delay.get('p50'), 0)} / {_f(delay.get('p99'), 0)} "
            f"| {sent} | {_f(st['server_cpu_percent'])} ({_f(st.get('other_load_on_server_core_percent'))}) "
            f"| {halls} | {'yes' if st['holds'] else 'no'} |")


def markdown(run: dict[str, Any]) -> str:
    m, s, res, v = run["machine"], run["settings"], run["results"], run["verdict"]
    lines = [
        f"## Showcase benchmark, {run['started']}: park `{s['park']}`",
        "",
        f"Machine: {m['nproc']} cores, {m['cpu_model']}, Python {m['python']} ({m['platform']}), "
        f"load average {m.get('load_average_1m', '-')} when the run began (a shared machine: read the figures "
        f"as upper bounds). World server pinned to core {s['server_core']}, bots to core {s['bots_core']}; "
        f"{s['tick_rate']} Hz; {s['seconds']:g} s measured per step after the crowd joined; a fresh server per "
        f"step; the `showcase` shape; every bot reacts every {s['react_every_s']:g} s, "
        f"{100 * s['ask_share']:g} % of them sign in and ask about every {s['ask_every_s']:g} s and upvote "
        f"about every {s['upvote_every_s']:g} s. Event {res['event']} scheduled on the stage through the "
        f"organizer console. Command: `{run['command']}`.",
        "",
        "One hall (capacity above the crowd):",
        "",
        "| clients | joined | tick p50 / p99 / max ms | snaps/s/client mean (min) | reactions every second "
        "| reactions after their second p50 / p99 ms | sent: reactions / questions / upvotes "
        "| server CPU % (others on its core) | halls (clients) | holds |",
        "|---:|---:|---|---|---|---|---|---|---|---|",
    ]
    lines += [_step_row(st) for st in res["steps"] if st.get("part", "hall") == "hall"]
    lines += ["", f"Largest crowd held in one hall on one core (tick p99 < {TICK_P99_BUDGET_MS:.0f} ms, every "
              f"client >= {MIN_SNAPSHOTS_PER_S:.0f} snapshots/s, reaction counts every second to every client): "
              f"**{_f(v['largest_held_one_hall'])}**.", ""]
    control = [st for st in res["steps"] if st.get("part") == "control"]
    if control:
        lines += ["The same crowds without reactions and questions (control, each run right after its showcase "
                  "step; holds: the crowd bench's targets):", "",
                  "| clients | joined | tick p50 / p99 / max ms | snaps/s/client mean (min) | reactions every second "
                  "| reactions after their second p50 / p99 ms | sent: reactions / questions / upvotes "
                  "| server CPU % (others on its core) | halls (clients) | holds |",
                  "|---:|---:|---|---|---|---|---|---|---|---|", *(_step_row(st) for st in control), "",
                  f"Largest control crowd held: **{_f(v.get('largest_held_control'))}**.", ""]
    over, oc = res.get("over"), v.get("over_capacity")
    if over is not None:
        lines += [f"Over capacity (`hall_capacity` {over.get('hall_capacity', '-')}, every hall in the one "
                  "server process):", "",
                  "| clients | joined | tick p50 / p99 / max ms | snaps/s/client mean (min) | reactions every second "
                  "| reactions after their second p50 / p99 ms | sent: reactions / questions / upvotes "
                  "| server CPU % (others on its core) | halls (clients) | holds |",
                  "|---:|---:|---|---|---|---|---|---|---|---|", _step_row(over), ""]
        if oc is not None:
            sc = over.get("showcase") or {}
            lines += [f"Halls opened: **{oc['halls_opened']}** for {oc['seated']} seated (at least "
                      f"{oc['halls_needed']} needed); the largest holds **{oc['largest_hall']}** "
                      f"(capacity {oc['capacity']}): none over capacity: **{_f(oc['none_over_capacity'])}**. "
                      f"Reactions shared: the same summed counts reached every client in every hall in "
                      f"{sc.get('seconds_same_counts_in_every_hall')} of {sc.get('seconds_with_counts')} seconds "
                      f"(**{_f(oc['reactions_shared'])}**). Q&A shared: {oc['questions_seen_in_another_hall']} of "
                      f"{oc['questions_asked']} questions asked in the window (up to its last second) were on the board "
                      "in another hall "
                      f"(**{_f(oc['qa_shared'])}**).", ""]
    stream = res.get("stream")
    if stream is not None:
        if "error" in stream:
            lines += [f"The stream: not measured: {stream['error'][:400]}", ""]
        else:
            lat, sp = stream["latency_s"], stream["spread_s"]
            lines += [f"The stream (the test pattern through the web app's stream supervisor, the source clock "
                      f"burnt into every frame; {stream['viewers']} headless Chromium pages on the park's web "
                      f"client, hls.js on the stage screen; each page's video read every "
                      f"{stream['sample_every_ms']} ms through a canvas, {stream['read']} of {stream['samples']} "
                      f"reads decoded; viewport {stream.get('viewport', '-')}; the players "
                      f"{'held' if stream.get('settled') else 'had not all reached'} their target delay when the "
                      "reads began):", "",
                      "| | p50 | p95 | min | max |", "|---|---:|---:|---:|---:|",
                      f"| glass-to-glass latency s (page's wall clock - decoded source clock) | {_f(lat['p50'], 2)} "
                      f"| {_f(lat['p95'], 2)} | {_f(lat['min'], 2)} | {_f(lat['max'], 2)} |",
                      f"| spread between viewers s (max - min at the same moment, {sp['moments']} moments) "
                      f"| {_f(sp['p50'], 2)} | {_f(sp['p95'], 2)} | - | {_f(sp['max'], 2)} |", "",
                      "| page | reads decoded | latency p50 / p95 s | the player's delay by the program clock p50 s |",
                      "|---:|---:|---|---:|"]
            for i, p in enumerate(stream["per_page"], 1):
                lines.append(f"| {i} | {p['read']} of {p['samples']} | {_f(p['latency_p50_s'], 2)} / "
                             f"{_f(p['latency_p95_s'], 2)} | {_f(p['program_clock_delay_p50_s'], 2)} |")
            lines.append("")
            if stream.get("screenshots"):
                lines += ["Screenshots: " + ", ".join(f"`{p}`" for p in stream["screenshots"]) + ".", ""]
    lines += [f"JSON: `{run['json']}`.", ""]
    return "\n".join(lines)


def write(run: dict[str, Any], out_dir: Path, docs: Path | None) -> dict[str, Path]:
    return save(run, out_dir, docs, "showcase", markdown)
