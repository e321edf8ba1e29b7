"""The sign-in panel (tools/webxr/web/account.js) in headless chromium against the real server:
register, come back signed in by the remembered token, sign out, a wrong password.

Screenshot: build/screenshots/webxr/sign-in.png (the register form showing a server error).
"""

from __future__ import annotations

import json
import time

import pytest

from tests.webxr.conftest import PARK

pytestmark = pytest.mark.slow

JOINED = "window.cloudpark && window.cloudpark.state && window.cloudpark.state().net === 'joined'"
PASSWORD = "lantern-festival-42"


def signed_in_as(user: str) -> str:
    return f"{JOINED} && (window.cloudpark.state().user || {{}}).id === {json.dumps(user)}"


def wait_avatars(server, expected: list[tuple[int, str]], timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while (got := server.avatars(PARK)) != expected and time.monotonic() < deadline:
        time.sleep(0.05)
    assert got == expected


def test_register_in_the_page_then_come_back_signed_in_by_token(page, world_server, shots) -> None:
    page.goto(world_server.url(f"/web/{PARK}/"))
    page.wait_for_function(JOINED, timeout=30_000)
    # A first visit offers the choice; meanwhile the visitor is already in the park as a guest.
    assert page.locator("#account").is_visible()
    assert page.evaluate("window.cloudpark.state().user.role") == "guest"
    page.click("#account [data-tab=register]")
    form = page.locator("#account form.register")
    form.locator("[name=user]").fill("li-na")
    form.locator("[name=password]").fill("short")
    form.locator("[name=name]").fill("Li Na")
    form.locator("button[type=submit]").click()
    assert "at least 8 characters" in form.locator(".err[data-for=password]").inner_text()
    # The server's answer for a taken user name, next to the user field; the form keeps its values.
    form.locator("[name=user]").fill("demo-inkstone")
    form.locator("[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    err = form.locator(".err[data-for=user]")
    err.wait_for(timeout=10_000)
    assert err.inner_text().startswith("conflict: ") and "already taken" in err.inner_text()
    assert form.locator("[name=password]").input_value() == PASSWORD
    assert form.locator("[name=name]").input_value() == "Li Na"
    page.locator("#left").screenshot(path=str(shots / "sign-in.png"))
    form.locator("[name=user]").fill("li-na")
    form.locator("button[type=submit]").click()
    page.wait_for_function(signed_in_as("li-na"), timeout=15_000)
    assert page.locator("#account").is_hidden()
    assert page.locator("#whoami").inner_text() == "Li Na · visitor"
    you = page.evaluate("window.cloudpark.state().you")
    wait_avatars(world_server, [(you, "Li Na")])  # the guest avatar left; one avatar, signed in
    stored = page.evaluate("JSON.stringify(window.localStorage)")
    assert "cloudpark.login" in stored and PASSWORD not in stored, "the token is kept, never the password"
    assert page.evaluate("window.cloudpark.conn.token")

    # Next visit: signed in at once with the remembered token (no panel, no password).
    sessions_before = len(page.console_errors)
    page.reload()
    page.wait_for_function(signed_in_as("li-na"), timeout=30_000)
    assert page.locator("#account").is_hidden()
    assert page.locator("#whoami").inner_text() == "Li Na · visitor"
    you = page.evaluate("window.cloudpark.state().you")
    wait_avatars(world_server, [(you, "Li Na")])  # the old page's avatar left at once
    assert page.evaluate("window.cloudpark.state().user.role") == "visitor"

    # Sign out: a guest again, the token is revoked on the server, the next visit is not signed in.
    token = json.loads(page.evaluate("window.localStorage.getItem('cloudpark.login')"))["token"]
    page.click("#account-button")
    page.click("#account .signout")
    page.wait_for_function(f"{JOINED} && window.cloudpark.state().user.role === 'guest'", timeout=15_000)
    assert page.evaluate("window.localStorage.getItem('cloudpark.login')") is None
    from server.accounts import AccountError

    deadline = time.monotonic() + 10
    while True:  # the sign_out frame went out just before the page switched connections
        try:
            world_server.run(world_server.app.accounts.from_token(token, now=time.time()))
        except AccountError:
            break
        assert time.monotonic() < deadline, "the saved token still signs in after sign-out"
        time.sleep(0.1)
    page.reload()
    page.wait_for_function(f"{JOINED} && window.cloudpark.state().user.role === 'guest'", timeout=30_000)
    assert len(page.console_errors) == sessions_before == 0, page.console_errors


def test_a_wrong_password_shows_the_servers_error_and_keeps_the_visitor_in_the_park(page, world_server) -> None:
    page.goto(world_server.url(f"/web/{PARK}/?name=Wanderer"))
    page.wait_for_function(JOINED, timeout=30_000)
    assert page.locator("#account").is_hidden(), "a visitor who came with a name is not asked"
    you = page.evaluate("window.cloudpark.state().you")
    page.click("#account-button")
    page.click("#account [data-tab=login]")
    form = page.locator("#account form.login")
    form.locator("[name=user]").fill("demo-inkstone")
    form.locator("[name=password]").fill("not-the-password")
    form.locator("button[type=submit]").click()
    err = form.locator(".err[data-for=password]")
    err.wait_for(timeout=10_000)
    assert err.inner_text() == "auth_failed: wrong user name or password"
    assert form.locator("[name=user]").input_value() == "demo-inkstone"
    assert form.locator("[name=password]").input_value() == ""
    # Nothing lost: still the same guest avatar in the park.
    assert page.evaluate("window.cloudpark.state()")["you"] == you
    assert world_server.avatars(PARK) == [(you, "Wanderer")]
    assert page.evaluate("window.localStorage.getItem('cloudpark.login')") is None
    # The right password signs in (an enterprise account of the demo seed).
    form.locator("[name=password]").fill("demo-password")
    form.locator("button[type=submit]").click()
    page.wait_for_function(signed_in_as("demo-inkstone"), timeout=15_000)
    assert page.locator("#whoami").inner_text() == "Inkstone Animation (demo) · enterprise account · Inkstone Animation (demo)"
    assert page.console_errors == []


def test_a_refused_saved_token_is_forgotten_and_the_visitor_enters_as_a_guest(page, world_server) -> None:
    page.context.add_init_script(
        "try { localStorage.setItem('cloudpark.login', JSON.stringify({token: 'revoked-or-made-up'})); } catch (e) {}")
    page.goto(world_server.url(f"/web/{PARK}/"))
    page.wait_for_function(f"{JOINED} && window.cloudpark.state().user.role === 'guest'", timeout=30_000)
    notice = page.locator("#account .formline.err")
    assert "auth_failed: token unknown, expired or signed out" in notice.inner_text()
    assert page.locator("#account [data-tab=login]").get_attribute("aria-selected") == "true"
    assert page.evaluate("window.cloudpark.conn.token") is None
    assert page.evaluate("window.localStorage.getItem('cloudpark.login')") is None
    assert page.console_errors == []
