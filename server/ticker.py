"""The fixed-timestep loop that owns time for every room.

Each tick: ``room.step(dt)`` for every park (inputs were queued by the connections),
booth events turned into pushes and visit records, and at the patch rate one
``build_snapshots`` per room whose frames are written straight into each client's
transport (no per-client await). A client whose write buffer is above the high-water
mark is left out of the build, so its stale frame is never queued: the next frame it
gets carries everything it missed. Behind for ``behind_drop_s`` seconds, it is
closed with 4004 TOO_SLOW. Fan-out queued with ``Client.push_later`` (chat lines)
rides each client's snapshot write, and what is left is flushed at the end of the
tick. The tick never awaits disk (the store is a queue).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING

from world.naive_snapshot import naive_snapshots
from world.room import BoothEntered, BoothLeft, RoomEvent

if TYPE_CHECKING:
    from server.app import App, HostedPark

log = logging.getLogger("cloudpark.ticker")

SWEEP_EVERY_TICKS = 5  # handshake and idle deadlines are checked this often (0.25 s at 20 Hz)
MAX_CATCH_UP_S = 0.25  # further behind than this, the loop skips ahead instead of bursting


class Ticker:
    def __init__(self, app: App) -> None:
        self.app = app
        self.running = True
        self.ticks = 0
        self.last_tick_s = 0.0
        self.slow_ticks = 0

    async def run(self) -> None:
        cfg = self.app.config
        dt = 1.0 / cfg.tick_rate
        patch_every = max(1, round(cfg.tick_rate / cfg.patch_rate))
        loop = asyncio.get_running_loop()
        next_at = loop.time()
        while self.running:
            started = time.perf_counter()
            try:
                self.tick(dt, self.ticks % patch_every == 0)
            except Exception:  # a bug in one tick must not stop the world; it is logged loudly
                log.exception("tick %d failed", self.ticks)
            self.ticks += 1
            self.last_tick_s = time.perf_counter() - started
            self.app.metrics.tick_seconds.observe(self.last_tick_s)
            next_at += dt
            delay = next_at - loop.time()
            if delay < -MAX_CATCH_UP_S:
                self.slow_ticks += 1
                next_at = loop.time()
                delay = 0.0
            await asyncio.sleep(max(0.0, delay))

    def tick(self, dt: float, patch: bool) -> None:
        app = self.app
        now = time.time()
        for park in app.parks.values():
            events = park.room.step(dt)
            if events:
                self.booth_events(park, events, now)
            if patch:
                self.send_snapshots(park, now)
        if app.outboxes:  # fan-out not yet carried by a snapshot goes out now
            for client in app.outboxes:
                client.flush_outbox()
            app.outboxes.clear()
        if self.ticks % (app.config.tick_rate * 60) == 0:
            self.prune_chat(now)
        if self.ticks % SWEEP_EVERY_TICKS == 0:
            mono = time.monotonic()
            for client in list(app.clients):
                client.sweep_deadline(mono)
        expired = app.resumes.expired(time.monotonic())
        for held in expired:
            park = app.parks.get(held.park)
            if park is not None and held.eid in park.room:
                from server.connection import leave_room  # avoid an import cycle at module load

                leave_room(app, park, held.eid, now)

    def prune_chat(self, now: float) -> None:
        cfg = self.app.config
        for park_id in self.app.parks:
            self.app.store.post_prune_chat(park_id, now - cfg.chat_retention_days * 86400.0, cfg.chat_retention_rows)

    def booth_events(self, park: HostedPark, events: list[RoomEvent], now: float) -> None:
        from server.connection import booth_entered, booth_left

        for event in events:
            if isinstance(event, BoothEntered):
                booth_entered(self.app, park, event.eid, event.booth_id)
            elif isinstance(event, BoothLeft):
                booth_left(self.app, park, event.eid, event.booth_id, event.dwell_s, now)

    def send_snapshots(self, park: HostedPark, now: float) -> None:
        if not park.clients:
            if park.room.avatars:  # only held avatars: keep the room's change tracking moving
                park.room.build_snapshots(())
            return
        high = self.app.config.high_water
        ready: list[int] = []
        for eid, client in park.clients.items():
            if client.buffered() > high:
                if client.behind_since is None:
                    client.behind_since = now
                    self.app.metrics.snapshots_skipped += 1
                elif now - client.behind_since > self.app.config.behind_drop_s:
                    client.drop_too_slow(now - client.behind_since)
                else:
                    self.app.metrics.snapshots_skipped += 1
                continue
            client.behind_since = None
            ready.append(eid)
        if self.app.config.snapshot_mode == "naive":
            frames = naive_snapshots(park.room.tick, list(park.room.avatars.values()), ready)
        else:
            frames = park.room.build_snapshots(ready)
        clients = park.clients
        sent = sent_bytes = 0
        for eid, frame in frames.items():
            viewer = clients.get(eid)
            if viewer is None or not viewer.push_snapshot(frame):
                park.room.mark_skipped(eid)
            else:
                sent += 1
                sent_bytes += len(frame)
        metrics = self.app.metrics
        metrics.messages_out += sent
        metrics.bytes_out += sent_bytes
