"""Test helpers: a hand-built park, a running server, a scripted client, raw HTTP requests."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from world.layout import BoothSlot, ParkLayout, Region, Spawn, Stage
from world.protocol import messages as M
from world.protocol.codec import decode_server, encode
from world.protocol.constants import PROTOCOL_VERSION, SUBPROTOCOL


async def http_get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """Send ``path`` byte for byte (urllib would normalise ``..``); returns (status, headers, body)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra}\r\n".encode("latin-1"))
    await writer.drain()
    raw = await asyncio.wait_for(reader.read(), 10)
    writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    hdrs = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return status, hdrs, body


# --- a small park built by hand, and a running server ------------------------------




PARK = "798-art-zone"
OTHER_PARK = "751-d-park"


def _box(x0: float, y0: float, x1: float, y1: float, ccw: bool = True) -> tuple[tuple[float, float], ...]:
    ring = ((x0, y0), (x1, y0), (x1, y1), (x0, y1))
    return ring if ccw else tuple(reversed(ring))


def small_layout(park_id: str = PARK) -> ParkLayout:
    """80 x 60 m of open ground with a 2 m thick wall (a hole) at x = 9..11, y = -10..10;
    booth b1 by the west spawn, booth b2 far east; spawns: centre, west, east, wall."""
    stage = Stage(0.0, 25.0, 10.0, 4.0, -1.5708, (0.0, 20.0), 6.0, 3.4, _box(-5, 15, 5, 20))
    return ParkLayout(
        park_id=park_id, width=80.0, depth=60.0,
        walkable=(Region(_box(-40, -30, 40, 30), (_box(9, -10, 11, 10, ccw=False),)),),
        booths=(
            BoothSlot("b1", -30.0, 20.0, 4.0, 3.0, 0.0, _box(-33, 17, -27, 23)),
            BoothSlot("b2", 30.0, -20.0, 4.0, 3.0, 0.0, _box(27, -23, 33, -17)),
        ),
        stage=stage, spaces=(),
        spawns=(Spawn("centre", 0.0, 0.0, 0.0), Spawn("west", -8.0, 0.0, 0.0),
                Spawn("east", -8.0 + 16.0, -20.0, 0.0), Spawn("wall", 6.0, 0.0, 0.0),
                Spawn("b1", -30.0, 14.0, 1.5708), Spawn("b2", 30.0, -14.0, -1.5708)),
    )


def small_config(tmp_path: Path, **changes: Any):  # type: ignore[no-untyped-def]
    from server.config import ServerConfig

    base = ServerConfig(port=0, data_dir=tmp_path / "data", scrypt_n=2**10, build_scenes=False)
    return dataclasses.replace(base, **changes)


@contextlib.asynccontextmanager
async def running_app(tmp_path: Path, **changes: Any) -> AsyncIterator[Any]:
    from server.main import App

    app = App(small_config(tmp_path, **changes),
              layouts={PARK: small_layout(PARK), OTHER_PARK: small_layout(OTHER_PARK)})
    await app.start()
    try:
        yield app
    finally:
        await app.stop()


