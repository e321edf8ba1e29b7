"""Writes the shared protocol test vectors: bytes produced by the Python codec.

Run ``.venv/bin/python -m tests.vectors.make_vectors`` after changing the protocol;
tests/vectors/test_vectors.py fails while the files are stale. ``vectors.json`` holds,
per file, the message as plain data (what every decoder must read back).
"""

from __future__ import annotations

import json
from pathlib import Path

from world.protocol import codec
from world.protocol import messages as M

HERE = Path(__file__).parent


def server_messages() -> dict[str, M.ServerMessage]:
    return {
        "welcome": M.Welcome(v=1, server="cloudpark", tick_rate=20, patch_rate=20, walk_speed=1.4,
                             run_speed=3.2, limits=M.Limits(16384, 30, 5, 60, 40.0, 48)),
        "session": M.Session(user=M.UserInfo(id="guest:7", name="访客 Ada", role="guest", color=0x3388FF),
                             resume="tok-abc", resume_ttl=120.0, perms={"like": True, "edit": False}, re=1),
        "session_lang": M.Session(user=M.UserInfo(id="li-na", name="李娜", role="visitor", color=0x3388FF),
                                  resume="tok-def", resume_ttl=30.0, perms={"booth.card": True}, token="tok-login",
                                  expires=1700600000.0, lang="en", re=2),
        "joined": M.Joined(park="798-art-zone", you=42, x=-1250, y=300, yaw=16384, tick=9001,
                           scene="/scenes/798-art-zone.glb", scene_hash="ab12", re=2,
                           booths=[M.BoothSummary(id="b1", name="Ink Studio", owner="acme", likes=3)]),
        "snap": M.SnapView(k=77, a=12, p=(100, -200, 65535),
                           e=[(7, 150, -40, 32768, 1, "Bot 李", 0xE0402A)],
                           u=[(8, -70000, 70000, 0, 2)], l=[9, 10]),
        "snap_empty": M.SnapView(k=78, a=0, p=(0, 0, 0)),
        "booth": M.Booth(booth=M.BoothView(
            id="b1", owner="acme", likes=5, staff=["Li Na"], liked=True,
            content=M.BoothContent(name="Ink Studio", tagline="水墨动画", description="Shorts.",
                                   links=(M.Link("Reel", "https://example.com/r"),),
                                   products=(M.Product("Film", price="¥30"),)))),
        "booth_exit": M.BoothExit(booth="b1"),
        "chat": M.ChatLine(ch="booth", text="你好 hello", name="Ada", eid=42, ts=1700000000.25, booth="b1"),
        "notice": M.Notice(id=31, kind="booking", title_key="notice.booking.confirmed.title",
                           body_key="notice.booking.confirmed.body", params={"space": "多功能厅", "when": "10:00"},
                           title="预订已确认", body="多功能厅 10:00", link="/console/inbox", created=1700000000.5,
                           unread=3),
        "spaces": M.Spaces(park="798-art-zone", items=[
            M.SpaceState(id="v-hall", space=12, state="taken", start="14:00", end="16:00", by="墨境动画"),
            M.SpaceState(id="v-studio", space=13, state="free", next="17:30"),
            M.SpaceState(id="v-yard", space=14, state="retired")]),
        "space_slots": M.SpaceSlotList(re=18, space=12, name="多功能厅", today="2026-01-01", durations=[60, 120],
                                       capacity=40, price="¥200/h", approval=True, slots=[
                                           M.FreeSlot(start=1767225600, minutes=60, day="2026-01-01", at="08:00",
                                                      end="09:00"),
                                           M.FreeSlot(start=1767312000, minutes=120, day="2026-01-02", at="08:00",
                                                      end="10:00")],
                                       mine=[M.MyBooking(booking=6, day="2026-01-01", start="08:00", end="09:00",
                                                         state="confirmed", opens="07:45", open=True)]),
        "space_booked": M.SpaceBooked(re=19, space=12, outcome="confirmed", booking=7, day="2026-01-01",
                                      start="08:00", end="09:00", code="ABCD-2345"),
        "space_checked_in": M.SpaceCheckedIn(re=21, space=12, booking=6, outcome="checked_in", day="2026-01-01",
                                             start="08:00", end="09:00"),
        "space_checked_in_refused": M.SpaceCheckedIn(
            re=22, space=12, booking=6, outcome="refused",
            problems=[M.Problem(code="too_early", field="booking",
                                message="check-in opens 15 minutes before the start")]),
        "space_booked_refused": M.SpaceBooked(
            re=20, space=12, outcome="refused",
            problems=[M.Problem(code="taken", field="start", message="this time was just taken")],
            alternatives=[M.FreeSlot(start=1767229200, minutes=60, day="2026-01-01", at="09:00", end="10:00")]),
        "hall": M.Hall(park="798-art-zone", hall=2, halls=2, capacity=400, name_zh="798艺术区 2号厅",
                       name_en="798 Art Zone - hall 2", offer_until=1767225630.0),
        "hall_main": M.Hall(park="798-art-zone", hall=1, halls=1, capacity=400, name_zh="798艺术区",
                            name_en="798 Art Zone", re=21),
        "stage": M.StageView(park="798-art-zone", event=7, title="水墨动画首映", state="live",
                             hls="/streams/7/live.m3u8", starts=1767225600, ends=1767229200,
                             presenters=[M.Presenter(user="li-na", name="李娜")], spotlight="li-na",
                             spotlight_name="李娜", muted=True),
        "stage_none": M.StageView(park="751-d-park"),
        "reactions": M.Reactions(park="798-art-zone", event=7, second=1767225601,
                                 counts={"applause": 41, "heart": 3, "wow": 1}),
        "questions": M.Questions(event=7, items=[
            M.QuestionItem(id=31, name="李娜", text="什么时候上映？", votes=12, state="visible"),
            M.QuestionItem(id=30, name="Bo", text="Is there a replay?", votes=3, state="answered")],
            voted=[31], mine=[30]),
        "polls": M.Polls(event=7, items=[
            M.PollItem(id=4, question="最喜欢哪一段？", options=["开场", "中段", "结尾"], kind="multiple", max_choices=2,
                       results="live", state="open",
                       counts=[5, 1, 9], ballots=11, chosen=[0, 2]),
            M.PollItem(id=5, question="Next topic?", options=["VR", "AR"], kind="single", results="hidden",
                       state="open", max_choices=1)]),
        "ok": M.Ok(re=5, data={"likes": 6}),
        "error": M.Error(code="invalid", msg="consent is required", re=6),
        "bye": M.Bye(code=1001, reason="server restarting"),
    }


