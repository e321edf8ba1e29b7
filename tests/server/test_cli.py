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


def _start(data: Path, **settings: str) -> tuple[subprocess.Popen[str], int]:
    env = dict(os.environ, CLOUDPARK_BUILD_SCENES="0", CLOUDPARK_SCRYPT_N="1024",
               **{f"CLOUDPARK_{k.upper()}": v for k, v in settings.items()})
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


def test_sigkill_then_restart_keeps_every_acknowledged_write(tmp_path: Path, database_url: str) -> None:
    """On SQLite and on PostgreSQL (``--database``): what was acknowledged survives."""
    data = tmp_path / "data"
    write_scene(data / "scenes", small_layout(PARK))
    proc, port = _start(data, database=database_url)
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
    proc2, port2 = _start(data, database=database_url)

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
        assert asyncio.run(_cards(database_url)) == [(acked["card"], "ada@example.com", True)]
    finally:
        proc2.send_signal(signal.SIGTERM)
        assert proc2.wait(30) == 0


async def _cards(url: str) -> list[tuple[int, str, bool]]:
    """The cards table read straight from the database, past the server's own code."""
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            rows = (await conn.execute(text("SELECT id, email, consent FROM cards"))).all()
    finally:
        await engine.dispose()
    return [(int(r[0]), str(r[1]), bool(r[2])) for r in rows]


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


def _cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, CLOUDPARK_SCRYPT_N="1024")
    return subprocess.run([CLOUDPARK, *args], input=stdin, capture_output=True, text=True, env=env, timeout=60,
                          check=False)


def test_an_operator_assigns_a_booth_from_the_command_line_and_the_running_server_follows(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_scene(data / "scenes", small_layout(PARK))
    d = ("--data-dir", str(data))
    made = _cli("accounts", "create", "--user", "acme", "--role", "enterprise", "--name", "Acme",
                "--company", "ACME (test)", "--password-stdin", *d, stdin="long password\n")
    assert made.returncode == 0, made.stderr
    assert _cli("accounts", "create", "--user", "ann", "--role", "visitor", "--name", "Ann", "--password-stdin",
                *d, stdin="long password\n").returncode == 0
    proc, port = _start(data, booth_sync_s="600")  # no catch-up in time: only the bus hint can tell it

    async def go() -> None:
        acme = await Visitor.connect(port)
        await acme.send(M.Hello(v=1))
        await acme.wait_for(lambda m: isinstance(m, M.Welcome))
        assert isinstance(await acme.request(M.Login(user="acme", password="long password")), M.Session)
        denied = await acme.request(M.BoothEdit(booth=f"{PARK}/b1", content=M.BoothPatch(name="ACME")))
        assert isinstance(denied, M.Error) and denied.code == "not_allowed"

        given = await asyncio.to_thread(_cli, "booths", "assign", "--park", PARK, "--booth", "b1", "--owner", "acme",
                                        *d)
        assert given.returncode == 0 and "now belongs to ACME (test)" in given.stdout, given.stderr
        deadline = time.monotonic() + 10
        while True:  # the CLI's hint reaches the server through its bus hub
            edit = await acme.request(M.BoothEdit(booth=f"{PARK}/b1", content=M.BoothPatch(name="ACME stand")))
            if isinstance(edit, M.Ok) or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.2)
        assert isinstance(edit, M.Ok), edit
        await acme.close()

    try:
        asyncio.run(go())
        listed = _cli("booths", "list", "--park", PARK, *d)
        assert listed.returncode == 0
        lines = {line.split()[0]: line for line in listed.stdout.splitlines()[1:]}
        assert set(lines) == {"b1", "b2"}
        assert "ACME (test)" in lines["b1"] and "ACME stand" in lines["b1"]
        assert "(free)" in lines["b2"]
        for args, why in (
            (("--park", PARK, "--booth", "b9", "--owner", "acme"), "no booth slot 'b9'"),
            (("--park", PARK, "--booth", "b2", "--owner", "ann"), "runs 0 enterprises"),
            (("--park", PARK, "--booth", "b2", "--owner", "nobody"), "no account 'nobody'"),
            (("--park", "nowhere", "--booth", "b2", "--owner", "acme"), "no scene for park 'nowhere'"),
        ):
            refused = _cli("booths", "assign", *args, *d)
            assert refused.returncode == 1 and why in refused.stderr, (args, refused.stderr)
        freed = _cli("booths", "assign", "--park", PARK, "--booth", "b1", "--free", *d)
        assert freed.returncode == 0 and "is free" in freed.stdout
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0


