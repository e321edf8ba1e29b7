"""Booths over real sockets: content pushed on entry, edits reach visitors in range only,
another enterprise's edit is refused with a reason, cards need consent and an account."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.server.harness import Visitor, running_app
from world.protocol import messages as M


async def _account(port: int, user: str, role: str = "visitor", company: str = "") -> Visitor:
    v = await Visitor.connect(port)
    await v.send(M.Hello(v=1))
    await v.wait_for(lambda m: isinstance(m, M.Welcome))
    session = await v.request(M.Register(user=user, password="long password", name=user.title(), role=role,
                                         company=company))
    assert isinstance(session, M.Session), session
    v.session = session
    return v


def test_booth_edit_reaches_visitors_in_range_and_not_others(tmp_path: Path) -> None:
    async def go() -> None:
        async with running_app(tmp_path) as app:
            acme = await _account(app.port, "acme", "enterprise", "ACME (test)")
            await app.assign_booth("798-art-zone", "b1", "acme")
            await acme.join(spawn="centre")
            claim = await acme.request(M.BoothEdit(booth="b1", content=M.BoothPatch(name="ACME", tagline="hi")))
            assert isinstance(claim, M.Ok), claim
            near, far = await Visitor.connect(app.port), await Visitor.connect(app.port)
            await near.hello_guest("Near")
            await far.hello_guest("Far")
            await near.join(spawn="b1")
            await far.join(spawn="centre")
            await near.walk(0.0, 1.0, 3.0)  # from y=14 +- 1.5 north into b1's zone (y 17..23)
            pushed = await near.wait_for(lambda m: isinstance(m, M.Booth))
            assert pushed.booth.id == "b1" and pushed.booth.content.name == "ACME"
            mark_near, mark_far = len(near.inbox), len(far.inbox)
            edit = await acme.request(M.BoothEdit(booth="b1", content=M.BoothPatch(tagline="new season")))
            assert isinstance(edit, M.Ok)
            changed = await near.wait_for(lambda m: isinstance(m, M.Booth), start=mark_near)
            assert changed.booth.content.tagline == "new season" and changed.booth.content.name == "ACME"
            await asyncio.sleep(0.3)
            assert not any(isinstance(m, M.Booth) for m in far.inbox[mark_far:])
            for v in (acme, near, far):
                await v.close()
    asyncio.run(go())


def test_editing_another_enterprises_booth_is_refused_with_a_reason(tmp_path: Path) -> None:
    async def go() -> None:
        async with running_app(tmp_path) as app:
            acme = await _account(app.port, "acme", "enterprise", "ACME (test)")
            await app.assign_booth("798-art-zone", "b1", "acme")
            rival = await _account(app.port, "rival", "enterprise", "Rival (test)")
            assert isinstance(await acme.request(M.BoothEdit(booth=f"{app.parks['798-art-zone'].id}/b1",
                                                             content=M.BoothPatch(name="ACME"))), M.Ok)
            denied = await rival.request(M.BoothEdit(booth="798-art-zone/b1", content=M.BoothPatch(name="Mine")))
            assert isinstance(denied, M.Error) and denied.code == "not_allowed"
            assert "another organization" in denied.msg
            stats = await rival.request(M.BoothStats(booth="798-art-zone/b1"))
            assert isinstance(stats, M.Error) and stats.code == "not_allowed"
            assert app.parks["798-art-zone"].booths["b1"].content.name == "ACME"
            bad_url = await acme.request(M.BoothEdit(booth="798-art-zone/b1",
                                                     content=M.BoothPatch(video="javascript:alert(1)")))
            assert isinstance(bad_url, M.Error) and bad_url.code == "invalid" and "video" in bad_url.msg
            missing = await acme.request(M.BoothEdit(booth="798-art-zone/zz", content=M.BoothPatch(name="x")))
            assert isinstance(missing, M.Error) and missing.code == "not_found"
            for v in (acme, rival):
                await v.close()
    asyncio.run(go())


def test_likes_cards_and_the_owners_stats(tmp_path: Path) -> None:
    async def go() -> None:
        async with running_app(tmp_path) as app:
            acme = await _account(app.port, "acme", "enterprise", "ACME (test)")
            await app.assign_booth("798-art-zone", "b1", "acme")
            await acme.request(M.BoothEdit(booth="798-art-zone/b1", content=M.BoothPatch(name="ACME")))
            ada = await _account(app.port, "ada")
            await ada.join(spawn="b1")
            guest = await Visitor.connect(app.port)
            await guest.hello_guest("Guest")
            await guest.join(spawn="b1")
            assert (await ada.request(M.Like(booth="b1"))).data == {"likes": 1, "new": True}
            assert (await ada.request(M.Like(booth="b1"))).data == {"likes": 1, "new": False}
            no_consent = await ada.request(M.Card(booth="b1", name="Ada", consent=False))
            assert isinstance(no_consent, M.Error) and no_consent.code == "invalid" and "consent" in no_consent.msg
            guest_card = await guest.request(M.Card(booth="b1", name="G", consent=True))
            assert isinstance(guest_card, M.Error) and guest_card.code == "not_allowed"
            card = await ada.request(M.Card(booth="b1", name="Ada", email="ada@example.com", consent=True))
            assert isinstance(card, M.Ok)
            stats = await acme.request(M.BoothStats(booth="798-art-zone/b1"))
            assert stats.data["likes"] == 1 and [c["email"] for c in stats.data["cards"]] == ["ada@example.com"]
            for v in (acme, ada, guest):
                await v.close()
    asyncio.run(go())


async def _signed_in(port: int, user: str) -> Visitor:
    v = await Visitor.connect(port)
    await v.send(M.Hello(v=1))
    await v.wait_for(lambda m: isinstance(m, M.Welcome))
    session = await v.request(M.Login(user=user, password="long password"))
    assert isinstance(session, M.Session), session
    v.session = session
    return v


def test_admin_and_park_staff_assign_booths_and_the_new_owner_can_edit(tmp_path: Path) -> None:
    async def go() -> None:
        async with running_app(tmp_path) as app:
            await app.accounts.create("root", "long password", "Root", "admin", now=1.0)
            await app.accounts.create("staff798", "long password", "798 office", "park_staff",
                                      parks=("798-art-zone",), now=1.0)
            await app.accounts.create("staff751", "long password", "751 office", "park_staff",
                                      parks=("751-d-park",), now=1.0)
            acme = await _account(app.port, "acme", "enterprise", "ACME (test)")
            zeta = await _account(app.port, "zeta", "enterprise", "Zeta (test)")
            ann = await _account(app.port, "ann")
            root, staff, other_staff = [await _signed_in(app.port, u) for u in ("root", "staff798", "staff751")]
            assert root.session.perms["booth.assign"] and not acme.session.perms["booth.assign"]
            before = await acme.request(M.BoothEdit(booth="798-art-zone/b1", content=M.BoothPatch(name="ACME")))
            assert isinstance(before, M.Error) and before.code == "not_allowed"

            given = await root.request(M.BoothAssign(booth="798-art-zone/b1", owner_user="acme"))
            assert isinstance(given, M.Ok), given
            assert given.data == {"booth": "798-art-zone/b1", "owner": "ACME (test)", "owner_user": "acme",
                                  "owner_org": app.parks["798-art-zone"].booths["b1"].owner_org}
            edit = await acme.request(M.BoothEdit(booth="798-art-zone/b1", content=M.BoothPatch(name="ACME")))
            assert isinstance(edit, M.Ok), edit

            # refusals, each with an explicit error and nothing changed
            for who, booth, owner, code in (
                (acme, "798-art-zone/b2", "acme", "not_allowed"),  # an enterprise cannot take a slot itself
                (zeta, "798-art-zone/b1", "zeta", "not_allowed"),
                (ann, "798-art-zone/b1", "ann", "not_allowed"),
                (other_staff, "798-art-zone/b1", "zeta", "not_allowed"),  # staff of another park
                (staff, "798-art-zone/b1", "nobody", "not_found"),
                (staff, "798-art-zone/b1", "ann", "invalid"),  # a visitor account owns no booths
                (staff, "798-art-zone/zz", "zeta", "not_found"),
            ):
                refused = await who.request(M.BoothAssign(booth=booth, owner_user=owner))
                assert isinstance(refused, M.Error) and refused.code == code, (booth, owner, refused)
                assert refused.msg
            record = app.parks["798-art-zone"].booths["b1"]
            assert (record.owner_name, record.content.name) == ("ACME (test)", "ACME")

            # the park's own staff moves the slot to Zeta: it starts empty, ACME loses it
            moved = await staff.request(M.BoothAssign(booth="798-art-zone/b1", owner_user="zeta"))
            assert isinstance(moved, M.Ok) and moved.data["owner"] == "Zeta (test)"
            lost = await acme.request(M.BoothEdit(booth="798-art-zone/b1", content=M.BoothPatch(name="mine")))
            assert isinstance(lost, M.Error) and lost.code == "not_allowed"
            assert isinstance(await zeta.request(M.BoothEdit(booth="798-art-zone/b1",
                                                             content=M.BoothPatch(tagline="Zeta here"))), M.Ok)
            assert record.content.name == "" and record.content.tagline == "Zeta here"
            for v in (acme, zeta, ann, root, staff, other_staff):
                await v.close()
        # persisted: a restarted server knows the owner and the content
        async with running_app(tmp_path) as again:
            record = again.parks["798-art-zone"].booths["b1"]
            zeta_org = await again.booths.store.orgs.memberships("zeta")
            assert (record.owner_name, record.owner_org, record.content.tagline) == (
                "Zeta (test)", zeta_org[0].org_id, "Zeta here")
    asyncio.run(go())


def test_visitors_in_a_booth_see_its_new_owner_and_whether_they_liked_it(tmp_path: Path) -> None:
    async def go() -> None:
        async with running_app(tmp_path) as app:
            await app.accounts.create("root", "long password", "Root", "admin", now=1.0)
            await _account(app.port, "acme", "enterprise", "ACME (test)")
            root = await _signed_in(app.port, "root")
            ada = await _account(app.port, "ada")
            await ada.join(spawn="b1")
            await ada.walk(0.0, 1.0, 3.0)
            await ada.wait_for(lambda m: isinstance(m, M.Booth))
            assert isinstance(await ada.request(M.Like(booth="b1")), M.Ok)
            liked = await ada.wait_for(lambda m: isinstance(m, M.Booth) and m.booth.likes == 1)
            assert liked.booth.liked
            mark = len(ada.inbox)
            assert isinstance(await root.request(M.BoothAssign(booth="798-art-zone/b1", owner_user="acme")), M.Ok)
            pushed = await ada.wait_for(lambda m: isinstance(m, M.Booth), start=mark)
            assert pushed.booth.owner == "ACME (test)" and pushed.booth.liked and pushed.booth.likes == 1
            await ada.close()
            # a new session of the same account: walking in again shows `liked` from the store
            back = await _signed_in(app.port, "ada")
            await back.join(spawn="b1")
            await back.walk(0.0, 1.0, 3.0)
            again = await back.wait_for(lambda m: isinstance(m, M.Booth))
            assert again.booth.liked and again.booth.owner == "ACME (test)"
            for v in (root, back):
                await v.close()
    asyncio.run(go())


def test_near_chat_reaches_listeners_in_range_in_order_and_not_far_ones(tmp_path: Path) -> None:
    async def go() -> None:
        async with running_app(tmp_path) as app:
            ada, bob, far = [await Visitor.connect(app.port) for _ in range(3)]
            for v, name in ((ada, "Ada"), (bob, "Bob"), (far, "Far")):
                await v.hello_guest(name)
            await ada.join(spawn="centre")
            await bob.join(spawn="west")  # about 8 m away: within the 15 m of `near`
            await far.join(spawn="b2")  # about 33 m away
            for i in range(3):
                ok = await ada.request(M.Chat(ch="near", text=f"line {i}"))
                assert isinstance(ok, M.Ok)
                mine = [m for m in ada.inbox if isinstance(m, M.ChatLine)]
                assert [m.text for m in mine] == [f"line {j}" for j in range(i + 1)]  # before the ok
            await bob.wait_until(lambda: len([m for m in bob.inbox if isinstance(m, M.ChatLine)]) == 3)
            heard = [m for m in bob.inbox if isinstance(m, M.ChatLine)]
            assert [m.text for m in heard] == ["line 0", "line 1", "line 2"]
            assert {m.name for m in heard} == {"Ada"} and {m.eid for m in heard} == {ada.eid}
            await far.send(M.Ping(c=1.0))  # a round trip after the lines went out
            await far.wait_for(lambda m: isinstance(m, M.Pong))
            await asyncio.sleep(0.2)  # a few ticks: anything queued for `far` would be written
            assert not [m for m in far.inbox if isinstance(m, M.ChatLine)]
            for v in (ada, bob, far):
                await v.close()
    asyncio.run(go())
