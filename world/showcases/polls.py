"""Polls during an event: single or multiple choice, results live or hidden until the
poll closes, one ballot per person (changed while the poll is open). Pure.

A poll is a ``draft`` until it is opened, then ``open``, then ``closed`` (``TRANSITIONS``).
A ballot is the set of option indexes one person chose; ``cast`` checks it against the
poll (an open poll, known options, exactly one for single choice, 1..``max_choices``
for multiple) and replaces that person's earlier ballot, so nobody is ever counted
twice. ``tally`` counts the ballots; ``shown`` decides whether a viewer may see the
counts (always for moderators; for the audience when results are ``live`` or the poll
is closed).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from world.field_error import FieldError
from world.text import clean_text

__all__ = ["KINDS", "MAX_OPTIONS", "MAX_OPTION_CHARS", "MAX_QUESTION_CHARS", "POLL_STATES", "RESULTS",
           "TRANSITIONS", "Poll", "PollError", "Tally", "cast", "check_choices", "check_poll", "next_state", "shown", "tally"]

KINDS = ("single", "multiple")
RESULTS = ("live", "hidden")  # hidden: the audience sees the counts once the poll is closed
POLL_STATES = ("draft", "open", "closed")
TRANSITIONS: dict[tuple[str, str], str] = {("draft", "open"): "open", ("open", "close"): "closed"}
MAX_OPTIONS = 10
MAX_OPTION_CHARS = 80
MAX_QUESTION_CHARS = 200


class PollError(FieldError):
    """A poll or a ballot broke a rule; ``field`` names what (``question``, ``options``,
    ``kind``, ``results``, ``max_choices``, ``choices``, ``poll``); ``code`` is ``closed``
    (a vote after close), ``not_open`` (before it opened), ``state`` (a step the poll's
    lifecycle has not) or ``invalid``."""

    def __init__(self, field_name: str, problem: str, code: str = "invalid") -> None:
        super().__init__(field_name, problem)
        self.code = code


@dataclass(frozen=True, slots=True)
class Poll:
    id: int
    question: str
    options: tuple[str, ...]
    kind: str = "single"
    results: str = "live"
    state: str = "draft"
    max_choices: int = 1  # multiple choice: at most this many; single: 1

    @property
    def open(self) -> bool:
        return self.state == "open"


@dataclass(frozen=True, slots=True)
class Tally:
    counts: tuple[int, ...]  # per option, in the options' order
    ballots: int  # people who voted

    @property
    def choices(self) -> int:
        return sum(self.counts)


def check_poll(question: str, options: Iterable[str], kind: str = "single", results: str = "live",
               max_choices: int | None = None) -> Poll:
    """A draft poll with its texts cleaned; ``PollError`` naming the first bad field."""
    q = clean_text(question, multiline=False) if isinstance(question, str) else ""
    if not q:
        raise PollError("question", "the poll's question is empty")
    if len(q) > MAX_QUESTION_CHARS:
        raise PollError("question", f"at most {MAX_QUESTION_CHARS} characters ({len(q)} given)")
    opts = tuple(clean_text(o, multiline=False) if isinstance(o, str) else "" for o in options)
    if not 2 <= len(opts) <= MAX_OPTIONS:
        raise PollError("options", f"a poll has 2 to {MAX_OPTIONS} options ({len(opts)} given)")
    for i, o in enumerate(opts, 1):
        if not o:
            raise PollError("options", f"option {i} is empty")
        if len(o) > MAX_OPTION_CHARS:
            raise PollError("options", f"option {i} has more than {MAX_OPTION_CHARS} characters")
    folded = [o.casefold() for o in opts]
    for i, o in enumerate(folded):
        if o in folded[:i]:
            raise PollError("options", f"option {i + 1} repeats option {folded.index(o) + 1}")
    if kind not in KINDS:
        raise PollError("kind", f"must be one of {', '.join(KINDS)}")
    if results not in RESULTS:
        raise PollError("results", f"must be one of {', '.join(RESULTS)}")
    if kind == "single":
        if max_choices not in (None, 1):
            raise PollError("max_choices", "a single-choice poll takes one choice")
        most = 1
    else:
        most = len(opts) if max_choices is None else max_choices
        if isinstance(most, bool) or not isinstance(most, int) or not 1 <= most <= len(opts):
            raise PollError("max_choices", f"must be 1 to {len(opts)}")
    return Poll(0, q, opts, kind, results, "draft", most)


def next_state(poll: Poll, what: str) -> str:
    nxt = TRANSITIONS.get((poll.state, what))
    if nxt is None:
        if what == "open" and poll.state == "open":
            raise PollError("poll", "this poll is open already", "state")
        if what == "open":
            raise PollError("poll", "a closed poll cannot open again", "state")
        if what == "close" and poll.state == "draft":
            raise PollError("poll", "this poll has not opened yet", "state")
        raise PollError("poll", f"a {poll.state} poll cannot be {what}d", "state")
    return nxt


def cast(poll: Poll, ballots: Mapping[str, frozenset[int]], user: str,
         choices: Iterable[int]) -> dict[str, frozenset[int]]:
    """``ballots`` with ``user``'s ballot set to ``choices`` (an earlier one replaced);
    ``PollError`` when the poll is not open or the choices do not fit."""
    if poll.state == "closed":
        raise PollError("poll", "this poll is closed: votes are no longer counted", "closed")
    if poll.state != "open":
        raise PollError("poll", "this poll has not opened yet", "not_open")
    chosen = check_choices(poll, choices)
    out = dict(ballots)
    out[user] = chosen
    return out


def check_choices(poll: Poll, choices: Iterable[int]) -> frozenset[int]:
    picked = list(choices)
    for c in picked:
        if isinstance(c, bool) or not isinstance(c, int) or not 0 <= c < len(poll.options):
            raise PollError("choices", f"there is no option {c!r} (options are 0 to {len(poll.options) - 1})")
    chosen = frozenset(picked)
    if len(chosen) != len(picked):
        raise PollError("choices", "an option is chosen twice")
    if poll.kind == "single" and len(chosen) != 1:
        raise PollError("choices", "choose exactly one option")
    if poll.kind == "multiple" and not 1 <= len(chosen) <= poll.max_choices:
        raise PollError("choices", f"choose 1 to {poll.max_choices} options")
    return chosen


def tally(poll: Poll, ballots: Iterable[frozenset[int]]) -> Tally:
    counts = [0] * len(poll.options)
    n = 0
    for ballot in ballots:
        n += 1
        for c in ballot:
            if 0 <= c < len(counts):
                counts[c] += 1
    return Tally(tuple(counts), n)


def shown(poll: Poll, moderator: bool) -> bool:
    """May this viewer see the counts now?"""
    return moderator or poll.results == "live" or poll.state == "closed"