def test_operators_list_organizations_add_members_and_sign_accounts_out(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_scene(data / "scenes", small_layout(PARK))
    d = ("--data-dir", str(data))
    assert _cli("accounts", "create", "--user", "acme", "--role", "enterprise", "--name", "Acme",
                "--company", "ACME (test)", "--password-stdin", *d, stdin="long password\n").returncode == 0
    taken = _cli("accounts", "create", "--user", "copy", "--role", "enterprise", "--name", "Copy",
                 "--company", "acme (TEST)", "--password-stdin", *d, stdin="long password\n")
    assert taken.returncode == 1 and "already registered" in taken.stderr
    assert _cli("accounts", "create", "--user", "wang", "--role", "visitor", "--name", "Wang",
                "--password-stdin", *d, stdin="long password\n").returncode == 0
    listed = _cli("orgs", "list", *d)
    assert listed.returncode == 0, listed.stderr
    (line,) = [ln for ln in listed.stdout.splitlines() if "ACME (test)" in ln]
    org_id = line.split()[0]
    assert "acme (owner)" in line
    added = _cli("orgs", "add-member", "--org", org_id, "--user", "wang", "--role", "member", *d)
    assert added.returncode == 0 and "wang is now member of ACME (test)" in added.stdout
    assert "wang (member)" in _cli("orgs", "list", *d).stdout
    assert _cli("orgs", "add-member", "--org", "999", "--user", "wang", "--role", "member", *d).returncode == 1
    out = _cli("accounts", "sign-out", "--user", "acme", *d)
    assert out.returncode == 0 and "revoked 0 login token(s)" in out.stdout


def test_privileged_operator_actions_are_in_the_audit_log(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_scene(data / "scenes", small_layout(PARK))
    d = ("--data-dir", str(data))
    assert _cli("accounts", "create", "--user", "acme", "--role", "enterprise", "--name", "Acme",
                "--company", "ACME (test)", "--password-stdin", *d, stdin="long password\n").returncode == 0
    assert _cli("booths", "assign", "--park", PARK, "--booth", "b1", "--owner", "acme", *d).returncode == 0
    assert _cli("accounts", "sign-out", "--user", "acme", *d).returncode == 0

    async def entries() -> list[tuple[str, str, str]]:
        from server.db import Store

        store = await Store.open(f"sqlite+aiosqlite:///{data / 'cloudpark.sqlite3'}")
        try:
            return [(e.actor.split(":")[0], e.action, e.target) for e in await store.audit.page()]
        finally:
            await store.close()

    assert asyncio.run(entries()) == [("cli", "account.sign_out_everywhere", "account:acme"),
                                      ("cli", "booth.assign", f"booth:{PARK}/b1"),
                                      ("cli", "account.create", "account:acme")]


def test_operators_create_departments_and_institutions_and_appoint_their_people(tmp_path: Path) -> None:
    data = tmp_path / "data"
    d = ("--data-dir", str(data))
    assert _cli("accounts", "create", "--user", "li", "--role", "visitor", "--name", "Li",
                "--password-stdin", *d, stdin="long password\n").returncode == 0
    made = _cli("orgs", "create", "--kind", "department", "--name-zh", "区商务局（测试）", *d)
    assert made.returncode == 0, made.stderr
    dept = made.stdout.split("with id ")[1].strip()
    again = _cli("orgs", "create", "--kind", "department", "--name-zh", "区商务局（测试）", *d)
    assert again.returncode == 1 and f"exists already (id {dept})" in again.stderr
    bad = _cli("orgs", "create", "--kind", "institution", "--name-en", "Law (test)", "--services", "legal,golf",
               "--park", "atlantis", *d)
    assert bad.returncode == 1
    assert "service_kinds[1]: 'golf' is not one of" in bad.stderr and "park_id: 'atlantis' is not a park" in bad.stderr
    inst = _cli("orgs", "create", "--kind", "institution", "--name-en", "Law (test)", "--services", "legal,ip", *d)
    assert inst.returncode == 0, inst.stderr
    appointed = _cli("orgs", "appoint", "--org", dept, "--user", "li", "--role", "officer", *d)
    assert appointed.returncode == 0 and "li is now officer of 区商务局（测试） (department" in appointed.stdout
    wrong = _cli("orgs", "appoint", "--org", dept, "--user", "li", "--role", "owner", *d)
    assert wrong.returncode == 1 and "role: a department has officer" in wrong.stderr
    listed = _cli("orgs", "list", *d).stdout
    assert "li (officer)" in listed and "institution" in listed and "Law (test)" in listed
    granted = _cli("orgs", "organizer", "--user", "li", *d)
    assert granted.returncode == 0 and "li is an event organizer now" in granted.stdout
    assert _cli("orgs", "organizer", "--user", "li", *d).returncode == 1  # already
    back = _cli("orgs", "organizer", "--user", "li", "--withdraw", *d)
    assert back.returncode == 0 and "li is a visitor again" in back.stdout