class Visitor:
    """A scripted client: keeps what it saw (entities in view, own position, replies)."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.inbox: list[Any] = []
        self.seen: dict[int, list[Any]] = {}  # eid -> [x, y, yaw, anim, name?, rgb?]
        self.pos: tuple[int, int, int] | None = None
        self.ack = 0
        self.eid = 0
        self.seq = 0
        self.next_id = 1
        self.closed: tuple[int | None, str] | None = None
        self.session: Any = None
        self._reader = asyncio.create_task(self._read())

    @staticmethod
    async def connect(port: int, **kw: Any) -> Visitor:
        ws = await connect(f"ws://127.0.0.1:{port}/ws", subprotocols=[SUBPROTOCOL], compression=None, **kw)
        return Visitor(ws)

    async def _read(self) -> None:
        try:
            async for frame in self.ws:
                msg = decode_server(frame)  # type: ignore[arg-type]
                self.inbox.append(msg)
                if isinstance(msg, M.SnapView):
                    self.pos, self.ack = msg.p, msg.a
                    for e in msg.e:
                        self.seen[e[0]] = list(e[1:])
                    for u in msg.u:
                        if u[0] in self.seen:
                            self.seen[u[0]][:4] = list(u[1:])
                    for gone in msg.l:
                        self.seen.pop(gone, None)
        except Exception:  # noqa: BLE001, S110 - the close code below says why
            pass
        finally:
            self.closed = (self.ws.close_code, self.ws.close_reason or "")

    async def send(self, msg: Any) -> None:
        await self.ws.send(encode(msg))

    async def request(self, msg: Any, timeout: float = 10.0) -> Any:
        """Send a message with a fresh ``id`` and wait for the reply carrying ``re``."""
        rid = self.next_id
        self.next_id += 1
        await self.send(_with_id(msg, rid))
        return await self.wait_for(lambda m: getattr(m, "re", None) == rid, timeout)

    async def wait_for(self, pred: Any, timeout: float = 10.0, start: int = 0) -> Any:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            for m in self.inbox[start:]:
                if pred(m):
                    return m
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"no matching message; got {[type(m).__name__ for m in self.inbox[-20:]]}")
            if self.closed is not None and not any(pred(m) for m in self.inbox[start:]):
                raise ConnectionError(f"closed {self.closed} while waiting")
            await asyncio.sleep(0.02)

    async def wait_until(self, cond: Any, timeout: float = 10.0) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while not cond():
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError("condition not reached")
            await asyncio.sleep(0.02)

    async def hello_guest(self, name: str, color: int = 0x336699, resume: str | None = None) -> Any:
        await self.send(M.Hello(v=PROTOCOL_VERSION, client="tests", resume=resume))
        await self.wait_for(lambda m: isinstance(m, M.Welcome))
        if resume is not None:
            return await self.wait_for(lambda m: isinstance(m, M.Session | M.Error))
        self.session = await self.request(M.Guest(name=name, color=color))
        return self.session

    async def join(self, park: str = PARK, spawn: str | None = "centre") -> Any:
        joined = await self.request(M.Join(park=park, spawn=spawn))
        if isinstance(joined, M.Joined):
            self.eid = joined.you
        return joined

    async def walk(self, mx: float, my: float, seconds: float, run: bool = False, rate: int = 20) -> None:
        for _ in range(int(seconds * rate)):
            self.seq += 1
            await self.send(M.Input(s=self.seq, mx=mx, my=my, run=run))
            await asyncio.sleep(1.0 / rate)

    async def walk_until(self, mx: float, my: float, cond: Any, timeout: float = 15.0, run: bool = False) -> None:
        """Keep walking until ``cond()`` holds: robust to inputs the server rate-limits on a busy machine."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not cond():
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError("condition not reached while walking")
            await self.walk(mx, my, 0.25, run=run)

    async def close(self) -> None:
        await self.ws.close()
        await self._reader


def _with_id(msg: Any, rid: int) -> Any:
    import msgspec

    return msgspec.structs.replace(msg, id=rid)


def write_scene(scenes_dir: Path, layout: ParkLayout) -> Path:
    """A minimal valid .glb carrying the layout in its scene extras (what the builder writes)."""
    import json
    import struct

    doc = {"asset": {"version": "2.0"}, "scene": 0, "scenes": [{"nodes": [], "extras": {"cloudpark": layout.to_dict()}}]}
    body = json.dumps(doc).encode()
    body += b" " * (-len(body) % 4)
    data = struct.pack("<4sII", b"glTF", 2, 12 + 8 + len(body)) + struct.pack("<II", len(body), 0x4E4F534A) + body
    scenes_dir.mkdir(parents=True, exist_ok=True)
    path = scenes_dir / f"{layout.park_id}.glb"
    path.write_bytes(data)
    return path
