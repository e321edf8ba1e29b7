"""The JSON API and the session rules, with httpx against the ASGI app over a real
SQLite store: sign in and out, CSRF, roles, language, validation, body size."""

from __future__ import annotations

import json
import os
import stat

import pytest

from server.accounts import token_hash
from server.web.app import route_actions
from server.web.sessions import SECRET_FILE, SESSION_COOKIE
from tests.web.conftest import AppUnderTest

pytestmark = pytest.mark.anyio


async def test_sign_in_sets_an_httponly_lax_cookie_and_me_names_the_person(web: AppUnderTest) -> None:
    assert (await web.client.get("/api/me")).status_code == 401
    reply = await web.sign_in("olga")
    cookie = reply.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie  # plain http here
    assert reply.json()["signed_in"] and reply.json()["user"] == "olga"
    me = (await web.client.get("/api/me")).json()
    assert me["user"] == "olga" and me["consoles"] == ["enterprise", "employee"]
    assert [m["org_name"] for m in me["memberships"]] == ["Acme Design (test)"]
    assert me["permissions"]["console.enterprise"] and not me["permissions"]["console.park"]


async def test_the_token_is_stored_hashed_and_sign_out_revokes_it(web: AppUnderTest) -> None:
    await web.sign_in("vera")
    token = web.client.cookies[SESSION_COOKIE]
    assert await web.store.accounts.token_user(token_hash(token), web.clock.now()) == "vera"
    csrf = await web.csrf()
    out = await web.client.delete("/api/session", headers={"X-CSRF-Token": csrf})
    assert out.status_code == 200 and out.json() == {"revoked": 1}
    assert await web.store.accounts.token_user(token_hash(token), web.clock.now()) is None
    web.client.cookies.set(SESSION_COOKIE, token)  # a copied cookie is worth nothing now
    assert (await web.client.get("/api/me")).status_code == 401


async def test_sign_out_everywhere_revokes_every_session_of_the_account(web: AppUnderTest) -> None:
    await web.sign_in("pam")
    first = web.client.cookies[SESSION_COOKIE]
    web.client.cookies.clear()
    await web.sign_in("pam")
    out = await web.client.delete("/api/session?everywhere=true", headers={"X-CSRF-Token": await web.csrf()})
    assert out.json() == {"revoked": 2}
    assert await web.store.accounts.token_user(token_hash(first), web.clock.now()) is None


async def test_wrong_password_is_refused_without_saying_which_part_was_wrong(web: AppUnderTest) -> None:
    reply = await web.client.post("/api/session", json={"user": "olga", "password": "nope nope"},
                                  headers={"X-CSRF-Token": await web.csrf()})
    assert reply.status_code == 401 and reply.json()["detail"] == "wrong user name or password"
    assert SESSION_COOKIE not in web.client.cookies


@pytest.mark.parametrize("token", [None, "", "0" * 64])
async def test_unsafe_methods_without_the_csrf_token_are_refused(web: AppUnderTest, token: str | None) -> None:
    headers = {} if token is None else {"X-CSRF-Token": token}
    reply = await web.client.post("/api/session", json={"user": "olga", "password": "correct horse 1"},
                                  headers=headers)
    assert reply.status_code == 403 and "CSRF" in reply.json()["detail"]
    form = await web.client.post("/signin", data={"user": "olga", "password": "correct horse 1",
                                                  **({} if token is None else {"csrf": token})})
    assert form.status_code == 403 and SESSION_COOKIE not in web.client.cookies


async def test_the_csrf_token_follows_the_session(web: AppUnderTest) -> None:
    before = await web.csrf()
    await web.sign_in("vera")
    after = await web.csrf()
    assert before != after
    stale = await web.client.delete("/api/session", headers={"X-CSRF-Token": before})
    assert stale.status_code == 403
    assert (await web.client.delete("/api/session", headers={"X-CSRF-Token": after})).status_code == 200


async def test_the_server_secret_is_created_private(web: AppUnderTest) -> None:
    await web.csrf()
    mode = os.stat(web.config.data_dir / SECRET_FILE).st_mode
    assert stat.S_IMODE(mode) == 0o600


async def test_wrong_role_gets_a_clear_403_page_and_guests_are_sent_to_sign_in(web: AppUnderTest) -> None:
    guest = await web.client.get("/console/park")
    assert guest.status_code == 303 and guest.headers["location"] == "/signin?next=%2Fconsole%2Fpark"
    await web.sign_in("vera")
    for console in ("government", "park", "enterprise", "employee"):
        page = await web.client.get(f"/console/{console}", headers={"Accept-Language": "en"})
        assert page.status_code == 403, console
        assert "You may not open this page" in page.text


@pytest.mark.parametrize(("user", "allowed"), [
    ("vera", set()), ("olga", {"enterprise", "employee"}), ("emil", {"employee"}), ("pam", {"park"}),
    ("gwen", {"government"}), ("ada", {"government", "park", "enterprise", "employee"}),
])
async def test_each_role_opens_exactly_its_consoles(web: AppUnderTest, user: str, allowed: set[str]) -> None:
    await web.sign_in(user)
    for console in ("government", "park", "enterprise", "employee"):
        status = (await web.client.get(f"/console/{console}")).status_code
        assert status == (200 if console in allowed else 403), (user, console)


