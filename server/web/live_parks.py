"""The web app's view of the live catalogue, and what the world server said about each
park's last rebuild.

``web.catalogue`` (the portal's cards, titles, the consoles) is re-read from the
database when a ``park.changed`` hint arrives (this process publishes them when a
park is saved or approved, and hears those of others through the bus link), and at
the latest ``ttl`` seconds after the last read, for a hint that was lost. The
``fresh_catalogue`` middleware does it before a request, so every page sees the
catalogue the database holds. An empty table is seeded from the catalogue folder,
as the world server does.

``park.rebuilt`` hints (the world server's ``ParkReloader``) are kept per park, so
the park console can say truthfully whether the saved revision is online yet.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from starlette.responses import Response

from server.bus import Bus, Hint
from server.catalogue_sync import live_entries, parsed
from server.clock import Clock
from server.db import StoreClosed
from server.park_reload import CHANGED, REBUILT
from world.catalogue import Catalogue, CatalogueError

log = logging.getLogger("cloudpark.web")


@dataclass(frozen=True, slots=True)
class Rebuilt:
    """The world server's word on a park's last reload."""

    revision: int
    ok: bool
    scene_hash: str
    error: str
    at: float


class LiveParks:
    def __init__(self, store: Any, bus: Bus, clock: Clock, seed_dir: Any, *, ttl: float = 30.0) -> None:
        self.store = store
        self.clock = clock
        self.seed_dir = seed_dir
        self.ttl = ttl
        self.rebuilt: dict[str, Rebuilt] = {}
        self.saved: dict[str, int] = {}  # park -> the revision saved here last (waiting for its rebuild)
        self._read_at = -1e18
        self._stale = True
        self._lock = asyncio.Lock()
        bus.subscribe(CHANGED, self._changed)
        bus.subscribe(REBUILT, self._rebuilt)

    async def _changed(self, subject: str, hint: Hint) -> None:
        self._stale = True

    async def _rebuilt(self, subject: str, hint: Hint) -> None:
        park = str(hint.get("park", ""))[:64]
        try:
            self.rebuilt[park] = Rebuilt(int(hint.get("revision") or 0), bool(hint.get("ok")),
                                         str(hint.get("scene_hash", ""))[:64], str(hint.get("error", ""))[:500],
                                         self.clock.now())
        except (TypeError, ValueError):
            log.warning("a park.rebuilt hint with unreadable fields ignored: %r", hint)

    def changed(self, park_id: str, revision: int) -> None:
        """This process changed ``park_id`` (now at ``revision``): re-read before the next page."""
        self._stale = True
        self.saved[park_id] = revision

    async def catalogue(self, current: Catalogue) -> Catalogue:
        """The live catalogue, re-read when stale; ``current`` when the database cannot say."""
        if not self._stale and self.clock.monotonic() - self._read_at < self.ttl:
            return current
        async with self._lock:
            if not self._stale and self.clock.monotonic() - self._read_at < self.ttl:
                return current
            self._stale = False
            self._read_at = self.clock.monotonic()
            try:
                entries = await live_entries(self.store, self.seed_dir, now=self.clock.now())
                return parsed(entries).catalogue
            except (CatalogueError, StoreClosed, OSError) as exc:
                log.error("park catalogue: kept the one read before, the database's did not load: %s", exc)
                return current

    def status(self, park_id: str, revision: int) -> tuple[str, Rebuilt | None]:
        """("online" | "failed" | "waiting" | "unknown", the world server's last word) for
        the entry at ``revision``."""
        last = self.rebuilt.get(park_id)
        if last is not None and last.revision >= revision:
            return ("online" if last.ok else "failed"), last
        if self.saved.get(park_id, 0) >= revision:
            return "waiting", last
        return "unknown", last


async def fresh_catalogue(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """Middleware: ``web.catalogue`` as the database holds it, before the route runs."""
    web = request.app.state.web
    if web.live is not None:
        web.catalogue = await web.live.catalogue(web.catalogue)
    return await call_next(request)
