"""The booth panel for signed-in people (tools/webxr/web/booth.js, booth_owner.js) in headless
chromium against the real server: a visitor leaves a business card (only with consent), an
enterprise edits its own booth while a visitor in the zone sees it change, owner statistics,
and a refusal by the server shown with its reason.

Screenshots: build/screenshots/webxr/card-form.png, card-sent.png, edit-booth.png,
booth-visitors.png.
"""

from __future__ import annotations

import json

import pytest

from tests.webxr.conftest import PARK

pytestmark = pytest.mark.slow

JOINED = "window.cloudpark && window.cloudpark.state && window.cloudpark.state().net === 'joined'"
BOOTH = "booth-a"


def remember_login(context, server, user: str) -> None:  # type: ignore[no-untyped-def]
    """What the page keeps after a login (a token, no password), as on a second visit."""
    saved = json.dumps(json.dumps(server.login_token(user)))
    context.add_init_script(f"try {{ localStorage.setItem('cloudpark.login', {saved}); }} catch (e) {{}}")


def enter_booth(page, server, user: str | None = None, query: str = "") -> None:  # type: ignore[no-untyped-def]
    """Open the park (signed in as ``user`` when given) and run east into booth-a's zone."""
    page.goto(server.url(f"/web/{PARK}/{query}"))
    page.wait_for_function(JOINED, timeout=30_000)
    if user is not None:
        page.wait_for_function(f"(window.cloudpark.state().user || {{}}).id === {json.dumps(user)}", timeout=10_000)
    page.evaluate("window.cloudpark.setHeading(0)")
    page.locator("#view").click()
    page.keyboard.down("Shift")
    page.keyboard.down("KeyW")
    try:
        page.wait_for_selector(f"#booth[data-booth={BOOTH}]:not([hidden]) h2", timeout=20_000)
    finally:
        page.keyboard.up("KeyW")
        page.keyboard.up("Shift")
    # Running at 6 m/s, a slow frame on a busy machine can carry the avatar out through the
    # zone's far side after the keys are up: once it stands, walk back in if it did.
    page.wait_for_function("""() => { const s = window.cloudpark.state().self, w = window.__still || {};
        window.__still = {x: s.x, y: s.y, n: (w.x === s.x && w.y === s.y) ? (w.n || 0) + 1 : 0};
        return window.__still.n >= 5; }""", polling=100, timeout=10_000)
    if page.evaluate("window.cloudpark.state().booth") != BOOTH:
        page.keyboard.down("KeyS")
        try:
            page.wait_for_function(f"window.cloudpark.state().booth === {json.dumps(BOOTH)}", timeout=10_000)
        finally:
            page.keyboard.up("KeyS")
        page.wait_for_selector(f"#booth[data-booth={BOOTH}]:not([hidden]) h2", timeout=10_000)


def second_page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1024, "height": 640})
    pg = context.new_page()
    pg.console_errors = []  # type: ignore[attr-defined]
    pg.on("console", lambda m: m.type == "error" and pg.console_errors.append(m.text))  # type: ignore[attr-defined]
    pg.on("pageerror", lambda e: pg.console_errors.append(str(e)))  # type: ignore[attr-defined]
    return context, pg