async def test_the_console_landing_sends_a_one_console_person_straight_there(web: AppUnderTest) -> None:
    await web.sign_in("emil")
    reply = await web.client.get("/console/")
    assert reply.status_code == 303 and reply.headers["location"] == "/console/employee"


async def test_language_follows_the_browser_then_the_choice(web: AppUnderTest) -> None:
    assert (await web.client.get("/api/session", headers={"Accept-Language": "zh-TW,en;q=0.5"})).json()["lang"] == "zh"
    assert (await web.client.get("/api/session", headers={"Accept-Language": "en-GB,zh;q=0.5"})).json()["lang"] == "en"
    switch = await web.client.post("/lang/en", data={"csrf": await web.csrf(), "next": "/signin"})
    assert switch.status_code == 303 and switch.headers["location"] == "/signin"
    page = await web.client.get("/signin", headers={"Accept-Language": "zh-CN"})
    assert 'lang="en"' in page.text and "User name" in page.text
    away = await web.client.post("/lang/zh", data={"csrf": await web.csrf(), "next": "//evil.example/"})
    assert away.headers["location"] == "/"  # only local paths
    assert "用户名" in (await web.client.get("/signin")).text
    assert (await web.client.post("/lang/fr", data={"csrf": await web.csrf()})).status_code == 422


async def test_validation_errors_name_the_field(web: AppUnderTest) -> None:
    csrf = {"X-CSRF-Token": await web.csrf()}
    reply = await web.client.post("/api/session", json={"user": "", "password": "x" * 300}, headers=csrf)
    assert reply.status_code == 422
    fields = {e["field"] for e in reply.json()["detail"]}
    assert fields == {"user", "password"}
    assert reply.json()["message"].startswith("user: ")
    missing = await web.client.post("/api/session", json={"password": "x"}, headers=csrf)
    assert [e["field"] for e in missing.json()["detail"]] == ["user"]
    extra = await web.client.post("/api/session", json={"user": "a", "password": "b", "role": "admin"}, headers=csrf)
    assert [e["field"] for e in extra.json()["detail"]] == ["role"]
    bad_flag = await web.client.delete("/api/session?everywhere=maybe", headers=csrf)
    assert bad_flag.status_code == 422 and bad_flag.json()["detail"][0]["field"] == "everywhere"


async def test_the_sign_in_form_shows_field_errors_in_the_viewers_language(web: AppUnderTest) -> None:
    csrf = await web.csrf()
    page = await web.client.post("/signin", data={"csrf": csrf, "user": "", "password": "pw"},
                                 headers={"Accept-Language": "en"})
    assert page.status_code == 422 and "User name: this field is required." in page.text
    page = await web.client.post("/signin", data={"csrf": csrf, "user": "u" * 65, "password": "pw"})
    assert page.status_code == 422 and "用户名最多 64 个字符。" in page.text


