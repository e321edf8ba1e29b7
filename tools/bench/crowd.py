"""The crowd benchmark: step through client counts, one fresh pinned server per step.

Per step: start ``cloudpark serve`` on the server core, run ``cloudpark bots`` on the
bots core, sample the server's CPU and RSS (psutil) and scrape /metrics while the
bots measure, then line everything up on the bots' measurement window.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import psutil

from tools.bench import prometheus as prom
from tools.bench.server_process import BenchError, Sample, ServerUnderTest, pinned

log = logging.getLogger("cloudpark.bench")

TICK_P99_BUDGET_MS = 50.0
MIN_SNAPSHOTS_PER_S = 19.0
SAMPLE_EVERY_S = 0.5
TICK = "cloudpark_tick_seconds"


@dataclass(frozen=True)
class CrowdBench:
    clients: tuple[int, ...]
    seconds: float = 20.0
    shape: str = "tour"
    park: str = "798-art-zone"
    naive: bool = False
    tick_rate: int = 20
    view_radius: float | None = None
    data_dir: Path = Path("var")
    work_dir: Path = Path("var/bench")
    server_core: int | None = 0
    bots_core: int | None = 1
    procs: int = 1
    ramp_per_s: float = 250.0
    batch: int = 2  # ticks per bot input message (`in.n`)
    modes: tuple[str, ...] = field(default=())
    naive_clients: tuple[int, ...] = ()  # counts for naive mode (default: ``clients``)
    bot_args: tuple[str, ...] = ()  # more `cloudpark bots` flags (the showcase bench's audience)
    server_env: tuple[tuple[str, str], ...] = ()  # more CLOUDPARK_* settings for the server
    before_dir: Path | None = None  # a checkout of the code before a change: its server runs as mode "before"
    rounds: int = 1  # runs of every (count, mode), interleaved, for a median

    def mode_list(self) -> tuple[str, ...]:
        if self.modes:
            return self.modes
        return ("real",) + (("before",) if self.before_dir is not None else ()) + (("naive",) if self.naive else ())


def holds(step: dict[str, Any]) -> bool:
    """The issue's targets: tick p99 under 50 ms and >= 19 snapshots/s to every client."""
    p99 = step.get("tick_ms", {}).get("p99")
    rate = step.get("snapshots_per_client_per_s", {}).get("min")
    return (p99 is not None and p99 < TICK_P99_BUDGET_MS and rate is not None
            and rate >= MIN_SNAPSHOTS_PER_S and step.get("joined") == step.get("clients"))


def _in_window(samples: list[Sample], t0: float, t1: float) -> list[Sample]:
    inside = [s for s in samples if t0 <= s.t <= t1]
    return inside if len(inside) >= 2 else samples[-2:]


def _nearest(scrapes: list[tuple[float, str]], t: float) -> str:
    return min(scrapes, key=lambda s: abs(s[0] - t))[1]


