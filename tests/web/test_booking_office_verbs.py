"""The park office decides on bookings, on both engines: approve, decline with a reason and
cancel with a reason, through the park console's forms (POST /console/park/bookings/{id}/
approve|decline|cancel) and through the API (POST /api/bookings/{id}/approve|decline,
DELETE /api/bookings/{id}?reason=). The booker is told in the inbox, with the reason; the
booker's page shows it; each decision is audited; a booking already decided is refused
with the rule code and stays as it was; an employee cannot take the office's decisions."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from server.bus import InProcessBus
from server.clock import ManualClock
from server.db import Store
from server.db.spaces import Space
from server.web.app import create_app
from server.web.texts import load_texts
from tests.server.conftest import database_url, pg_template  # noqa: F401 - the fixtures: a fresh database on each engine
from tests.web.conftest import AppUnderTest, web_config
from tests.web.people import seed_people

pytestmark = pytest.mark.anyio
PARK = "798-art-zone"
DAY = "2026-01-05"  # a Monday; the ManualClock stands at 2026-01-01 08:00 Shanghai


@pytest.fixture
async def app(database_url: str, tmp_path: Path) -> AsyncIterator[tuple[AppUnderTest, int]]:  # noqa: F811
    cfg = web_config(tmp_path / "data")
    store = await Store.open(database_url)
    await seed_people(store, cfg.scrypt_n)
    room = await store.spaces.add(Space(PARK, "office-room", "Office room", "meeting", 8,
                                        rules={"audience": "zone", "approval": True}))
    web_app = create_app(cfg, store, InProcessBus(), ManualClock(), texts=load_texts(strict=True))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=web_app), base_url="http://park.test") as client:
        yield AppUnderTest(client, store, web_app.state.web.clock, cfg), room
    await web_app.state.web.online.close()
    await store.close()


async def _as(web: AppUnderTest, user: str) -> None:
    web.client.cookies.clear()
    await web.sign_in(user)


async def _request(web: AppUnderTest, room: int, hour: int) -> int:
    reply = await web.client.post("/api/bookings", json={
        "space": room, "start": f"{DAY}T{hour:02d}:00:00+08:00", "end": f"{DAY}T{hour + 1:02d}:00:00+08:00"},
        headers={"X-CSRF-Token": await web.csrf()})
    assert reply.status_code == 201 and reply.json()["state"] == "pending", reply.text
    return int(reply.json()["id"])


async def _form(web: AppUnderTest, booking: int, verb: str, reason: str = "") -> httpx.Response:
    return await web.client.post(f"/console/park/bookings/{booking}/{verb}",
                                 data={"reason": reason, "csrf": await web.csrf()}, headers={"Accept-Language": "en"})


async def _state(web: AppUnderTest, booking: int) -> str:
    row = await web.store.bookings.get(booking)
    assert row is not None
    return str(row.state)


async def _told(web: AppUnderTest, user: str) -> Any:
    """The newest notice in ``user``'s inbox."""
    return (await web.store.inbox.page(user))[0].notice


