"""The client's pure core: server messages in, messages to send out."""

from __future__ import annotations

import math

import pytest

from client.prediction import Pose
from client.texts import load_texts, say
from client.visit import Visit, move_direction
from world.protocol import messages as M


def still(x: float, y: float, yaw: float, inp: M.Input, dt: float) -> tuple[float, float, float, int]:
    return x + inp.mx * 2 * dt, y + inp.my * 2 * dt, inp.yaw, 1 if inp.mx or inp.my else 0


def session(resumed: bool = False, park: str = "") -> M.Session:
    return M.Session(user=M.UserInfo("u1", "Ann", "guest", 0xFF0000), resume="tok", resume_ttl=30,
                     perms={}, resumed=resumed, park=park)


def joined() -> M.Joined:
    return M.Joined(park="p1", you=5, x=100, y=200, yaw=0, tick=0, scene="/scenes/p1.glb?h=x",
                    scene_hash="x", booths=[M.BoothSummary("b1", "Ink")])


def test_session_asks_for_parks_and_joins_the_wanted_park() -> None:
    v = Visit("Ann", want_park="p1")
    out = v.handle(session(), 0.0)
    assert [type(m) for m in out] == [M.ListParks, M.Join]
    assert out[1].park == "p1"  # type: ignore[attr-defined]


def test_resumed_session_waits_before_rejoining() -> None:
    v = Visit("Ann", want_park="p1")
    out = v.handle(session(resumed=True, park="p1"), 0.0)
    assert [type(m) for m in out] == [M.ListParks]
    assert v.update(0.5) == []
    assert [type(m) for m in v.update(2.0)] == [M.Join]


def test_a_refreshed_session_in_the_park_keeps_the_avatar_where_it_is() -> None:
    """The server sends a fresh ``session`` when the account changes (its language, its
    roles): the permissions and the language follow, no second join (which would put the
    avatar back at a spawn). A reply to a sign-in (``re``) still joins as that person."""
    v = Visit("Ann", want_park="p1")
    v.handle(session(), 0.0)
    v.handle(joined(), 0.0)
    fresh = M.Session(user=M.UserInfo("u1", "Ann", "visitor", 0xFF0000), resume="tok2", resume_ttl=30,
                      perms={"booth.like": True}, lang="zh")
    assert v.handle(fresh, 1.0) == []
    assert v.session is fresh and v.lang == "zh" and v.joined is not None
    signed_in = M.Session(user=M.UserInfo("mei", "Mei", "visitor", 1), resume="tok3", resume_ttl=30, perms={}, re=7)
    assert [type(m) for m in v.handle(signed_in, 2.0)] == [M.ListParks, M.Join]


def test_join_seats_the_predictor_and_snapshots_reconcile() -> None:
    v = Visit("Ann")
    v.handle(joined(), 0.0)
    assert not v.in_park  # no layout yet: nothing to predict against
    v.seat(still)
    assert v.predictor is not None and v.predictor.render_pose() == Pose(1.0, 2.0, 0.0)
    inp = v.tick(1.0, 0.0, 0.0, False)
    assert inp is not None and inp.s == 1
    v.handle(M.SnapView(k=1, a=1, p=(110, 200, 0), e=[(9, 0, 0, 0, 0, "Bo", 0x00FF00)]), 0.05)
    assert v.predictor.pending == type(v.predictor.pending)()
    assert v.predictor.x == pytest.approx(1.1)
    assert 9 in v.crowd.tracks  # type: ignore[union-attr]


def test_booth_panel_like_and_card_need_consent() -> None:
    v = Visit("Ann")
    v.handle(joined(), 0.0)
    assert v.like() is None
    view = M.BoothView(id="b1", owner="o", content=M.BoothContent(name="Ink Studio"), likes=2, staff=["Li"])
    v.handle(M.Booth(view), 0.0)
    like = v.like()
    assert like is not None
    v.handle(M.Ok(re=like.id), 0.0)
    assert v.booth is not None and v.booth.liked and v.booth.likes == 3
    assert v.card("Ann", consent=False) is None  # nothing leaves without consent
    card = v.card("Ann", consent=True, email="a@example.com")
    assert card is not None and card.consent and card.booth == "b1"
    v.handle(M.BoothExit("b1"), 0.0)
    assert v.booth is None


