"""The park console's catalogue editor and the proposals of new parks, over the real
app and a real SQLite store: a structured form, precise per-field errors, the revision
read, audit entries, inbox notices and the park.changed hints the world server reloads on."""

from __future__ import annotations

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
from tests.web.conftest import AppUnderTest, web_config
from tests.web.people import seed_people

pytestmark = pytest.mark.anyio
PARK = "798-art-zone"
EDIT = f"/console/park/catalogue/{PARK}"


class Hints:
    def __init__(self, bus: InProcessBus) -> None:
        self.got: list[tuple[str, dict[str, Any]]] = []
        bus.subscribe("park.>", self._got)

    async def _got(self, subject: str, hint: dict[str, Any]) -> None:
        self.got.append((subject, hint))


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[tuple[AppUnderTest, Hints]]:
    cfg = web_config(tmp_path / "data")
    store = await Store.open(cfg.database_url)
    await seed_people(store, cfg.scrypt_n)
    bus = InProcessBus()
    hints = Hints(bus)
    clock = ManualClock()
    web_app = create_app(cfg, store, bus, clock, texts=load_texts(strict=True))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=web_app), base_url="http://park.test") as client:
        yield AppUnderTest(client, store, clock, cfg), hints
    await web_app.state.web.online.close()
    await store.close()


def form_of(entry_park: Any, revision: int, **changes: str) -> dict[str, str]:
    """The editor's form as the page fills it for ``entry_park``, with ``changes``."""
    p = entry_park
    data = {"revision": str(revision), "name_zh": p.name_zh, "name_en": p.name_en, "address_zh": p.address_zh or "",
            "notes": p.notes or "", "style": p.style, "area_m2": f"{p.area.m2:g}", "area_kind": p.area.kind,
            "area_basis": p.area.basis, "sources": "\n".join(p.sources),
            "location_lat": str(p.location.lat) if p.location else "",
            "location_lon": str(p.location.lon) if p.location else "", "location_basis": p.location.basis if p.location else ""}
    if p.area.estimated:
        data["area_estimated"] = "on"
    if p.location and p.location.estimated:
        data["location_estimated"] = "on"
    for i, v in enumerate(p.venues):
        data |= {f"venue-{i}-id": v.id, f"venue-{i}-name": v.name, f"venue-{i}-kind": v.kind,
                 f"venue-{i}-capacity": str(v.capacity or ""), f"venue-{i}-building": v.building or ""}
    return data | changes


async def _post(web: AppUnderTest, path: str, data: dict[str, str], lang: str = "en") -> httpx.Response:
    return await web.client.post(path, data={**data, "csrf": await web.csrf()}, headers={"Accept-Language": lang})


async def test_park_staff_edit_their_park_and_the_world_is_told(app: tuple[AppUnderTest, Hints]) -> None:
    web, hints = app
    await web.sign_in("pam")
    page = await web.client.get(EDIT, headers={"Accept-Language": "zh"})
    assert page.status_code == 200 and "798艺术区" in page.text and 'name="venue-0-name"' in page.text
    entry = await web.store.catalogue.get(PARK)
    data = form_of(entry.park(), entry.revision, name_en="798 Art District", notes="Galleries in Bauhaus halls",
                   **{"venue-1-new": "1", "venue-1-name": "Hall 7", "venue-1-kind": "hall",
                      "venue-1-capacity": "300", "venue-1-building": "Building 7"})
    reply = await _post(web, EDIT, data)
    assert reply.status_code == 303 and reply.headers["location"] == f"{EDIT}?saved=2"
    saved = await web.store.catalogue.get(PARK)
    park = saved.park()
    assert saved.revision == 2 and park.name_en == "798 Art District" and park.notes == "Galleries in Bauhaus halls"
    assert [(v.id, v.name, v.capacity, v.building) for v in park.venues][1] == ("hall-1", "Hall 7", 300, "Building 7")
    # what the form does not show is kept as it was: the facts' sources, focus, opening year, the header
    before = entry.park()
    assert (park.focus, park.opened, park.former_use, park.location) == (
        before.focus, before.opened, before.former_use, before.location)
    assert saved.document.startswith("# Cloud Park catalogue entry: 798 Art District (798艺术区).\n")
    assert "m2 = 600000\n" in saved.document  # the figure written as it was
    assert ("park.changed", {"park": PARK, "revision": 2}) in hints.got
    audit = await web.store.audit.page(target=f"park:{PARK}")
    assert [(a.actor, a.action) for a in audit] == [("pam", "park.edit")]
    shown = await web.client.get(f"{EDIT}?saved=2", headers={"Accept-Language": "en"})
    assert "Saved as revision 2." in shown.text and 'data-rebuild="waiting"' in shown.text
    cards = {c["id"]: c for c in (await web.client.get("/api/parks")).json()}
    assert cards[PARK]["name_en"] == "798 Art District"  # the portal's cards
    # the world server's word comes back as a park.rebuilt hint
    web_state = web.client._transport.app.state.web  # type: ignore[attr-defined]
    web_state.bus.publish("park.rebuilt", {"park": PARK, "ok": True, "revision": 2, "scene_hash": "ab" * 32,
                                           "error": ""})
    await web.store.flush()
    for _ in range(20):
        done = await web.client.get(EDIT, headers={"Accept-Language": "en"})
        if 'data-rebuild="online"' in done.text:
            break
    assert 'data-rebuild="online"' in done.text and "abababababab" in done.text


