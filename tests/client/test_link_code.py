"""The desktop client's link signs in with a one-time code from the web console
(``cloudpark client --code K7QP-M2XD``) against a real server; a refused code leaves it
a guest with the server's reason; a code typed later switches the running link."""

from __future__ import annotations

import asyncio
import queue
from pathlib import Path
from typing import Any

from client.link import CODE_RID, Link
from tests.server.harness import running_app
from world.protocol import messages as M


async def _next(link: Link, kind: type, timeout: float = 10.0) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        try:
            msg = link.inbox.get_nowait()
        except queue.Empty:
            await asyncio.sleep(0.02)
            continue
        if isinstance(msg, kind):
            return msg
    raise TimeoutError(f"no {kind.__name__}")


def test_the_link_signs_in_with_a_code_and_a_refused_code_leaves_a_guest(tmp_path: Path) -> None:
    async def go() -> None:
        async with running_app(tmp_path) as app:
            await app.accounts.create("mei", "long enough", "Mei", "visitor", now=app.clock.now())
            code = (await app.store.signin_codes.desktop_code("mei", now=app.clock.now())).code
            url = f"ws://127.0.0.1:{app.port}/ws"
            link = Link(url, "Visitor", code=code.lower())
            link.start()
            try:
                session = await _next(link, M.Session)
                assert session.user.id == "mei" and session.token and link.token == session.token
            finally:
                link.close()
            wrong = Link(url, "Visitor", code=code)  # used already
            wrong.start()
            try:
                refused = await _next(wrong, M.Error)
                assert refused.re == CODE_RID and "already used" in refused.msg
                as_guest = await _next(wrong, M.Session)
                assert as_guest.user.role == "guest" and as_guest.user.name == "Visitor"
                fresh = (await app.store.signin_codes.desktop_code("mei", now=app.clock.now())).code
                wrong.sign_in_with_code(fresh)  # typed into the sign-in panel
                again = await _next(wrong, M.Session)
                assert again.user.id == "mei"
            finally:
                wrong.close()
    asyncio.run(go())
