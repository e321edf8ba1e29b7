"""Colyseus peer of the crowd bench (issue 14): a fresh Colyseus "tour" room server per client
count on core 0, the bot swarm on core 1; server CPU sampled with psutil over the bots' window,
tick+patch timings from the server. Targets as tools/bench/crowd.py's ``holds``.

    python tools/bench/colyseus/run.py --clients 100,200,300 --seconds 15 --out var/bench/colyseus.json
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
TICK_P99_BUDGET_MS = 50.0
MIN_PATCHES_PER_S = 19.0


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown CPU"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    v = sorted(values)
    return round(v[min(len(v) - 1, int(q * len(v)))], 3)


def holds(step: dict) -> bool:
    p99 = step.get("tick_plus_patch_ms", {}).get("p99")
    rate = step.get("patches_per_client_per_s", {}).get("min")
    return (p99 is not None and p99 < TICK_P99_BUDGET_MS and rate is not None
            and rate >= MIN_PATCHES_PER_S and step.get("joined") == step.get("clients"))


def run_step(clients: int, seconds: float, tmp: Path) -> dict:
    port = free_port()
    stats, bot_out = tmp / f"server-{clients}.json", tmp / f"bot-{clients}.json"
    server = subprocess.Popen(["taskset", "-c", "0", "node", str(HERE / "server.mjs"), str(port), str(stats)],
                              cwd=HERE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert server.stdout is not None
        deadline = time.monotonic() + 30
        for line in server.stdout:
            if line.startswith("listening"):
                break
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
        threading.Thread(target=server.stdout.read, daemon=True).start()
        bot = subprocess.Popen(["taskset", "-c", "1", "node", str(HERE / "bot.mjs"), str(clients), str(seconds),
                                str(bot_out), f"ws://127.0.0.1:{port}"], cwd=HERE)
        proc = psutil.Process(server.pid)
        samples: list[tuple[float, float]] = []   # (epoch s, server cpu s)
        while bot.poll() is None:
            t = proc.cpu_times()
            samples.append((time.time(), t.user + t.system))
            time.sleep(0.25)
        result = json.loads(bot_out.read_text())
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    timings = json.loads(stats.read_text())["samples"] if stats.exists() else []
    # the bots' window ends shortly before the bot exits: take the last window_s of samples
    t1 = samples[-1][0] if samples else time.time()
    t0 = t1 - result["window_s"] - 1.0
    inside = [s for s in samples if t0 <= s[0] <= t1]
    cpu = (100 * (inside[-1][1] - inside[0][1]) / (inside[-1][0] - inside[0][0])
           if len(inside) >= 2 and inside[-1][0] > inside[0][0] else None)
    win = [s for s in timings if t0 * 1000 <= s[0] <= t1 * 1000] or timings
    tick, patch = [s[1] for s in win], [s[2] for s in win]
    both = [s[1] + s[2] for s in win]
    step = {**result, "tick_ms": {"p50": pct(tick, .5), "p99": pct(tick, .99)},
            "patch_ms": {"p50": pct(patch, .5), "p99": pct(patch, .99)},
            "tick_plus_patch_ms": {"p50": pct(both, .5), "p99": pct(both, .99)},
            "server_cpu_percent": round(cpu, 1) if cpu is not None else None,
            "bot_cpu_percent": result.get("cpu_percent")}
    step["holds"] = holds(step)
    return step


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", default="100,200,300")
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--out", default="var/bench/colyseus.json")
    args = ap.parse_args(argv)
    if not (HERE / "node_modules").exists():
        sys.stderr.write("run: npm ci --prefix tools/bench/colyseus first\n")
        return 2
    model = cpu_model()
    steps = []
    say("| CPU | clients | joined | tick+patch p50/p99 ms | patches/s min/p50 | server CPU % | bot CPU % | holds |")
    say("|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for n in [int(c) for c in args.clients.split(",") if c.strip()]:
            s = run_step(n, args.seconds, Path(tmp))
            steps.append(s)
            t, r = s["tick_plus_patch_ms"], s["patches_per_client_per_s"]
            say(f"| {model} | {n} | {s['joined']} | {t['p50']}/{t['p99']} | {r['min']}/{r['p50']} | "
                  f"{s['server_cpu_percent']} | {s['bot_cpu_percent']} | {'yes' if s['holds'] else 'no'} |")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"peer": "colyseus", "cpu": model, "cores": os.cpu_count(), "steps": steps}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
