"""The web app under uvicorn for the booking browser tests, with a wall clock that stands
still until a test moves it (parked at a quarter hour, at most 21:00 in Shanghai, so a
booking an hour or two ahead stays in the day), two employees of the demo enterprise
(emil and fay of Acme Design), park staff pam at 798 Art Zone, and the booking jobs
(no-show release, hold expiry, reminders) run on demand by a scheduler in the server's
own loop: in production the world server's scheduler runs them on the same database."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from server.accounts import Accounts
from server.bookings.service import BookingService
from server.bus import InProcessBus
from server.db import Store
from server.db.spaces import Space
from server.scheduler import Scheduler
from server.web.app import create_app
from server.web.sessions import load_secret
from server.web.texts import load_texts
from tests.day import SHANGHAI, ParkedClock
from tests.web.conftest import LiveServer
from tests.web.people import PASSWORD, seed_people

PARK = "798-art-zone"
ALL_DAY = [[d, 0, 24 * 60] for d in range(7)]


class StepClock(ParkedClock):
    """``ParkedClock`` that a test moves forward (``advance``); monotonic time runs on."""

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a clock does not go back")
        self.wall += seconds


def half_hour_after(moment: float, minutes: int) -> datetime:
    """The first local half hour at or after ``moment + minutes`` (the find page's buttons
    are the half hours first)."""
    local = datetime.fromtimestamp(moment, SHANGHAI) + timedelta(minutes=minutes)
    up = (-local.minute) % 30
    return (local + timedelta(minutes=up)).replace(second=0, microsecond=0)


class BookingServer(LiveServer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clock = StepClock()
        self.rooms: dict[str, int] = {}
        self.loop: asyncio.AbstractEventLoop | None = None
        self.store: Any = None
        self.service: BookingService | None = None
        self.scheduler: Scheduler | None = None

    async def _main(self) -> None:
        self.loop = asyncio.get_running_loop()
        store = self.store = await Store.open(self.config.database_url)
        await seed_people(store, self.config.scrypt_n)
        await Accounts(store, scrypt_n=self.config.scrypt_n).create("fay", PASSWORD, "Fay Employee", "visitor",
                                                                    now=1.0)
        acme = (await store.orgs.named("Acme Design (test)"))[0]
        await store.orgs.add_member(acme.id, "fay", "member", 1.0)
        self.rooms["room-1"] = await store.spaces.add(Space(
            PARK, "room-1", "Meeting room 1", "meeting", 8, building="A",
            rules={"audience": "zone", "opening": [[d, 8 * 60, 20 * 60] for d in range(7)]}))
        self.rooms["room-2"] = await store.spaces.add(Space(
            PARK, "room-2", "Meeting room 2", "meeting", 6, building="A",
            rules={"audience": "zone", "opening": ALL_DAY, "check_in_grace_minutes": 15}))
        bus = InProcessBus()
        self.service = BookingService(store, self.clock, ZoneInfo(self.config.zone_timezone),
                                      load_secret(self.config.data_dir), bus=bus)
        self.scheduler = Scheduler(store.jobs, self.clock, "test-bookings")
        self.service.register(self.scheduler)
        app = create_app(self.config, store, bus, self.clock, texts=load_texts(strict=True))
        await self._serve(app, store)

    def call(self, work: Callable[[], Awaitable[Any]], timeout: float = 30.0) -> Any:
        """Run ``work()`` in the server's loop (its store lives there) and wait for it."""
        assert self.loop is not None
        return asyncio.run_coroutine_threadsafe(work(), self.loop).result(timeout)  # type: ignore[arg-type]

    def run_jobs(self) -> int:
        """The booking jobs due at the clock's time, as the world server's scheduler runs them."""
        assert self.scheduler is not None
        return int(self.call(self.scheduler.run_due))

    def to(self, moment: datetime) -> None:
        """Move the wall clock forward to ``moment``."""
        self.clock.advance(moment.astimezone(UTC).timestamp() - self.clock.now())

