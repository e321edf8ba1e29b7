"""The console pages no other browser test opens, in Debian's chromium against one real
server, mostly on a 390x844 phone, each person in their own context: the enterprise
profile editor (a changed fact turns unverified, a bad one is refused naming it, the
zh/en switch), the web booth editor, the park catalogue editor (saved, then the rebuild
word, then online when the world server reports), the new-park form and the admin's
proposals (approved, on the portal), ``/directory`` (a search and its next page),
``/console/reset`` and ``/reset``; the wrong role gets the clear 403 page. Screenshots go
to build/screenshots/web/ (catalogue-*.png, profile-*.png, booth-*.png, directory-*.png,
reset-*.png)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from server.accounts import Accounts
from server.db import Store
from tests.web.conftest import LiveServer
from tests.web.people import PASSWORD
from tests.web.test_park_browser import DESKTOP, SHOTS, _fits, _page, _sign_in
from tests.web.test_park_browser import chromium as chromium  # the module's one browser
from world.profiles import EnterpriseProfile, Verification
from world.protocol.messages import BoothContent

pytestmark = pytest.mark.slow
PARK = "798-art-zone"
NEW_PARK = "jiuxianqiao-lab"
NOW = 1_790_000_000.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path_factory.mktemp("console-pages") / "data").start()

    async def seed() -> None:
        store = await Store.open(live.config.database_url)
        try:
            acme = (await store.orgs.named("Acme Design (test)"))[0]
            await store.profiles.save(acme.id, EnterpriseProfile(
                name_zh="艾克美设计（测试）", name_en="Acme Design (test)", founded=2016, employees=12,
                industry_codes=("7491",), park_id=PARK), now=NOW)
            await store.profiles.verify(acme.id, "employees", Verification("pam", acme.id, NOW))
            await store.booths.assign(PARK, "b01", acme.id, BoothContent(name="Acme stand", tagline="lamps"), NOW)
            await store.profiles.create_many([EnterpriseProfile(
                f"动漫工坊{i:02d}（演示）", f"Anime Works {i:02d} (demo)", park_id=PARK, industry_codes=("6572",),
                tags=("animation",)) for i in range(23)], now=NOW)
            await Accounts(store, scrypt_n=live.config.scrypt_n).create("rhea", PASSWORD, "Rhea Reset", "visitor",
                                                                        now=1.0)
        finally:
            await store.close()
    seeding = threading.Thread(target=lambda: asyncio.run(seed()))  # Playwright may hold this thread's loop
    seeding.start()
    seeding.join(30)
    yield live
    live.stop()


def _main(page: Any) -> str:
    return str(page.locator("main").inner_text())


def _shot(page: Any, name: str) -> None:
    _fits(page)
    page.screenshot(path=str(SHOTS / name), full_page=True)


def test_the_profile_editor_marks_a_changed_fact_unverified(chromium: Any, server: LiveServer) -> None:
    page = _page(chromium, "zh-CN")
    _sign_in(page, server.url, "olga", "/console/enterprise")
    page.locator("a.button", has_text="企业资料").first.click()
    page.wait_for_url("**/profile")
    employees = page.locator("label", has=page.locator('input[name="employees"]'))
    assert "已核实" in employees.inner_text()  # the park confirmed 12 employees
    _fits(page)
    page.fill('input[name="founded"]', "2099")
    page.locator("main form.stack button[type=submit]").click()
    page.wait_for_load_state()
    alert = page.locator("div.err[role=alert]").inner_text()
    assert "成立年份：2099 不在 1800 到" in alert and "founded" not in alert  # the label, in Chinese
    _shot(page, "profile-refused-phone-zh.png")

    page.fill('input[name="founded"]', "2016")
    page.fill('input[name="employees"]', "15")
    page.locator("main form.stack button[type=submit]").click()
    page.wait_for_load_state()
    assert "已保存" in page.locator("p.ok").inner_text()
    employees = page.locator("label", has=page.locator('input[name="employees"]'))
    assert "未核实" in employees.inner_text() and page.input_value('input[name="employees"]') == "15"
    founded = page.locator("label", has=page.locator('input[name="founded"]'))
    assert "未核实" in founded.inner_text()  # never confirmed
    _shot(page, "profile-editor-phone-zh.png")

    page.locator("form.lang [type=submit]").click()  # to English, on the same page
    page.wait_for_url("**/profile")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Profile of" in page.locator("h2").first.inner_text()
    employees = page.locator("label", has=page.locator('input[name="employees"]'))
    assert "unverified" in employees.inner_text()
    _shot(page, "profile-editor-phone-en.png")
    assert page.errors == []
    page.context.close()


def test_the_booth_editor_saves_the_content(chromium: Any, server: LiveServer) -> None:
    page = _page(chromium, "en-US")
    _sign_in(page, server.url, "olga", "/console/enterprise")
    page.locator(f'a[href="/console/enterprise/booths/{PARK}/b01"]').click()
    page.wait_for_url("**/b01")
    assert page.input_value('input[name="tagline"]') == "lamps"
    hints = server.heard("booth.>")
    page.fill('input[name="tagline"]', "new season")
    page.fill('textarea[name="description"]', "Hand-made lamps from Building 7")
    page.locator("main form.stack button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("p.ok").inner_text() == "Saved: visitors standing in the booth see it now."
    _shot(page, "booth-editor-phone-en.png")
    for _ in range(100):  # delivered on the server's loop, soon after the page
        if hints:
            break
        time.sleep(0.02)
    assert hints == [("booth.changed", {"park": PARK, "booth": "b01"})]  # what the world server re-reads on
    page.goto(f"{server.url}/console/enterprise")  # the console lists the saved booth
    assert "Acme stand" in _main(page)
    page.goto(f"{server.url}/console/enterprise/booths/{PARK}/b01")  # read back from the store
    assert page.input_value('input[name="tagline"]') == "new season"
    assert page.input_value('textarea[name="description"]') == "Hand-made lamps from Building 7"
    page.fill('input[name="logo"]', "http://[")
    page.locator("main form.stack button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("p.err").inner_text() == "Not saved: Logo picture (URL): “http://[” cannot be read as a URL."
    _shot(page, "booth-refused-phone-en.png")
    page.goto(f"{server.url}/console/enterprise")
    profile_url = server.url + page.locator('a.button[href$="/profile"]').first.get_attribute("href")
    assert page.errors == []
    page.context.close()

    member = _page(chromium, "zh-CN")  # an employee of the same enterprise: neither editor
    _sign_in(member, server.url, "emil", "/console/employee")
    member.goto(f"{server.url}/console/enterprise/booths/{PARK}/b01")
    assert member.locator("h1").inner_text() == "您没有权限打开此页面"
    assert "展位内容由持有该展位的企业的所有者和管理员，以及所在园区的工作人员编辑。" in _main(member)
    _shot(member, "booth-forbidden-phone-zh.png")
    member.goto(profile_url)
    assert "企业资料由企业的所有者和管理员编辑。" in _main(member)
    member.context.close()


def test_the_catalogue_editor_saves_and_says_the_rebuild(chromium: Any, server: LiveServer) -> None:
    page = _page(chromium, "zh-CN")
    _sign_in(page, server.url, "pam", f"/console/park/catalogue/{PARK}")
    assert "园区目录" in page.locator("h2").first.inner_text()
    revision = int(page.input_value('input[name="revision"]'))
    _shot(page, "catalogue-editor-phone-zh.png")
    page.fill('input[name="location_lat"]', "12.5")  # refused in Chinese, by the field's label
    page.locator("main form.stack > button[type=submit]").click()
    page.wait_for_load_state()
    alert = page.locator("div.error[role=alert]").inner_text()
    assert "位置 · 纬度：12.5 不在北京范围内（39.4 至 41.1）。" in alert and "location_lat" not in alert
    _shot(page, "catalogue-refused-phone-zh.png")
    page.goto(f"{server.url}/console/park/catalogue/{PARK}")
    page.fill('textarea[name="notes"]', "包豪斯厂房里的画廊（浏览器测试）")
    page.locator("main form.stack > button[type=submit]").click()
    page.wait_for_url(f"**?saved={revision + 1}")
    assert page.locator("p.ok").inner_text() == f"已保存为第 {revision + 1} 版。"
    rebuild = page.locator('.rebuild[data-rebuild="waiting"]')
    assert "正在等待世界服务器重建三维场景" in rebuild.inner_text()
    assert page.input_value('textarea[name="notes"]') == "包豪斯厂房里的画廊（浏览器测试）"
    _shot(page, "catalogue-saved-phone-zh.png")
    # the world server's word: the page (refreshing itself while waiting) turns to online
    server.publish("park.rebuilt", {"park": PARK, "ok": True, "revision": revision + 1, "scene_hash": "cd" * 32,
                                    "error": ""})
    page.wait_for_selector('.rebuild[data-rebuild="online"]', timeout=15_000)
    assert "三维场景已按此版本重建并上线" in page.locator(".rebuild").inner_text()
    assert "cdcdcdcdcdcd" in page.locator(".rebuild code").inner_text()
    _shot(page, "catalogue-online-phone-zh.png")
    assert page.errors == []
    page.context.close()

    desk = _page(chromium, "en-US", DESKTOP)
    _sign_in(desk, server.url, "pam", f"/console/park/catalogue/{PARK}")
    assert "The 3D scene was rebuilt from this revision and is online." in desk.locator(".rebuild").inner_text()
    width = desk.evaluate("document.documentElement.scrollWidth")
    assert width <= DESKTOP["width"], f"{width} px wide on a {DESKTOP['width']} px desktop"
    desk.screenshot(path=str(SHOTS / "catalogue-editor-desktop-en.png"), full_page=True)
    assert desk.errors == []
    desk.context.close()


def test_a_proposed_park_is_approved_and_goes_on_the_portal(chromium: Any, server: LiveServer) -> None:
    page = _page(chromium, "en-US")
    _sign_in(page, server.url, "vera", "/console/park/new")
    assert page.locator("h2").first.inner_text() == "Propose a park"
    park_id = page.locator('input[name="park_id"]')
    park_id.fill("Not An Id")  # the browser itself refuses it (the pattern is a valid regular expression)
    assert park_id.evaluate("e => e.validity.patternMismatch") is True
    park_id.fill(NEW_PARK)
    assert park_id.evaluate("e => e.validity.valid") is True
    page.fill('input[name="name_zh"]', "酒仙桥实验园")
    page.fill('input[name="name_en"]', "Jiuxianqiao Lab Park")
    page.fill('input[name="address_zh"]', "朝阳区酒仙桥路10号")
    page.select_option('select[name="style"]', "warehouse")
    page.fill('textarea[name="sources"]', "park office leaflet 2026")
    page.fill('input[name="area_m2"]', "25000")
    page.fill('input[name="location_lat"]', "39.98")
    page.fill('input[name="location_lon"]', "116.49")
    page.check('input[name="location_estimated"]')
    page.fill('input[name="location_basis"]', "from the address by hand")
    page.fill('input[name="venue-0-name"]', "Show hall")
    page.fill('input[name="venue-0-capacity"]', "200")
    _shot(page, "catalogue-new-phone-en.png")
    page.locator("main form.stack > button[type=submit]").click()
    page.wait_for_url(f"**?sent={NEW_PARK}")
    assert page.locator("p.ok").inner_text() == f"Park {NEW_PARK} is proposed: a platform admin will decide."
    assert f"{NEW_PARK} · waiting for a decision" in _main(page)
    _shot(page, "catalogue-proposed-phone-en.png")
    page.goto(f"{server.url}/console/park/proposals")  # not for a visitor: the clear page
    assert page.locator("h1").inner_text() == "You may not open this page"
    assert "Only platform admins decide on proposed parks." in _main(page)
    _shot(page, "catalogue-proposals-forbidden-phone-en.png")

    admin = _page(chromium, "zh-CN")
    _sign_in(admin, server.url, "ada", "/console/park/proposals")
    card = admin.locator(f"#proposal-{NEW_PARK}")
    assert "酒仙桥实验园" in card.locator("h3").inner_text()
    assert "Show hall" in card.inner_text() and "park office leaflet 2026" in card.inner_text()
    _shot(admin, "catalogue-proposals-phone-zh.png")
    card.locator('button[value="approve"]').click()
    admin.wait_for_url("**done=*")
    assert admin.locator("p.ok").inner_text() == f"已批准园区 酒仙桥实验园（{NEW_PARK}）：三维场景正在生成，随后上线。"
    assert "新园区申请" in admin.locator("h2").first.inner_text() and admin.locator(".proposal").count() == 0
    _shot(admin, "catalogue-approved-phone-zh.png")
    admin.goto(f"{server.url}/")
    assert admin.locator(".park").count() == 27
    assert admin.locator(".park", has_text="酒仙桥实验园").count() == 1
    assert admin.errors == []
    admin.context.close()

    page.goto(f"{server.url}/console/inbox")  # the proposer is told it was approved, the park by its name
    told = page.locator(".inbox-item").first.inner_text()
    assert "Park Jiuxianqiao Lab Park is online" in told
    assert f"The park you proposed, Jiuxianqiao Lab Park ({NEW_PARK}), is approved" in told
    _shot(page, "catalogue-approved-inbox-phone-en.png")
    page.goto(f"{server.url}/console/park/new")  # the proposer sees it online, with its editor
    assert f"{NEW_PARK} · online" in _main(page)
    page.locator(f'a[href="/console/park/catalogue/{NEW_PARK}"]').click()
    page.wait_for_url(f"**/catalogue/{NEW_PARK}")
    assert page.locator("h2").first.inner_text() == "Catalogue entry: Jiuxianqiao Lab Park"
    assert page.errors == []
    page.context.close()


def test_the_directory_finds_and_pages(chromium: Any, server: LiveServer) -> None:
    page = _page(chromium, "zh-CN")  # nobody signed in: the directory is public
    page.goto(f"{server.url}/directory")
    assert page.locator("h1").inner_text() == "企业名录"
    page.fill("#q", "anime")
    page.locator("form.search button").click()
    page.wait_for_url("**q=anime*")
    names = page.locator(".entry h3").all_inner_texts()
    assert len(names) == 20 and names[0] == "动漫工坊00（演示）"
    assert page.locator(".entry .other-name").first.inner_text() == "Anime Works 00 (demo)"
    assert page.locator("a[rel=next]").inner_text() == "下一页"
    _shot(page, "directory-phone-zh.png")
    page.locator("a[rel=next]").click()
    page.wait_for_url("**cursor=*")
    more = page.locator(".entry h3").all_inner_texts()
    assert more == [f"动漫工坊{i:02d}（演示）" for i in range(20, 23)]
    assert page.locator("a[rel=next]").count() == 0 and page.locator(".pager a").inner_text() == "第一页"
    _shot(page, "directory-next-phone-zh.png")
    page.fill("#q", "没有这家")
    page.locator("form.search button").click()
    page.wait_for_load_state()
    assert page.locator(".entry").count() == 0
    assert page.errors == []
    page.context.close()


def test_a_reset_link_is_issued_and_used(chromium: Any, server: LiveServer) -> None:
    wrong = _page(chromium, "en-US")
    _sign_in(wrong, server.url, "emil", "/console/employee")
    wrong.goto(f"{server.url}/console/reset")
    assert wrong.locator("h1").inner_text() == "You may not open this page"
    assert "Reset links are issued by an enterprise's admins or the platform admin." in _main(wrong)
    _shot(wrong, "reset-forbidden-phone-en.png")
    wrong.context.close()

    admin = _page(chromium, "en-US")
    _sign_in(admin, server.url, "ada", "/console/reset")
    admin.fill("#user", "nobody-here")
    admin.locator("main form button").click()
    admin.wait_for_load_state()
    assert admin.locator("p.error").inner_text() == "There is no account nobody-here."
    admin.fill("#user", "rhea")
    admin.locator("main form button").click()
    admin.wait_for_load_state()
    assert "One-time password reset link for rhea" in admin.locator(".once").inner_text()
    link = admin.locator("#reset-link").get_attribute("href")
    assert link and "/reset?token=" in link
    _shot(admin, "reset-issue-phone-en.png")
    assert admin.errors == []
    admin.context.close()

    page = _page(chromium, "zh-CN")  # the person it is for, on their own phone
    page.goto(link)
    assert page.locator("h1").inner_text() == "设置新密码"
    page.fill("#password", "a brand new one 7")
    page.fill("#again", "a brand new one 8")
    page.locator("main form button").click()
    page.wait_for_load_state()
    assert page.locator("p.error").inner_text() == "两次输入的密码不一致。"
    page.fill("#password", "a brand new one 7")
    page.fill("#again", "a brand new one 7")
    _shot(page, "reset-form-phone-zh.png")
    page.locator("main form button").click()
    page.wait_for_load_state()
    assert page.locator("p.ok").inner_text().startswith("新密码已保存")
    _shot(page, "reset-done-phone-zh.png")
    page.goto(link)  # once only
    page.fill("#password", "another new one 9")
    page.fill("#again", "another new one 9")
    page.locator("main form button").click()
    page.wait_for_load_state()
    assert page.locator("p.error").inner_text() == "此链接无效、已使用或已过期。请管理员重新生成。"
    page.goto(f"{server.url}/signin")
    page.fill("#user", "rhea")
    page.fill("#password", PASSWORD)  # the old password no longer works
    page.locator("main form button").click()
    assert page.locator("p.error").is_visible()
    page.fill("#user", "rhea")
    page.fill("#password", "a brand new one 7")
    page.locator("main form button").click()
    page.wait_for_url("**/console/")
    assert "Rhea Reset" in _main(page)
    assert page.errors == []
    page.context.close()
