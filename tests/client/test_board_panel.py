"""The desktop client's questions and polls: "?..." in chat asks, Ctrl+n upvotes the n-th
question (again: takes the vote back), Alt+n votes; the panel's rows from the strict
catalogue; nothing while no event is on the stage."""

from __future__ import annotations

from client.board_panel import BoardKeys, board_lines
from client.texts import load_texts
from world.protocol import messages as M

LIVE = M.StageView(park="798-art-zone", event=7, title="首映", state="live")
BOARD = M.Questions(event=7, items=[M.QuestionItem(id=31, name="李娜", text="什么时候上映？", votes=12, state="visible"),
                                    M.QuestionItem(id=30, name="Bo", text="有回放吗？", votes=3, state="answered")],
                    voted=[30])
POLLS = M.Polls(event=7, items=[M.PollItem(id=4, question="最喜欢哪一段？", options=["开场", "结尾"], counts=[1, 2],
                                           kind="single", results="live", state="open", max_choices=1,
                                           ballots=3)])


def zh(key: str, **p: object) -> str:
    return load_texts(strict=True).translate("zh", key, **p)


def test_nothing_is_asked_or_shown_without_an_event_on_the_stage() -> None:
    keys = BoardKeys()
    assert keys.ask("?hello") is None and keys.upvote(1) is None and board_lines(zh, keys) is None
    keys.handle(M.StageView(park="p", event=7, state="ended"))
    assert keys.ask("?hello") is None


def test_a_question_mark_asks_and_numbers_upvote_and_vote() -> None:
    keys = BoardKeys(guest=False)
    for msg in (LIVE, BOARD, POLLS):
        keys.handle(msg)
    assert keys.ask("just chatting") is None and keys.ask("?") is None
    ask = keys.ask("？ 有字幕吗")
    assert isinstance(ask, M.Ask) and ask.text == "有字幕吗" and ask.id
    up = keys.upvote(1)
    assert isinstance(up, M.Upvote) and (up.question, up.up) == (31, True)
    keys.handle(M.Ok(re=up.id, data={"question": 31, "votes": 13, "voted": True}))
    assert keys.voted == {30, 31}
    back = keys.upvote(2)
    assert isinstance(back, M.Upvote) and (back.question, back.up) == (30, False)
    assert keys.upvote(3) is None
    vote = keys.vote(2)
    assert isinstance(vote, M.PollVote) and (vote.poll, vote.choices) == (4, [1])
    keys.handle(M.Ok(re=vote.id, data={"poll": 4, "chosen": [1], "counts": [1, 3]}))
    assert keys.chosen == {4: [1]} and keys.vote(3) is None


def test_the_panel_rows_in_chinese() -> None:
    keys = BoardKeys(guest=False)
    for msg in (LIVE, BOARD, POLLS):
        keys.handle(msg)
    rows = board_lines(zh, keys)
    assert rows is not None
    assert [text for _, text in rows] == [
        "现场问答", "1  △12  李娜: 什么时候上映？", "2  ▲3  Bo: 有回放吗？ (已回答)", "最喜欢哪一段？",
        "○ 1  开场 · 1", "○ 2  结尾 · 2", "3 人已投票", zh("client.board.keys")]
    keys.guest = True
    assert board_lines(zh, keys)[-1] == ("hint", "登录后可以提问、点赞和投票")  # type: ignore[index]
