"""The web app over a fresh database on each engine, with an organizer and visitors, on
a ManualClock (2026-01-01 08:00 in Shanghai): what the showcase page tests sign in as."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from server.accounts import Accounts
from server.clock import ManualClock
from server.db import Store
from server.showcases.service import ShowcaseService
from server.web import showcase_desk
from server.web.app import create_app
from server.web.showcase_desk import showcases_of
from server.web.texts import load_texts
from tests.server.showcases.world import RecordingBus
from tests.web.conftest import web_config
from tests.web.people import PASSWORD, seed_people

SHANGHAI = ZoneInfo("Asia/Shanghai")
PARK = "798-art-zone"
MONDAY = date(2026, 1, 5)
ORGANIZERS = ("orla", "otis")
VISITORS = tuple(f"v{i}" for i in range(4))


@dataclass
class ShowcaseApp:
    client: httpx.AsyncClient
    store: Any
    clock: ManualClock
    bus: RecordingBus
    app: Any

    async def as_(self, user: str | None) -> str:
        """Sign ``user`` in (None: a guest); the CSRF token of the session."""
        self.client.cookies.clear()
        csrf = (await self.client.get("/api/session")).json()["csrf"]
        if user is None:
            return str(csrf)
        signed = await self.client.post("/api/session", json={"user": user, "password": PASSWORD},
                                        headers={"X-CSRF-Token": csrf})
        assert signed.status_code == 200, signed.text
        return str((await self.client.get("/api/session")).json()["csrf"])

    @property
    def service(self) -> ShowcaseService:
        """The app's own showcase service (what its routes call)."""
        return showcases_of(SimpleNamespace(app=self.app))  # type: ignore[arg-type]

    async def get(self, path: str, lang: str = "en") -> httpx.Response:
        return await self.client.get(path, headers={"Accept-Language": lang})

    async def post(self, path: str, data: dict[str, Any], csrf: str, lang: str = "en", **kw: Any) -> httpx.Response:
        return await self.client.post(path, data={**data, "csrf": csrf}, headers={"Accept-Language": lang}, **kw)


def to_local(clock: ManualClock, day: date, hhmm: str) -> None:
    """Move the clock forward to ``hhmm`` on ``day`` in Shanghai."""
    hour, minute = (int(x) for x in hhmm.split(":"))
    target = datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI).timestamp()
    clock.advance(target - clock.now())


def _at(day: date, hhmm: str) -> str:
    return f"{day.isoformat()}T{hhmm}" if re.fullmatch(r"\d\d:\d\d", hhmm) else hhmm


def event_form(day: date = MONDAY, start: str = "14:00", end: str = "16:00", **changes: Any) -> dict[str, Any]:
    values = {"title_zh": "新品发布会", "title_en": "Spring launch", "description_zh": "春季新品",
              "description_en": "The spring collection", "park_id": PARK, "stage_id": "main",
              "start": _at(day, start), "end": _at(day, end), "presenters": "pam",
              "capacity": "100", "registration": "open", "quota": ""}
    values.update(changes)
    return values


def problems(page: str) -> dict[str, list[str]]:
    """Field -> the refusals shown under it on a form page."""
    out: dict[str, list[str]] = {}
    for name, text in re.findall(r'<p class="sc-problem[^"]*"(?: role="alert")? data-field="([^"]+)">(.*?)</p>', page):
        out.setdefault(name, []).append(html.unescape(text))
    return out


@pytest.fixture
async def sc(database_url: str, tmp_path: Path) -> AsyncIterator[ShowcaseApp]:
    cfg = web_config(tmp_path / "data")
    store = await Store.open(database_url)
    await seed_people(store, cfg.scrypt_n)
    accounts = Accounts(store, scrypt_n=cfg.scrypt_n)
    for user in ORGANIZERS:
        await accounts.create(user, PASSWORD, user.title(), "organizer", now=1.0)
    for user in VISITORS:
        await accounts.create(user, PASSWORD, f"Visitor {user}", "visitor", now=1.0)
    clock = ManualClock()
    bus = RecordingBus()
    app = create_app(cfg, store, bus, clock, texts=load_texts(strict=True))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://park.test") as client:
        yield ShowcaseApp(client, store, clock, bus, app)
    await showcase_desk.close(app)  # httpx runs no lifespan: the app's shutdown, as uvicorn would
    await app.state.web.online.close()
    await store.close()