def test_errors_become_notices_and_chat_is_kept() -> None:
    v = Visit("Ann")
    chat = v.say("park", " hello ")
    assert chat is not None and chat.text == "hello"
    v.handle(M.Error(code="rate_limited", msg="slow down", re=chat.id), 0.0)
    texts = load_texts(strict=True)
    assert say(texts, "en", v.notices[-1]) == "chat: slow down"  # the server's words in English
    assert say(texts, "zh", v.notices[-1]) == "发送聊天未成功：操作过于频繁，请稍后再试"
    v.handle(M.ChatLine(ch="park", text="hi", name="Bo", eid=3, ts=0.0), 0.0)
    assert v.chat[-1].text == "hi"


def test_keys_are_camera_relative() -> None:
    mx, my = move_direction(1.0, 0.0, math.pi / 2)  # camera looks north
    assert (mx, my) == pytest.approx((0.0, 1.0))
    mx, my = move_direction(0.0, 1.0, math.pi / 2)  # right of north is east
    assert (mx, my) == pytest.approx((1.0, 0.0))


def _session(role: str, lang: str = "") -> M.Session:
    return M.Session(user=M.UserInfo(id="li" if role != "guest" else "guest:1", name="Li", role=role, color=1),
                     resume="r", resume_ttl=30.0, perms={}, lang=lang)


def test_the_account_language_follows_the_person_and_a_guest_keeps_it_locally() -> None:
    v = Visit("Ann", lang="en")
    v.handle(_session("guest"), 0.0)
    assert v.lang == "en"  # a guest's session says nothing: the local choice stays
    assert v.switch_lang() is None and v.lang == "zh"  # switched here, nothing sent
    v.handle(_session("visitor", lang="en"), 0.0)
    assert v.lang == "en"  # signed in: the account's choice wins
    sent = v.switch_lang()
    assert sent is not None and sent.lang == "zh" and v.lang == "zh"
    assert v.requests[sent.id] == "set_lang"
    v.handle(_session("visitor", lang=""), 0.0)
    assert v.lang == "zh"  # an account without a choice leaves the client's
    assert v.switch_lang("en") is not None and v.lang == "en"


def test_stepping_onto_the_kiosk_asks_once_and_stepping_off_forgets() -> None:
    import dataclasses

    from tests.webxr.scene import park_layout
    from world.layout import Kiosk

    v = Visit("Ann")
    v.layout = dataclasses.replace(park_layout("p1"), kiosk=Kiosk(7.0, 0.0, 3.14, ((3, -1), (6, -1), (6, 1), (3, 1))))
    assert v.kiosk_step(4.0, 0.0) is None  # not in a park yet
    v.handle(joined(), 0.0)
    v.seat(still)
    assert v.kiosk_step(0.0, 0.0) is None  # not at the kiosk
    ask = v.kiosk_step(4.0, 0.0)
    assert isinstance(ask, M.Kiosk) and v.requests[ask.id] == "kiosk"
    assert v.kiosk_step(4.5, 0.2) is None  # still there: asked once
    data = {"why": "", "org": "Ink", "items": [], "url": "/console/enterprise/1/policies"}
    v.handle(M.Ok(re=ask.id, data=data), 0.1)
    assert v.kiosk == data
    assert v.kiosk_step(0.0, 0.0) is None and v.kiosk is None and not v.at_kiosk
    late = v.kiosk_step(4.0, 0.0)  # back again; the answer comes after stepping off: dropped
    assert isinstance(late, M.Kiosk)
    v.kiosk_step(0.0, 0.0)
    v.handle(M.Ok(re=late.id, data=data), 0.2)
    assert v.kiosk is None
    failed = v.kiosk_step(4.0, 0.0)
    assert failed is not None
    v.handle(M.Error(code="unavailable", msg="down", re=failed.id), 0.3)
    assert v.kiosk is None and v.notices[-1].key == "client.notice.failed"
