"""The kernel's price of one snapshot write, measured without the server: the floor
under the crowd benchmark.

Every snapshot is one ``write`` to its client's TCP socket, and on loopback the kernel
also does the receiving side's TCP work on the writer's core. No Python in the server
can make that cheaper, so it bounds how many clients one core can serve at the tick
rate: ``tick / (cost per write)`` clients with nothing else done at all.

How: a reader process pinned to the bots' core opens ``clients`` loopback connections
and drains them (epoll); this process, pinned to the server's core, writes one
``size``-byte frame to every connection per round, ``rounds`` rounds at the tick rate,
and times each round (wall clock and its own CPU time). Only the standard library.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Any

READER = r"""
import os, selectors, socket, sys
port, clients, core = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
if core != "none":
    os.sched_setaffinity(0, {int(core)})
sel = selectors.EpollSelector()
for _ in range(clients):
    s = socket.create_connection(("127.0.0.1", port))
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ)
open_ = clients
while open_:
    for key, _ in sel.select(1.0):
        try:
            data = key.fileobj.recv(1 << 16)
        except BlockingIOError:
            continue
        if not data:
            sel.unregister(key.fileobj)
            key.fileobj.close()
            open_ -= 1
"""


@dataclass(frozen=True)
class SendsBench:
    clients: tuple[int, ...] = (500, 1000, 2000)
    size: int = 640  # bytes a write: about a tour snapshot with its frame header
    rounds: int = 100
    tick_rate: int = 20
    server_core: int | None = 0
    bots_core: int | None = 1


def run_count(bench: SendsBench, clients: int) -> dict[str, Any]:
    """Time ``rounds`` rounds of one write to each of ``clients`` connections."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(min(clients, 4096))
    port = listener.getsockname()[1]
    core = "none" if bench.bots_core is None else str(bench.bots_core)
    reader = subprocess.Popen([sys.executable, "-c", READER, str(port), str(clients), core])  # noqa: S603
    before = os.sched_getaffinity(0)
    conns: list[socket.socket] = []
    try:
        if bench.server_core is not None:
            os.sched_setaffinity(0, {bench.server_core})
        listener.settimeout(30.0)
        for _ in range(clients):
            conn, _addr = listener.accept()
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conns.append(conn)
        payload = b"\x82\x7e" + (bench.size - 4).to_bytes(2, "big") + b"\0" * (bench.size - 4)
        period = 1.0 / bench.tick_rate
        walls: list[float] = []
        cpus: list[float] = []
        time.sleep(0.2)
        for _ in range(bench.rounds):
            t0, c0 = time.perf_counter(), time.process_time()
            for conn in conns:
                conn.send(payload)
            wall = time.perf_counter() - t0
            walls.append(wall)
            cpus.append(time.process_time() - c0)
            time.sleep(max(0.0, period - wall))
    finally:
        for conn in conns:
            conn.close()
        listener.close()
        os.sched_setaffinity(0, before)
        reader.wait(timeout=30)
    return summary(clients, walls, cpus, bench.tick_rate, bench.size)


def summary(clients: int, walls: list[float], cpus: list[float], tick_rate: int, size: int) -> dict[str, Any]:
    """Per-write figures of one count, and what they leave of a tick."""
    wall_us = statistics.median(walls) / clients * 1e6
    cpu_us = statistics.median(cpus) / clients * 1e6
    tick_us = 1e6 / tick_rate
    return {
        "clients": clients,
        "size": size,
        "rounds": len(walls),
        "write_us": {"p50": round(wall_us, 2),
                     "p90": round(sorted(walls)[int(0.9 * (len(walls) - 1))] / clients * 1e6, 2),
                     "cpu_p50": round(cpu_us, 2)},
        "tick_share_percent": round(100.0 * wall_us * clients / tick_us, 1),
        "ceiling_clients": int(tick_us / wall_us) if wall_us > 0 else None,
    }


def run_bench(bench: SendsBench) -> list[dict[str, Any]]:
    return [run_count(bench, n) for n in bench.clients]


def markdown(run: dict[str, Any]) -> str:
    m, s = run["machine"], run["settings"]
    lines = [
        f"## Snapshot write floor, {run['started']}: `cloudpark bench sends`", "",
        f"Machine: {m['nproc']} cores, {m['cpu_model']}, {m['platform']}. Writer pinned to core {s['server_core']}, "
        f"reader to core {s['bots_core']}; {s['size']} B a write, {s['rounds']} rounds at {s['tick_rate']} Hz; "
        "plain `socket.send` on loopback TCP, no server.", "",
        "| clients | write p50 / p90 us (CPU p50) | share of a tick | clients one core could write to, nothing else done |",
        "|---:|---|---:|---:|",
    ]
    for r in run["results"]:
        w = r["write_us"]
        lines.append(f"| {r['clients']} | {w['p50']} / {w['p90']} ({w['cpu_p50']}) | {r['tick_share_percent']} % "
                     f"| {r['ceiling_clients']} |")
    return "\n".join(lines) + "\n"
