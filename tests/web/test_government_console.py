"""The government console: zone figures from live data (enterprises by park and by
industry division, institutions by service, booths held, demo records labelled), with
charts and tables; department officers see it, others get the 403 page."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.web.conftest import AppUnderTest, LiveServer
from tests.web.people import PASSWORD
from world.booths import BoothContent
from world.profiles import EnterpriseProfile, InstitutionProfile

pytestmark = pytest.mark.anyio
SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots" / "web"


async def test_officers_see_zone_figures_from_the_database_in_charts_and_tables(web: AppUnderTest) -> None:
    await web.store.profiles.create_many([
        EnterpriseProfile("甲", park_id="798-art-zone", industry_codes=("8730",)),
        EnterpriseProfile("乙", park_id="798-art-zone", industry_codes=("6572", "6513")),
        EnterpriseProfile("丙", park_id="751-d-park", industry_codes=("8730",)),
        InstitutionProfile("律所", service_kinds=("legal",)),
    ], now=1.0, demo=True)
    acme = (await web.store.orgs.named("Acme Design (test)"))[0].id
    await web.store.booths.assign("798-art-zone", "b01", acme, BoothContent(name="Acme"), 1.0)
    await web.sign_in("gwen")
    page = await web.client.get("/console/government", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert "<dt>Enterprises</dt><dd>3</dd>" in page.text
    assert "<dt>Booths held</dt><dd>1 of 1</dd>" in page.text
    assert "<td>798 Art Zone</td><td>2</td>" in page.text
    assert "<td>87 Radio, TV, film and recording</td><td>2</td>" in page.text
    assert "<td>65 Software and IT services</td><td>1</td>" in page.text  # two 65xx codes count once
    assert "<td>Legal</td><td>1</td>" in page.text
    assert re.search(r"<span class=\"mark demo\">demo</span></dt><dd>4</dd>", page.text)  # demo labelled
    charts = [json.loads(c) for c in re.findall(r'<script type="application/json">(.*?)</script>', page.text, re.S)]
    assert charts[0]["labels"][0] == "798 Art Zone" and charts[0]["series"][0]["data"][0] == 2
    assert 'src="/vendor/echarts.min.js"' in page.text
    zh = await web.client.get("/console/government", headers={"Accept-Language": "zh"})
    assert "各园区企业数" in zh.text and "798艺术区" in zh.text


async def test_a_park_with_an_office_but_no_catalogue_entry_is_shown_by_its_office_name(web: AppUnderTest) -> None:
    """The demo zone's placeholder parks have an office (an organization) and tenants but
    no catalogue entry: the overview names them, never by a bare id."""
    await web.store.orgs.create("park", "Placeholder park 07 (demo)", park_id="placeholder-07", now=1.0, demo=True)
    await web.store.profiles.create_many([EnterpriseProfile("丁", park_id="placeholder-07")], now=1.0, demo=True)
    await web.sign_in("gwen")
    page = await web.client.get("/console/government", headers={"Accept-Language": "en"})
    assert "<td>Placeholder park 07 (demo)</td><td>1</td>" in page.text
    assert "<td>placeholder-07</td>" not in page.text


async def test_department_officers_open_it_and_everyone_else_gets_the_403_page(web: AppUnderTest) -> None:
    bureau = await web.store.orgs.create("department", "Culture Bureau (test)", now=1.0)
    await web.store.orgs.add_member(bureau, "vera", "officer", 1.0)
    await web.sign_in("vera")
    assert (await web.client.get("/console/government")).status_code == 200
    for user in ("olga", "emil", "pam"):
        web.client.cookies.clear()
        await web.sign_in(user)
        refused = await web.client.get("/console/government", headers={"Accept-Language": "en"})
        assert refused.status_code == 403 and "government officers" in refused.text, user


def test_the_government_overview_draws_its_charts_in_a_browser(live: LiveServer) -> None:
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        try:
            for name, viewport, locale in (("government-overview.png", {"width": 1280, "height": 900}, "zh-CN"),
                                           ("government-overview-390.png", {"width": 390, "height": 844}, "en-US")):
                page = browser.new_page(viewport=viewport, locale=locale)
                page.goto(live.url + "/signin")
                page.fill("#user", "gwen")
                page.fill("#password", PASSWORD)
                page.click("button[type=submit]")
                page.goto(live.url + "/console/government")
                page.wait_for_selector(".chart-box canvas")
                assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
                page.screenshot(path=str(SHOTS / name), full_page=True)
                page.close()
        finally:
            browser.close()
