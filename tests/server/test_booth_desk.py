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
    return v


def test_booth_edit_reaches_visitors_in_range_and_not_others(tmp_path: Path) -> None:
    async def go() -> None:
        async with running_app(tmp_path) as app:
            acme = await _account(app.port, "acme", "enterprise", "ACME (test)")
            await app.assign_booth("798-art-zone", "b1", "ACME (test)", "acme")
            await acme.join(spawn="centre")
            claim = await acme.request(M.BoothEdit(booth="b1", content=M.BoothPatch(name="ACME", tagline="hi")))
            assert isinstance(claim, M.Ok), claim
            near, far = await Visitor.connect(app.port), await Visitor.connect(app.port)
            await near.hello_guest("Near")
            await far.hello_guest("Far")
            await near.join(spawn="b1")
            await far.join(spawn="centre")
            await near.walk(0.0, 1.0, 2.0)  # from y=14 north into b1's zone (y 17..23)
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
            await app.assign_booth("798-art-zone", "b1", "ACME (test)", "acme")
            rival = await _account(app.port, "rival", "enterprise", "Rival (test)")
            assert isinstance(await acme.request(M.BoothEdit(booth=f"{app.parks['798-art-zone'].id}/b1",
                                                             content=M.BoothPatch(name="ACME"))), M.Ok)
            denied = await rival.request(M.BoothEdit(booth="798-art-zone/b1", content=M.BoothPatch(name="Mine")))
            assert isinstance(denied, M.Error) and denied.code == "not_allowed"
            assert "another enterprise" in denied.msg
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
            await app.assign_booth("798-art-zone", "b1", "ACME (test)", "acme")
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