@pytest.mark.parametrize(("lang", "words"), [
    ("zh", ["<li>面积（平方米）：“lots”不是数字。</li>", "<li>场地 1 · 容纳人数：应不小于 1。</li>",
            "<li>位置 · 纬度：12.5 不在北京范围内（39.4 至 41.1）。</li>", "<li>建筑风格：“igloo”不是可选的值。</li>"]),
    ("en", ["<li>Area (m²): “lots” is not a number.</li>", "<li>Venues 1 · Capacity (people): Must be at least 1.</li>",
            "<li>Location · Latitude: 12.5 is outside Beijing (39.4 to 41.1).</li>",
            "<li>Building style: “igloo” is not one of the choices.</li>"]),
])
async def test_refusals_are_said_in_the_persons_language_by_the_fields_labels(
        app: tuple[AppUnderTest, Hints], lang: str, words: list[str]) -> None:
    web, _hints = app
    await web.sign_in("pam")
    entry = await web.store.catalogue.get(PARK)
    park = entry.park()
    typed = await _post(web, EDIT, form_of(park, entry.revision, area_m2="lots", **{"venue-0-capacity": "-3"}), lang)
    assert typed.status_code == 422
    checked = await _post(web, EDIT, form_of(park, entry.revision, location_lat="12.5", style="igloo"), lang)
    assert checked.status_code == 422
    said = typed.text + checked.text
    assert all(w in said for w in words), [w for w in words if w not in said]


async def test_bad_fields_are_refused_each_named(app: tuple[AppUnderTest, Hints]) -> None:
    web, hints = app
    await web.sign_in("pam")
    entry = await web.store.catalogue.get(PARK)
    park = entry.park()
    cases = [({"area_m2": "lots"}, "area_m2"), ({"area_m2": "12"}, "area_m2"),
             ({"venue-0-capacity": "-3"}, "venue-0-capacity"), ({"location_lat": "12.5"}, "location_lat"),
             ({"name_zh": " "}, "name_zh"), ({"style": "igloo"}, "style"),
             ({"area_estimated": "on", "area_basis": ""}, "area_basis"), ({"venue-0-name": ""}, "venue-0-name")]
    for change, field in cases:
        reply = await _post(web, EDIT, form_of(park, entry.revision, **change))
        assert reply.status_code == 422, (change, reply.status_code)
        assert f'id="err-{field}"' in reply.text, (change, field)
    assert (await web.store.catalogue.get(PARK)).revision == 1 and hints.got == []  # nothing written
    stale = await _post(web, EDIT, form_of(park, 0, name_en="Stale"))
    assert stale.status_code == 409 and "Someone else saved this park meanwhile" in stale.text
    no_csrf = await web.client.post(EDIT, data=form_of(park, 1))
    assert no_csrf.status_code == 403


async def test_only_that_parks_staff_and_admins_edit_it(app: tuple[AppUnderTest, Hints]) -> None:
    web, _ = app
    guest = await web.client.get(EDIT)
    assert guest.status_code == 303 and guest.headers["location"].startswith("/signin")
    await web.sign_in("olga")
    refused = await web.client.get(EDIT, headers={"Accept-Language": "en"})
    assert refused.status_code == 403 and "798-art-zone" in refused.text
    assert (await web.client.get("/console/park/catalogue/751-d-park")).status_code == 403
    web.client.cookies.clear()
    await web.sign_in("pam")
    assert (await web.client.get("/console/park/catalogue/751-d-park")).status_code == 403
    web.client.cookies.clear()
    await web.sign_in("ada")
    assert (await web.client.get("/console/park/catalogue/751-d-park")).status_code == 200
    assert (await web.client.get("/console/park/catalogue/no-such-park")).status_code == 404


NEW = {"park_id": "jiuxianqiao-lab", "name_zh": "酒仙桥实验园", "name_en": "Jiuxianqiao Lab Park",
       "address_zh": "朝阳区酒仙桥路10号", "style": "warehouse", "area_m2": "25000", "area_kind": "site",
       "sources": "park office leaflet 2026", "location_lat": "39.98", "location_lon": "116.49",
       "location_estimated": "on", "location_basis": "from the address by hand",
       "venue-0-new": "1", "venue-0-name": "Show hall", "venue-0-kind": "hall", "venue-0-capacity": "200"}


