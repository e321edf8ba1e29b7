"""A bus in another process: ``LinkBus`` reaches the world server's hub
(``server.bus_hub``) over its Unix socket. Used by the web app and the CLI.

Publishing never waits and never raises: a hint goes out if the link is up and is
dropped otherwise (receivers catch up from the database). Subscriptions are sent
again on every reconnect; the link retries with backoff up to ``max_backoff_s``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path

from server.bus import Hint, InProcessBus, Receiver, Subscription
from server.bus_hub import MAX_SUBJECT, FrameError, check_publish, pack, read_frame

log = logging.getLogger("cloudpark.bus")


class LinkBus(InProcessBus):
    def __init__(self, path: Path, *, max_backoff_s: float = 5.0) -> None:
        super().__init__()
        self.path = path
        self.max_backoff_s = max_backoff_s
        self.patterns: list[str] = []
        self.connected = asyncio.Event()
        self.dropped = 0
        self._writer: asyncio.StreamWriter | None = None
        self._task: asyncio.Task[None] | None = None
        self._closing = False

    def start(self) -> None:
        """Keep a link to the hub (in the background, reconnecting)."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="bus-link")

    async def connect_once(self, timeout: float = 1.0) -> bool:
        """For one-shot commands: link up now (True) or not at all (False)."""
        self.start()
        try:
            await asyncio.wait_for(self.connected.wait(), timeout)
        except TimeoutError:
            return False
        return True

    def publish(self, subject: str, hint: Hint) -> None:
        super().publish(subject, hint)  # receivers in this process too
        writer = self._writer
        if writer is None or writer.is_closing():
            self.dropped += 1
            return
        try:
            writer.write(pack("pub", subject, hint))
        except (FrameError, TypeError) as exc:
            log.warning("bus link: hint on %s not sent: %s", subject, exc)

    def subscribe(self, pattern: str, receiver: Receiver) -> Subscription:
        if not pattern or len(pattern) > MAX_SUBJECT:
            raise ValueError(f"a subscription pattern is 1..{MAX_SUBJECT} characters")
        sub = super().subscribe(pattern, receiver)
        if pattern not in self.patterns:
            self.patterns.append(pattern)
            if self._writer is not None and not self._writer.is_closing():
                self._writer.write(pack("sub", pattern))
        return sub

    async def _run(self) -> None:
        backoff = 0.1
        while not self._closing:
            try:
                reader, writer = await asyncio.open_unix_connection(str(self.path))
            except OSError:
                await asyncio.sleep(backoff)
                backoff = min(self.max_backoff_s, backoff * 2)
                continue
            backoff = 0.1
            for pattern in self.patterns:
                writer.write(pack("sub", pattern))
            self._writer = writer
            self.connected.set()
            try:
                while (items := await read_frame(reader)) is not None:
                    if items[0] == "pub":
                        subject, hint = check_publish(items)
                        InProcessBus.publish(self, subject, hint)
            except (FrameError, ConnectionError, OSError) as exc:
                log.warning("bus link to %s lost: %s", self.path, exc)
            finally:
                self._writer = None
                self.connected.clear()
                writer.close()

    async def close(self) -> None:
        self._closing = True
        writer = self._writer
        if writer is not None:
            with contextlib.suppress(Exception):
                await writer.drain()
            writer.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await super().close()