async def test_the_office_approves_declines_and_cancels_on_its_pages_and_the_booker_is_told_why(
        app: tuple[AppUnderTest, int]) -> None:
    web, room = app
    await _as(web, "emil")
    first, second, third = [await _request(web, room, h) for h in (10, 12, 14)]
    # an employee cannot decide on the office's behalf, not even on their own request
    denied = await _form(web, third, "approve")
    assert denied.status_code == 403 and await _state(web, third) == "pending"

    await _as(web, "pam")
    approved = await _form(web, first, "approve")
    assert approved.status_code == 303 and approved.headers["location"] == "/console/park/spaces"
    assert await _state(web, first) == "confirmed"
    assert (await _told(web, "emil")).title_key == "booking.notice.confirmed.title"
    assert (await web.store.audit.page(target=f"booking:{first}"))[0].action == "booking.approve"

    declined = await _form(web, second, "decline", "the hall is being painted")
    assert declined.status_code == 303 and await _state(web, second) == "declined"
    notice = await _told(web, "emil")
    assert notice.title_key == "booking.notice.declined.title" and notice.params["reason"] == "the hall is being painted"
    audit = (await web.store.audit.page(target=f"booking:{second}"))[0]
    assert (audit.action, audit.detail["reason"]) == ("booking.decline", "the hall is being painted")

    cancelled = await _form(web, first, "cancel", "water leak")  # the office: no cancellation deadline
    assert cancelled.status_code == 303 and await _state(web, first) == "cancelled"
    notice = await _told(web, "emil")
    assert notice.title_key == "booking.notice.cancelled.title" and notice.params["reason"] == "water leak"
    assert (await web.store.audit.page(target=f"booking:{first}"))[0].detail["reason"] == "water leak"

    # decided already: refused with the rule, nothing changes, nobody is told again
    told = len(await web.store.inbox.page("emil"))
    again = await _form(web, second, "approve")
    assert again.status_code == 422 and "cannot be" in again.text and await _state(web, second) == "declined"
    assert len(await web.store.inbox.page("emil")) == told
    unknown = await _form(web, 2**40, "decline", "x")  # the not-found page, naming it (the API answers 404 too)
    assert unknown.status_code == 404 and f"There is no booking {2**40}." in unknown.text
    assert "There is no such page." in unknown.text and len(await web.store.inbox.page("emil")) == told
    unknown_zh = await web.client.post(f"/console/park/bookings/{2**40}/approve",
                                       data={"csrf": await web.csrf()}, headers={"Accept-Language": "zh"})
    assert unknown_zh.status_code == 404 and f"没有编号为 {2**40} 的预订。" in unknown_zh.text

    # the booker's page shows the reasons
    await _as(web, "emil")
    mine = await web.client.get("/console/employee/bookings", headers={"Accept-Language": "en"})
    assert mine.status_code == 200
    assert "the hall is being painted" in mine.text and "water leak" in mine.text


async def test_the_office_decides_over_the_api_with_a_reason(app: tuple[AppUnderTest, int]) -> None:
    web, room = app
    await _as(web, "emil")
    first, second = [await _request(web, room, h) for h in (9, 16)]
    own = await web.client.post(f"/api/bookings/{first}/approve", headers={"X-CSRF-Token": await web.csrf()})
    assert own.status_code == 403 and await _state(web, first) == "pending"

    await _as(web, "pam")
    headers = {"X-CSRF-Token": await web.csrf()}
    approved = await web.client.post(f"/api/bookings/{first}/approve", headers=headers)
    assert approved.status_code == 200 and approved.json()["state"] == "confirmed"
    assert (await _told(web, "emil")).title_key == "booking.notice.confirmed.title"
    declined = await web.client.post(f"/api/bookings/{second}/decline", params={"reason": "a private event"},
                                     headers=headers)
    assert declined.status_code == 200 and declined.json()["state"] == "declined"
    assert (await _told(web, "emil")).params["reason"] == "a private event"
    cancelled = await web.client.delete(f"/api/bookings/{first}", params={"reason": "the power is off"},
                                        headers=headers)
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    notice = await _told(web, "emil")
    assert notice.title_key == "booking.notice.cancelled.title" and notice.params["reason"] == "the power is off"
    audit = (await web.store.audit.page(target=f"booking:{first}"))[0]
    assert (audit.action, audit.actor, audit.detail["reason"]) == ("booking.cancel", "pam", "the power is off")

    again = await web.client.post(f"/api/bookings/{second}/approve", headers=headers)
    assert again.status_code == 422 and again.json()["code"] == "state" and await _state(web, second) == "declined"
    too_long = await web.client.post(f"/api/bookings/{second}/decline", params={"reason": "x" * 501}, headers=headers)
    assert too_long.status_code == 422 and await _state(web, second) == "declined"
    unknown = await web.client.post(f"/api/bookings/{2**40}/approve", headers=headers)
    assert unknown.status_code == 404
