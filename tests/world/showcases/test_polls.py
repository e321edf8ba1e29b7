"""Polls: their shape named field by field, the lifecycle, ballots (one per person,
changed while open, refused after close with a precise message), results hidden until
closed; hypothesis: the totals always equal the ballots."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from world.showcases.polls import Poll, PollError, cast, check_poll, next_state, shown, tally


def opened(poll: Poll) -> Poll:
    return dataclasses.replace(poll, state=next_state(poll, "open"))


SINGLE = opened(check_poll("Which colour?", ["Red", "Green", "Blue"]))
MULTI = opened(check_poll("Which days?", ["Mon", "Tue", "Wed", "Thu"], kind="multiple", max_choices=2))


@pytest.mark.parametrize(("args", "field", "words"), [
    (("", ["a", "b"]), "question", "empty"),
    (("q" * 201, ["a", "b"]), "question", "at most"),
    (("Q", ["a"]), "options", "2 to 10"),
    (("Q", [str(i) for i in range(11)]), "options", "2 to 10"),
    (("Q", ["a", " "]), "options", "option 2 is empty"),
    (("Q", ["Yes", "yes"]), "options", "option 2 repeats option 1"),
    (("Q", ["a", "x" * 81]), "options", "more than 80"),
    (("Q", ["a", "b"], "ranked"), "kind", "single, multiple"),
    (("Q", ["a", "b"], "single", "later"), "results", "live, hidden"),
    (("Q", ["a", "b"], "single", "live", 2), "max_choices", "one choice"),
    (("Q", ["a", "b"], "multiple", "live", 3), "max_choices", "1 to 2"),
    (("Q", ["a", "b"], "multiple", "live", 0), "max_choices", "1 to 2"),
])
def test_a_bad_poll_is_refused_naming_the_field(args: tuple[object, ...], field: str, words: str) -> None:
    with pytest.raises(PollError) as refused:
        check_poll(*args)  # type: ignore[arg-type]
    assert refused.value.field == field and words in refused.value.problem


def test_the_lifecycle() -> None:
    draft = check_poll("Q", ["a", "b"])
    with pytest.raises(PollError, match="poll: this poll has not opened yet"):
        cast(draft, {}, "ana", [0])
    with pytest.raises(PollError, match="has not opened yet"):
        next_state(draft, "close")
    closed = dataclasses.replace(SINGLE, state=next_state(SINGLE, "close"))
    with pytest.raises(PollError, match="cannot open again"):
        next_state(closed, "open")
    with pytest.raises(PollError, match="open already"):
        next_state(SINGLE, "open")


def test_a_vote_after_close_is_refused_with_a_precise_message() -> None:
    closed = dataclasses.replace(SINGLE, state="closed")
    with pytest.raises(PollError) as refused:
        cast(closed, {}, "ana", [0])
    assert (refused.value.field, refused.value.problem) == ("poll", "this poll is closed: votes are no longer counted")


def test_ballots_one_per_person_changed_while_open() -> None:
    ballots = cast(SINGLE, {}, "ana", [0])
    ballots = cast(SINGLE, ballots, "bob", [2])
    ballots = cast(SINGLE, ballots, "ana", [1])  # ana changes her mind: her first ballot is gone
    assert tally(SINGLE, ballots.values()).counts == (0, 1, 1)
    assert tally(SINGLE, ballots.values()).ballots == 2


@pytest.mark.parametrize(("poll", "choices", "words"), [
    (SINGLE, [0, 1], "exactly one"),
    (SINGLE, [], "exactly one"),
    (SINGLE, [3], "no option 3"),
    (SINGLE, [-1], "no option -1"),
    (MULTI, [0, 1, 2], "1 to 2"),
    (MULTI, [1, 1], "chosen twice"),
    (MULTI, [], "1 to 2"),
])
def test_choices_that_do_not_fit_are_refused(poll: Poll, choices: list[int], words: str) -> None:
    with pytest.raises(PollError) as refused:
        cast(poll, {}, "ana", choices)
    assert refused.value.field == "choices" and words in refused.value.problem


def test_hidden_results_show_to_the_audience_once_closed() -> None:
    hidden = dataclasses.replace(SINGLE, results="hidden")
    assert not shown(hidden, moderator=False) and shown(hidden, moderator=True)
    assert shown(dataclasses.replace(hidden, state="closed"), moderator=False)
    assert shown(SINGLE, moderator=False)


votes = st.lists(st.tuples(st.sampled_from("abcdefgh"), st.lists(st.integers(-1, 4), max_size=5)), max_size=60)


@given(st.sampled_from([SINGLE, MULTI]), votes)
def test_the_totals_always_equal_the_ballots(poll: Poll, steps: list[tuple[str, list[int]]]) -> None:
    ballots: dict[str, frozenset[int]] = {}
    last: dict[str, frozenset[int]] = {}
    for user, choices in steps:
        try:
            ballots = cast(poll, ballots, user, choices)
        except PollError as exc:
            assert exc.field == "choices"
            continue
        last[user] = frozenset(choices)
    t = tally(poll, ballots.values())
    assert t.ballots == len(last)  # one ballot per person who voted
    assert t.choices == sum(len(b) for b in last.values())
    for i in range(len(poll.options)):
        assert t.counts[i] == sum(1 for b in last.values() if i in b)  # each person's last ballot counted once
    if poll.kind == "single":
        assert sum(t.counts) == t.ballots
