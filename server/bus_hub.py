"""The hub: this process's bus, reachable by other processes on the same machine.

On the embedded default the world server and the web app are two processes, and an
operator's CLI a third. The world server runs a ``HubBus``: an ``InProcessBus`` that
also listens on a Unix socket (``DATA_DIR/bus.sock``, mode 0600: only this user) where
``server.bus_link.LinkBus`` clients publish hints and subscribe to subjects. A hint
published anywhere reaches every matching receiver in every connected process, at
most once; one that finds the hub down is dropped (the receivers catch up from the
database, as with every hint). NATS replaces this with scale-out, behind the same
``Bus`` port.

Wire format (both directions): 4-byte big-endian length, then a MessagePack array:
``["sub", pattern]`` (client to hub), ``["pub", subject, hint]`` (either way). A frame
over ``MAX_FRAME`` bytes, bad MessagePack or a wrong shape closes that client alone,
logged; the hub and the others carry on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgpack

from server.bus import Hint, InProcessBus, matches

log = logging.getLogger("cloudpark.bus")

MAX_FRAME = 64 * 1024
MAX_SUBJECT = 200
MAX_PATTERNS = 64


class FrameError(ValueError):
    """A bus frame that breaks the wire format."""


def pack(*items: Any) -> bytes:
    body = msgpack.packb(list(items), use_bin_type=True)
    if len(body) > MAX_FRAME:
        raise FrameError(f"bus frame of {len(body)} bytes exceeds {MAX_FRAME}")
    return len(body).to_bytes(4, "big") + body


async def read_frame(reader: asyncio.StreamReader) -> list[Any] | None:
    """The next frame's items; None at a clean end of stream; FrameError if malformed."""
    try:
        head = await reader.readexactly(4)
    except asyncio.IncompleteReadError as exc:
        if exc.partial:
            raise FrameError("stream ended inside a frame header") from None
        return None
    size = int.from_bytes(head, "big")
    if size > MAX_FRAME:
        raise FrameError(f"bus frame of {size} bytes exceeds {MAX_FRAME}")
    try:
        body = await reader.readexactly(size)
        items = msgpack.unpackb(body, raw=False, strict_map_key=True)
    except asyncio.IncompleteReadError:
        raise FrameError("stream ended inside a frame") from None
    except (msgpack.UnpackException, ValueError, TypeError) as exc:
        raise FrameError(f"not MessagePack: {exc}") from None
    if not isinstance(items, list) or not items or not isinstance(items[0], str):
        raise FrameError("a frame is an array starting with its operation")
    return items


def check_publish(items: list[Any]) -> tuple[str, Hint]:
    if len(items) != 3 or not isinstance(items[1], str) or not isinstance(items[2], dict):
        raise FrameError('a publish is ["pub", subject, {hint}]')
    subject = items[1]
    if not subject or len(subject) > MAX_SUBJECT or "*" in subject or ">" in subject:
        raise FrameError(f"bad subject {subject[:40]!r}")
    return subject, items[2]


@dataclass(eq=False)
class _Peer:
    writer: asyncio.StreamWriter
    patterns: list[str] = field(default_factory=list)

    def send(self, frame: bytes) -> None:
        if self.writer.is_closing():
            return
        if self.writer.transport.get_write_buffer_size() > 16 * MAX_FRAME:
            log.warning("bus hub: a client is not reading; it misses hints until it catches up")
            return  # a hint is a hint: drop rather than grow memory
        self.writer.write(frame)


class HubBus(InProcessBus):
    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self.peers: set[_Peer] = set()
        self.refused_frames = 0
        self._server: asyncio.base_events.Server | None = None
        self._handlers: set[asyncio.Task[None]] = set()

    async def start(self) -> bool:
        """Listen; False (and a warning: hints stay in this process) when another live
        hub already answers on the path (another server on the same data dir)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.exists():
            try:
                _, writer = await asyncio.wait_for(asyncio.open_unix_connection(str(self.path)), 1.0)
            except (OSError, TimeoutError):
                self.path.unlink(missing_ok=True)  # a socket file left by a process that died
            else:
                writer.close()
                log.warning("bus hub: another server already listens on %s; this one's hints stay in "
                            "this process", self.path)
                return False
        old = os.umask(0o177)
        try:
            self._server = await asyncio.start_unix_server(self._serve, path=str(self.path))
        finally:
            os.umask(old)
        os.chmod(self.path, 0o600)
        return True

    def publish(self, subject: str, hint: Hint) -> None:
        super().publish(subject, hint)
        self._forward(subject, hint, None)

    def _forward(self, subject: str, hint: Hint, origin: _Peer | None) -> None:
        frame: bytes | None = None
        for peer in self.peers:
            if peer is origin or not any(matches(p, subject) for p in peer.patterns):
                continue
            if frame is None:
                try:
                    frame = pack("pub", subject, hint)
                except (FrameError, TypeError) as exc:
                    log.warning("bus hub: hint on %s not forwarded: %s", subject, exc)
                    return
            peer.send(frame)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._handlers.add(task)
        peer = _Peer(writer)
        self.peers.add(peer)
        try:
            while (items := await read_frame(reader)) is not None:
                op = items[0]
                if op == "sub":
                    if len(items) != 2 or not isinstance(items[1], str) or not 0 < len(items[1]) <= MAX_SUBJECT:
                        raise FrameError(f'a subscription is ["sub", pattern of 1..{MAX_SUBJECT} characters]')
                    if len(peer.patterns) >= MAX_PATTERNS:
                        raise FrameError(f"more than {MAX_PATTERNS} subscriptions")
                    peer.patterns.append(items[1])
                elif op == "pub":
                    subject, hint = check_publish(items)
                    InProcessBus.publish(self, subject, hint)
                    self._forward(subject, hint, peer)
                else:
                    raise FrameError(f"unknown operation {op[:20]!r}")
        except FrameError as exc:
            self.refused_frames += 1
            log.warning("bus hub: closing a client: %s", exc)
        except (ConnectionError, OSError):
            pass
        finally:
            self.peers.discard(peer)
            writer.close()
            if task is not None:
                self._handlers.discard(task)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            for peer in list(self.peers):
                peer.writer.close()  # their readers see the end of the stream and return
            if self._handlers:
                await asyncio.wait(list(self._handlers), timeout=2.0)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2.0)
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
        await super().close()