async def test_oversize_bodies_are_refused_with_413(web: AppUnderTest) -> None:
    big = b"x" * (web.config.web_max_body + 1)
    reply = await web.client.post("/api/session", content=big, headers={"content-type": "application/json"})
    assert reply.status_code == 413 and "too large" in reply.json()["detail"]

    async def chunks():  # type: ignore[no-untyped-def]  # no Content-Length: counted as it streams
        for _ in range(5):
            yield b"y" * (web.config.web_max_body // 4)

    streamed = await web.client.post("/api/session", content=chunks(), headers={"content-type": "application/json",
                                                                              "X-CSRF-Token": await web.csrf()})
    assert streamed.status_code == 413


async def test_parks_list_the_catalogue_with_online_unknown_when_the_world_is_down(web: AppUnderTest) -> None:
    parks = (await web.client.get("/api/parks")).json()
    assert len(parks) == 26 and {p["online"] for p in parks} == {None}
    zone = next(p for p in parks if p["id"] == "798-art-zone")
    assert zone["name_zh"] == "798艺术区" and zone["preview"] is None
    assert zone["web_url"] == "/web/798-art-zone/?server=ws%3A%2F%2F127.0.0.1%3A9%2Fws"
    assert zone["desktop_command"] == "cloudpark client --server ws://127.0.0.1:9/ws --park 798-art-zone"
    assert zone["location"]["estimated"] and zone["location"]["basis"]
    assert 39.9 < zone["location"]["lat"] < 40.1 and 116.4 < zone["location"]["lon"] < 116.6
    assert next(p for p in parks if p["id"] == "zuiku")["location"] is None  # no address: not placed


async def test_the_openapi_document_lists_the_api(web: AppUnderTest) -> None:
    """Every route under /api/ is in the OpenAPI document, with its methods, and nothing else is."""
    doc = (await web.client.get("/api/openapi.json")).json()
    routes: dict[str, set[str]] = {}
    for method, path, _action in route_actions():
        if path.startswith("/api/"):
            routes.setdefault(path, set()).add(method.lower())
    assert {"/api/parks", "/api/session", "/api/me", "/api/directory", "/api/inbox"} <= set(routes)
    assert {path: set(ops) for path, ops in doc["paths"].items()} == routes
    assert set(doc["paths"]["/api/session"]) == {"get", "post", "delete"}


async def test_the_browser_client_and_park_pictures_are_served_from_the_data_folder(web: AppUnderTest) -> None:
    assert (await web.client.get("/web/no-park/")).status_code == 404  # nothing exported yet: a 404, not a crash
    assert (await web.client.get("/api/parks")).json()[0]["preview"] is None
    web.config.web_dir.mkdir(parents=True)  # the export's page for any park
    (web.config.web_dir / ".park.html").write_text("<!doctype html><title>{{title}}</title>")
    previews = web.config.data_dir / "previews"  # where the scene tools write them (world.datadir)
    previews.mkdir()
    (previews / "798-art-zone.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    page = await web.client.get("/web/798-art-zone/", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "<title>798 Art Zone</title>" in page.text
    assert (await web.client.get("/previews/798-art-zone.png")).content.startswith(b"\x89PNG")
    assert (await web.client.get("/previews/../web-secret")).status_code == 404
    portal = await web.client.get("/")
    assert '<img class="preview" src="/previews/798-art-zone.png?v=' in portal.text


async def test_over_https_the_cookie_is_secure_and_sign_in_never_redirects_off_site(web: AppUnderTest) -> None:
    secure = web.client.base_url.copy_with(scheme="https")
    csrf = (await web.client.get(secure.join("/api/session"))).json()["csrf"]
    reply = await web.client.post(secure.join("/signin"), data={"user": "vera", "password": "correct horse 1",
                                                                 "csrf": csrf, "next": "//evil.example/x"})
    assert reply.status_code == 303 and reply.headers["location"] == "/console/"
    cookie = next(v for k, v in reply.headers.multi_items() if k == "set-cookie" and v.startswith("cp_session="))
    assert "Secure" in cookie and "HttpOnly" in cookie


def _proposal(park: str) -> str:
    return (f'id = "{park}"\nname_zh = "新园区"\nname_en = "New Park"\nstyle = "mill"\n'
            'sources = ["the park office (test)"]\n\n[area]\nm2 = 20000\nkind = "site"\n')


async def test_the_browser_3d_page_is_told_where_the_game_websocket_is(web: AppUnderTest) -> None:
    """One page for every live park (the export's ``.park.html``): the park, its names and the
    game websocket filled in, no scene named (the client loads the world server's)."""
    assert (await web.client.get("/web/798-art-zone/")).status_code == 404  # nothing exported yet
    page = web.config.web_dir / ".park.html"
    page.parent.mkdir(parents=True)
    page.write_text('<title>{{title}} · Cloud Park</title><script id="cloudpark-config" type="application/json">'
                    '{"park": "", "glb": "", "scene_hash": "", "server": "", "title": "", "title_zh": ""}</script>',
                    encoding="utf-8")
    for park, zh, en in (("798-art-zone", "798艺术区", "798 Art Zone"), ("751-d-park", "751 D·PARK 北京时尚设计广场", "751 D-PARK Beijing Fashion Design Plaza")):
        reply = await web.client.get(f"/web/{park}/", headers={"Accept-Language": "zh"})
        assert reply.status_code == 200 and f"<title>{zh} · Cloud Park</title>" in reply.text
        config = json.loads(reply.text.split('type="application/json">')[1].split("</script>")[0])
        assert config["park"] == park and (config["title"], config["title_zh"]) == (en, zh)
        assert config["server"] == web.config.game_url and config["glb"] == config["scene_hash"] == ""
    missing = await web.client.get("/web/no-such-park/", headers={"Accept-Language": "en"})
    assert missing.status_code == 404 and "<html" in missing.text  # the 404 page
    # a proposed park is not live: no page until it is approved
    await web.store.catalogue.propose(_proposal("jiuxianqiao-lab"), by="vera", now=web.clock.now())
    assert (await web.client.get("/web/jiuxianqiao-lab/")).status_code == 404
    assert (await web.client.get("/web/../secret/")).status_code in (404, 422)
    index = await web.client.get("/web/", follow_redirects=False)
    assert index.status_code == 308 and index.headers["location"] == "/"


def test_the_3d_page_config_holds_no_angle_bracket_whatever_a_name_holds() -> None:
    """A park name (typed by a park office, approved by an admin) goes into the page's
    config JSON inside a <script> element: no "<" may stay there to end or bend it."""
    from server.web.pages import fill_config

    page = '<script id="cloudpark-config" type="application/json">{"park": "", "title": ""}</script>'
    nasty = 'A</script><script>alert(1)</script><!--<script>'
    filled = fill_config(page, park="p", title=nasty)
    inside = filled.split('type="application/json">', 1)[1].rsplit("</script>", 1)[0]
    assert "<" not in inside
    assert json.loads(inside)["title"] == nasty