def client_messages() -> dict[str, M.ClientMessage]:
    return {
        "hello": M.Hello(v=1, client="web"),
        "hello_resume": M.Hello(v=1, client="web", resume="tok-abc"),
        "guest": M.Guest(name="访客 Ada", color=0x3388FF, id=1),
        "join": M.Join(park="798-art-zone", id=2),
        "in": M.Input(s=12, mx=0.6, my=-0.8, yaw=1.25, run=True),
        "in_idle": M.Input(s=13, yaw=-3.0),
        "chat": M.Chat(ch="booth", text="你好", booth="b1", id=3),
        "like": M.Like(booth="b1", id=4),
        "card": M.Card(booth="b1", name="Wang Fang", consent=True, company="Acme", email="w@example.com", id=5),
        "login": M.Login(user="li-na", password="lantern-festival-42", id=6),
        "register": M.Register(user="acme", password="gears-and-levers", name="赵磊", role="enterprise",
                               company="Acme Robotics", id=7),
        "register_visitor": M.Register(user="li-na", password="lantern-festival-42", name="Li Na", id=8),
        "token": M.TokenLogin(token="tok-login-xyz", id=9),
        "code_login": M.CodeLogin(code="K7QP-M2XD", id=15),
        "look": M.Look(name="访客 Bo", id=10),
        "booth_edit": M.BoothEdit(booth="798-art-zone/b1", id=11, content=M.BoothPatch(
            name="Acme", tagline="", description="墨", logo="", image="", video="https://acme.example/v.mp4",
            links=(M.Link("Site", "https://acme.example/"),), products=(M.Product("Inkbot", price="¥9"),))),
        "booth_stats": M.BoothStats(booth="b1", id=12),
        "sign_out": M.SignOut(id=13),
        "sign_out_everywhere": M.SignOut(everywhere=True, id=14),
        "set_lang": M.SetLang(lang="en", id=16),
        "kiosk": M.Kiosk(id=17),
        "space_slots": M.SpaceSlots(space=12, id=18),
        "space_book": M.SpaceBook(space=12, start=1767225600, minutes=60, id=19),
        "space_check_in": M.SpaceCheckIn(space=12, booking=6, id=21),
        "react": M.React(kind="applause"),
        "hall_move": M.HallMove(id=21),
        "stage_chat": M.StageChat(muted=True, id=22),
        "spotlight": M.Spotlight(user="li-na", id=23),
        "stage_remove": M.StageRemove(user="troll", reason="spam", id=24),
        "ask": M.Ask(text="什么时候上映？", id=25),
        "upvote": M.Upvote(question=31, id=26),
        "unvote": M.Upvote(question=31, up=False, id=27),
        "poll_vote": M.PollVote(poll=4, choices=[0, 2], id=28),
    }


def write() -> None:
    table: dict[str, dict[str, object]] = {"server": {}, "client": {}}
    for side, msgs in (("server", server_messages()), ("client", client_messages())):
        folder = HERE / side
        folder.mkdir(exist_ok=True)
        for name, msg in msgs.items():
            (folder / f"{name}.msgpack").write_bytes(codec.encode(msg))
            table[side][name] = M.to_builtins(msg)
    (HERE / "vectors.json").write_text(json.dumps(table, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                                       encoding="utf-8")


if __name__ == "__main__":
    write()
