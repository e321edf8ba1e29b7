"""The Q&A board of an event: questions from the audience, upvotes, moderation. Pure.

A question is submitted (``submit``: cleaned text of 1..``MAX_QUESTION_CHARS``
characters) and is then ``visible`` to the audience, or ``pending`` (awaiting a
moderator) when the event moderates first or the keyword filter flagged it
(``world.showcases.moderation``). Moderators approve (pending or hidden -> visible),
hide (-> hidden: invisible to the audience, kept for the record) and mark answered
(visible -> answered: still listed, and votable no more). ``MODERATION`` is the table.

Each person upvotes a question at most once and may take the vote back; votes are a
set of account ids, so a vote is never counted twice. The audience sees the visible
and answered questions (and their own pending ones), sorted by votes, then by age
(older first), then by id: a total order, so the list is stable.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from world.field_error import FieldError
from world.text import clean_text

__all__ = ["MAX_QUESTION_CHARS", "MODERATION", "QUESTION_STATES", "Question", "QuestionError", "audience_view",
           "check_text", "moderate", "moderator_view", "order", "submit", "unvote", "upvote"]

MAX_QUESTION_CHARS = 300
QUESTION_STATES = ("pending", "visible", "answered", "hidden")
# (state, moderator's action) -> next state
MODERATION: dict[tuple[str, str], str] = {
    ("pending", "approve"): "visible",
    ("hidden", "approve"): "visible",
    ("pending", "hide"): "hidden",
    ("visible", "hide"): "hidden",
    ("answered", "hide"): "hidden",
    ("visible", "answer"): "answered",
    ("pending", "answer"): "answered",
}
VOTABLE = ("visible",)


class QuestionError(FieldError):
    """A question or a vote broke a rule; ``field`` names what (``text``, ``vote``,
    ``state``), ``problem`` says what is wrong, ``code`` is short for it (``required``,
    ``too_long``, ``voted``, ``not_voted``, ``state``)."""

    def __init__(self, field_name: str, problem: str, code: str = "invalid") -> None:
        super().__init__(field_name, problem)
        self.code = code


@dataclass(frozen=True, slots=True)
class Question:
    id: int
    author: str  # account id
    text: str
    created: float  # epoch seconds
    state: str = "visible"
    votes: frozenset[str] = field(default_factory=frozenset)  # who upvoted
    flagged: str = ""  # the filtered word that held it for a moderator

    @property
    def score(self) -> int:
        return len(self.votes)


def check_text(text: str) -> str:
    """The question's text cleaned (one line: line breaks become spaces); ``QuestionError('text', ...)`` when it
    is empty or longer than ``MAX_QUESTION_CHARS`` characters."""
    if not isinstance(text, str):
        raise QuestionError("text", "a question is text")
    cleaned = clean_text(text, multiline=False)
    if not cleaned:
        raise QuestionError("text", "the question is empty", "required")
    if len(cleaned) > MAX_QUESTION_CHARS:
        raise QuestionError("text", f"a question has at most {MAX_QUESTION_CHARS} characters "
                            f"({len(cleaned)} given)", "too_long")
    return cleaned


def submit(question_id: int, author: str, text: str, now: float, *, premoderated: bool = False,
           flagged: str = "") -> Question:
    """A new question: ``pending`` when the board moderates first or a word was flagged,
    else ``visible``."""
    return Question(question_id, author, check_text(text), now,
                    "pending" if premoderated or flagged else "visible", frozenset(), flagged)


def upvote(q: Question, user: str) -> Question:
    if q.state not in VOTABLE:
        raise QuestionError("vote", "answered questions take no more votes" if q.state == "answered"
                            else "this question is not open for votes", "state")
    if user in q.votes:
        raise QuestionError("vote", "you have upvoted this question already", "voted")
    return replace(q, votes=q.votes | {user})


def unvote(q: Question, user: str) -> Question:
    if user not in q.votes:
        raise QuestionError("vote", "you have not upvoted this question", "not_voted")
    return replace(q, votes=q.votes - {user})


def moderate(q: Question, action: str) -> Question:
    """``approve``, ``hide`` or ``answer`` (the ``MODERATION`` table); ``QuestionError``
    naming the state otherwise."""
    nxt = MODERATION.get((q.state, action))
    if nxt is None:
        done = {"approve": "approved", "hide": "hidden", "answer": "marked answered"}.get(action, action)
        article = "an" if q.state == "answered" else "a"
        raise QuestionError("state", f"{article} {q.state} question cannot be {done}", "state")
    return replace(q, state=nxt)


def order(questions: Iterable[Question]) -> list[Question]:
    """By votes (most first), then age (oldest first), then id."""
    return sorted(questions, key=lambda q: (-q.score, q.created, q.id))


def audience_view(questions: Iterable[Question], viewer: str = "") -> list[Question]:
    """What a member of the audience sees: visible and answered questions, and the
    viewer's own pending ones; hidden ones never."""
    return order(q for q in questions
                 if q.state in ("visible", "answered") or (q.state == "pending" and viewer and q.author == viewer))


def moderator_view(questions: Iterable[Question]) -> list[Question]:
    """Every question, pending first, then the others, each part in ``order``."""
    qs = list(questions)
    return order(q for q in qs if q.state == "pending") + order(q for q in qs if q.state != "pending")