def test_a_signed_in_visitor_leaves_a_card_only_with_consent(page, world_server, shots) -> None:
    world_server.create_account("wang-fang", "paper-kites-88", "Wang Fang", "visitor")
    remember_login(page.context, world_server, "wang-fang")
    enter_booth(page, world_server, "wang-fang")
    panel = page.locator("#booth")
    assert panel.locator(".cardnote").count() == 0
    assert panel.locator(".edit-booth").count() == 0, "a visitor gets no owner tools"
    panel.locator(".leave-card summary").click()
    form = panel.locator("form.card")
    assert form.locator("[name=name]").input_value() == "Wang Fang"  # prefilled from the account
    send = form.locator("button.send")
    assert send.is_disabled(), "no consent yet: sending is impossible"
    form.locator("[name=company]").fill("Paper Kites Ltd")
    form.locator("[name=email]").fill("wang@kites.example")
    form.locator("[name=phone]").fill("+86 10 5555 0100")
    form.locator("[name=message]").fill("Please send me your showreel.")
    send.click(force=True)  # a click on the disabled button sends nothing
    assert send.is_disabled()
    page.wait_for_timeout(300)
    assert world_server.cards(PARK, BOOTH) == []
    form.locator("[name=consent]").check()
    assert send.is_enabled()
    panel.screenshot(path=str(shots / "card-form.png"))
    send.click()
    ok = form.locator(".formline.ok")
    ok.wait_for(timeout=10_000)
    assert ok.inner_text() == "Card left at Inkstone Animation (demo). Thank you!"
    panel.screenshot(path=str(shots / "card-sent.png"))
    cards = world_server.cards(PARK, BOOTH)
    assert [(c["user"], c["name"], c["company"], c["email"], c["phone"], c["message"]) for c in cards] == [
        ("wang-fang", "Wang Fang", "Paper Kites Ltd", "wang@kites.example", "+86 10 5555 0100",
         "Please send me your showreel.")]
    # The next card needs consent again; the details stay for it.
    assert send.is_disabled() and not form.locator("[name=consent]").is_checked()
    assert form.locator("[name=email]").input_value() == "wang@kites.example"

    # The network drops as the second card goes out: the error is shown and nothing typed is lost.
    form.locator("[name=message]").fill("And the price list, please.")
    form.locator("[name=consent]").check()
    # The error line is recorded the moment it appears: under load the resume (500 ms on)
    # can redraw the panel before a poll of the page would see the line.
    page.evaluate("""() => {
      window.cardError = null;
      const form = document.querySelector('#booth form.card');
      new MutationObserver(() => {
        const line = form.querySelector('.formline.err');
        if (line && window.cardError === null) window.cardError = line.textContent;
      }).observe(form, { subtree: true, childList: true, attributes: true, characterData: true });
    }""")
    assert world_server.drop_all() == 1
    send.click()
    page.wait_for_function("window.cardError !== null", timeout=10_000)
    assert page.evaluate("window.cardError").startswith("Card not sent (closed: ")
    assert form.locator("[name=message]").input_value() == "And the price list, please."
    page.wait_for_function(JOINED, timeout=15_000)  # resumed, still in the booth, form kept
    assert form.locator("[name=consent]").is_checked() and send.is_enabled()
    send.click()
    page.wait_for_function("document.querySelector('#booth form.card .formline').classList.contains('ok')",
                           timeout=10_000)
    assert [c["message"] for c in world_server.cards(PARK, BOOTH)] == [
        "And the price list, please.", "Please send me your showreel."]
    assert page.console_errors == []


