"""The enterprise console's services: profile editing (changed facts become unverified),
people and invitations (roles, the last owner, codes shown once), /join for signed-in and
new people, one-time password reset links, booth statistics and the cards CSV, and the
employee console. httpx against the app over a real SQLite store; a Playwright test at
the end drives the invitation through a real browser."""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import io
import json
import re
import time
from pathlib import Path
from typing import Any

import pytest

from server.bus import Hint
from server.db import Store
from server.db.cards import CardFields
from tests.web.conftest import AppUnderTest, LiveServer
from tests.web.people import PASSWORD
from world.booths import BoothContent
from world.profiles import EnterpriseProfile, Verification

pytestmark = pytest.mark.anyio
SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots" / "web"
CODE = "91110105MA01ABCD1X"  # not a valid check character: fixed below


async def _acme(web: AppUnderTest) -> int:
    return int((await web.store.orgs.named("Acme Design (test)"))[0].id)


async def _post(web: AppUnderTest, path: str, data: dict[str, Any], lang: str = "en") -> Any:
    return await web.client.post(path, data={"csrf": await web.csrf(), **data}, headers={"Accept-Language": lang})


def _valid_code() -> str:
    from world.credit_code import ALPHABET, WEIGHTS

    body = CODE[:17]
    total = sum(ALPHABET.index(c) * w for c, w in zip(body, WEIGHTS, strict=True))
    return body + ALPHABET[(31 - total % 31) % 31]


def _hints(web: AppUnderTest) -> list[Hint]:
    seen: list[Hint] = []
    web.client._transport.app.state.web.bus.subscribe("account.changed",  # type: ignore[attr-defined]
                                                      lambda subject, hint: _record(seen, hint))
    return seen


async def _record(seen: list[Hint], hint: Hint) -> None:
    seen.append(hint)


