"""The whole policy flow in Debian's chromium against a real server: an officer
publishes a rent subsidy with the rule builder (desktop), the eligible enterprise's
owner finds the notice with the reasons in the inbox (phone), sees the verdict clause by
clause with the amount's arithmetic and applies with a PDF, the officer asks for one
more document, the owner sends a photo, the officer approves; a possibly-eligible
enterprise sees the missing fact. Screenshots go to build/screenshots/web/policy-*.png."""

from __future__ import annotations

import asyncio
import io
import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from server.db import Store
from tests.web.conftest import LiveServer
from tests.web.policy_people import PolicyWorld, seed_policy_world
from tests.web.test_park_browser import DESKTOP, SHOTS, _fits, _page, _sign_in
from tests.web.test_park_browser import chromium as chromium  # the browser fixture

pytestmark = pytest.mark.slow


def _pdf() -> bytes:
    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", (40, 40), (255, 255, 255)).save(out, "PDF")
    return out.getvalue()


def _png() -> bytes:
    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 60)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def zone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, PolicyWorld]]:
    server = LiveServer(tmp_path_factory.mktemp("policies") / "data").start()
    found: list[PolicyWorld] = []

    async def seed() -> None:
        store = await Store.open(server.config.database_url)
        try:
            found.append(await seed_policy_world(store, server.config.scrypt_n, publish=False))
        finally:
            await store.close()
    seeding = threading.Thread(target=lambda: asyncio.run(seed()))
    seeding.start()
    seeding.join(30)
    yield server, found[0]
    server.stop()


def _publish(page: Any) -> None:
    page.fill('input[name="title_zh"]', "文化企业房租补贴（浏览器测试）")
    page.fill('input[name="title_en"]', "Rent subsidy for cultural enterprises (browser test)")
    page.fill('input[name="issuer"]', "朝阳区文化和旅游局（测试）")
    page.select_option('select[name="level"]', "district")
    page.fill('textarea[name="summary_en"]', "Half a year's rent, at most 500,000 yuan.")
    page.fill('textarea[name="body_zh"]', "第一条 对符合条件的文化企业给予房租补贴。\n第二条 补贴为年租金的百分之五十。")
    page.fill('input[name="apply_from"]', "2026-01-01")
    page.fill('input[name="apply_to"]', "2027-06-30")
    page.check('input[name="topics"][value="rent"]')
    page.select_option('select[name="cond.0.field"]', "employees")
    page.fill('input[name="cond.0.min"]', "10")
    page.fill('input[name="cond.0.max"]', "200")
    page.select_option('select[name="cond.1.field"]', "age_years")
    page.fill('input[name="cond.1.max"]', "15")
    page.select_option('select[name="cond.2.field"]', "in_zone")
    page.select_option('select[name="benefit.type"]', "percent")
    page.select_option('select[name="benefit.field"]', "area_m2")
    page.fill('input[name="benefit.per_unit"]', "1500")
    page.fill('input[name="benefit.percent"]', "50")
    page.fill('input[name="benefit.base_zh"]', "年租金")
    page.fill('input[name="benefit.base_en"]', "a year's rent")
    page.fill('input[name="mat.0.key"]', "lease")
    page.fill('input[name="mat.0.name_zh"]', "租赁合同")
    page.fill('input[name="mat.0.name_en"]', "Lease contract")
    page.fill('input[name="mat.1.key"]', "photos")
    page.fill('input[name="mat.1.name_zh"]', "场地照片")
    page.fill('input[name="mat.1.name_en"]', "Photos of the premises")
    page.check('input[name="mat.1.kind.image"]')
    page.locator("#publish").click()  # no cap yet: refused, the field named
    page.wait_for_load_state()
    assert "needs a cap" in page.locator('[data-field="benefit.cap"]').inner_text()
    page.screenshot(path=str(SHOTS / "policy-publish-refused-en.png"), full_page=True)
    page.fill('input[name="benefit.cap"]', "500000")
    page.locator("#publish").click()
    page.wait_for_url("**/console/government/policies?published=*")


