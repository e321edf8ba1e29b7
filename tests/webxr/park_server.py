"""A small stand-in world server for the browser tests, speaking the real wire contract.

It uses the shared codec (world/protocol) on real websockets on 127.0.0.1 port 0 and
serves a static folder at /web/ on the same port, like the world server does. It
moves avatars from `in` messages, sends `snap` each tick (enter/update/leave), and
pushes `booth` / `booth_exit` when a visitor walks into or out of a booth zone.
"""

from __future__ import annotations

import asyncio
import mimetypes
import threading
from dataclasses import dataclass, field
from pathlib import Path

from websockets.asyncio.server import ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

from world.layout import ParkLayout
from world.protocol import codec
from world.protocol import messages as M
from world.protocol.quantize import pos_to_wire, yaw_to_wire

TICK_RATE = 20
WALK, RUN = 1.4, 3.0


def inside(x: float, y: float, ring: tuple[tuple[float, float], ...]) -> bool:
    hit = False
    j = len(ring) - 1
    for i in range(len(ring)):
        (xi, yi), (xj, yj) = ring[i], ring[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            hit = not hit
        j = i
    return hit


@dataclass(eq=False)
class Visitor:
    ws: ServerConnection
    eid: int
    name: str
    color: int
    x: float
    y: float
    yaw: float = 0.0
    ack: int = 0
    anim: int = 0
    seen: set[int] = field(default_factory=set)
    booth: str | None = None
    inputs: list[M.Input] = field(default_factory=list)


class ParkServer:
    def __init__(self, layout: ParkLayout, web_dir: Path | None = None) -> None:
        self.layout = layout
        self.web_dir = web_dir
        self.visitors: dict[int, Visitor] = {}
        self.next_eid = 1
        self.tick = 0
        self.received: list[M.ClientMessage] = []
        self.loop = asyncio.new_event_loop()
        self.port = 0
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    # --- lifecycle -------------------------------------------------------------

    def start(self) -> ParkServer:
        self._thread.start()
        self._ready.wait(10)
        return self

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self._main())

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        async with serve(self._session, "127.0.0.1", 0, process_request=self._http, compression=None,
                         subprotocols=["cloudpark.v1"]) as server:
            self.port = server.sockets[0].getsockname()[1]
            self._ready.set()
            ticker = asyncio.create_task(self._ticker())
            await self._stop.wait()
            ticker.cancel()

    def drop_all(self) -> None:
        """Close every connection (to exercise reconnect)."""
        for v in list(self.visitors.values()):
            self.loop.call_soon_threadsafe(lambda ws=v.ws: asyncio.ensure_future(ws.close(1011, "test drop")))

    # --- HTTP --------------------------------------------------------------------

    def _http(self, connection: ServerConnection, request: Request) -> Response | None:
        path = request.path.split("?", 1)[0]
        if path == "/ws":
            return None
        if self.web_dir is not None and path.startswith("/web/"):
            rel = path[len("/web/"):] or "index.html"
            if rel.endswith("/"):
                rel += "index.html"
            target = (self.web_dir / rel).resolve()
            if target.is_file() and self.web_dir.resolve() in target.parents:
                body = target.read_bytes()
                ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
                if target.suffix == ".js":
                    ctype = "text/javascript"
                headers = Headers([("Content-Type", ctype), ("Content-Length", str(len(body)))])
                return Response(200, "OK", headers, body)
        return connection.respond(404, "not found\n")

    # --- websocket session ---------------------------------------------------------

    async def _session(self, ws: ServerConnection) -> None:
        visitor: Visitor | None = None
        name, color = "guest", 0x888888
        try:
            async for frame in ws:
                if isinstance(frame, str):
                    continue
                msg = codec.decode_client(frame)
                self.received.append(msg)
                if isinstance(msg, M.Hello):
                    await ws.send(codec.encode(M.Welcome(
                        v=1, server="test", tick_rate=TICK_RATE, patch_rate=TICK_RATE, walk_speed=WALK,
                        run_speed=RUN, limits=M.Limits(16384, 30, 5, 60, 60.0, 50))))
                    if msg.resume and msg.resume.startswith("r-"):
                        name = msg.resume[2:]
                        await ws.send(codec.encode(M.Session(
                            user=M.UserInfo(id=f"guest:{name}", name=name, role="guest", color=color),
                            resume=msg.resume, resume_ttl=60.0, perms={}, resumed=True)))
                elif isinstance(msg, M.Guest):
                    name, color = msg.name, msg.color if msg.color is not None else 0x888888
                    await ws.send(codec.encode(M.Session(
                        user=M.UserInfo(id=f"guest:{name}", name=name, role="guest", color=color),
                        resume="r-" + name, resume_ttl=60.0, perms={}, re=msg.id)))
                elif isinstance(msg, M.Join):
                    spawn = self.layout.spawns[0]
                    visitor = Visitor(ws, self.next_eid, name, color, spawn.x, spawn.y, spawn.facing)
                    self.next_eid += 1
                    self.visitors[visitor.eid] = visitor
                    await ws.send(codec.encode(M.Joined(
                        park=self.layout.park_id, you=visitor.eid, x=pos_to_wire(visitor.x),
                        y=pos_to_wire(visitor.y), yaw=yaw_to_wire(visitor.yaw), tick=self.tick,
                        scene="", scene_hash="", booths=[M.BoothSummary(b.id, b.id) for b in self.layout.booths],
                        re=msg.id)))
                elif isinstance(msg, M.Input) and visitor is not None:
                    visitor.inputs.append(msg)
                elif isinstance(msg, M.Like | M.Card | M.Chat):
                    await ws.send(codec.encode(M.Ok(re=msg.id, data={"likes": 1} if isinstance(msg, M.Like) else None)))
        except codec.ProtocolError as exc:
            await ws.send(codec.encode(M.Error(code=exc.code.value, msg=exc.detail)))
        except Exception:  # noqa: BLE001,S110 - a dropped test connection
            pass
        finally:
            if visitor is not None:
                self.visitors.pop(visitor.eid, None)

    def _walkable(self, x: float, y: float) -> bool:
        return any(inside(x, y, r.outer) and not any(inside(x, y, h) for h in r.holes)
                   for r in self.layout.walkable)

    async def _ticker(self) -> None:
        dt = 1.0 / TICK_RATE
        while True:
            await asyncio.sleep(dt)
            self.tick += 1
            for v in list(self.visitors.values()):
                for i in v.inputs:
                    speed = RUN if i.run else WALK
                    nx, ny = v.x + i.mx * speed * dt, v.y + i.my * speed * dt
                    if self._walkable(nx, ny):
                        v.x, v.y = nx, ny
                    v.yaw = i.yaw
                    v.ack = i.s
                    v.anim = 1 if (i.mx or i.my) else 0
                v.inputs.clear()
            for v in list(self.visitors.values()):
                await self._send_snapshot(v)

    async def _send_snapshot(self, v: Visitor) -> None:
        others = {o.eid: o for o in self.visitors.values() if o.eid != v.eid}
        enter = [[o.eid, pos_to_wire(o.x), pos_to_wire(o.y), yaw_to_wire(o.yaw), o.anim, o.name, o.color]
                 for eid, o in others.items() if eid not in v.seen]
        upd = [[o.eid, pos_to_wire(o.x), pos_to_wire(o.y), yaw_to_wire(o.yaw), o.anim]
               for eid, o in others.items() if eid in v.seen]
        leave = [eid for eid in v.seen if eid not in others]
        v.seen = set(others)
        snap = M.SnapView(k=self.tick, a=v.ack, p=(pos_to_wire(v.x), pos_to_wire(v.y), yaw_to_wire(v.yaw)),
                          e=enter, u=upd, l=leave)  # type: ignore[arg-type]
        booth = next((b.id for b in self.layout.booths if inside(v.x, v.y, b.zone)), None)
        try:
            await v.ws.send(codec.encode(snap))
            if booth != v.booth:
                if v.booth:
                    await v.ws.send(codec.encode(M.BoothExit(booth=v.booth)))
                if booth:
                    await v.ws.send(codec.encode(M.Booth(booth=M.BoothView(
                        id=booth, owner="acme", likes=3, staff=["Li Na"],
                        content=M.BoothContent(name="Acme Animation Studio", tagline="Ink-wash 3D shorts",
                                               description="We make animated films in Chaoyang.",
                                               links=(M.Link("Showreel", "https://example.com/reel"),))))))
                v.booth = booth
        except Exception:  # noqa: BLE001,S110 - the connection is closing
            pass
