"""The park console in Debian's chromium against a real server, on a phone-sized
viewport: park staff admit an enterprise, import a broken sheet and read the report,
import a good one, assign a booth slot; the wrong role gets the clear 403 page.
Screenshots (phone and desktop) go to build/screenshots/web/."""

from __future__ import annotations

import asyncio
import os
import random
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from server.db import Store
from tests.web.conftest import LiveServer
from tests.web.people import PASSWORD
from tests.webxr.conftest import CHROMIUM, CHROMIUM_ARGS
from world.credit_code import generate
from world.profiles import EnterpriseProfile

pytestmark = pytest.mark.slow
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SHOTS = Path("build/screenshots/web")
PARK = "798-art-zone"
INK = "914403001922038216"
HEADER = "Credit code,Name (Chinese),Name (English),Industry codes,Founded,Employees,Area (m2),Contact,If registered"


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path_factory.mktemp("park-office") / "data").start()

    async def seed() -> None:  # a registered enterprise, a tenant of no park yet
        store = await Store.open(server.config.database_url)
        try:
            await store.profiles.create(EnterpriseProfile(
                name_zh="墨砚动画（测试）", name_en="Inkstone Animation (test)", credit_code=INK, founded=2015,
                employees=42, industry_codes=("8730",)), now=1_700_000_000.0)
        finally:
            await store.close()
    seeding = threading.Thread(target=lambda: asyncio.run(seed()))  # Playwright may hold this thread's loop
    seeding.start()
    seeding.join(30)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run bash tools/setup.sh --test")
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def _page(chromium: Any, locale: str, viewport: dict[str, int] = PHONE) -> Any:
    phone = viewport is PHONE
    context = chromium.new_context(viewport=viewport, locale=locale, device_scale_factor=1, is_mobile=phone,
                                   has_touch=phone)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and "Failed to load resource" not in m.text
            and page.errors.append(m.text))
    return page


def _fits(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url}: {width} px wide on a {PHONE['width']} px phone"


def _sign_in(page: Any, url: str, user: str, then: str) -> None:
    page.goto(f"{url}/signin?next={then}")
    page.fill("#user", user)
    page.fill("#password", PASSWORD)
    page.locator("main form button").click()
    page.wait_for_url(f"**{then}")


def _sheet(page: Any, name: str, text: str) -> None:
    page.set_input_files("#sheet", {"name": name, "mimeType": "text/csv", "buffer": text.encode("utf-8")})
    page.locator("form[enctype] button").click()
    page.wait_for_load_state()


