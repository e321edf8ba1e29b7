"""An organization's page in the directory (both engines) shows each contact detail only
to those its visibility names: public to anyone, zone members to the people of the
zone's organizations, the park's office to its park's staff, private to its own people."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

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
from world.profiles import Contact, EnterpriseProfile

pytestmark = pytest.mark.anyio
VALUES = {"public": "010-1111-0000", "members": "members@ink.test", "park": "ink-office-wechat",
          "private": "ceo-mobile-139"}


@pytest.fixture
async def web(database_url: str, tmp_path: Path) -> AsyncIterator[AppUnderTest]:  # noqa: F811
    cfg = web_config(tmp_path / "data")
    store = await Store.open(database_url)
    await seed_people(store, cfg.scrypt_n)
    clock = ManualClock()
    app = create_app(cfg, store, InProcessBus(), clock, texts=load_texts(strict=True))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://park.test") as client:
        yield AppUnderTest(client, store, clock, cfg)
    await app.state.web.online.close()
    await store.close()


async def _seen(web: AppUnderTest, org: int, user: str | None) -> set[str]:
    web.client.cookies.clear()
    if user is not None:
        await web.sign_in(user)
    page = await web.client.get(f"/directory/{org}", headers={"Accept-Language": "en"})
    assert page.status_code == 200, page.text[-300:]
    assert "Inkstone Animation (test)" in page.text
    return {level for level, value in VALUES.items() if value in page.text}


async def test_each_viewer_sees_the_contacts_their_place_allows(web: AppUnderTest) -> None:
    ink = await web.store.profiles.create(EnterpriseProfile(
        name_zh="墨砚动画（测试）", name_en="Inkstone Animation (test)", park_id="798-art-zone", offers=("动画制作",),
        contacts=tuple(Contact("phone", v, level) for level, v in VALUES.items())), now=web.clock.now())  # type: ignore[arg-type]
    await web.store.orgs.add_member(ink, "vera", "member", 1.0)  # vera works there; emil (of Acme) does not
    listed = await web.client.get("/directory", params={"q": "Inkstone"})
    assert f'href="/directory/{ink}"' in listed.text and VALUES["public"] not in listed.text  # the list shows no contacts
    assert await _seen(web, ink, None) == {"public"}  # a guest
    assert await _seen(web, ink, "olga") == {"public", "members"}  # the owner of another enterprise
    assert await _seen(web, ink, "emil") == {"public", "members"}  # a member of another enterprise
    assert await _seen(web, ink, "pam") == {"public", "members", "park"}  # the staff of its park
    assert await _seen(web, ink, "vera") == set(VALUES)  # its own people
    await web.store.orgs.remove_member(ink, "vera")
    assert await _seen(web, ink, "vera") == {"public"}  # a visitor in no organization
    assert await _seen(web, ink, "ada") == {"public", "members", "park"}  # the platform admin: not the private ones
    assert (await web.client.get("/directory/999999")).status_code == 404
