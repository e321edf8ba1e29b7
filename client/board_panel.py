"""The event's questions and polls in the desktop client (bottom right while an event is on
the stage): the most voted questions numbered, the newest open (or last closed) poll with
its options numbered and the counts when shown.

Keys: a chat line starting with "?" (or "？") is asked as a question (``ask``); Ctrl+1..5
upvotes (or takes back the vote on) the question of that number (``upvote``); Alt+1..9
votes for that option of the poll (``poll_vote``). ``board_lines`` and ``BoardKeys`` are
pure (the tests read them without Panda3D); ``BoardPanel`` draws the rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import msgspec

from world.protocol import messages as M

SHOWN = 5
ON_STAGE = ("scheduled", "live", "interrupted")
ASK_MARKS = ("?", "？")
Translate = Callable[..., str]
Rows = list[tuple[str, str]]


@dataclass
class BoardKeys:
    """What the server said of the board, and the requests the keys make."""

    stage: M.StageView | None = None
    questions: M.Questions | None = None
    polls: M.Polls | None = None
    voted: set[int] = field(default_factory=set)
    chosen: dict[int, list[int]] = field(default_factory=dict)
    pending: dict[int, tuple[str, int, object]] = field(default_factory=dict)  # request id -> what it asked
    next_id: int = 900_000  # request ids of their own (the visit's are small numbers)
    guest: bool = True

    def handle(self, msg: msgspec.Struct) -> None:
        if isinstance(msg, M.StageView):
            self.stage = msg
        elif isinstance(msg, M.Questions):
            self.questions = msg
            if msg.voted:
                self.voted = set(msg.voted)
        elif isinstance(msg, M.Polls):
            self.polls = msg
            for p in msg.items:
                if p.chosen is not None:
                    self.chosen[p.id] = list(p.chosen)
        elif isinstance(msg, M.Joined):
            self.voted, self.chosen = set(), {}
        elif isinstance(msg, M.Ok) and msg.re in self.pending:
            what, key, value = self.pending.pop(msg.re)
            if what == "upvote":
                (self.voted.add if value else self.voted.discard)(key)
            elif what == "vote" and isinstance(msg.data, dict):
                self.chosen[key] = list(msg.data.get("chosen") or [])
        elif isinstance(msg, M.Error) and msg.re in self.pending:
            self.pending.pop(msg.re)

    @property
    def on(self) -> bool:
        return self.stage is not None and self.stage.state in ON_STAGE and bool(self.stage.event)

    def _rid(self, what: str, key: int, value: object) -> int:
        self.next_id += 1
        self.pending[self.next_id] = (what, key, value)
        return self.next_id

    def ask(self, text: str) -> M.Ask | None:
        """The question a chat line asks ("?..."), or None when it is an ordinary line."""
        text = text.strip()
        if not self.on or not text.startswith(ASK_MARKS):
            return None
        body = text[1:].strip()
        return M.Ask(text=body[:500], id=self._rid("ask", 0, None)) if body else None

    def shown_questions(self) -> list[M.QuestionItem]:
        return list(self.questions.items[:SHOWN]) if self.questions is not None else []

    def upvote(self, n: int) -> M.Upvote | None:
        items = self.shown_questions()
        if not self.on or not 1 <= n <= len(items):
            return None
        q = items[n - 1]
        up = q.id not in self.voted
        return M.Upvote(question=q.id, up=up, id=self._rid("upvote", q.id, up))

    def poll(self) -> M.PollItem | None:
        """The poll shown: the newest open one, else the last closed one."""
        items = list(self.polls.items) if self.polls is not None else []
        open_ = [p for p in items if p.state == "open"]
        shown = open_ or items
        return shown[-1] if shown else None

    def vote(self, n: int) -> M.PollVote | None:
        p = self.poll()
        if not self.on or p is None or p.state != "open" or not 1 <= n <= len(p.options):
            return None
        choices = [n - 1]
        if p.kind == "multiple":
            mine = set(self.chosen.get(p.id, []))
            mine ^= {n - 1}
            choices = sorted(mine)[: p.max_choices]
            if not choices:
                return None
        return M.PollVote(poll=p.id, choices=choices, id=self._rid("vote", p.id, choices))


def board_lines(t: Translate, keys: BoardKeys) -> Rows | None:
    """(style, text) rows of the panel, or None while no event is on the stage."""
    if not keys.on:
        return None
    rows: Rows = [("title", t("client.board.title"))]
    items = keys.shown_questions()
    if not items:
        rows.append(("muted", t("client.board.empty")))
    for n, q in enumerate(items, 1):
        mark = "▲" if q.id in keys.voted else "△"
        tag = {"answered": f" ({t('client.board.answered')})", "pending": f" ({t('client.board.pending')})"}.get(q.state, "")
        rows.append(("item", f"{n}  {mark}{q.votes}  {q.name}: {q.text}{tag}"))
    p = keys.poll()
    if p is not None:
        rows.append(("line", p.question))
        mine = set(keys.chosen.get(p.id, []))
        for i, option in enumerate(p.options):
            count = f" · {p.counts[i]}" if p.counts is not None else ""
            rows.append(("item", f"{'●' if i in mine else '○'} {i + 1}  {option}{count}"))
        note = (t("client.board.poll_closed") if p.state == "closed" else
                t("client.board.ballots", n=p.ballots) if p.counts is not None else t("client.board.poll_hidden"))
        rows.append(("muted", note))
    rows.append(("hint", t("client.board.sign_in") if keys.guest else t("client.board.keys")))
    return rows


class BoardPanel:
    """The rows on a card at the bottom right (Panda3D imported here only)."""

    WIDTH = 0.9
    PAD = 0.03

    def __init__(self, base: object, t: Translate, guest: Callable[[], bool]) -> None:
        self.base, self.t, self.is_guest = base, t, guest
        self.keys = BoardKeys()
        self.frame: object = None
        self.lines: list[str] = []
        self._shown: object = None

    def handle(self, msg: msgspec.Struct) -> None:
        self.keys.handle(msg)

    def sync(self) -> None:
        self.keys.guest = self.is_guest()
        rows = board_lines(self.t, self.keys)
        if rows == self._shown:
            return
        self._shown = rows
        self._draw(rows)

    def _draw(self, rows: Sequence[tuple[str, str]] | None) -> None:
        from direct.gui.DirectGui import DGG, DirectFrame

        from client.hud import PANEL, label, text_size
        from client.row_panel import STYLES

        if self.frame is not None:
            self.frame.destroy()  # type: ignore[attr-defined]
            self.frame = None
        self.lines = []
        if rows is None:
            return
        inner = self.WIDTH - 2 * self.PAD
        heights = [text_size(text, STYLES[style][0], inner)[1] + 0.012 for style, text in rows]
        height = sum(heights) + 2 * self.PAD
        f = self.frame = DirectFrame(parent=self.base.a2dBottomRight, frameColor=PANEL, relief=DGG.FLAT,  # type: ignore[attr-defined]
                                     frameSize=(-self.WIDTH, 0, 0, height), pos=(-0.03, 0, 0.16))
        f.setTransparency(True)
        y = height - self.PAD
        for (style, text), dh in zip(rows, heights, strict=True):
            scale, colour = STYLES[style]
            label(f, text, (-self.WIDTH + self.PAD, y), scale, colour, wrap=inner)
            y -= dh
        self.lines = [text for _, text in rows]
