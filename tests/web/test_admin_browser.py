"""The platform admin console, the institution console and an organization's directory
page in Debian's chromium on a phone (390 px) in both languages against a real server:
the admin creates a service institution and appoints its admin, who then edits its
profile in the institution console; a guest sees only the public contact; each page
fits the phone; screenshots in build/screenshots/web/."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.conftest import LiveServer
from tests.web.people import PASSWORD
from tests.web.test_browser import SHOTS, _fits_the_phone, _phone, chromium  # noqa: F401 - the fixture

pytestmark = pytest.mark.slow


def _sign_in(page: Any, live: LiveServer, user: str) -> None:
    page.goto(f"{live.url}/signin")
    page.fill("#user", user)
    page.fill("#password", PASSWORD)
    page.click("form[action='/signin'] button[type=submit]")
    page.wait_for_url(f"{live.url}/console/**")


@pytest.mark.parametrize(("lang", "locale", "created", "appointed"), [
    ("zh", "zh-CN", "已创建。", "已任命 emil，并已通知对方。"),
    ("en", "en-GB", "Created.", "emil was appointed and told."),
])
def test_the_admin_creates_an_institution_whose_admin_runs_it_on_a_phone(
        chromium: Any, live: LiveServer, lang: str, locale: str, created: str, appointed: str) -> None:  # noqa: F811
    page = _phone(chromium, locale)
    _sign_in(page, live, "ada")
    page.goto(f"{live.url}/console/")
    page.click("#admin-console")
    _fits_the_phone(page)
    page.screenshot(path=str(SHOTS / f"admin-orgs-{lang}-390.png"), full_page=True)
    page.check("input[name=kind][value=institution]")
    page.fill("#name_zh", f"浏览器律所（测试 {lang}）")
    page.click("form[action='/console/admin/orgs'] button[type=submit]")
    refused = page.locator(".err").inner_text()  # no service chosen: refused, the field named by its label
    assert {"zh": "服务（仅服务机构）：请至少选择一项服务。",
            "en": "Services (institutions only): Choose at least one service."}[lang] in refused
    assert "service_kinds" not in refused
    page.check("input[name=service_kinds][value=legal]")
    page.select_option("#park_id", "798-art-zone")
    page.click("form[action='/console/admin/orgs'] button[type=submit]")
    assert page.locator("p.ok").inner_text() == created
    page.fill("#user", "emil")
    page.select_option("#role", "admin")
    page.click("form[action$='/members'] button[type=submit]")
    assert page.locator("p.ok").inner_text() == appointed
    _fits_the_phone(page)
    page.screenshot(path=str(SHOTS / f"admin-org-{lang}-390.png"), full_page=True)
    org = page.url.split("/orgs/")[1].split("?")[0]
    page.context.clear_cookies()

    _sign_in(page, live, "emil")  # Acme's member and now the institution's admin
    page.goto(f"{live.url}/console/institution")
    assert f"浏览器律所（测试 {lang}）" in page.inner_text("main")
    page.click(f"a[href='/console/institution/{org}/profile']")
    page.fill("input[name=name_en]", f"Browser Law (test {lang})")
    page.locator("input[name=contact_value]").nth(0).fill("010-5555-0000")
    page.locator("select[name=contact_visibility]").nth(0).select_option("public")
    page.locator("input[name=contact_value]").nth(1).fill("partner-mobile-139")
    page.locator("select[name=contact_visibility]").nth(1).select_option("private")
    page.click("form[action$='/profile'] button[type=submit]")
    assert page.locator("p.ok[role=status]").count() == 1
    _fits_the_phone(page)
    page.screenshot(path=str(SHOTS / f"institution-profile-{lang}-390.png"), full_page=True)
    page.context.clear_cookies()

    page.goto(f"{live.url}/directory/{org}")  # a guest: the public contact only
    contacts = page.inner_text("#contacts")
    assert "010-5555-0000" in contacts and "partner-mobile-139" not in contacts
    _fits_the_phone(page)
    page.screenshot(path=str(SHOTS / f"directory-org-{lang}-390.png"), full_page=True)
    assert page.errors == []
    page.context.close()
