"""Every catalogue venue is a bookable space, on both engines: the catalogue seeded into
the database makes a space of each venue; a venue added, changed or removed in the
catalogue editor adds, changes or retires its space (its bookings stay); the park
console's "add a space" adds a venue to the park's catalogue entry (so the rebuilt scene
has a zone for it) and a park approved by an admin gets its venues' spaces."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from server.bus import InProcessBus
from server.clock import ManualClock
from server.db import Store
from server.web.app import create_app
from server.web.texts import load_texts
from tests.server.conftest import database_url, pg_template  # noqa: F401 - the fixtures: a fresh database on each engine
from tests.web.conftest import AppUnderTest, web_config
from tests.web.people import seed_people
from tests.web.test_park_catalogue import NEW, Hints, form_of

pytestmark = pytest.mark.anyio
PARK = "798-art-zone"
DAY = "2026-01-05"  # a Monday; the ManualClock stands at 2026-01-01 08:00 Shanghai


@pytest.fixture
async def app(database_url: str, tmp_path: Path) -> AsyncIterator[tuple[AppUnderTest, Hints]]:  # noqa: F811
    cfg = web_config(tmp_path / "data")
    store = await Store.open(database_url)
    await seed_people(store, cfg.scrypt_n)
    bus = InProcessBus()
    hints = Hints(bus)
    web_app = create_app(cfg, store, bus, ManualClock(), texts=load_texts(strict=True))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=web_app), base_url="http://park.test") as client:
        yield AppUnderTest(client, store, web_app.state.web.clock, cfg), hints
    await web_app.state.web.online.close()
    await store.close()


async def _post(web: AppUnderTest, path: str, data: dict[str, str]) -> httpx.Response:
    return await web.client.post(path, data={**data, "csrf": await web.csrf()}, headers={"Accept-Language": "en"})


def _spaces(spaces: list[Any]) -> dict[str, tuple[str, str, int | None, bool]]:
    return {s.venue_id: (s.name, s.kind, s.capacity, s.retired) for s in spaces}


async def test_the_catalogues_venues_are_spaces_and_follow_the_editor(app: tuple[AppUnderTest, Hints]) -> None:
    web, _ = app
    assert (await web.client.get("/")).status_code == 200  # the first request seeds the catalogue
    catalogue = await web.store.catalogue.catalogue()
    every = {(p.id, v.id) for p in catalogue for v in p.venues}
    assert len(every) > 40
    stored = {(s.park_id, s.venue_id) for s in await web.store.spaces.find(limit=5000)}
    assert every <= stored  # each venue of the live catalogue is a space, bookable (not retired)
    before = _spaces(await web.store.spaces.of_park(PARK))
    assert before == {"gallery-1": ("798 Space (former factory hall gallery)", "gallery", None, False)}
    gallery = (await web.store.spaces.of_park(PARK))[0]
    await web.store.spaces.save(dataclasses.replace(gallery, rules={"audience": "zone"}))
    # someone books the gallery
    await web.sign_in("emil")
    booked = await web.client.post("/api/bookings", json={"space": gallery.id, "start": f"{DAY}T10:00:00+08:00",
                                                          "end": f"{DAY}T11:00:00+08:00"},
                                   headers={"X-CSRF-Token": await web.csrf()})
    assert booked.status_code == 201, booked.text
    web.client.cookies.clear()
    await web.sign_in("pam")
    entry = await web.store.catalogue.get(PARK)
    # the editor: a new hall, then the gallery renamed
    data = form_of(entry.park(), entry.revision, **{
        "venue-0-name": "798 Space", "venue-0-capacity": "120",
        "venue-1-new": "1", "venue-1-name": "Hall 7", "venue-1-kind": "hall", "venue-1-capacity": "300"})
    assert (await _post(web, f"/console/park/catalogue/{PARK}", data)).status_code == 303
    assert _spaces(await web.store.spaces.of_park(PARK)) == {
        "gallery-1": ("798 Space", "gallery", 120, False), "hall-1": ("Hall 7", "hall", 300, False)}
    # the gallery removed from the catalogue: its space is retired, its booking kept
    entry = await web.store.catalogue.get(PARK)
    data = form_of(entry.park(), entry.revision, **{"venue-0-remove": "on"})
    assert (await _post(web, f"/console/park/catalogue/{PARK}", data)).status_code == 303
    assert [v.id for v in (await web.store.catalogue.get(PARK)).park().venues] == ["hall-1"]
    assert _spaces(await web.store.spaces.of_park(PARK))["gallery-1"][3] is True
    kept = await web.store.bookings.get(booked.json()["id"])
    assert kept is not None and kept.state == "confirmed"
    # a retired space takes no new booking
    web.client.cookies.clear()
    await web.sign_in("emil")
    refused = await web.client.post("/api/bookings", json={"space": gallery.id, "start": f"{DAY}T12:00:00+08:00",
                                                           "end": f"{DAY}T13:00:00+08:00"},
                                    headers={"X-CSRF-Token": await web.csrf()})
    assert refused.status_code == 422 and refused.json()["code"] == "retired"
    web.client.cookies.clear()
    await web.sign_in("pam")
    # and it comes back with its venue (the same space, its bookings with it)
    entry = await web.store.catalogue.get(PARK)
    data = form_of(entry.park(), entry.revision, **{
        "venue-1-new": "1", "venue-1-id": "gallery-1", "venue-1-name": "798 Space", "venue-1-kind": "gallery"})
    assert (await _post(web, f"/console/park/catalogue/{PARK}", data)).status_code == 303
    again = {s.venue_id: s for s in await web.store.spaces.of_park(PARK)}
    assert again["gallery-1"].id == gallery.id and not again["gallery-1"].retired
    assert len(again) == 2  # no second space for either venue


async def test_add_a_space_adds_a_venue_to_the_catalogue_and_the_scene_gets_its_zone(
        app: tuple[AppUnderTest, Hints]) -> None:
    web, hints = app
    await web.sign_in("pam")
    page = await web.client.get("/console/park/spaces", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and f'href="/console/park/catalogue/{PARK}"' in page.text
    revision = (await web.store.catalogue.get(PARK)).revision
    made = await _post(web, "/console/park/spaces", {"park": PARK, "venue_id": "room-7", "name": "Meeting room 7",
                                                     "kind": "meeting", "capacity": "12"})
    assert made.status_code == 303, made.text[-1500:]
    space_id = int(re.fullmatch(r"/console/park/spaces/(\d+)", made.headers["location"]).group(1))  # type: ignore[union-attr]
    entry = await web.store.catalogue.get(PARK)
    assert entry.revision == revision + 1
    venue = next(v for v in entry.park().venues if v.id == "room-7")
    assert (venue.name, venue.kind, venue.capacity) == ("Meeting room 7", "meeting", 12)
    space = await web.store.spaces.get(space_id)
    assert (space.park_id, space.venue_id, space.name, space.capacity, space.retired) == (
        PARK, "room-7", "Meeting room 7", 12, False)
    assert ("park.changed", {"park": PARK, "revision": entry.revision}) in hints.got  # the world server rebuilds
    assert [a.action for a in await web.store.audit.page(target=f"space:{space_id}")] == ["space.add"]
    # the same id again: refused, nothing written
    again = await _post(web, "/console/park/spaces", {"park": PARK, "venue_id": "room-7", "name": "Twin",
                                                      "kind": "meeting", "capacity": "4"})
    assert again.status_code == 409 and "venue_id" in again.text
    assert (await web.store.catalogue.get(PARK)).revision == entry.revision
    # the space's page edits its venue's name in the catalogue as well (one source of truth)
    fields = {"name": "Room 7 (renovated)", "kind": "meeting", "capacity": "14", "audience": "zone",
              "min_minutes": "30", "max_minutes": "240", "horizon_days": "60", "cancel_deadline_minutes": "60",
              "hold_minutes": "30", "check_in_grace_minutes": "15"}
    assert (await _post(web, f"/console/park/spaces/{space_id}", fields)).status_code == 200
    renamed = next(v for v in (await web.store.catalogue.get(PARK)).park().venues if v.id == "room-7")
    assert (renamed.name, renamed.capacity) == ("Room 7 (renovated)", 14)
    # the scene built from the entry has a zone for the new space (the builder's layout, as the
    # world server's spaces board matches zones to spaces by park and venue id)
    from tools.scenes.assemble import build_scene
    from world.glb import layout_from_glb

    layout = layout_from_glb(build_scene((await web.store.catalogue.get(PARK)).park()).glb)
    zones = {s.id: s for s in layout.spaces}
    assert "room-7" in zones and zones["room-7"].name == "Room 7 (renovated)"
    # a park not in the catalogue has no entry to add a venue to
    lost = await _post(web, "/console/park/spaces", {"park": "no-such-park", "venue_id": "x", "name": "X",
                                                     "kind": "meeting", "capacity": "4"})
    assert lost.status_code in (403, 404)


async def test_an_approved_park_has_its_venues_as_spaces(app: tuple[AppUnderTest, Hints]) -> None:
    web, _ = app
    await web.sign_in("vera")
    assert (await _post(web, "/console/park/new", NEW)).status_code == 303
    assert await web.store.spaces.of_park("jiuxianqiao-lab") == []  # a proposal has no spaces yet
    web.client.cookies.clear()
    await web.sign_in("ada")
    assert (await _post(web, "/console/park/proposals/jiuxianqiao-lab", {"decision": "approve"})).status_code == 303
    assert _spaces(await web.store.spaces.of_park("jiuxianqiao-lab")) == {
        "hall-1": ("Show hall", "hall", 200, False)}
