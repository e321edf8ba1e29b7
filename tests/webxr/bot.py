"""A bot visitor for the browser tests: a real websocket client using the shared codec."""

from __future__ import annotations

import math
import threading
import time

from websockets.sync.client import connect

from world.protocol import codec
from world.protocol import messages as M
from world.protocol.constants import PROTOCOL_VERSION, SUBPROTOCOL


class Bot:
    """Joins the park (at ``spawn`` if given) and walks along ``heading`` (radians CCW
    from east) until stopped, or until ``walk_m`` metres from where it joined (then it
    stands); ``x``, ``y`` follow the server's snapshots."""

    def __init__(self, url: str, park: str, name: str = "Bot Ada", *, heading: float = 0.0,
                 spawn: str | None = None, walk_m: float | None = None) -> None:
        self.url, self.park, self.name, self.spawn = url, park, name, spawn
        self.heading = heading
        self.walk_m = walk_m
        self.start_xy = (0.0, 0.0)
        self.walking = True
        self.you = 0
        self.x = self.y = 0.0
        self.error: str | None = None
        self._stop = threading.Event()
        self._joined = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> Bot:
        self._thread.start()
        if not self._joined.wait(10):
            raise RuntimeError(f"the bot could not join: {self.error}")
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def _run(self) -> None:
        with connect(self.url, compression=None, subprotocols=[SUBPROTOCOL]) as ws:  # type: ignore[list-item]
            ws.send(codec.encode(M.Hello(v=PROTOCOL_VERSION, client="tests/webxr bot")))
            ws.send(codec.encode(M.Guest(name=self.name, color=0xE0402A, id=1)))
            ws.send(codec.encode(M.Join(park=self.park, spawn=self.spawn, id=2)))
            seq = 0
            while not self._stop.is_set():
                try:
                    while True:
                        self._receive(codec.decode_server(ws.recv(timeout=0)))
                except TimeoutError:
                    pass
                if self._joined.is_set():
                    if self.walk_m is not None and math.hypot(self.x - self.start_xy[0],
                                                              self.y - self.start_xy[1]) >= self.walk_m:
                        self.walking = False
                    seq += 1
                    go = 1.0 if self.walking else 0.0
                    ws.send(codec.encode(M.Input(s=seq, mx=go * math.cos(self.heading),
                                                 my=go * math.sin(self.heading), yaw=self.heading)))
                time.sleep(0.05)

    def _receive(self, msg: object) -> None:
        if isinstance(msg, M.Joined):
            self.you = msg.you
            self.x, self.y = msg.x / 100, msg.y / 100
            self.start_xy = (self.x, self.y)
            self._joined.set()
        elif isinstance(msg, M.SnapView):
            self.x, self.y = msg.p[0] / 100, msg.p[1] / 100
        elif isinstance(msg, M.Error):
            self.error = f"{msg.code}: {msg.msg}"
