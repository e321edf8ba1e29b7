"""A showcase test world on one database: accounts (an organizer, park staff, visitors,
an enterprise owner), the booking service and the showcase service on a ManualClock,
and a bus that records what was published."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from server.accounts import Accounts
from server.bookings.service import BookingService
from server.bus import InProcessBus
from server.clock import ManualClock
from server.db import Store
from server.scheduler import Scheduler
from server.showcases.service import ShowcaseService
from world.people import Person
from world.showcases.events import EventDraft

SHANGHAI = ZoneInfo("Asia/Shanghai")
PARK = "798-art-zone"
OTHER_PARK = "751-d-park"
MONDAY = date(2026, 1, 5)  # the ManualClock starts at 2026-01-01 08:00 Shanghai
PEOPLE = ("olga", "otto", "pam", "ana", *(f"v{i}" for i in range(12)))


@dataclass
class RecordingBus(InProcessBus):
    sent: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def publish(self, subject: str, hint: Any) -> None:
        self.sent.append((subject, dict(hint)))
        super().publish(subject, hint)

    def of(self, subject: str) -> list[dict[str, Any]]:
        return [h for s, h in self.sent if s == subject]


@dataclass
class World:
    store: Store
    clock: ManualClock
    bookings: BookingService
    service: ShowcaseService
    bus: RecordingBus
    people: dict[str, Person]

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)

    def draft(self, hour: int = 14, minutes: int = 120, *, day: date = MONDAY, park: str = PARK,
              **changes: Any) -> EventDraft:
        start = self.at(day, hour)
        values: dict[str, Any] = {"park_id": park, "stage_id": "main", "title_zh": "新品发布会", "title_en": "Launch",
                                  "start": start, "end": start + timedelta(minutes=minutes), "capacity": 100,
                                  "registration": "required", "quota": None, "description_zh": "",
                                  "description_en": "", "presenters": ("pam",)}
        values.update(changes)
        return EventDraft(**values)

    async def inbox(self, user: str) -> list[str]:
        return [n.notice.title_key for n in await self.store.inbox.page(user, limit=100)]

    def scheduler(self) -> Scheduler:
        s = Scheduler(self.store.jobs, self.clock, worker="test")
        self.service.register_jobs(s)
        self.bookings.register(s)
        return s


async def people(store: Store, users: Sequence[str] = PEOPLE) -> dict[str, Person]:
    accounts = Accounts(store, scrypt_n=2**10)
    out = {}
    for user in users:
        if await store.accounts.get(user) is None:
            role = {"olga": "organizer", "otto": "organizer", "pam": "park_staff", "ana": "enterprise"}.get(
                user, "visitor")
            await accounts.create(user, "correct horse 1", user.title(), role, company="Acme Design" if
                                  user == "ana" else "", parks=(PARK,) if user == "pam" else (), now=1.0)
        account = await store.accounts.get(user)
        assert account is not None
        out[user] = await accounts.person(account)
    return out


async def _stages(park: str) -> tuple[str, ...]:
    return ("main",) if park in (PARK, OTHER_PARK) else ()


def services(store: Store, clock: ManualClock, bus: RecordingBus) -> tuple[BookingService, ShowcaseService]:
    bookings = BookingService(store, clock, SHANGHAI, b"k" * 32, bus=bus)
    return bookings, ShowcaseService(store, clock, SHANGHAI, bookings, bus=bus, stages_of=_stages)


@asynccontextmanager
async def world(url: str, clock: ManualClock | None = None) -> AsyncIterator[World]:
    store = await Store.open(url)
    try:
        clock = clock or ManualClock()
        bus = RecordingBus()
        bookings, service = services(store, clock, bus)
        yield World(store, clock, bookings, service, bus, await people(store))
    finally:
        await store.close()