async def test_owner_edits_the_profile_and_changed_facts_lose_their_confirmation(web: AppUnderTest) -> None:
    acme = await _acme(web)
    await web.sign_in("olga")
    page = await web.client.get(f"/console/enterprise/{acme}/profile", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and 'name="credit_code"' in page.text
    form = {"name_zh": "艾克米设计", "name_en": "Acme Design (test)", "credit_code": _valid_code().lower(),
            "industry_codes": "7492, 8730", "founded": "2015", "employees": "42", "revenue_band": "1m_10m",
            "certifications": ["high_tech"], "area_m2": "320", "tags": "design\nlamps", "offers": "lighting design",
            "needs": "", "contact_kind": ["email", "phone"], "contact_value": ["hi@acme.test", ""],
            "contact_visibility": ["public", "members"]}
    saved = await _post(web, f"/console/enterprise/{acme}/profile", form)
    assert saved.status_code == 200 and "Saved." in saved.text, saved.text[-500:]
    stored = await web.store.profiles.get(acme)
    assert isinstance(stored, EnterpriseProfile)
    assert stored.credit_code == _valid_code() and stored.industry_codes == ("7492", "8730")
    assert stored.employees == 42 and stored.certifications == ("high_tech",)
    assert [c.value for c in stored.contacts] == ["hi@acme.test"]
    # the park confirms two facts; the enterprise then changes one of them
    await web.store.profiles.verify(acme, "employees", Verification("pam", 1, 5.0))
    await web.store.profiles.verify(acme, "founded", Verification("pam", 1, 5.0))
    again = await _post(web, f"/console/enterprise/{acme}/profile", {**form, "employees": "50"})
    assert again.status_code == 200
    after = await web.store.profiles.get(acme)
    assert isinstance(after, EnterpriseProfile)
    assert after.is_verified("founded") and not after.is_verified("employees")
    assert again.text.count(">verified<") >= 1 and ">unverified<" in again.text
    entries = await web.store.audit.page(target=f"org:{acme}")
    assert entries[0].action == "org.profile" and entries[0].detail["changed_facts"] == ["employees"]


async def test_bad_profile_fields_are_refused_naming_each_field(web: AppUnderTest) -> None:
    acme = await _acme(web)
    await web.sign_in("olga")
    bad = await _post(web, f"/console/enterprise/{acme}/profile",
                      {"name_zh": "艾克米", "credit_code": "91110105MA01ABCD10", "industry_codes": "87x"})
    assert bad.status_code == 422
    assert "<li>Unified social credit code: The check character is “0” but the first 17 characters give" in bad.text
    assert "<li>Industry codes (GB/T 4754) 1: “87x” is not a GB/T 4754 code" in bad.text
    typed = await _post(web, f"/console/enterprise/{acme}/profile", {
        "name_zh": "x", "employees": "many", "revenue_band": "huge", "area_m2": "0"})
    assert typed.status_code == 422
    assert "<li>Employees: “many” is not a whole number.</li>" in typed.text
    assert "<li>Yearly revenue: “huge” is not one of the choices.</li>" in typed.text
    assert "<li>Rented area (m²): Must be more than 0.</li>" in typed.text
    assert 'value="many"' in typed.text  # the form comes back as typed
    assert await web.store.profiles.get(acme) is None  # nothing half-written


@pytest.mark.parametrize(("lang", "words"), [
    ("zh", "<li>成立年份：2099 不在 1800 到 {year} 年之间（不能晚于今年）。</li>"),
    ("en", "<li>Founded (year): 2099 is not a year between 1800 and {year} (not after this year).</li>"),
])
async def test_a_bad_profile_value_is_refused_in_the_persons_language_naming_the_label(
        web: AppUnderTest, lang: str, words: str) -> None:
    acme = await _acme(web)
    await web.sign_in("olga")
    year = time.gmtime(web.clock.now()).tm_year
    bad = await _post(web, f"/console/enterprise/{acme}/profile",
                      {"name_zh": "艾克米", "founded": "2099", "contact_kind": ["email"], "contact_value": ["nobody"],
                       "contact_visibility": ["public"]}, lang=lang)
    assert bad.status_code == 422
    assert words.format(year=year) in bad.text, bad.text[-1500:]
    email = "联系方式 1 · 内容：电子邮箱地址需要包含 @。" if lang == "zh" else "Contacts 1 · Value: An email address needs an @."
    assert email in bad.text
    assert "founded" not in bad.text.split('<div class="err"')[1].split("</div>")[0]  # no raw field code
    assert await web.store.profiles.get(acme) is None


async def test_members_and_strangers_are_refused_the_profile_people_and_stats(web: AppUnderTest) -> None:
    acme = await _acme(web)
    for user in ("emil", "vera", "pam"):
        web.client.cookies.clear()
        await web.sign_in(user)
        for path in ("profile", "people", "stats"):
            page = await web.client.get(f"/console/enterprise/{acme}/{path}", headers={"Accept-Language": "en"})
            assert page.status_code == 403, (user, path)
        refused = await _post(web, f"/console/enterprise/{acme}/invitations", {"role": "member", "days": "3"})
        assert refused.status_code == 403, user
    assert (await web.client.get("/console/enterprise/abc/profile")).status_code == 404


async def test_roles_change_and_the_last_owner_stays(web: AppUnderTest) -> None:
    acme = await _acme(web)
    hints = _hints(web)
    await web.sign_in("olga")
    last = await _post(web, f"/console/enterprise/{acme}/members/olga/role", {"role": "member"})
    assert last.status_code == 409 and "Role: The last owner cannot be demoted" in last.text
    last_zh = await web.client.post(f"/console/enterprise/{acme}/members/olga/role",
                                    data={"role": "member", "csrf": await web.csrf()}, headers={"Accept-Language": "zh"})
    assert last_zh.status_code == 409 and "未执行： 角色：最后一位所有者不能降级：请先让另一人成为所有者。" in last_zh.text
    assert "last owner" not in last_zh.text and "<code>role" not in last_zh.text
    gone = await _post(web, f"/console/enterprise/{acme}/members/olga/remove", {})
    assert gone.status_code == 409 and "last owner cannot be removed" in gone.text
    promoted = await _post(web, f"/console/enterprise/{acme}/members/emil/role", {"role": "admin"})
    assert promoted.status_code == 303
    assert {m.user: m.role for m in await web.store.orgs.members(acme)} == {"olga": "owner", "emil": "admin"}
    assert hints == [{"user": "emil"}]
    [notice] = await web.store.inbox.page("emil")
    assert notice.notice.body_key == "notice.membership.role_admin" and notice.notice.params["role"] == "admin"
    audit = await web.store.audit.page(target=f"org:{acme}")
    assert audit[0].action == "org.member_role" and audit[0].detail == {"user": "emil", "role": "admin"}
    bad = await _post(web, f"/console/enterprise/{acme}/members/emil/role", {"role": "officer"})
    assert bad.status_code == 422 and "role" in bad.text
    # an admin may not touch the owner
    web.client.cookies.clear()
    await web.sign_in("emil")
    refused = await _post(web, f"/console/enterprise/{acme}/members/olga/remove", {})
    assert refused.status_code == 422 and "members only" in refused.text
    web.client.cookies.clear()
    await web.sign_in("olga")
    removed = await _post(web, f"/console/enterprise/{acme}/members/emil/remove", {})
    assert removed.status_code == 303
    assert [m.user for m in await web.store.orgs.members(acme)] == ["olga"]
    assert hints[-1] == {"user": "emil"}


async def test_an_invitation_code_is_shown_once_and_joins_a_signed_in_person(web: AppUnderTest) -> None:
    acme = await _acme(web)
    await web.sign_in("olga")
    made = await _post(web, f"/console/enterprise/{acme}/invitations", {"role": "member", "days": "3"})
    assert made.status_code == 200
    code = re.search(r'id="invite-code">([A-Z0-9]+)<', made.text).group(1)  # type: ignore[union-attr]
    assert f"/join?code={code}" in made.text and "<svg" in made.text
    listed = await web.client.get(f"/console/enterprise/{acme}/people", headers={"Accept-Language": "en"})
    assert code not in listed.text and "open, 3 days left" in listed.text
    too_long = await _post(web, f"/console/enterprise/{acme}/invitations", {"role": "member", "days": "31"})
    assert too_long.status_code == 422 and "days" in too_long.text

    web.client.cookies.clear()
    await web.sign_in("vera")
    joined = await _post(web, "/join", {"code": code})
    assert joined.status_code == 303 and joined.headers["location"].startswith("/console/employee")
    assert {m.user: m.role for m in await web.store.orgs.members(acme)}["vera"] == "member"
    again = await _post(web, "/join", {"code": code})
    assert again.status_code == 410 and "has been used" in again.text
    web.clock.advance(4 * 86400)
    web.client.cookies.clear()
    await web.sign_in("olga")
    page = await web.client.get(f"/console/enterprise/{acme}/people", headers={"Accept-Language": "en"})
    assert "used by vera" in page.text
    audit = [e.action for e in await web.store.audit.page(target=f"org:{acme}")]
    assert audit[:2] == ["org.join", "org.invite"]


async def test_a_new_person_creates_an_account_with_the_code_in_one_step(web: AppUnderTest) -> None:
    acme = await _acme(web)
    code = await web.store.invitations.create(acme, "member", created_by="olga", now=web.clock.now(), ttl=3600)
    taken = await _post(web, "/join", {"code": code, "user": "vera", "name": "Not Vera", "password": "long enough"})
    assert taken.status_code == 409 and "taken" in taken.text
    short = await _post(web, "/join", {"code": code, "user": "nina", "name": "Nina", "password": "short"})
    assert short.status_code == 422 and "at least 8" in short.text
    assert await web.store.accounts.get("nina") is None
    joined = await _post(web, "/join", {"code": code, "user": "nina", "name": "Nina New", "password": "long enough"})
    assert joined.status_code == 303
    console = await web.client.get(joined.headers["location"], headers={"Accept-Language": "en"})
    assert console.status_code == 200 and "Welcome: you have joined" in console.text and "Acme Design" in console.text
    assert {m.user: m.role for m in await web.store.orgs.members(acme)}["nina"] == "member"
    web.client.cookies.clear()
    used = await _post(web, "/join", {"code": code, "user": "otto", "name": "Otto", "password": "long enough"})
    assert used.status_code == 410 and await web.store.accounts.get("otto") is None
    expired = await web.store.invitations.create(acme, "member", created_by="olga", now=web.clock.now(), ttl=60)
    web.clock.advance(120)
    late = await _post(web, "/join", {"code": expired, "user": "otto", "name": "Otto", "password": "long enough"})
    assert late.status_code == 410 and "expired" in late.text and await web.store.accounts.get("otto") is None
    unknown = await _post(web, "/join", {"code": "NOSUCHCODE22", "user": "otto", "name": "O", "password": "long enough"})
    assert unknown.status_code == 404


async def test_new_accounts_at_join_are_rate_limited_per_address(web: AppUnderTest) -> None:
    acme = await _acme(web)
    app_web = web.client._transport.app.state.web  # type: ignore[attr-defined]
    app_web.config = dataclasses.replace(app_web.config, register_burst=2)
    codes = [await web.store.invitations.create(acme, "member", created_by="olga", now=web.clock.now(), ttl=3600)
             for _ in range(3)]
    answers = []
    for i, code in enumerate(codes):
        web.client.cookies.clear()
        answers.append((await _post(web, "/join", {"code": code, "user": f"p{i}", "name": "P",
                                                   "password": "long enough"})).status_code)
    assert answers == [303, 303, 429]


async def test_a_reset_link_sets_a_new_password_once_and_signs_out_everywhere(web: AppUnderTest) -> None:
    acme = await _acme(web)
    hints = _hints(web)
    await web.sign_in("emil")  # emil's own session, to be ended by the reset
    emil_cookie = dict(web.client.cookies)
    web.client.cookies.clear()
    await web.sign_in("olga")
    self_reset = await _post(web, f"/console/enterprise/{acme}/members/olga/reset", {})
    assert self_reset.status_code == 422 and "own password" in self_reset.text
    made = await _post(web, f"/console/enterprise/{acme}/members/emil/reset", {})
    link = re.search(r'id="reset-link">([^<]+)<', made.text).group(1)  # type: ignore[union-attr]
    token = link.split("token=")[1]
    outsider = await _post(web, f"/console/enterprise/{acme}/members/vera/reset", {})
    assert outsider.status_code == 422 and "Person: Not one of this enterprise&#39;s people." in outsider.text
    web.client.cookies.clear()
    page = await web.client.get(f"/reset?token={token}", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and 'name="password"' in page.text
    differ = await _post(web, "/reset", {"token": token, "password": "brand new pass", "again": "other one"})
    assert differ.status_code == 422
    short = await _post(web, "/reset", {"token": token, "password": "short", "again": "short"})
    assert short.status_code == 422 and "password" in short.text
    done = await _post(web, "/reset", {"token": token, "password": "brand new pass", "again": "brand new pass"})
    assert done.status_code == 200 and "signed out" in done.text
    assert {"user": "emil", "signed_out": True} in hints
    twice = await _post(web, "/reset", {"token": token, "password": "brand new pass", "again": "brand new pass"})
    assert twice.status_code == 410
    web.client.cookies.update(emil_cookie)
    assert (await web.client.get("/api/me")).status_code == 401  # the old session is gone
    web.client.cookies.clear()
    await web.sign_in("emil", "brand new pass")
    audit = {e.action for e in await web.store.audit.page(target="account:emil")}
    assert audit == {"account.reset_issued", "account.reset_used"}


async def test_the_platform_admin_issues_a_reset_link_for_anyone_and_others_may_not(web: AppUnderTest) -> None:
    await web.sign_in("olga")
    assert (await web.client.get("/console/reset")).status_code == 403
    web.client.cookies.clear()
    await web.sign_in("ada")
    made = await _post(web, "/console/reset", {"user": "gwen"})
    assert made.status_code == 200 and "/reset?token=" in made.text
    missing = await _post(web, "/console/reset", {"user": "nobody"})
    assert missing.status_code == 404


async def _booth_with_activity(web: AppUnderTest, acme: int) -> None:
    await web.store.booths.assign("798-art-zone", "b01", acme, BoothContent(name="Acme stand"), 1.0)
    now = web.clock.now()
    web.store.visits.post("798-art-zone", "b01", "vera", "Vera", now - 3600, now - 3500)
    web.store.visits.post("798-art-zone", "b01", "vera", "Vera", now - 1800, now - 1700)
    web.store.visits.post("798-art-zone", "b01", "gwen", "Gwen", now - 2 * 86400, now - 2 * 86400 + 60)
    await web.store.flush()
    await web.store.likes.add("798-art-zone", "b01", "vera", now - 3000)
    await web.store.cards.add("798-art-zone", "b01", "vera", CardFields(
        "Vera Visitor", True, company="=HYPERLINK(\"x\")", email="vera@example.com", message="call me"), now - 2900)


async def test_booth_statistics_per_day_with_a_chart_table_and_cards_csv(web: AppUnderTest) -> None:
    acme = await _acme(web)
    await _booth_with_activity(web, acme)
    await web.sign_in("olga")
    page = await web.client.get(f"/console/enterprise/{acme}/stats", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert 'src="/vendor/echarts.min.js"' in page.text and 'class="chart-box"' in page.text
    chart = re.search(r'<script type="application/json">(.*?)</script>', page.text, re.S).group(1)  # type: ignore[union-attr]
    data = json.loads(chart)
    assert len(data["labels"]) == 30
    visits = next(s for s in data["series"] if s["name"] == "Visits")["data"]
    assert sum(visits) == 3 and visits[-1] == 2
    assert "<dt>Distinct visitors</dt><dd>2</dd>" in page.text
    assert "vera@example.com" in page.text and "I agree to share these details" in page.text
    exported = await web.client.get(f"/console/enterprise/{acme}/cards.csv")
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.text.lstrip("\ufeff"))))
    assert rows[0][:4] == ["park", "booth", "time", "name"]
    assert rows[1][3] == "Vera Visitor" and rows[1][4].startswith("'=")  # no formula from a visitor's text
    web.client.cookies.clear()
    await web.sign_in("emil")
    assert (await web.client.get(f"/console/enterprise/{acme}/cards.csv")).status_code == 403


