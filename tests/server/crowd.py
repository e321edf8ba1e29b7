"""Load figures (not a test): a real ``cloudpark serve`` and N real websocket clients.

    .venv/bin/python -m tests.server.crowd [--clients 100] [--seconds 10]
    .venv/bin/python -m tests.server.crowd --scenes var/scenes --park 798-art-zone --spawn s3

Prints the server's mean tick time (from /metrics) at rest, with the clients
connected and standing, and with them all walking; and bytes per client per second
received. Times are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import re
import shutil
import tempfile
from pathlib import Path

from tests.server.harness import PARK, http_get, small_layout, write_scene
from tests.server.test_cli import _start
from world.protocol import messages as M
from world.protocol.codec import encode


async def _tick_totals(port: int) -> tuple[float, int]:
    _, _, body = await http_get(port, "/metrics")
    text = body.decode()
    s = float(re.search(r"^cloudpark_tick_seconds_sum (\S+)$", text, re.M).group(1))  # type: ignore[union-attr]
    n = int(float(re.search(r"^cloudpark_tick_seconds_count (\S+)$", text, re.M).group(1)))  # type: ignore[union-attr]
    return s, n


async def _window(port: int, seconds: float) -> float:
    s0, n0 = await _tick_totals(port)
    await asyncio.sleep(seconds)
    s1, n1 = await _tick_totals(port)
    return (s1 - s0) / max(1, n1 - n0) * 1000.0


async def _crowd(port: int, clients: int, seconds: float, park: str = PARK, spawn: str = "centre") -> None:
    from websockets.asyncio.client import connect

    print(f"at rest (0 clients):              mean tick {await _window(port, seconds):.3f} ms")
    conns = []
    received = [0] * clients
    for i in range(clients):
        ws = await connect(f"ws://127.0.0.1:{port}/ws", compression=None, max_queue=None)
        await ws.send(encode(M.Hello(v=1)))
        await ws.send(encode(M.Guest(name=f"bot{i}", id=1)))
        await ws.send(encode(M.Join(park=park, spawn=spawn, id=2)))
        conns.append(ws)

    async def reader(i: int) -> None:
        async for frame in conns[i]:
            received[i] += len(frame)

    readers = [asyncio.create_task(reader(i)) for i in range(clients)]
    await asyncio.sleep(1.0)
    print(f"{clients} clients connected, standing: mean tick {await _window(port, seconds):.3f} ms")
    walking = True
    rng = random.Random(1)

    async def walker(i: int) -> None:
        seq, heading = 0, rng.uniform(0, 2 * math.pi)
        while walking:
            seq += 1
            if seq % 40 == 0:
                heading = rng.uniform(0, 2 * math.pi)
            await conns[i].send(encode(M.Input(s=seq, mx=math.cos(heading), my=math.sin(heading))))
            await asyncio.sleep(0.05)

    walkers = [asyncio.create_task(walker(i)) for i in range(clients)]
    await asyncio.sleep(1.0)
    before = sum(received)
    mean = await _window(port, seconds)
    got = sum(received) - before
    print(f"{clients} clients walking:               mean tick {mean:.3f} ms")
    print(f"bytes received per client per second:   {got / clients / seconds:.0f} B/s")
    walking = False
    await asyncio.gather(*walkers)
    for ws in conns:
        await ws.close()
    for r in readers:
        r.cancel()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=100)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--scenes", type=Path, default=None,
                    help="host these built scenes (e.g. var/scenes) instead of the small test park")
    ap.add_argument("--park", default=PARK, help="the park the clients join")
    ap.add_argument("--spawn", default=None, help="the spawn the clients join at (default: the park's first)")
    args = ap.parse_args()
    os.environ["CLOUDPARK_MAX_PER_IP"] = str(args.clients + 10)  # all bots share 127.0.0.1
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        if args.scenes is None:
            write_scene(data / "scenes", small_layout(PARK))
            spawn = args.spawn or "centre"
        else:
            shutil.copytree(args.scenes, data / "scenes")
            from world.glb import layout_from_glb

            layout = layout_from_glb((data / "scenes" / f"{args.park}.glb").read_bytes())
            spawn = args.spawn or layout.spawns[0].id
        proc, port = _start(data)
        try:
            asyncio.run(_crowd(port, args.clients, args.seconds, args.park, spawn))
        finally:
            proc.terminate()
            proc.wait(30)


if __name__ == "__main__":
    main()
