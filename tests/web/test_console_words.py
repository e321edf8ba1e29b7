"""What the console pages found wanting in a browser say now, in the person's language:
the booth editor names a refused field by its label in zh and en, the booth and
catalogue editors carry their console's tabs, and "your organizations" names a park by
its name rather than its id. httpx against the app over a real SQLite store with the
strict catalogue (a missing key answers 500)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.conftest import AppUnderTest
from world.protocol.messages import BoothContent

pytestmark = pytest.mark.anyio
PARK = "798-art-zone"


async def _acme(web: AppUnderTest) -> int:
    return int((await web.store.orgs.named("Acme Design (test)"))[0].id)


async def _post(web: AppUnderTest, path: str, data: dict[str, Any], lang: str) -> Any:
    return await web.client.post(path, data={"csrf": await web.csrf(), **data}, headers={"Accept-Language": lang})


async def _park_names(web: AppUnderTest) -> tuple[str, str]:
    card = next(c for c in (await web.client.get("/api/parks")).json() if c["id"] == PARK)
    return card["name_zh"], card["name_en"]


@pytest.mark.parametrize(("lang", "words"), [
    ("zh", "未保存：标志图片（网址）：网址应以 http:// 或 https:// 开头（而不是“ftp://acme.test/logo.png”）。"),
    ("en", "Not saved: Logo picture (URL): A URL starts with http:// or https:// (not “ftp://acme.test/logo.png”)."),
])
async def test_the_booth_editor_names_a_refused_field_by_its_label(web: AppUnderTest, lang: str, words: str) -> None:
    await web.store.booths.assign(PARK, "b01", await _acme(web), BoothContent(name="Acme stand"), 1.0)
    await web.sign_in("olga")
    bad = await _post(web, f"/console/enterprise/booths/{PARK}/b01",
                      {"name": "Acme stand", "logo": "ftp://acme.test/logo.png"}, lang)
    assert bad.status_code == 422
    assert words in bad.text, bad.text[-2000:]


async def test_the_booth_editor_has_the_enterprise_tabs_for_its_owner_and_the_park_tabs_for_staff(
        web: AppUnderTest) -> None:
    acme = await _acme(web)
    await web.store.booths.assign(PARK, "b01", acme, BoothContent(name="Acme stand"), 1.0)
    await web.sign_in("olga")
    owner = await web.client.get(f"/console/enterprise/booths/{PARK}/b01", headers={"Accept-Language": "zh"})
    assert owner.status_code == 200
    assert f'<a href="/console/enterprise/{acme}/profile">企业资料</a>' in owner.text
    assert '<a href="/console/enterprise">企业控制台</a>' in owner.text
    web.client.cookies.clear()
    await web.sign_in("pam")
    staff = await web.client.get(f"/console/enterprise/booths/{PARK}/b01", headers={"Accept-Language": "en"})
    assert staff.status_code == 200
    assert f'<a href="/console/park/{PARK}/booths" aria-current="page">Booths</a>' in staff.text, staff.text[-3000:]


async def test_the_catalogue_editor_has_the_park_tabs(web: AppUnderTest) -> None:
    await web.sign_in("pam")
    page = await web.client.get(f"/console/park/catalogue/{PARK}", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert f'<a href="/console/park/catalogue/{PARK}" aria-current="page">Catalogue entry</a>' in page.text
    assert f'<a href="/console/park/{PARK}/enterprises">' in page.text
    tenants = await web.client.get(f"/console/park/{PARK}/enterprises", headers={"Accept-Language": "zh"})
    assert f'<a href="/console/park/catalogue/{PARK}">目录条目</a>' in tenants.text  # and back


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_your_organizations_name_the_park_in_the_persons_language(web: AppUnderTest, lang: str) -> None:
    zh, en = await _park_names(web)
    await web.sign_in("pam")
    home = await web.client.get("/console/", headers={"Accept-Language": lang}, follow_redirects=True)
    kind = " · 园区 · 工作人员</li>" if lang == "zh" else " · park · staff</li>"
    lines = [li.split("</li>")[0] + "</li>" for li in home.text.split("<li>") if kind in li]
    assert lines == [(zh if lang == "zh" else en) + kind], lines


@pytest.mark.parametrize(("lang", "words"), [
    ("zh", "<li><code>name</code>: 内容有 201 个字符，最多 200 个。</li>"),
    ("en", "<li><code>name</code>: 201 characters long (at most 200).</li>"),
])
async def test_a_field_the_form_itself_refuses_is_said_in_the_persons_language(
        web: AppUnderTest, lang: str, words: str) -> None:
    await web.store.booths.assign(PARK, "b01", await _acme(web), BoothContent(name="Acme stand"), 1.0)
    await web.sign_in("olga")
    bad = await _post(web, f"/console/enterprise/booths/{PARK}/b01", {"name": "x" * 201}, lang)
    assert bad.status_code == 422
    assert words in bad.text, bad.text[-1500:]
