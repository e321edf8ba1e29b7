"""``set_lang``: a signed-in person's language is stored on the account; every session
of the account gets a fresh ``session`` carrying it, and the next sign-in (on any
client) starts in it. Guests cannot store one (they keep it in their client)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.server.harness import Visitor, running_app
from world.protocol import messages as M
from world.protocol.constants import PROTOCOL_VERSION


async def _login(port: int, user: str, password: str) -> tuple[Visitor, M.Session]:
    v = await Visitor.connect(port)
    await v.send(M.Hello(v=PROTOCOL_VERSION, client="tests"))
    await v.wait_for(lambda m: isinstance(m, M.Welcome))
    session = await v.request(M.Login(user=user, password=password))
    assert isinstance(session, M.Session), session
    return v, session


def test_the_language_is_stored_on_the_account_and_follows_it(tmp_path: Path) -> None:
    async def go() -> None:
        async with running_app(tmp_path) as app:
            await app.accounts.create("mei", "long enough", "Mei", "visitor", now=app.clock.now())
            a, first = await _login(app.port, "mei", "long enough")
            assert first.lang == ""  # nothing chosen yet: the client uses its own locale
            b, _ = await _login(app.port, "mei", "long enough")
            seen = len(b.inbox)
            ok = await a.request(M.SetLang(lang="en"))
            assert isinstance(ok, M.Ok) and ok.data == {"lang": "en"}
            assert (await app.store.accounts.get("mei")).lang == "en"
            # the account's other session is told at once (a fresh session message)
            fresh = await b.wait_for(lambda m: isinstance(m, M.Session) and m.lang == "en", start=seen)
            assert fresh.user.id == "mei" and not fresh.re
            # a new sign-in starts in the stored language
            c, third = await _login(app.port, "mei", "long enough")
            assert third.lang == "en"
            bad = await a.request(M.SetLang(lang="fr"))
            assert isinstance(bad, M.Error) and bad.code == "invalid" and bad.msg.startswith("lang: must be one of zh, en")
            assert (await app.store.accounts.get("mei")).lang == "en"
            for v in (a, b, c):
                await v.close()
    asyncio.run(go())


def test_a_guest_cannot_store_a_language(tmp_path: Path) -> None:
    async def go() -> None:
        async with running_app(tmp_path) as app:
            g = await Visitor.connect(app.port)
            session = await g.hello_guest("Gus")
            assert session.lang == ""
            refused = await g.request(M.SetLang(lang="en"))
            assert isinstance(refused, M.Error) and refused.code == "not_allowed" and "sign in first" in refused.msg.lower()
            await g.close()
    asyncio.run(go())