def run_step(bench: CrowdBench, clients: int, mode: str) -> dict[str, Any]:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    server = ServerUnderTest(
        data_dir=bench.data_dir, log_path=bench.work_dir / "logs" / f"serve-{mode}-{clients}-{stamp}.log",
        core=bench.server_core, tick_rate=bench.tick_rate, view_radius=bench.view_radius,
        naive=mode == "naive", max_clients=clients, env=dict(bench.server_env),
        cwd=bench.before_dir if mode == "before" else None,
    )
    step: dict[str, Any] = {"clients": clients, "mode": mode, "shape": bench.shape}
    server.start()
    try:
        idle = server.sample()
        out = bench.work_dir / "logs" / f"bots-{mode}-{clients}-{stamp}.json"
        cmd = pinned([sys.executable, "-m", "tools.cli", "bots", "--url", server.ws_url, "--clients", str(clients),
                      "--park", bench.park, "--shape", bench.shape, "--seconds", str(bench.seconds),
                      "--procs", str(bench.procs), "--ramp", str(bench.ramp_per_s),
                      "--tick-rate", str(bench.tick_rate), "--batch", str(bench.batch), "--data-dir", str(bench.data_dir),
                      "--json", str(out), *bench.bot_args], bench.bots_core)
        bots = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # noqa: S603
        samples: list[Sample] = [idle]
        cores: list[tuple[float, Any]] = []  # (time, per-CPU times): who else used the server's core
        scrapes: list[tuple[float, str]] = []
        limit = time.monotonic() + clients / bench.ramp_per_s + bench.seconds + 90.0
        next_scrape = 0.0
        while bots.poll() is None:
            if time.monotonic() > limit:
                bots.kill()
                raise BenchError(f"bots did not finish a {bench.seconds:.0f} s window with {clients} clients")
            if not server.alive():
                bots.kill()
                raise BenchError(f"server died under {clients} clients: {server.log_tail()}")
            samples.append(server.sample())
            cores.append((samples[-1].t, psutil.cpu_times(percpu=True)))
            if samples[-1].t >= next_scrape:
                try:
                    scrapes.append((time.monotonic(), server.scrape()))
                except OSError as exc:
                    log.warning("scrape failed: %s", exc)
                next_scrape = samples[-1].t + 1.0
            time.sleep(SAMPLE_EVERY_S)
        err = bots.stderr.read().decode("utf-8", "replace") if bots.stderr else ""
        if bots.returncode != 0 or not out.is_file():
            raise BenchError(f"bots exited with {bots.returncode}: {err[-2000:]}")
        seen = json.loads(out.read_text(encoding="utf-8"))
    finally:
        server.stop()
    t0, t1 = seen["window"]["from"], seen["window"]["until"]
    inside = _in_window(samples, t0, t1)
    span = max(inside[-1].t - inside[0].t, 1e-9)
    rss_peak = max(s.rss for s in inside)
    step["other_load_on_server_core_percent"] = _other_load(cores, inside, bench.server_core, t0, t1)
    step.update(
        joined=seen["joined"],
        window_s=seen["window_s"],
        snapshots_per_client_per_s=seen["snapshots_per_client_per_s"],
        latency_ms=seen["latency_ms"],
        down_bytes_per_client_per_s=seen["down_bytes_per_client_per_s"],
        up_bytes_per_client_per_s=seen["up_bytes_per_client_per_s"],
        server_cpu_percent=round(100.0 * (inside[-1].cpu_s - inside[0].cpu_s) / span, 1),
        rss_idle_mb=round(idle.rss / 2**20, 1),
        rss_mb=round(rss_peak / 2**20, 1),
        rss_per_client_kb=round((rss_peak - idle.rss) / 1024 / max(clients, 1), 1),
        generator=seen["generator"],
        inputs_per_client_per_s=seen["inputs_per_client_per_s"],
        generator_starved=seen["inputs_per_client_per_s"] < 0.9 * bench.tick_rate,
        bot_closes=seen["closes"],
        bot_errors=seen["errors"],
        reconnects=seen["reconnects"],
    )
    if "showcase" in seen:
        step["showcase"] = seen["showcase"]
    if scrapes:
        before = prom.parse(_nearest(scrapes, t0))
        after = prom.parse(_nearest(scrapes, t1))
        d = prom.delta(after, before)
        cumulative = prom.buckets(d, TICK)
        top = prom.value(after, f"{TICK}_max") or None  # a max gauge (since start), if the server has one
        bucket_top, beyond = prom.highest_bucket(cumulative)
        if top is not None and bucket_top is not None and not beyond:
            top = min(top, bucket_top)  # the window's max is under both bounds
        count = prom.value(d, f"{TICK}_count")
        p50 = prom.histogram_quantile(0.50, cumulative)
        p99 = prom.histogram_quantile(0.99, cumulative)
        if top is not None:  # interpolation inside a bucket must not pass the known max
            p50 = None if p50 is None else min(p50, top)
            p99 = None if p99 is None else min(p99, top)
        step["tick_ms"] = {
            "p50": _ms(p50),
            "p99": _ms(p99),
            "max": _ms(top if top is not None else bucket_top),
            "max_is_bucket_bound": top is None,
            "max_beyond_buckets": top is None and beyond,
            "mean": _ms(prom.value(d, f"{TICK}_sum") / count) if count else None,
            "ticks": int(count),
        }
        step["server_bytes_out_per_client_per_s"] = round(
            prom.value(d, "cloudpark_bytes_out_total") / max(clients, 1) / seen["window_s"], 1)
        step["dropped"] = {k: int(v) for k, v in prom.by_label(
            prom.parse(scrapes[-1][1]), "cloudpark_dropped_clients_total", "reason").items() if v}
        step["snapshots_skipped"] = int(prom.value(d, "cloudpark_snapshots_skipped_total"))
    else:
        step["tick_ms"] = {"p50": None, "p99": None, "max": None}
    step["holds"] = holds(step)
    return step