def test_publish_notice_apply_ask_for_more_and_approve(chromium: Any,  # noqa: F811
                                                        zone: tuple[LiveServer, PolicyWorld]) -> None:
    server, w = zone
    officer = _page(chromium, "en-US", DESKTOP)
    _sign_in(officer, server.url, "dora", "/console/government/policies/new")
    _publish(officer)
    assert "every enterprise has been matched" in officer.locator("#published").inner_text()
    assert "1 eligible, 1 possibly eligible" in officer.locator("main").inner_text()
    officer.screenshot(path=str(SHOTS / "policy-published-en.png"), full_page=True)

    owner = _page(chromium, "en-US")
    _sign_in(owner, server.url, "olga", "/console/inbox")
    notice = owner.locator(".inbox-item").first.inner_text()
    assert "Rent subsidy for cultural enterprises (browser test)" in notice and "✓" in notice, notice
    _fits(owner)
    owner.screenshot(path=str(SHOTS / "policy-notice-phone-en.png"), full_page=True)
    owner.goto(f"{server.url}/console/enterprise/{w.acme}/policies")
    owner.locator(".policy-match h3 a").first.click()
    owner.wait_for_url("**/policies/*")
    verdict = re.sub(r"\s+", " ", owner.locator("#verdict").inner_text())
    assert "Eligible" in verdict and "Employees 35: must be within 10–200 people" in verdict
    assert "At 50 %: 180,000 yuan" in verdict
    _fits(owner)
    owner.screenshot(path=str(SHOTS / "policy-verdict-phone-en.png"), full_page=True)
    owner.set_input_files('input[name="file.lease"]', {"name": "lease.pdf", "mimeType": "application/pdf",
                                                        "buffer": _png()})  # a picture named .pdf
    owner.locator("#apply button").click()
    owner.wait_for_load_state()
    assert "named .pdf but its content is PNG" in owner.locator("#apply-error").inner_text()
    owner.set_input_files('input[name="file.lease"]', {"name": "租赁合同.pdf", "mimeType": "application/pdf",
                                                        "buffer": _pdf()})
    owner.locator("#apply button").click()
    owner.wait_for_url("**/applications/*?done=submitted")
    assert owner.locator("#application-state").inner_text() == "Submitted"
    _fits(owner)
    owner.screenshot(path=str(SHOTS / "policy-applied-phone-en.png"), full_page=True)
    application = owner.url.split("?")[0]

    officer.goto(f"{server.url}/console/government/applications")
    officer.locator(".entry.application a").first.click()
    officer.wait_for_url("**/console/government/applications/*")
    officer.locator("form.review-start_review button").click()
    officer.wait_for_url("**done=start_review")
    officer.fill("form.review-ask_more textarea", "请补充场地照片 (photos of the premises)")
    officer.locator("form.review-ask_more button").click()
    officer.wait_for_url("**done=ask_more")
    officer.screenshot(path=str(SHOTS / "policy-review-asked-en.png"), full_page=True)

    owner.goto(application)
    assert "请补充场地照片" in owner.locator("#application-note").inner_text()
    owner.set_input_files('input[name="file.photos"]', {"name": "site.png", "mimeType": "image/png", "buffer": _png()})
    owner.locator("#resubmit button").click()
    owner.wait_for_url("**done=resubmit")
    assert owner.locator("#application-state").inner_text() == "Resubmitted"

    officer.reload()
    officer.locator("form.review-start_review button").click()
    officer.wait_for_url("**done=start_review")
    assert officer.locator(".entry.file").count() == 2
    officer.fill("form.review-approve input[name=amount]", "180000")
    officer.locator("form.review-approve button").click()
    officer.wait_for_url("**done=approve")
    assert officer.locator("#application-state").inner_text() == "Approved"
    officer.screenshot(path=str(SHOTS / "policy-review-approved-en.png"), full_page=True)
    phone_officer = _page(chromium, "zh-CN")
    _sign_in(phone_officer, server.url, "dora", "/console/government/applications")
    _fits(phone_officer)
    phone_officer.screenshot(path=str(SHOTS / "policy-queue-phone-zh.png"), full_page=True)

    owner.goto(application)
    assert owner.locator("#application-state").inner_text() == "Approved"
    assert "approved 180,000 yuan" in owner.locator("#application").inner_text()
    owner.screenshot(path=str(SHOTS / "policy-approved-phone-en.png"), full_page=True)

    possibly = _page(chromium, "zh-CN")
    _sign_in(possibly, server.url, "zoe", f"/console/enterprise/{w.zeta}/policies")
    possibly.locator(".policy-match h3 a").first.click()
    possibly.wait_for_url("**/policies/*")
    text = re.sub(r"\s+", " ", possibly.locator("#verdict").inner_text())
    assert "可能符合" in text and "员工人数 未申报" in text, text
    _fits(possibly)
    possibly.screenshot(path=str(SHOTS / "policy-possibly-phone-zh.png"), full_page=True)
    # the public search and the full text, signed out, on a phone and a desktop
    public = _page(chromium, "zh-CN")
    public.goto(f"{server.url}/policies?q=房租补贴&open=true")
    hits = public.locator(".entry.policy h3 a")
    assert hits.count() == 1 and "文化企业房租补贴（浏览器测试）" in hits.first.inner_text()
    _fits(public)
    public.screenshot(path=str(SHOTS / "policy-search-phone-zh.png"), full_page=True)
    hits.first.click()
    public.wait_for_url("**/policies/*")
    body = re.sub(r"\s+", " ", public.locator("article").inner_text())
    assert "员工人数：须在 10–200 人 之间" in body and "按年租金的 50% 补贴，最高 500,000 元" in body, body
    _fits(public)
    public.screenshot(path=str(SHOTS / "policy-text-phone-zh.png"), full_page=True)
    wide = _page(chromium, "en-US", DESKTOP)
    wide.goto(f"{server.url}/policies?q=rent+subsidy")
    assert wide.locator(".entry.policy").count() == 1
    wide.screenshot(path=str(SHOTS / "policy-search-desktop-en.png"), full_page=True)
    for page in (officer, owner, possibly, phone_officer, public, wide):
        assert not page.errors, page.errors