def test_park_staff_admit_import_and_assign_a_booth_on_a_phone(chromium: Any, office: LiveServer) -> None:
    page = _page(chromium, "en-US")
    _sign_in(page, office.url, "pam", "/console/park")
    page.locator(f'a[href="/console/park/{PARK}/enterprises"]').first.click()
    page.wait_for_url("**/enterprises")
    page.fill("#find", INK)
    page.locator("#find ~ button").click()
    page.wait_for_url("**find=*")
    assert "a tenant of no park yet" in page.locator("main").inner_text()
    page.locator("button", has_text="Admit").click()
    page.wait_for_url("**note=admitted")
    assert "its owners and admins were told" in page.locator("p.ok").inner_text()
    assert page.locator(".entry h3 a", has_text="Inkstone Animation (test)").count() == 1
    _fits(page)
    page.screenshot(path=str(SHOTS / "park-enterprises-en.png"), full_page=True)

    page.locator(".entry h3 a", has_text="Inkstone Animation (test)").click()
    page.wait_for_url("**/enterprises/*")
    page.locator("form", has=page.locator('input[value="employees"]')).locator("button").click()
    page.wait_for_url("**note=confirmed")
    assert "Confirmed by pam" in page.locator("main").inner_text()
    _fits(page)
    page.screenshot(path=str(SHOTS / "park-enterprise-en.png"), full_page=True)

    page.locator(f'nav.tabs a[href="/console/park/{PARK}/import"]').click()
    page.wait_for_url("**/import")
    rng = random.Random(5)
    good = [generate(rng) for _ in range(3)]
    _sheet(page, "broken.csv", "\n".join((HEADER, f"{INK[:-1]}7,Bad check,,,,,,,", f"{good[0]},,,,,,,,",
                                          f"{good[1]},Future Co,,,2099,,,,", f"{good[2]},Twice,,,,,,,",
                                          f"{good[2]},Twice again,,,,,,,", f"{INK},Ink,,,,,,,")) + "\n")
    report = page.locator("table.report tbody tr")
    assert report.count() == 5
    assert "Nothing from broken.csv was imported" in page.locator("#report").inner_text()
    _fits(page)
    page.screenshot(path=str(SHOTS / "park-import-report-en.png"), full_page=True)
    _sheet(page, "good.csv", "\n".join((HEADER, f"{good[0]},甲文化（测试）,Jia Culture (test),8730,2018,12,300,"
                                        "jia@example.com,", f"{good[1]},乙设计（测试）,,,,,,,",
                                        f"{INK},墨砚,,,,,,,admit")) + "\n")
    assert "2 new enterprise(s) created, 0 registered one(s) admitted, 1 already tenants here" in \
        page.locator("#result").inner_text()
    page.screenshot(path=str(SHOTS / "park-import-done-en.png"), full_page=True)

    page.locator(f'nav.tabs a[href="/console/park/{PARK}/booths"]').click()
    page.wait_for_url("**/booths")
    assert page.locator(".entry").count() == 16
    page.locator(f'a[href="/console/park/{PARK}/booths/b01"]').click()
    page.wait_for_url("**/booths/b01")
    page.fill("#q", "Jia")
    page.locator("#q ~ button").click()
    page.wait_for_url("**q=Jia")
    page.locator("button", has_text="Assign").click()
    page.wait_for_url("**note=assigned*")
    assert "visitors in the 3D park see it now" in page.locator("p.ok").inner_text()
    assert "甲文化（测试）" in page.locator(".entry").first.inner_text()
    _fits(page)
    page.screenshot(path=str(SHOTS / "park-booths-en.png"), full_page=True)

    for tab in ("staff", "audit"):
        page.locator(f'nav.tabs a[href="/console/park/{PARK}/{tab}"]').click()
        page.wait_for_url(f"**/{tab}")
        _fits(page)
        page.screenshot(path=str(SHOTS / f"park-{tab}-en.png"), full_page=True)
    assert page.locator(".entry code", has_text="booth.assign").count() == 1
    assert page.locator(".entry code", has_text="park.import").count() == 1
    assert page.errors == []
    page.context.close()


def test_the_park_console_in_chinese_and_on_a_desktop(chromium: Any, office: LiveServer) -> None:
    page = _page(chromium, "zh-CN")
    _sign_in(page, office.url, "pam", f"/console/park/{PARK}/import")
    assert page.locator("h2").first.inner_text() == "导入入驻企业"
    _sheet(page, "坏表.csv", "统一社会信用代码,企业名称（中文）\n" + f"{INK[:-1]}7,坏校验位\n" + "12345,太短\n")
    rows = page.locator("table.report tbody tr")
    assert rows.count() == 2 and "应为 18 位，实际为 5 位" in rows.nth(1).inner_text()
    _fits(page)
    page.screenshot(path=str(SHOTS / "park-import-report-zh.png"), full_page=True)
    page.goto(f"{office.url}/console/park/{PARK}/booths")
    _fits(page)
    page.screenshot(path=str(SHOTS / "park-booths-zh.png"), full_page=True)
    page.context.close()

    desk = _page(chromium, "en-US", DESKTOP)
    _sign_in(desk, office.url, "pam", f"/console/park/{PARK}/enterprises")
    desk.screenshot(path=str(SHOTS / "park-enterprises-desktop.png"), full_page=True)
    desk.goto(f"{office.url}/console/park/{PARK}/import")
    _sheet(desk, "broken.csv", HEADER + f"\n{INK[:-1]}7,Bad,,x1,1700,-1,0,nobody,maybe\n")
    assert desk.locator("table.report tbody tr").count() == 7
    desk.screenshot(path=str(SHOTS / "park-import-report-desktop.png"), full_page=True)
    assert desk.errors == []
    desk.context.close()


def test_the_wrong_role_gets_a_clear_403_page(chromium: Any, office: LiveServer) -> None:
    page = _page(chromium, "en-US")
    _sign_in(page, office.url, "olga", "/console/enterprise")
    page.goto(f"{office.url}/console/park/{PARK}/enterprises")
    main = page.locator("main").inner_text()
    assert "A park's enterprises are run by that park's staff." in main and "Olga Owner" in main
    _fits(page)
    page.screenshot(path=str(SHOTS / "park-forbidden-en.png"), full_page=True)
    page.context.close()
