"""The real ``cloudpark serve`` process: SIGKILL loses nothing acknowledged; SIGTERM says bye."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.server.harness import PARK, Visitor, http_get, small_layout, write_scene
from world.protocol import messages as M

CLOUDPARK = str(Path(sys.executable).with_name("cloudpark"))


def _start(data: Path) -> tuple[subprocess.Popen[str], int]:
    env = dict(os.environ, CLOUDPARK_BUILD_SCENES="0", CLOUDPARK_SCRYPT_N="1024")
    proc = subprocess.Popen([CLOUDPARK, "serve", "--port", "0", "--data-dir", str(data)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    assert proc.stdout is not None
    deadline = time.monotonic() + 60
    for line in proc.stdout:
        if "ws://" in line:
            return proc, int(line.split("ws://")[1].split("/")[0].rsplit(":", 1)[1])
        if time.monotonic() > deadline:
            break
    proc.kill()
    raise AssertionError("cloudpark serve did not start")


def test_sigkill_then_restart_keeps_every_acknowledged_write(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_scene(data / "scenes", small_layout(PARK))
    proc, port = _start(data)
    acked: dict[str, object] = {}

    async def writes() -> None:
        v = await Visitor.connect(port)
        await v.send(M.Hello(v=1))
        await v.wait_for(lambda m: isinstance(m, M.Welcome))
        session = await v.request(M.Register(user="ada", password="long password", name="Ada"))
        assert isinstance(session, M.Session), session
        acked["token"] = session.token
        await v.join(spawn="b1")
        like = await v.request(M.Like(booth="b1"))
        assert isinstance(like, M.Ok) and like.data["likes"] == 1
        card = await v.request(M.Card(booth="b1", name="Ada", email="ada@example.com", consent=True))
        assert isinstance(card, M.Ok)
        acked["card"] = card.data["card"]
        # SIGKILL right after the acknowledgements: no goodbye, no flush
        proc.send_signal(signal.SIGKILL)
        await v.wait_until(lambda: v.closed is not None)

    try:
        asyncio.run(writes())
    finally:
        proc.kill()
        proc.wait()
    proc2, port2 = _start(data)

    async def reads() -> None:
        v = await Visitor.connect(port2)
        await v.send(M.Hello(v=1))
        await v.wait_for(lambda m: isinstance(m, M.Welcome))
        login = await v.request(M.Login(user="ada", password="long password"))
        assert isinstance(login, M.Session) and login.user.name == "Ada"
        v2 = await Visitor.connect(port2)
        await v2.send(M.Hello(v=1))
        await v2.wait_for(lambda m: isinstance(m, M.Welcome))
        assert isinstance(await v2.request(M.TokenLogin(token=str(acked["token"]))), M.Session)
        joined = await v.join(spawn="b1")
        assert {b.id: b.likes for b in joined.booths}["b1"] == 1
        again = await v.request(M.Like(booth="b1"))
        assert again.data == {"likes": 1, "new": False}
        await v.close()
        await v2.close()

    try:
        asyncio.run(reads())
        import sqlite3

        db = sqlite3.connect(data / "cloudpark.sqlite3")
        assert db.execute("SELECT id, email, consent FROM cards").fetchall() == [(acked["card"], "ada@example.com", 1)]
    finally:
        proc2.send_signal(signal.SIGTERM)
        assert proc2.wait(30) == 0


def test_sigterm_says_bye_with_1001_and_exits_cleanly(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_scene(data / "scenes", small_layout(PARK))
    proc, port = _start(data)

    async def go() -> None:
        status, _, body = await http_get(port, "/healthz")
        assert status == 200 and json.loads(body)["parks"] == 1
        v = await Visitor.connect(port)
        await v.hello_guest("Ada")
        await v.join()
        proc.send_signal(signal.SIGTERM)
        bye = await v.wait_for(lambda m: isinstance(m, M.Bye))
        assert bye.code == 1001
        await v.wait_until(lambda: v.closed is not None)
        assert v.closed is not None and v.closed[0] == 1001

    try:
        asyncio.run(go())
        assert proc.wait(30) == 0
    finally:
        proc.kill()
