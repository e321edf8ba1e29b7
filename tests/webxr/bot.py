"""A bot visitor for the browser tests: a real websocket client using the shared codec."""

from __future__ import annotations

import threading
import time

from websockets.sync.client import connect

from world.protocol import codec
from world.protocol import messages as M


class Bot:
    """Joins the park and walks east/west (mx = +1 / -1) until stopped."""

    def __init__(self, url: str, park: str, name: str = "Bot Ada") -> None:
        self.url, self.park, self.name = url, park, name
        self.direction = 1.0
        self.you = 0
        self._stop = threading.Event()
        self._joined = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> Bot:
        self._thread.start()
        if not self._joined.wait(10):
            raise RuntimeError("the bot could not join")
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def _run(self) -> None:
        with connect(self.url, compression=None, subprotocols=["cloudpark.v1"]) as ws:  # type: ignore[list-item]
            ws.send(codec.encode(M.Hello(v=1, client="test-bot")))
            ws.send(codec.encode(M.Guest(name=self.name, color=0xE0402A, id=1)))
            ws.send(codec.encode(M.Join(park=self.park, id=2)))
            seq = 0
            while not self._stop.is_set():
                try:
                    while True:
                        msg = codec.decode_server(ws.recv(timeout=0))
                        if isinstance(msg, M.Joined):
                            self.you = msg.you
                            self._joined.set()
                except TimeoutError:
                    pass
                if self._joined.is_set():
                    seq += 1
                    ws.send(codec.encode(M.Input(s=seq, mx=self.direction, my=0.0, yaw=0.0)))
                time.sleep(0.05)