async def test_a_proposed_park_goes_live_when_an_admin_approves(app: tuple[AppUnderTest, Hints]) -> None:
    web, hints = app
    await web.sign_in("vera")
    assert (await web.client.get("/console/park/new", headers={"Accept-Language": "zh"})).status_code == 200
    taken = await _post(web, "/console/park/new", NEW | {"park_id": PARK})
    assert taken.status_code == 422 and 'id="err-park_id"' in taken.text and "is taken" in taken.text
    sent = await _post(web, "/console/park/new", NEW)
    assert sent.status_code == 303
    mine = await web.client.get(sent.headers["location"], headers={"Accept-Language": "en"})
    assert "jiuxianqiao-lab" in mine.text and "waiting for a decision" in mine.text
    assert "jiuxianqiao-lab" not in [c["id"] for c in (await web.client.get("/api/parks")).json()]
    assert (await web.client.get("/console/park/proposals")).status_code == 403  # not for a visitor
    web.client.cookies.clear()
    await web.sign_in("ada")
    listed = await web.client.get("/console/park/proposals", headers={"Accept-Language": "en"})
    assert listed.status_code == 200 and "Jiuxianqiao Lab Park" in listed.text
    decided = await _post(web, "/console/park/proposals/jiuxianqiao-lab", {"decision": "approve"})
    assert decided.status_code == 303
    said = await web.client.get(decided.headers["location"], headers={"Accept-Language": "zh"})
    assert "已批准园区 酒仙桥实验园（jiuxianqiao-lab）：三维场景正在生成，随后上线。" in said.text
    assert ("park.changed", {"park": "jiuxianqiao-lab", "revision": 2}) in hints.got
    cards = {c["id"]: c for c in (await web.client.get("/api/parks")).json()}
    assert cards["jiuxianqiao-lab"]["name_en"] == "Jiuxianqiao Lab Park"  # the portal lists it
    org = await web.store.orgs.park("jiuxianqiao-lab")
    assert [(m.user, m.role) for m in await web.store.orgs.members(org.id)] == [("vera", "staff")]
    notes = await web.store.inbox.page("vera")
    assert [n.notice.title_key for n in notes] == ["inbox.park_approved.title"]
    assert [a.action for a in await web.store.audit.page(target="park:jiuxianqiao-lab")] == [
        "park.approve", "park.propose"]
    web.client.cookies.clear()
    await web.sign_in("vera")  # now staff of the new park: its console and its editor open
    assert (await web.client.get("/console/park/catalogue/jiuxianqiao-lab")).status_code == 200


async def test_a_rejection_needs_a_note_and_tells_the_proposer(app: tuple[AppUnderTest, Hints]) -> None:
    web, hints = app
    await web.sign_in("vera")
    assert (await _post(web, "/console/park/new", NEW)).status_code == 303
    web.client.cookies.clear()
    await web.sign_in("ada")
    silent = await _post(web, "/console/park/proposals/jiuxianqiao-lab", {"decision": "reject"})
    assert silent.status_code == 422 and "say why" in silent.text
    in_zh = await web.client.post("/console/park/proposals/jiuxianqiao-lab", headers={"Accept-Language": "zh"},
                                  data={"csrf": await web.csrf(), "decision": "reject"})
    assert in_zh.status_code == 422 and "驳回时请在备注中说明原因。" in in_zh.text
    done = await _post(web, "/console/park/proposals/jiuxianqiao-lab",
                       {"decision": "reject", "note": "no public source names this park"})
    assert done.status_code == 303
    said = await web.client.get(done.headers["location"], headers={"Accept-Language": "en"})
    assert ("The proposal of park Jiuxianqiao Lab Park (jiuxianqiao-lab) is rejected: no public source names this park"
            in said.text)
    entry = await web.store.catalogue.get("jiuxianqiao-lab")
    assert (entry.state, entry.note) == ("rejected", "no public source names this park")
    notes = await web.store.inbox.page("vera")
    assert notes[0].notice.title_key == "inbox.park_rejected.title"
    assert notes[0].notice.params["note"] == "no public source names this park"
    web.client.cookies.clear()
    await web.sign_in("vera")
    inbox = await web.client.get("/console/inbox", headers={"Accept-Language": "zh"})
    assert "您申请的园区 酒仙桥实验园（jiuxianqiao-lab）被驳回，理由：no public source names this park" in inbox.text
    assert not [h for h in hints.got if h[0] == "park.changed"] and await web.store.orgs.park("jiuxianqiao-lab") is None