async def test_the_chart_library_is_served_by_the_app_itself(web: AppUnderTest) -> None:
    served = await web.client.get("/vendor/echarts.min.js")
    assert served.status_code == 200 and "echarts" in served.text[:2000]
    assert (await web.client.get("/vendor/nothing.js")).status_code == 404


async def test_employee_console_shows_enterprise_park_messages_and_coming_places(web: AppUnderTest) -> None:
    acme = await _acme(web)
    await web.store.profiles.save(acme, EnterpriseProfile("艾克米设计", park_id="798-art-zone"), now=web.clock.now())
    await web.sign_in("emil")
    page = await web.client.get("/console/employee", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert "798 Art Zone" in page.text and "/web/798-art-zone/?server=" in page.text
    for place in ("No bookings yet", "No events yet", "No messages yet"):
        assert place in page.text
    # policies: the search and the topics one follows (a member applies through the owners)
    assert 'href="/policies"' in page.text and 'href="/console/policy-topics"' in page.text
    assert f"/console/enterprise/{acme}/policies" not in page.text  # emil is a member, not an owner or admin
    renamed = await _post(web, "/console/employee/name", {"name": "  Emil   E. "})
    assert renamed.status_code == 303 and (await web.store.accounts.get("emil")).name == "Emil E."  # type: ignore[union-attr]
    wrong = await _post(web, "/console/employee/password", {"current": "nope", "password": "a new one!",
                                                            "again": "a new one!"})
    assert wrong.status_code == 401
    changed = await _post(web, "/console/employee/password", {"current": PASSWORD, "password": "a new one!",
                                                              "again": "a new one!"})
    assert changed.status_code == 200 and "Password changed" in changed.text
    assert (await web.client.get("/api/me")).status_code == 200  # this session stays
    web.client.cookies.clear()
    await web.sign_in("emil", "a new one!")


async def _give_olga_a_busy_booth(live: LiveServer) -> None:
    store = await Store.open(live.config.database_url)
    try:
        acme = (await store.orgs.named("Acme Design (test)"))[0].id
        await store.booths.assign("798-art-zone", "b02", acme, BoothContent(name="Acme lamps"), 1.0)
        now = time.time()
        for day in range(12):
            for i in range(day % 5 + 1):
                store.visits.post("798-art-zone", "b02", f"v{i}", "V", now - day * 86400 - 60 * i, now - day * 86400)
        await store.flush()
    finally:
        await store.close()


def test_olga_invites_a_new_person_who_lands_in_the_employee_console(live: LiveServer) -> None:
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    asyncio.run(_give_olga_a_busy_booth(live))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        try:
            desk = browser.new_page(viewport={"width": 1280, "height": 900}, locale="en-US")
            desk.goto(live.url + "/signin")
            desk.fill("#user", "olga")
            desk.fill("#password", PASSWORD)
            desk.click("button[type=submit]")
            desk.goto(live.url + "/console/enterprise")
            desk.click("text=People and invitations")
            desk.click("text=Create a code")
            code = desk.inner_text("#invite-code").strip()
            assert re.fullmatch(r"[A-Z2-9]{12}", code)
            link = desk.get_attribute("#invite-link", "href") or ""
            desk.screenshot(path=str(SHOTS / "enterprise-invite.png"), full_page=True)
            desk.click("text=Booth statistics")
            desk.wait_for_selector(".chart-box canvas")
            inked = desk.evaluate("""() => { const c = document.querySelector('.chart-box canvas');
                const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;
                for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) n++; } return n; }""")
            assert inked > 1000, inked  # the chart drew axes, lines and labels
            desk.screenshot(path=str(SHOTS / "enterprise-stats.png"), full_page=True)

            phone = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
            phone.goto(link)
            phone.screenshot(path=str(SHOTS / "join-390.png"), full_page=True)
            phone.fill("#user", "newbie")
            phone.fill("#name", "新同事")
            phone.fill("#password", "long enough")
            phone.click("button[type=submit]")
            phone.wait_for_url("**/console/employee**")
            assert "新同事" in phone.content() and "Acme Design (test)" in phone.content()
            assert phone.evaluate("document.documentElement.scrollWidth") <= 390
            phone.screenshot(path=str(SHOTS / "employee-390.png"), full_page=True)
            wrong = phone.goto(live.url + "/console/enterprise")
            assert wrong is not None and wrong.status == 403
        finally:
            browser.close()


async def test_a_saved_profile_is_matched_again_against_the_open_policies(web: AppUnderTest) -> None:
    """The enterprise's facts changed: its stored policy matches follow at once (not only
    at the policy's next publish), so its policies page and the park's kiosk are current."""
    from zoneinfo import ZoneInfo

    from server.policies.service import PolicyService
    from server.web.texts import load_texts
    from tests.server.policies.test_publish import RENT
    from world.policies.versions import parse_version

    acme = await _acme(web)
    await web.store.profiles.save(acme, EnterpriseProfile(name_zh="艾克米设计", name_en="Acme Design (test)",
                                                          park_id="798-art-zone", industry_codes=("8730",),
                                                          employees=5, area_m2=100.0), now=web.clock.now())
    bureau = await web.store.orgs.create("department", "Culture Bureau (test)", now=1.0)
    window = {"effective_from": "2025-12-01", "effective_to": "2026-12-31", "apply_from": "2025-12-01",
              "apply_to": "2026-06-30"}
    service = PolicyService(web.store, web.client._transport.app.state.web.bus,  # type: ignore[attr-defined]
                            load_texts(), ZoneInfo("Asia/Shanghai"))
    done = await service.publish(parse_version({**RENT, **window}), issuer_org_id=bureau, by="gwen",
                                 now=web.clock.now())
    assert await web.store.policies.match(done.policy_id, acme) is None  # 5 employees: not 10-200
    await web.sign_in("olga")
    form = {"name_zh": "艾克米设计", "name_en": "Acme Design (test)", "industry_codes": "8730", "employees": "42",
            "area_m2": "100"}
    saved = await _post(web, f"/console/enterprise/{acme}/profile", form)
    assert saved.status_code == 200 and "Saved." in saved.text, saved.text[-500:]
    match = await web.store.policies.match(done.policy_id, acme)
    assert match is not None and match.verdict == "eligible" and match.amount == 63_875  # 100 m2 x 1277.5 / 2
