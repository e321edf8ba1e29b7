"""The browser client in Chinese and in English, every word from the catalogue.

A Chinese browser (``zh-CN``) gets Chinese, an English one English; the account panel
(guest, log in, register, signed in), the HUD and a booth panel with its owner's tools are
read whole (text, placeholders, labels) and must hold no key the catalogue lacks and, in
Chinese, no English word but the page's data (booth content, names, the park's id) and
key caps. The switch redraws the page, is stored on the account of a signed-in person
(``set_lang``), and that account's next visit starts in it even from a Chinese browser.
Screenshots (desktop and phone) in build/screenshots/webxr/.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.webxr.conftest import PARK
from tests.webxr.test_web_booth import BOOTH, enter_booth, remember_login

pytestmark = pytest.mark.slow
JOINED = "window.cloudpark && window.cloudpark.state && window.cloudpark.state().net === 'joined'"
KEY_CAPS = {"WASD", "Shift", "English", "VR", "AR", "URL", "https"}

# Everything a person reads in the overlay: rendered text (closed <details> opened first),
# placeholders, labels and tooltips (not the connection detail, which is technical).
READ = """() => {
  for (const d of document.querySelectorAll('#overlay details')) d.open = true;
  const o = document.getElementById('overlay');
  const parts = [o.innerText];
  for (const n of o.querySelectorAll('[placeholder]')) parts.push(n.placeholder);
  for (const n of document.querySelectorAll('[aria-label]')) parts.push(n.getAttribute('aria-label'));
  for (const n of o.querySelectorAll('[title]')) if (n.id !== 'status') parts.push(n.title);
  return parts.join('\\n');
}"""
# What the page shows that is data, not interface: booth content, people, the park's name.
DATA = """() => {
  const b = window.cloudpark.booth.booth;
  const c = (b && b.content) || {};
  const u = window.cloudpark.state().user || {};
  return [c.name, c.tagline, c.description, b && b.id, b && b.owner, ...((b && b.staff) || []),
    ...(c.products || []).flatMap((p) => [p.name, p.price, p.description]),
    ...(c.links || []).flatMap((l) => [l.label, l.url]),
    document.getElementById('park-title').textContent, u.name, u.company, u.id].filter(Boolean);
}"""


def english_left(page) -> list[str]:  # type: ignore[no-untyped-def]
    text = page.evaluate(READ)
    for data in sorted(page.evaluate(DATA), key=len, reverse=True):
        text = text.replace(data, " ")
    return [w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in KEY_CAPS]


def open_zh(browser, locale: str = "zh-CN", viewport: dict | None = None):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale=locale, viewport=viewport or {"width": 1024, "height": 640})
    page = context.new_page()
    page.console_errors = []  # type: ignore[attr-defined]
    # (a page served by the world server, not the web app, finds no /api/session: that 404 is expected)
    page.on("console", lambda m: m.type == "error" and "Failed to load resource" not in m.text
            and page.console_errors.append(m.text))  # type: ignore[attr-defined]
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))  # type: ignore[attr-defined]
    return context, page


def missing(page) -> list[str]:  # type: ignore[no-untyped-def]
    return page.evaluate("window.cloudpark.state().missingTexts")


def test_a_chinese_browser_gets_every_panel_in_chinese(browser, world_server, shots) -> None:
    context, page = open_zh(browser)
    try:
        page.goto(world_server.url(f"/web/{PARK}/"))
        page.wait_for_function(JOINED, timeout=30_000)
        assert page.evaluate("window.cloudpark.state().lang") == "zh"
        assert page.evaluate("document.documentElement.lang") == "zh-CN"
        assert not page.locator("#account").is_hidden()  # first visit: the sign-in panel
        for tab in ("guest", "login", "register"):
            page.locator(f"#account [data-tab={tab}]").click()
            assert english_left(page) == [], tab
        page.locator("#account [data-tab=register] ").click()
        page.locator("#account select[name=role]").select_option("enterprise")
        page.locator("#account form.register button[type=submit]").click()  # every field refused, in Chinese
        assert page.locator("#account .err[data-for=user]").inner_text() == "请设置用户名。"
        assert english_left(page) == []
        page.screenshot(path=str(shots / "lang_account_zh.png"))
        assert "在线" in page.locator("#online").inner_text()
        assert page.locator("#lang-button").inner_text() == "English"
        assert missing(page) == [] and page.console_errors == []
    finally:
        context.close()


def test_an_owner_in_chinese_then_switching_stores_english_on_the_account(browser, world_server, shots) -> None:
    world_server.create_account("acme", "gears-and-levers", "赵磊", "enterprise", "Acme Robotics")
    world_server.run(world_server.app.assign_booth(PARK, BOOTH, "acme"))
    context, page = open_zh(browser)
    try:
        remember_login(context, world_server, "acme")
        enter_booth(page, world_server, "acme")
        assert page.evaluate("window.cloudpark.state().lang") == "zh"
        assert page.locator("#booth .edit-booth").count() == 1  # the owner's tools, in Chinese
        assert english_left(page) == []
        assert "编辑展位" in page.locator("#booth").inner_text()
        page.screenshot(path=str(shots / "lang_booth_zh.png"))
        page.locator("#account-button").click()
        assert "当前登录：赵磊" in page.locator("#account").inner_text()
        assert english_left(page) == []
        assert missing(page) == []
        # the switch: the page at once, this browser's cookie, and the account
        you = page.evaluate("window.cloudpark.state().you")
        page.locator("#lang-button").click()
        page.wait_for_function("window.cloudpark.state().lang === 'en'")
        # the open panel is redrawn in the new words (and again when the server's answer to
        # set_lang refreshes the session): wait for the words, not for one frame
        page.wait_for_function("document.querySelector('#booth').innerText.includes('Edit booth')", timeout=10_000)
        assert "Signed in as 赵磊" in page.locator("#account").inner_text()
        # the server's refreshed session (the account changed) kept the avatar: no second join
        page.wait_for_timeout(300)
        assert page.evaluate("window.cloudpark.state().you") == you
        assert page.evaluate("window.cloudpark.state().booth") == BOOTH
        assert page.locator("#lang-button").inner_text() == "中文"
        assert {"name": "lang", "value": "en"} in [{"name": c["name"], "value": c["value"]} for c in context.cookies()]
        deadline_ok = False
        for _ in range(50):
            account = world_server.run(world_server.app.store.accounts.get("acme"))
            if account.lang == "en":
                deadline_ok = True
                break
            page.wait_for_timeout(100)
        assert deadline_ok, "the choice was not stored on the account"
        page.screenshot(path=str(shots / "lang_booth_en.png"))
        assert missing(page) == [] and page.console_errors == []
    finally:
        context.close()
    # the next visit, from a Chinese browser without the cookie: the account's English wins
    context, page = open_zh(browser)
    try:
        remember_login(context, world_server, "acme")
        page.goto(world_server.url(f"/web/{PARK}/"))
        page.wait_for_function("window.cloudpark && typeof window.cloudpark.state === 'function' && "
                               "(window.cloudpark.state().user || {}).id === 'acme'", timeout=30_000)  # once it runs
        page.wait_for_function("window.cloudpark.state().lang === 'en'", timeout=10_000)
        assert page.locator("#account-button").inner_text() == "Account"
    finally:
        context.close()


def test_an_english_browser_gets_english_and_a_phone_has_no_sideways_scroll(browser, world_server, shots) -> None:
    context, page = open_zh(browser, locale="en-GB", viewport={"width": 390, "height": 844})
    try:
        page.goto(world_server.url(f"/web/{PARK}/"))
        page.wait_for_function(JOINED, timeout=30_000)
        assert page.evaluate("window.cloudpark.state().lang") == "en"
        assert "Welcome to the park" in page.locator("#account").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        # a guest's switch stays in this browser (no account to store it on)
        page.locator("#lang-button").click()
        page.wait_for_function("window.cloudpark.state().lang === 'zh'")
        assert "欢迎来到园区" in page.locator("#account").inner_text()
        assert english_left(page) == []
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=str(shots / "lang_phone_zh.png"))
        page.reload()
        page.wait_for_function(JOINED, timeout=30_000)
        assert page.evaluate("window.cloudpark.state().lang") == "zh"  # the cookie remembers it
        assert missing(page) == [] and page.console_errors == []
    finally:
        context.close()


def test_the_export_carries_both_languages(exported) -> None:  # type: ignore[no-untyped-def]
    html = (exported.out / "index.html").read_text(encoding="utf-8")
    config = json.loads(re.search(r'id="cloudpark-config">(.*?)</script>', html, re.S).group(1))  # type: ignore[union-attr]
    assert config["lang"] == ""  # the web app fills in the viewer's language
    assert set(config["texts"]) == {"zh", "en"}
    assert set(config["texts"]["zh"]) == set(config["texts"]["en"])
    assert config["texts"]["zh"]["web3d.account.welcome"] == "欢迎来到园区"
    assert all(k.startswith(("client.", "web3d.", "role.")) for k in config["texts"]["en"])
