"""The holes an independent attack on a running server found, each closed (issue 9)."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

from tests.server.harness import PARK, Visitor, http_get, running_app
from world.protocol import messages as M


async def _register(port: int, user: str, role: str = "visitor", company: str = "", name: str = "") -> Visitor:
    v = await Visitor.connect(port)
    await v.send(M.Hello(v=1))
    await v.wait_for(lambda m: isinstance(m, M.Welcome))
    v.session = await v.request(M.Register(user=user, password="long password", name=name or user.title(),
                                           role=role, company=company))
    return v


def test_registering_with_an_existing_company_name_takes_over_nothing(tmp_path: Path) -> None:
    async def go() -> None:
        async with running_app(tmp_path) as app:
            owner = await _register(app.port, "lattice", "enterprise", "Lattice Design Lab (demo)")
            assert isinstance(owner.session, M.Session)
            await app.assign_booth(PARK, "b1", "lattice")
            await owner.request(M.BoothEdit(booth=f"{PARK}/b1", content=M.BoothPatch(name="Lattice")))
            ann = await _register(app.port, "ann")
            await ann.join(spawn="b1")
            await ann.request(M.Card(booth="b1", name="Ann", email="ann@example.com", consent=True))
            # the attack: the owner's name is public in joined.booths[].owner
            impostor = await _register(app.port, "mallory", "enterprise", " lattice design LAB (demo) ")
            assert isinstance(impostor.session, M.Error) and impostor.session.code == "conflict"
            assert "ask its administrator" in impostor.session.msg
            # a company of another name gets its own organization, and nothing of Lattice's
            other = await _register(app.port, "mallory2", "enterprise", "Mallory Media")
            assert isinstance(other.session, M.Session)
            for msg in (M.BoothEdit(booth=f"{PARK}/b1", content=M.BoothPatch(name="pwned")),
                        M.BoothStats(booth=f"{PARK}/b1")):
                refused = await other.request(msg)
                assert isinstance(refused, M.Error) and refused.code == "not_allowed", refused
            await other.join(spawn="b1")
            duty = await other.request(M.BoothStaff(booth="b1", on=True))
            assert isinstance(duty, M.Error) and duty.code == "not_allowed"
            assert app.parks[PARK].booths["b1"].content.name == "Lattice"
            for v in (owner, ann, impostor, other):
                await v.close()
    asyncio.run(go())


def test_join_and_drop_cycles_cannot_pile_up_ghost_avatars(tmp_path: Path) -> None:
    async def go() -> None:
        async with running_app(tmp_path, max_per_ip=8, resume_ttl=30.0) as app:
            refused, first_token = 0, ""
            for i in range(40):
                v = await Visitor.connect(app.port)
                await v.hello_guest(f"ghost{i}")
                first_token = first_token or v.session.resume
                joined = await v.join()
                if isinstance(joined, M.Error):
                    assert joined.code == "unavailable" and "held for resume" in joined.msg
                    refused += 1
                v.ws.transport.abort()  # a drop: no close frame, the avatar is held for resume
                await v.wait_until(lambda v=v: v.closed is not None)
            room = app.parks[PARK].room
            assert len(room.avatars) <= 8  # held avatars count against the address
            assert refused >= 32
            # a dropped visitor can still come back to its avatar, limit or not
            back = await Visitor.connect(app.port)
            resumed = await back.hello_guest("", resume=first_token)
            assert isinstance(resumed, M.Session) and resumed.resumed
            await back.close()
            # another address is not locked out
            other = await Visitor.connect(app.port, sock=_bound_to("127.0.0.2", app.port))
            await other.hello_guest("Neighbour")
            assert isinstance(await other.join(), M.Joined)
            await other.close()
    asyncio.run(go())


def test_connections_from_one_address_are_limited(tmp_path: Path) -> None:
    async def go() -> None:
        async with running_app(tmp_path, max_per_ip=3) as app:
            live = [await Visitor.connect(app.port) for _ in range(3)]
            for i, v in enumerate(live):
                await v.hello_guest(f"v{i}")
            extra = await Visitor.connect(app.port)
            await extra.wait_until(lambda: extra.closed is not None)
            assert extra.closed is not None and extra.closed[0] == 4006
            assert app.metrics.dropped["server_full"] == 1
            for v in live:
                await v.close()
    asyncio.run(go())


def _bound_to(address: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((address, 0))
    sock.connect(("127.0.0.1", port))
    sock.setblocking(False)
    return sock


def test_a_full_park_refuses_the_next_visitor_with_a_reason(tmp_path: Path) -> None:
    async def go() -> None:
        async with running_app(tmp_path, max_per_park=2) as app:
            vs = [await Visitor.connect(app.port) for _ in range(3)]
            for i, v in enumerate(vs):
                await v.hello_guest(f"v{i}")
            assert isinstance(await vs[0].join(), M.Joined) and isinstance(await vs[1].join(), M.Joined)
            full = await vs[2].join()
            assert isinstance(full, M.Error) and full.code == "unavailable" and "is full" in full.msg
            assert isinstance(await vs[2].join(park="751-d-park"), M.Joined)
            for v in vs:
                await v.close()
    asyncio.run(go())


def test_idle_sockets_before_the_upgrade_are_limited_per_address(tmp_path: Path) -> None:
    async def go() -> None:
        async with running_app(tmp_path, max_pending_per_ip=4) as app:
            loop = asyncio.get_running_loop()
            idle = []
            for _ in range(4):
                idle.append(await asyncio.open_connection("127.0.0.1", app.port))
            reader, writer = await asyncio.open_connection("127.0.0.1", app.port)  # the fifth
            assert await asyncio.wait_for(reader.read(), 5) == b""  # closed at once, nothing sent
            writer.close()
            # another address still gets in, HTTP and websocket alike
            sock = _bound_to("127.0.0.2", app.port)
            r2, w2 = await asyncio.open_connection(sock=sock)
            w2.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            assert (await asyncio.wait_for(r2.read(), 5)).startswith(b"HTTP/1.1 200")
            w2.close()
            assert app.listener.gate.refused >= 1
            for _, w in idle:
                w.close()
            await asyncio.sleep(0.1)
            assert loop.time() > 0 and (await http_get(app.port, "/healthz"))[0] == 200
    asyncio.run(go())


def test_the_descriptor_limit_is_raised_to_the_hard_limit_at_start(tmp_path: Path) -> None:
    import resource

    async def go() -> None:
        async with running_app(tmp_path):
            soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
            assert soft == hard or hard == resource.RLIM_INFINITY
    asyncio.run(go())


def test_bad_urls_in_booth_content_are_invalid_naming_the_field(tmp_path: Path) -> None:
    async def go() -> None:
        async with running_app(tmp_path) as app:
            acme = await _register(app.port, "acme", "enterprise", "ACME (test)")
            await app.assign_booth(PARK, "b1", "acme")
            for patch, field in ((M.BoothPatch(logo="http://["), "logo"),
                                 (M.BoothPatch(image="https://]x"), "image"),
                                 (M.BoothPatch(links=(M.Link(label="a", url="http://a\uff03b/"),)), "links")):
                refused = await acme.request(M.BoothEdit(booth=f"{PARK}/b1", content=patch))
                assert isinstance(refused, M.Error) and refused.code == "invalid", refused
                assert field in refused.msg
            assert app.metrics.errors["unavailable"] == 0
            await acme.close()
    asyncio.run(go())


def test_reconnecting_guests_like_once_per_address_and_keep_their_chat_limit(tmp_path: Path) -> None:
    async def go() -> None:
        async with running_app(tmp_path) as app:
            news = []
            for i in range(5):
                g = await Visitor.connect(app.port)
                await g.hello_guest(f"g{i}")
                await g.join(spawn="b1")
                liked = await g.request(M.Like(booth="b1"))
                news.append(liked.data["new"])
                await g.close()
            assert news == [True, False, False, False, False]
            assert app.parks[PARK].booths["b1"].likes == 1
            said = []
            for i in range(3):
                g = await Visitor.connect(app.port)
                await g.hello_guest(f"c{i}")
                await g.join()
                for _ in range(3):
                    said.append(await g.request(M.Chat(ch="park", text="hello")))
                await g.close()
            assert sum(isinstance(r, M.Error) and r.code == "rate_limited" for r in said) >= 3
    asyncio.run(go())


def test_display_names_lose_controls_newlines_and_direction_overrides(tmp_path: Path) -> None:
    async def go() -> None:
        async with running_app(tmp_path) as app:
            g = await Visitor.connect(app.port)
            await g.hello_guest("\x00Eve\u202e\nevil")
            assert g.session.user.name == "Eve evil"
            r = await _register(app.port, "bob", name="Bob\r\n\u2066Admin")
            assert r.session.user.name == "Bob Admin"
            blank = await Visitor.connect(app.port)
            await blank.send(M.Hello(v=1))
            await blank.wait_for(lambda m: isinstance(m, M.Welcome))
            refused = await blank.request(M.Register(user="zed", password="long password", name="\u202e\x01"))
            assert isinstance(refused, M.Error) and refused.code == "invalid" and "name" in refused.msg
            look = await g.request(M.Look(name="Eve\u202d2"))
            assert isinstance(look, M.Ok)
            for v in (g, r, blank):
                await v.close()
    asyncio.run(go())


def test_staff_on_duty_are_people_not_names_and_go_off_duty_when_they_leave(tmp_path: Path) -> None:
    async def go() -> None:
        async with running_app(tmp_path) as app:
            acme = await _register(app.port, "acme", "enterprise", "ACME (test)", name="Mei")
            await app.assign_booth(PARK, "b1", "acme")
            await acme.join(spawn="b1")
            assert (await acme.request(M.BoothStaff(booth="b1", on=True))).data == {"staff": ["Mei"]}
            record = app.parks[PARK].booths["b1"]
            assert record.staff_on_duty == {"acme": "Mei"}
            namesake = await Visitor.connect(app.port)
            await namesake.hello_guest("Mei")  # the same display name gives nothing
            await namesake.join(spawn="b1")
            await acme.close()
            await namesake.wait_until(lambda: not record.staff_on_duty)
            await namesake.close()
    asyncio.run(go())


def test_sign_out_revokes_the_token_and_ends_the_session(tmp_path: Path) -> None:
    async def go() -> None:
        async with running_app(tmp_path) as app:
            ada = await _register(app.port, "ada")
            token = ada.session.token
            await ada.join()
            done = await ada.request(M.SignOut())
            assert isinstance(done, M.Ok) and done.data == {"revoked": 1}
            assert not app.parks[PARK].room.avatars
            after = await ada.request(M.Join(park=PARK))
            assert isinstance(after, M.Error) and after.code == "bad_state"
            again = await ada.request(M.TokenLogin(token=token))
            assert isinstance(again, M.Error) and again.code == "auth_failed"
            fresh = await ada.request(M.Login(user="ada", password="long password"))
            assert isinstance(fresh, M.Session)
            await ada.close()
    asyncio.run(go())


def test_http_methods_other_than_get_and_head_are_refused(tmp_path: Path) -> None:
    async def go() -> None:
        async with running_app(tmp_path) as app:
            for method in ("POST", "PUT", "DELETE"):
                r, w = await asyncio.open_connection("127.0.0.1", app.port)
                w.write(f"{method} /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n".encode())
                raw = await asyncio.wait_for(r.read(), 5)
                assert raw.startswith(b"HTTP/1.1 405") and b"Allow: GET, HEAD" in raw, raw[:200]
                w.close()
            r, w = await asyncio.open_connection("127.0.0.1", app.port)
            w.write(b"HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            raw = await asyncio.wait_for(r.read(), 5)
            head, _, body = raw.partition(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 200") and b"Content-Length: " in head and body == b""
            w.close()
    asyncio.run(go())


def test_a_resumed_client_gets_session_joined_and_its_booth_before_any_snapshot(tmp_path: Path) -> None:
    async def go() -> None:
        async with running_app(tmp_path) as app:
            ada = await _register(app.port, "ada")
            await ada.join(spawn="b1")
            await ada.walk_until(0.0, 1.0, lambda: app.parks[PARK].room.booth_of(ada.eid) == "b1")
            resume = ada.session.resume
            for _ in range(5):
                ada.ws.transport.abort()
                await ada.wait_until(lambda a=ada: a.closed is not None)
                ada = await Visitor.connect(app.port)
                back = await ada.hello_guest("", resume=resume)
                assert isinstance(back, M.Session) and back.resumed
                await ada.wait_for(lambda m: isinstance(m, M.SnapView))
                kinds = [type(m).__name__ for m in ada.inbox if not isinstance(m, M.Welcome)]
                assert kinds[:6] == ["Session", "Joined", "Hall", "StageView", "Booth", "SnapView"], kinds[:8]
            await ada.close()
    asyncio.run(go())


def test_frames_are_answered_as_the_protocol_document_says(tmp_path: Path) -> None:
    async def go() -> None:
        async with running_app(tmp_path) as app:
            v = await Visitor.connect(app.port)
            await v.hello_guest("Ann")
            await v.ws.send("{\"t\": \"ping\"}")  # a text frame
            bad = await v.wait_for(lambda m: isinstance(m, M.Error))
            assert bad.code == "malformed" and "text frames" in bad.msg
            await v.ws.send(b"\x81" + b"x" * (20 * 1024))  # over the 16 KiB limit
            big = await v.wait_for(lambda m: isinstance(m, M.Error) and m.code == "too_large")
            assert "20481 bytes" in big.msg and "16384" in big.msg
            await v.wait_until(lambda: v.closed is not None)
            assert v.closed is not None and v.closed[0] == 1009
            assert any(isinstance(m, M.Bye) and m.code == 1009 for m in v.inbox)
    asyncio.run(go())


def test_a_flood_is_closed_4003_and_the_close_handshake_completes(tmp_path: Path) -> None:
    async def go() -> None:
        async with running_app(tmp_path) as app:
            v = await Visitor.connect(app.port)
            await v.hello_guest("Flood")
            server_side = next(iter(app.listener.connections))
            for _ in range(400):
                await v.send(M.ListParks())
            await v.wait_until(lambda: v.closed is not None)
            assert v.closed is not None and v.closed[0] == 4003
            # the server read the client's close frame: a clean close, not a timeout
            await v.wait_until(lambda: server_side.ws.protocol.close_rcvd is not None)
            assert server_side.ws.protocol.close_rcvd.code == 4003
    asyncio.run(go())


def test_one_account_cannot_flood_a_booth_with_cards(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import server.desks.booth_desk as booth_desk

    monkeypatch.setattr(booth_desk, "CARDS_PER_DAY", 3)

    async def go() -> None:
        async with running_app(tmp_path) as app:
            ann = await _register(app.port, "ann")
            await ann.join(spawn="b1")
            answers = [await ann.request(M.Card(booth="b1", name="Ann", message="x" * 4000, consent=True))
                       for _ in range(5)]
            assert [type(a).__name__ for a in answers] == ["Ok", "Ok", "Ok", "Error", "Error"]
            assert answers[3].code == "rate_limited" and "a day" in answers[3].msg
            stats = await app.store.visits.stats(PARK, "b1")
            assert len(stats.cards) == 3
            await ann.close()
    asyncio.run(go())


def test_a_join_naming_an_unknown_spawn_keeps_the_visitor_where_it_was(tmp_path: Path) -> None:
    async def go() -> None:
        async with running_app(tmp_path) as app:
            ann = await Visitor.connect(app.port)
            await ann.hello_guest("Ann")
            await ann.join(spawn="b1")
            refused = await ann.request(M.Join(park="751-d-park", spawn="nope"))
            assert isinstance(refused, M.Error) and refused.code == "not_found" and "nope" in refused.msg
            assert isinstance(await ann.request(M.Chat(ch="park", text="still here")), M.Ok)
            assert len(app.parks[PARK].room.avatars) == 1
            await ann.close()
    asyncio.run(go())


def test_staff_go_on_duty_only_where_they_stand_and_off_duty_when_they_go(tmp_path: Path) -> None:
    async def go() -> None:
        async with running_app(tmp_path) as app:
            acme = await _register(app.port, "acme", "enterprise", "ACME (test)")
            await app.assign_booth(PARK, "b1", "acme")
            await acme.join(park="751-d-park")
            far = await acme.request(M.BoothStaff(booth=f"{PARK}/b1", on=True))
            assert isinstance(far, M.Error) and far.code == "bad_state"
            assert app.parks[PARK].booths["b1"].staff_on_duty == {}
            await acme.close()
    asyncio.run(go())


def test_errors_the_session_sends_on_its_own_are_counted_in_the_metrics(tmp_path: Path) -> None:
    async def go() -> None:
        async with running_app(tmp_path) as app:
            v = await Visitor.connect(app.port)
            await v.send(M.Hello(v=1))
            await v.wait_for(lambda m: isinstance(m, M.Welcome))
            await v.ws.send(b"\xc1")  # not MessagePack
            await v.send(M.Join(park=PARK))  # not signed in yet
            await v.wait_until(lambda: sum(isinstance(m, M.Error) for m in v.inbox) == 2)
            await v.wait_until(lambda: app.metrics.errors["malformed"] == 1 and app.metrics.errors["bad_state"] == 1)
            await v.close()
    asyncio.run(go())


def test_signing_out_everywhere_closes_the_accounts_other_sessions_at_once(tmp_path: Path) -> None:
    async def go() -> None:
        async with running_app(tmp_path) as app:
            phone = await _register(app.port, "ada")
            laptop = await Visitor.connect(app.port)
            await laptop.send(M.Hello(v=1))
            await laptop.wait_for(lambda m: isinstance(m, M.Welcome))
            await laptop.request(M.Login(user="ada", password="long password"))
            await laptop.join()
            done = await phone.request(M.SignOut(everywhere=True))
            assert done.data == {"revoked": 2}
            await laptop.wait_until(lambda: laptop.closed is not None)
            assert laptop.closed is not None and laptop.closed[0] == 4002 and "everywhere" in laptop.closed[1]
            assert phone.closed is None
            await laptop.wait_until(lambda: not app.parks[PARK].room.avatars)
            await phone.close()
    asyncio.run(go())


def test_new_memberships_reach_a_live_session_without_signing_in_again(tmp_path: Path) -> None:
    async def go() -> None:
        async with running_app(tmp_path) as app:
            await _register(app.port, "acme", "enterprise", "ACME (test)")
            await app.assign_booth(PARK, "b1", "acme")
            wang = await _register(app.port, "wang")
            await wang.join(spawn="b1")
            before = await wang.request(M.BoothStaff(booth="b1", on=True))
            assert isinstance(before, M.Error) and before.code == "not_allowed"
            (org,) = [m.org_id for m in await app.store.orgs.memberships("acme")]
            await app.store.orgs.add_member(org, "wang", "member", 1.0)
            mark = len(wang.inbox)
            app.bus.publish("account.changed", {"user": "wang"})  # what the CLI and the consoles publish
            fresh = await wang.wait_for(lambda m: isinstance(m, M.Session), start=mark)
            assert fresh.perms["booth.staff"] and fresh.user.company == "ACME (test)"
            assert isinstance(await wang.request(M.BoothStaff(booth="b1", on=True)), M.Ok)
            await wang.close()
    asyncio.run(go())
