"""``code_login``: a one-time code made on the web signs a websocket session in as its
account, once; a used, expired or unknown code is refused with a reason; two clients
racing with one code: exactly one gets in; wrong codes are limited per address."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.server.harness import Visitor, running_app
from world.protocol import messages as M
from world.protocol.constants import PROTOCOL_VERSION


async def _greeted(port: int) -> Visitor:
    v = await Visitor.connect(port)
    await v.send(M.Hello(v=PROTOCOL_VERSION, client="tests"))
    await v.wait_for(lambda m: isinstance(m, M.Welcome))
    return v


def test_a_desktop_code_signs_in_once_with_a_login_token(tmp_path: Path) -> None:
    async def go() -> None:
        async with running_app(tmp_path) as app:
            await app.accounts.create("mei", "long enough", "Mei", "visitor", now=app.clock.now())
            code = (await app.store.signin_codes.desktop_code("mei", now=app.clock.now())).code
            a = await _greeted(app.port)
            session = await a.request(M.CodeLogin(code=code.lower().replace("-", " ")))
            assert isinstance(session, M.Session), session
            assert session.user.id == "mei" and session.user.role == "visitor" and session.token
            told = await app.store.inbox.page("mei")
            assert [n.notice.title_key for n in told] == ["notice.code_used.title"]  # a code seen over a shoulder
            joined = await a.request(M.Join(park="798-art-zone"))
            assert isinstance(joined, M.Joined)
            b = await _greeted(app.port)
            again = await b.request(M.CodeLogin(code=code))
            assert isinstance(again, M.Error) and again.code == "auth_failed"
            assert "already used" in again.msg
            # the login token the code gave works like any other
            by_token = await b.request(M.TokenLogin(token=session.token))
            assert isinstance(by_token, M.Session) and by_token.user.id == "mei"
            late = (await app.store.signin_codes.desktop_code("mei", now=app.clock.now() - 601)).code
            c = await _greeted(app.port)
            expired = await c.request(M.CodeLogin(code=late))
            assert isinstance(expired, M.Error) and expired.code == "auth_failed" and "expired" in expired.msg
            unknown = await c.request(M.CodeLogin(code="ZZZZ-ZZZZ"))
            assert isinstance(unknown, M.Error) and "unknown sign-in code" in unknown.msg
            # a guest session cannot switch account with a code: sign in happens once
            g = await Visitor.connect(app.port)
            await g.hello_guest("Gus")
            fresh = (await app.store.signin_codes.desktop_code("mei", now=app.clock.now())).code
            refused = await g.request(M.CodeLogin(code=fresh))
            assert isinstance(refused, M.Error) and refused.code == "bad_state"
            for v in (a, b, c, g):
                await v.close()
    asyncio.run(go())


def test_two_clients_racing_with_one_ticket_exactly_one_gets_in(tmp_path: Path) -> None:
    async def go() -> None:
        async with running_app(tmp_path, code_failures_burst=100) as app:  # 12 losers from one address
            await app.accounts.create("mei", "long enough", "Mei", "visitor", now=app.clock.now())
            visitors = [await _greeted(app.port) for _ in range(6)]
            for _ in range(3):
                ticket = (await app.store.signin_codes.browser_ticket("mei", now=app.clock.now())).code
                replies = await asyncio.gather(*(v.request(M.CodeLogin(code=ticket)) for v in visitors))
                won = [r for r in replies if isinstance(r, M.Session)]
                lost = [r for r in replies if isinstance(r, M.Error)]
                assert len(won) == 1 and won[0].user.id == "mei", replies
                assert len(lost) == len(visitors) - 1 and all(r.code == "auth_failed" and "already used" in r.msg for r in lost)
                visitors = [v for v, r in zip(visitors, replies, strict=True) if isinstance(r, M.Error)]
            assert await app.store.inbox.unread_count("mei") == 0  # the page's ticket tells nobody
            for v in visitors:
                await v.close()
    asyncio.run(go())


def test_wrong_codes_are_limited_per_address_and_a_right_one_then_waits(tmp_path: Path) -> None:
    async def go() -> None:
        async with running_app(tmp_path, code_failures_burst=3, code_failures_per_hour=1.0) as app:
            await app.accounts.create("mei", "long enough", "Mei", "visitor", now=app.clock.now())
            code = (await app.store.signin_codes.desktop_code("mei", now=app.clock.now())).code
            a = await _greeted(app.port)
            for guess in ("AAAA-AAAA", "BBBB-BBBB", "CCCC-CCCC"):
                wrong = await a.request(M.CodeLogin(code=guess))
                assert isinstance(wrong, M.Error) and wrong.code == "auth_failed"
            b = await _greeted(app.port)  # another connection from the same address
            limited = await b.request(M.CodeLogin(code=code))
            assert isinstance(limited, M.Error) and limited.code == "rate_limited" and "code:" in limited.msg
            assert await app.store.signin_codes.open_count("mei", now=app.clock.now()) == 1  # not spent
            for v in (a, b):
                await v.close()
    asyncio.run(go())
