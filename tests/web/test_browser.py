"""The portal, sign-in and the consoles in Debian's chromium (Playwright) against a real
uvicorn server, on a phone-sized viewport, in Chinese and English. Screenshots go to
build/screenshots/web/ for people to look at."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import LiveServer
from tests.web.people import PASSWORD
from tests.webxr.conftest import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.slow
PHONE = {"width": 390, "height": 844}
SHOTS = Path("build/screenshots/web")
PICTURED = ("22-yuan-jie", "751-d-park", "798-art-zone")  # the first cards get a picture, the others have none yet


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


@pytest.fixture(scope="module")
def pictures(live: LiveServer) -> tuple[str, ...]:
    """The pictures ``cloudpark up`` renders, of the first parks' scenes."""
    from tools.scenes.cli import render_pictures
    from tools.scenes.pipeline import build_parks

    build_parks(live.config.scenes_dir, list(PICTURED))
    assert render_pictures(live.config.data_dir, list(PICTURED)) == 0
    return PICTURED


def _phone(chromium: Any, locale: str) -> Any:
    context = chromium.new_context(viewport=PHONE, locale=locale, device_scale_factor=1, is_mobile=True,
                                   has_touch=True)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    # a refused sign-in (401) and a refused console (403) are answers, not script errors
    page.on("console", lambda m: m.type == "error" and "Failed to load resource" not in m.text
            and page.errors.append(m.text))
    return page


def _fits_the_phone(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url}: the page is {width} px wide on a {PHONE['width']} px phone"


@pytest.mark.parametrize(("lang", "locale", "heading", "enter"), [
    ("zh", "zh-CN", "云上园区", "在浏览器中进入（三维）"),
    ("en", "en-US", "Cloud Park", "Enter in the browser (3D)"),
])
def test_portal_and_sign_in_on_a_phone(chromium: Any, live: LiveServer, pictures: tuple[str, ...], lang: str,
                                       locale: str, heading: str, enter: str) -> None:
    page = _phone(chromium, locale)
    page.goto(f"{live.url}/")
    assert page.locator("h1").inner_text() == heading
    assert page.locator(".park").count() == 26
    # a park with a picture shows it (loaded, not a broken image); the others the placeholder
    for park in pictures:
        img = page.locator(f"#park-{park} img.preview")
        img.scroll_into_view_if_needed()
        page.wait_for_function("i => i.complete", arg=img.element_handle())
        assert img.evaluate("i => [i.naturalWidth, i.naturalHeight]") == [960, 600], park
    assert page.locator(".park img.preview").count() == len(pictures)
    assert page.locator(".park .preview.placeholder").count() == 26 - len(pictures)
    page.evaluate("window.scrollTo(0, 0)")
    first = page.locator(".park").first
    assert first.locator("a.button").inner_text() == enter
    assert "/web/" in first.locator("a.button").get_attribute("href")
    _fits_the_phone(page)
    page.screenshot(path=str(SHOTS / f"portal-{lang}.png"))
    page.screenshot(path=str(SHOTS / f"portal-{lang}-full.png"), full_page=True)

    page.locator("header a.button").click()
    page.wait_for_url("**/signin")
    page.screenshot(path=str(SHOTS / f"signin-{lang}.png"))
    page.fill("#user", "olga")
    page.fill("#password", "wrong password")
    page.locator("form button").click()
    assert page.locator("p.error").is_visible()
    page.screenshot(path=str(SHOTS / f"signin-failed-{lang}.png"))
    page.fill("#user", "olga")
    page.fill("#password", PASSWORD)
    page.locator("form button").click()
    page.wait_for_url("**/console/")
    assert page.locator(".consoles a").count() == 2
    _fits_the_phone(page)
    page.screenshot(path=str(SHOTS / f"console-home-{lang}.png"), full_page=True)
    page.locator(".consoles a").first.click()
    page.wait_for_url("**/console/enterprise")
    assert "Acme Design (test)" in page.locator("main").inner_text()
    page.screenshot(path=str(SHOTS / f"console-enterprise-{lang}.png"), full_page=True)
    page.goto(f"{live.url}/console/park")
    assert page.locator("h1").count() == 1
    page.screenshot(path=str(SHOTS / f"forbidden-{lang}.png"))
    assert page.errors == []
    page.context.close()


def test_the_language_switch_and_the_other_consoles(chromium: Any, live: LiveServer) -> None:
    page = _phone(chromium, "zh-CN")
    page.goto(f"{live.url}/signin")
    assert page.locator("h1").inner_text() == "登录"
    _fits_the_phone(page)
    page.locator("header").screenshot(path=str(SHOTS / "header-phone-zh.png"))
    page.locator("form.lang [type=submit]").click()  # the header's language form (POST with CSRF)
    page.wait_for_url("**/signin")
    assert page.locator("h1").inner_text() == "Sign in"
    assert page.locator("form.lang [type=submit]").get_attribute("value") == "中文"
    page.locator("header").screenshot(path=str(SHOTS / "header-phone-en.png"))
    for user, console in (("pam", "park"), ("gwen", "government"), ("emil", "employee")):
        page.goto(f"{live.url}/signin?next=/console/{console}")
        page.fill("#user", user)
        page.fill("#password", PASSWORD)
        page.locator("form button").click()
        page.wait_for_url(f"**/console/{console}")
        _fits_the_phone(page)
        page.screenshot(path=str(SHOTS / f"console-{console}-en.png"), full_page=True)
        if console == "employee":  # signed in: the switch stays on the page and stores the choice
            page.locator("header").screenshot(path=str(SHOTS / "header-phone-signed-in-en.png"))
            page.locator("form.lang [type=submit]").click()
            page.wait_for_url(f"**/console/{console}")
            assert page.locator("html").get_attribute("lang") == "zh-CN"
            _fits_the_phone(page)
            page.locator("header").screenshot(path=str(SHOTS / "header-phone-signed-in-zh.png"))
            page.locator("form.lang [type=submit]").click()  # back to English for the next ones
            page.wait_for_url(f"**/console/{console}")
        page.goto(f"{live.url}/signout")
        page.locator("form button").first.click()
        page.wait_for_url(f"{live.url}/")
    assert page.errors == []
    page.context.close()