def test_an_enterprise_edits_its_booth_and_a_visitor_in_the_zone_sees_it_live(browser, page, world_server,
                                                                               shots) -> None:
    # An enterprise account (the server's accounts API, as `cloudpark accounts create`) gets booth-a.
    world_server.create_account("acme", "gears-and-levers", "Zhao Lei", "enterprise", "Acme Robotics")
    world_server.run(world_server.app.assign_booth(PARK, BOOTH, "acme"))
    context, visitor = second_page(browser)
    try:
        enter_booth(visitor, world_server, query="?name=Visitor%20B")
        assert visitor.locator("#booth h2").inner_text() == BOOTH  # a new owner starts empty
        assert visitor.locator("#booth .edit-booth").count() == 0

        remember_login(page.context, world_server, "acme")
        enter_booth(page, world_server, "acme")
        panel = page.locator("#booth")
        panel.locator(".edit-booth summary").click()
        form = panel.locator("form.edit")
        form.locator("[name=name]").fill("Acme Robotics")
        form.locator("[name=tagline]").fill("Robots that draw with ink")
        form.locator("[name=description]").fill("Come and watch a robot paint calligraphy.")
        form.locator("[name=video]").fill("https://acme.example/reel.mp4")  # (images would be fetched: offline)
        form.locator("button.add", has_text="+ Link").click()
        form.locator("[data-field='links[0].label']").fill("Website")
        form.locator("[data-field='links[0].url']").fill("ftp://acme.example/")
        form.locator("button.add", has_text="+ Product").click()
        form.locator("[data-field='products[0].name']").fill("Inkbot 2")
        form.locator("[data-field='products[0].price']").fill("¥ 9,800")
        form.locator("button[type=submit]").click()
        # The server refuses the link's URL: the error sits next to that input; nothing changed.
        err = form.locator(".err[data-for='links[0].url']")
        err.wait_for(timeout=10_000)
        assert err.inner_text().startswith("invalid: links[0].url: URL must start with http:// or https://")
        assert visitor.locator("#booth h2").inner_text() == BOOTH
        form.locator("[data-field='links[0].url']").fill("https://acme.example/")
        form.locator("button[type=submit]").click()
        form.locator(".formline.ok").wait_for(timeout=10_000)
        panel.screenshot(path=str(shots / "edit-booth.png"))

        # The visitor standing in the zone sees the new content without doing anything.
        visitor.wait_for_function("document.querySelector('#booth h2').textContent === 'Acme Robotics'",
                                  timeout=5_000)
        text = visitor.locator("#booth").inner_text()
        assert "Robots that draw with ink" in text and "Inkbot 2 · ¥ 9,800" in text
        assert visitor.locator("#booth .links a").get_attribute("href") == "https://acme.example/"
        content = world_server.call(lambda app: app.parks[PARK].booths[BOOTH].content)
        assert (content.name, content.video, content.links[0].url) == (
            "Acme Robotics", "https://acme.example/reel.mp4", "https://acme.example/")
        assert visitor.locator("#booth a.video").get_attribute("href") == "https://acme.example/reel.mp4"

        # The visitor likes it; the owner's "My booth's visitors" shows the like.
        visitor.locator("#booth .like").click()
        visitor.wait_for_function("document.querySelector('#booth .like').classList.contains('on')")
        panel.locator(".visitors summary").click()
        page.wait_for_function("(document.querySelector('#booth [data-stat=likes]') || {}).textContent === '1 like'",
                               timeout=10_000)
        assert panel.locator("[data-stat=cards]").inner_text() == "0 cards"
        panel.locator(".visitors .statsbody").scroll_into_view_if_needed()
        panel.screenshot(path=str(shots / "booth-visitors.png"))
        # The owner's edit form survived the booth pushes (likes) with what it holds.
        assert form.locator("[name=tagline]").input_value() == "Robots that draw with ink"
        assert visitor.console_errors == [] and page.console_errors == []
    finally:
        context.close()


def test_a_refused_edit_shows_the_servers_reason(page, world_server) -> None:
    # Park staff of another park: the permission map says "you may edit booths" (in your
    # parks), so the form is offered; the server refuses this park's booth and says why.
    world_server.create_account("ops-lin", "night-shift-77", "Lin Ops", "park_staff", parks=("other-park",))
    remember_login(page.context, world_server, "ops-lin")
    enter_booth(page, world_server, "ops-lin")
    panel = page.locator("#booth")
    panel.locator(".edit-booth summary").click()
    form = panel.locator("form.edit")
    form.locator("[name=tagline]").fill("Not mine to change")
    form.locator("button[type=submit]").click()
    line = form.locator(".formline.err")
    line.wait_for(timeout=10_000)
    assert line.inner_text().startswith("not_allowed: ")
    assert form.locator("[name=tagline]").input_value() == "Not mine to change"
    assert world_server.call(lambda app: app.parks[PARK].booths[BOOTH].content.tagline) == \
        "Hand-drawn animation studio"
    panel.locator(".visitors summary").click()
    stats = panel.locator(".visitors .formline.err")
    stats.wait_for(timeout=10_000)
    assert stats.inner_text().startswith("not_allowed: ")
    assert page.console_errors == []