def _other_load(cores: list[tuple[float, Any]], inside: list[Sample], core: int | None,
                t0: float, t1: float) -> float | None:
    """Busy time of the server's core not spent by the server: other work skewing the figures."""
    window = [c for c in cores if t0 <= c[0] <= t1]
    if core is None or len(window) < 2 or len(inside) < 2:
        return None
    a, b = window[0][1], window[-1][1]
    if core >= len(a):
        return None
    a, b = a[core], b[core]
    total = sum(b) - sum(a)
    if total <= 0:
        return None
    busy = 1.0 - ((b.idle - a.idle) + (getattr(b, "iowait", 0.0) - getattr(a, "iowait", 0.0))) / total
    server = (inside[-1].cpu_s - inside[0].cpu_s) / max(inside[-1].t - inside[0].t, 1e-9)
    return round(max(0.0, 100.0 * (busy - server)), 1)


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None or seconds != seconds else round(seconds * 1000.0, 2)


def saturated(step: dict[str, Any]) -> bool:
    """Far past the budget: larger counts in this mode would only take longer to fail."""
    p99 = step.get("tick_ms", {}).get("p99")
    rate = step.get("snapshots_per_client_per_s", {}).get("mean") or 0.0
    return bool(step.get("error")) or (p99 is not None and p99 >= 4 * TICK_P99_BUDGET_MS) or rate < 5.0


def prepare_data_dir(bench: CrowdBench) -> CrowdBench:
    """A scratch data dir holding only the park's scene: bot guests and chat never land in the
    real database, and the server hosts just the room under test."""
    scene = bench.data_dir / "scenes" / f"{bench.park}.glb"
    if not scene.is_file():
        log.info("building the scene of %s first", bench.park)
        subprocess.run([sys.executable, "-m", "tools.cli", "scenes", "build", "--park", bench.park,  # noqa: S603
                        "--out", str(scene.parent)], check=False)
        if not scene.is_file():
            raise BenchError(f"no scene for park {bench.park!r} at {scene} (try `cloudpark scenes build`)")
    scratch = bench.work_dir / "data"
    if scratch.exists():
        shutil.rmtree(scratch)
    (scratch / "scenes").mkdir(parents=True)
    shutil.copyfile(scene, scratch / "scenes" / scene.name)
    return replace(bench, data_dir=scratch)


def plan(bench: CrowdBench) -> list[tuple[str, int, int]]:
    """The steps in order, as (mode, clients, round): mode by mode with one round; count by
    count, every round of every mode in turn, with ``before`` or several rounds."""
    modes = bench.mode_list()
    counts = {m: (bench.naive_clients or bench.clients) if m == "naive" else bench.clients for m in modes}
    if bench.rounds > 1 or "before" in modes:
        return [(m, c, r) for c in sorted({c for cs in counts.values() for c in cs})
                for r in range(bench.rounds) for m in modes if c in counts[m]]
    return [(m, c, 0) for m in modes for c in counts[m]]


def run_bench(bench: CrowdBench) -> list[dict[str, Any]]:
    """Every count in every mode, ``rounds`` times. With one round the modes run one after
    the other; with ``before`` or several rounds they are interleaved count by count (real,
    before, naive, then the next round), so a side-by-side comparison shares the machine's
    state minute by minute."""
    bench = replace(bench, data_dir=bench.data_dir.resolve(), work_dir=bench.work_dir.resolve())
    bench = prepare_data_dir(bench)
    steps: list[dict[str, Any]] = []
    saturated_at: dict[str, int] = {}
    for mode, clients, rnd in plan(bench):
        if mode == "naive" and mode in saturated_at:
            steps.append({"clients": clients, "mode": mode, "shape": bench.shape, "holds": False, "round": rnd,
                          "skipped": f"{mode} mode was saturated at {saturated_at[mode]} clients"})
            continue
        log.info("step: %s mode, %d clients, %s, %.0f s (round %d of %d)", mode, clients, bench.shape,
                 bench.seconds, rnd + 1, bench.rounds)
        try:
            step = run_step(bench, clients, mode)
        except BenchError as exc:
            step = {"clients": clients, "mode": mode, "shape": bench.shape, "holds": False, "error": str(exc)}
        step["round"] = rnd
        log.info("  %s", _line(step))
        steps.append(step)
        if mode == "naive" and saturated(step):
            saturated_at[mode] = clients
    return steps


def _line(step: dict[str, Any]) -> str:
    if "error" in step:
        return f"error: {step['error'][:300]}"
    t, r = step["tick_ms"], step["snapshots_per_client_per_s"]
    return (f"tick p50/p99 {t['p50']}/{t['p99']} ms, snaps/s min {r['min']} mean {r['mean']}, "
            f"cpu {step['server_cpu_percent']}%, gen cpu {step['generator']['cpu_percent']}%, "
            f"{'holds' if step['holds'] else 'misses'} the targets")
