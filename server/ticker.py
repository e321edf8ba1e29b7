"""The fixed-timestep loop that owns time for every room.

Each tick: ``room.step(dt)`` for every park (inputs were queued by the connections),
booth entries and exits turned into pushes and visit records (``Presence``), and at
the patch rate one ``build_frames`` per room: every client's websocket frame in one
buffer, each written straight into its transport as a slice (no per-client await,
no copy). A client whose write buffer is
above the high-water mark is left out of the build, so its stale frame is never
queued: the next frame it gets carries everything it missed. Behind for
``behind_drop_s`` seconds, it is closed with 4004 TOO_SLOW. Fan-out waiting in
outboxes goes out at the end of the tick (``after_tick``). The tick never awaits.

Time comes from the injected clock; tests call ``tick()`` after moving a
``ManualClock`` and step the world without sleeping.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from server.clock import Clock
from server.config import ServerConfig
from server.metrics import Metrics
from server.net.frame_writes import ready_peers, write_frames
from server.parks import HostedPark
from server.presence import Presence
from world.naive_snapshot import naive_snapshots
from world.protocol import messages as M
from world.protocol.constants import CloseCode

log = logging.getLogger("cloudpark.ticker")

SWEEP_EVERY_TICKS = 5  # handshake and idle deadlines are checked this often (0.25 s at 20 Hz)
MAX_CATCH_UP_S = 0.25  # further behind than this, the loop skips ahead instead of bursting


def _nothing(*_: object) -> None:
    return None


class Ticker:
    def __init__(self, cfg: ServerConfig, parks: dict[str, HostedPark], presence: Presence, metrics: Metrics,
                 clock: Clock, booth_message: Callable[[HostedPark, str, bool], M.Booth | None], *,
                 sweep: Callable[[float], None] = _nothing, after_tick: Callable[[], None] = _nothing,
                 before_snapshots: Callable[[float], None] = _nothing) -> None:
        self.cfg = cfg
        self.parks = parks
        self.presence = presence
        self.metrics = metrics
        self.clock = clock
        self.booth_message = booth_message
        self.sweep = sweep
        self.after_tick = after_tick
        self.before_snapshots = before_snapshots  # e.g. presenters' stand-ins in overflow halls
        self.running = True
        self.ticks = 0
        self.last_tick_s = 0.0
        self.slow_ticks = 0
        self.dt = 1.0 / cfg.tick_rate
        self.patch_every = max(1, round(cfg.tick_rate / cfg.patch_rate))

    def tick(self) -> None:
        """One simulation step (and, every ``patch_every`` ticks, the snapshots)."""
        now = self.clock.now()
        patch = self.ticks % self.patch_every == 0
        halls = [hall for park in self.parks.values() for hall in park.halls()]
        for park in halls:
            events = park.room.step(self.dt)
            if events:
                self.presence.room_events(park, events, now, self.booth_message)
        self.before_snapshots(now)
        if patch:
            for park in halls:
                self.send_snapshots(park, now)
        self.after_tick()
        mono = self.clock.monotonic()
        if self.ticks % SWEEP_EVERY_TICKS == 0:
            self.sweep(mono)
            if self.presence.holds:
                self.presence.expire_holds(mono, now)
            self.presence.lapse_offers(now)
        self.ticks += 1

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        next_at = loop.time()
        while self.running:
            started = time.perf_counter()
            try:
                self.tick()
            except Exception:  # a bug in one tick must not stop the world; it is logged loudly
                log.exception("tick %d failed", self.ticks)
                self.ticks += 1
            self.last_tick_s = time.perf_counter() - started
            self.metrics.tick_seconds.observe(self.last_tick_s)
            next_at += self.dt
            delay = next_at - loop.time()
            if delay < -MAX_CATCH_UP_S:
                self.slow_ticks += 1
                next_at = loop.time()
                delay = 0.0
            await asyncio.sleep(max(0.0, delay))

    def send_snapshots(self, park: HostedPark, now: float) -> None:
        if not park.clients:
            if park.room.avatars:  # only held avatars: keep the room's change tracking moving
                park.room.build_snapshots(())
            return
        cfg, metrics = self.cfg, self.metrics
        ready, behind = ready_peers(park.clients, cfg.high_water)
        for visitor in behind:
            if visitor.behind_since is None:
                visitor.behind_since = now
                metrics.snapshots_skipped += 1
            elif now - visitor.behind_since > cfg.behind_drop_s:
                visitor.peer.bye(CloseCode.TOO_SLOW,
                                 f"could not keep up with snapshots for {now - visitor.behind_since:.1f} s")
            else:
                metrics.snapshots_skipped += 1
        room = park.room
        sent = sent_bytes = 0
        if cfg.snapshot_mode == "naive":
            for eid, body in naive_snapshots(room.tick, list(room.avatars.values()), ready).items():
                if not ready[eid].push_snapshot(body):
                    room.mark_skipped(eid)
                else:
                    sent += 1
                    sent_bytes += len(body)
        else:
            built = room.build_frames(ready)
            sent, sent_bytes, failed = write_frames(ready, built.eids, built.data, built.bounds)
            for eid in failed:
                room.mark_skipped(eid)
        metrics.messages_out += sent
        metrics.bytes_out += sent_bytes
