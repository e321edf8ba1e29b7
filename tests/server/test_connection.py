"""A real server on 127.0.0.1 port 0 with real websocket clients: walking together."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from server.net.connection import Connection
from tests.server.harness import OTHER_PARK, Visitor, running_app
from world.protocol import messages as M
from world.protocol.quantize import pos_to_wire


def test_two_visitors_see_each_other_move(tmp_path: Path) -> None:
    async def go() -> None:
        async with running_app(tmp_path) as app:
            ada, bob = await Visitor.connect(app.port), await Visitor.connect(app.port)
            await ada.hello_guest("Ada")
            await bob.hello_guest("Bob")
            assert isinstance(await ada.join(), M.Joined)
            assert isinstance(await bob.join(), M.Joined)
            await ada.wait_until(lambda: bob.eid in ada.seen)
            await bob.wait_until(lambda: ada.eid in bob.seen)
            assert ada.seen[bob.eid][4] == "Bob"
            start_x = bob.seen[ada.eid][0]
            start_y = bob.seen[ada.eid][1]
            await ada.walk(0.0, 1.0, 1.0)  # north for a second at 2 m/s
            await bob.wait_until(lambda: bob.seen[ada.eid][1] > start_y + pos_to_wire(1.5))
            assert bob.seen[ada.eid][0] == start_x  # walking north does not change x
            await ada.wait_until(lambda: ada.ack == ada.seq)  # every input acknowledged
            await ada.close()
            await bob.wait_until(lambda: ada.eid not in bob.seen)  # explicit leave
            await bob.close()
    asyncio.run(go())


def test_walls_stop_avatars(tmp_path: Path) -> None:
    async def go() -> None:
        async with running_app(tmp_path) as app:
            ada = await Visitor.connect(app.port)
            await ada.hello_guest("Ada")
            joined = await ada.join(spawn="wall")  # x = 6 +- 1.5, the wall starts at x = 9
            await ada.walk(1.0, 0.0, 3.0, run=True)  # 18 m east if nothing stopped her
            await ada.wait_until(lambda: ada.ack == ada.seq)
            assert ada.pos is not None
            assert ada.pos[0] < pos_to_wire(9.0)
            assert ada.pos[0] > joined.x  # she did move up to the wall
            await ada.close()
    asyncio.run(go())


def test_aoi_enter_and_leave(tmp_path: Path) -> None:
    async def go() -> None:
        async with running_app(tmp_path, view_radius=10.0) as app:
            ada, bob = await Visitor.connect(app.port), await Visitor.connect(app.port)
            await ada.hello_guest("Ada")
            await bob.hello_guest("Bob")
            await ada.join(spawn="west")  # (-8, 0)
            await bob.join(spawn="east")  # (8, -20): ~25 m away, out of a 10 m view
            await asyncio.sleep(0.3)
            assert bob.eid not in ada.seen and ada.eid not in bob.seen
            await bob.walk_until(-0.6, 0.8, lambda: bob.eid in ada.seen, run=True)  # towards Ada
            assert ada.seen[bob.eid][4] == "Bob"  # entering view carries the full state
            await bob.walk_until(0.6, -0.8, lambda: bob.eid not in ada.seen, run=True)  # out: explicit leave
            await ada.close()
            await bob.close()
    asyncio.run(go())


def test_resume_within_30_s_keeps_the_avatar(tmp_path: Path) -> None:
    async def go() -> None:
        async with running_app(tmp_path) as app:
            ada, bob = await Visitor.connect(app.port), await Visitor.connect(app.port)
            session = await ada.hello_guest("Ada")
            await bob.hello_guest("Bob")
            await ada.join()
            await bob.join()
            await ada.walk(1.0, 0.0, 0.5)
            await ada.wait_until(lambda: ada.ack == ada.seq)
            where = ada.pos
            ada.ws.transport.abort()  # a drop: no close frame
            await asyncio.sleep(0.5)
            assert ada.eid in bob.seen  # the avatar stays in the world while held
            again = await Visitor.connect(app.port)
            resumed = await again.hello_guest("ignored", resume=session.resume)
            assert isinstance(resumed, M.Session) and resumed.resumed and resumed.park == "798-art-zone"
            joined = await again.wait_for(lambda m: isinstance(m, M.Joined))
            assert joined.you == ada.eid and (joined.x, joined.y) == (where[0], where[1])
            await again.wait_until(lambda: bob.eid in again.seen)  # full view resent after attach
            stale = await Visitor.connect(app.port)
            refused = await stale.hello_guest("x", resume="not-a-token")
            assert isinstance(refused, M.Error) and refused.code == "auth_failed"
            for v in (again, bob, stale):
                await v.close()
    asyncio.run(go())


def test_bad_input_is_answered_and_everyone_else_carries_on(tmp_path: Path) -> None:
    async def go() -> None:
        async with running_app(tmp_path, max_frame=4096) as app:
            good = await Visitor.connect(app.port)
            await good.hello_guest("Good")
            await good.join()
            bad = await Visitor.connect(app.port)
            await bad.send(M.Guest(name="early"))  # before hello
            assert (await bad.wait_for(lambda m: isinstance(m, M.Error))).code == "bad_state"
            await bad.hello_guest("Bad")
            await bad.join()
            n = len(bad.inbox)
            await bad.ws.send(b"\xc1\xff garbage")
            assert (await bad.wait_for(lambda m: isinstance(m, M.Error), start=n)).code == "malformed"
            n = len(bad.inbox)
            await bad.ws.send(b"\x82\xa1t\xa2in\xa1s\xa3bad")  # {"t": "in", "s": "bad"}
            assert (await bad.wait_for(lambda m: isinstance(m, M.Error), start=n)).code == "bad_type"
            n = len(bad.inbox)
            await bad.ws.send(b"\x81\xa1t\xa4fly!")
            assert (await bad.wait_for(lambda m: isinstance(m, M.Error), start=n)).code == "unknown_type"
            n = len(bad.inbox)
            await bad.ws.send("a text frame")
            assert isinstance(await bad.wait_for(lambda m: isinstance(m, M.Error), start=n), M.Error)
            big = await Visitor.connect(app.port)
            await big.hello_guest("Big")
            await big.ws.send(b"\x00" * 5000)  # over max_frame
            await big.wait_until(lambda: big.closed is not None)
            assert big.closed[0] == 1009
            flood = await Visitor.connect(app.port)
            await flood.hello_guest("Flood")
            await flood.join()
            for _ in range(400):
                await flood.send(M.Emote(e="wave"))
            await flood.wait_until(lambda: flood.closed is not None)
            assert flood.closed[0] == 4003
            assert any(isinstance(m, M.Error) and m.code == "rate_limited" for m in flood.inbox)
            # the room and the good client carried on
            await good.walk(0.0, 1.0, 0.5)
            await good.wait_until(lambda: good.ack == good.seq)
            pong = await good.request(M.ListParks())
            assert isinstance(pong, M.Parks)
            metrics = app.render_metrics()
            assert 'cloudpark_dropped_clients_total{reason="flood"} 1' in metrics
            for v in (good, bad):
                await v.close()
    asyncio.run(go())


def test_connection_limit_per_ip_answers_4006(tmp_path: Path) -> None:
    async def go() -> None:
        async with running_app(tmp_path, max_per_ip=2) as app:
            a, b = await Visitor.connect(app.port), await Visitor.connect(app.port)
            await a.hello_guest("A")
            c = await Visitor.connect(app.port)
            await c.wait_until(lambda: c.closed is not None)
            assert c.closed[0] == 4006 and "too many connections" in c.closed[1]
            await a.close()
            await b.close()
    asyncio.run(go())


def test_handshake_timeout_closes_4002(tmp_path: Path) -> None:
    async def go() -> None:
        async with running_app(tmp_path, handshake_timeout=0.5) as app:
            lurker = await Visitor.connect(app.port)
            await lurker.wait_until(lambda: lurker.closed is not None, timeout=5)
            assert lurker.closed[0] == 4002
    asyncio.run(go())


async def _hello(port: int) -> Visitor:
    v = await Visitor.connect(port)
    await v.send(M.Hello(v=1))
    await v.wait_for(lambda m: isinstance(m, M.Welcome))
    return v


def test_a_returning_account_starts_where_it_left_the_park(tmp_path: Path) -> None:
    async def go() -> None:
        async with running_app(tmp_path, resume_ttl=0.3) as app:
            ada = await _hello(app.port)
            session = await ada.request(M.Register(user="ada", password="long password", name="Ada"))
            assert isinstance(session, M.Session)
            await ada.join(spawn="west")  # (-8, 0)
            await ada.walk(0.0, -1.0, 2.0, run=True)  # ~12 m south, far from every spawn
            await ada.wait_until(lambda: ada.ack == ada.seq)
            left_at = ada.pos
            assert left_at is not None
            await ada.close()  # a normal close: she has left, her position is kept

            back = await _hello(app.port)
            assert isinstance(await back.request(M.Login(user="ada", password="long password")), M.Session)
            joined = await back.join(spawn=None)
            assert (joined.x, joined.y, joined.yaw) == left_at
            other_park = await back.join(park="751-d-park", spawn=None)  # she was never there: a spawn
            spawns = [(s.x * 100, s.y * 100) for s in app.parks["751-d-park"].layout.spawns]
            assert min(abs(other_park.x - x) + abs(other_park.y - y) for x, y in spawns) <= 300
            again = await back.join(spawn=None)  # switching parks saved where she stood in 798
            assert (again.x, again.y) == (joined.x, joined.y)
            await back.walk(1.0, 0.0, 1.0)
            await back.wait_until(lambda: back.ack == back.seq)
            dropped_at = back.pos
            back.ws.transport.abort()  # a drop: held for resume_ttl, then the avatar leaves
            await back.wait_until(lambda: len(app.parks["798-art-zone"].room.avatars) == 0, timeout=5)

            by_token = await _hello(app.port)
            assert isinstance(await by_token.request(M.TokenLogin(token=session.token)), M.Session)
            joined = await by_token.join(spawn=None)
            assert (joined.x, joined.y) == (dropped_at[0], dropped_at[1])
            asked = await by_token.join(spawn="east")  # naming a spawn overrides the saved position
            assert abs(asked.x - 800) <= 150 and abs(asked.y + 2000) <= 150

            guest = await Visitor.connect(app.port)
            await guest.hello_guest("Gus")
            await guest.join(spawn=None)
            await guest.walk(0.0, -1.0, 1.0, run=True)
            await guest.wait_until(lambda: guest.ack == guest.seq)
            for v in (by_token, guest):
                await v.close()
            await guest.wait_until(lambda: not app.parks["798-art-zone"].room.avatars)
            assert set(app.presence.saved) == {"ada"}  # guests are not remembered
    asyncio.run(go())


def test_websocket_upgrades_only_on_ws(tmp_path: Path) -> None:
    async def go() -> None:
        from websockets.asyncio.client import connect
        from websockets.exceptions import InvalidStatus

        async with running_app(tmp_path) as app:
            for path in ("/", "/game", "/ws/", "/healthz", "/scenes/798-art-zone.glb"):
                try:
                    ws = await connect(f"ws://127.0.0.1:{app.port}{path}")
                except InvalidStatus as exc:
                    assert exc.response.status_code == 404, path
                    assert b"/ws" in exc.response.body
                else:
                    await ws.close()
                    raise AssertionError(f"websocket accepted on {path}")
            ok = await Visitor.connect(app.port)  # the harness connects to /ws
            await ok.hello_guest("Ada")
            await ok.close()
    asyncio.run(go())


def test_frame_header_matches_what_websockets_writes() -> None:
    from websockets.frames import Frame, Opcode

    from server.net.connection import binary_frame_header

    for n in (0, 1, 125, 126, 127, 65535, 65536, 70000):
        data = bytes(range(256)) * (n // 256) + bytes(n % 256)
        assert binary_frame_header(n) + data == Frame(Opcode.BINARY, data).serialize(mask=False)


def test_inputs_take_the_hot_path_and_wait_behind_other_messages(tmp_path: Path, monkeypatch: Any) -> None:
    """Movement input is applied straight from the socket's data callback while the reader
    waits (``Connection.take_input``), but never overtakes a message before it: inputs
    sent right behind a ``join`` of another park move the avatar in that park."""
    taken: list[bool] = []
    real = Connection.take_input

    def counting(self: Connection, frame: bytes) -> bool:
        ok = real(self, frame)
        taken.append(ok)
        return ok

    monkeypatch.setattr(Connection, "take_input", counting)

    async def go() -> None:
        async with running_app(tmp_path) as app:
            ada = await Visitor.connect(app.port)
            await ada.hello_guest("Ada")
            await ada.join()
            await ada.walk(0.0, 1.0, 0.5)
            await ada.wait_until(lambda: ada.ack == ada.seq)
            assert any(taken), "no input took the hot path"
            await ada.send(M.Join(park=OTHER_PARK, spawn="centre", id=77))
            for _ in range(5):  # behind the join, before its reply: for the other park's avatar
                ada.seq += 1
                await ada.send(M.Input(s=ada.seq, mx=1.0))
            joined = await ada.wait_for(lambda m: getattr(m, "re", None) == 77)
            assert isinstance(joined, M.Joined) and joined.park == OTHER_PARK
            await ada.wait_until(lambda: ada.ack == ada.seq)  # the new avatar got all five
            assert not [m for m in ada.inbox if isinstance(m, M.Error)]
            await ada.close()
    asyncio.run(go())
