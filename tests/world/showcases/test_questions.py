"""The Q&A board's rules: length limits, one upvote per person, un-voting, the
moderation table, and the audience's sorted view (hypothesis: votes never counted twice,
the order total and stable)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from world.showcases.questions import (
    MAX_QUESTION_CHARS,
    MODERATION,
    QUESTION_STATES,
    Question,
    QuestionError,
    audience_view,
    moderate,
    moderator_view,
    order,
    submit,
    unvote,
    upvote,
)


def test_a_question_is_cleaned_and_limited() -> None:
    q = submit(1, "ana", "  What about  \u200bprices? \n", 10.0)
    assert q.text == "What about prices?" and q.state == "visible" and q.score == 0
    assert len(submit(2, "ana", "问" * MAX_QUESTION_CHARS, 1.0).text) == MAX_QUESTION_CHARS
    with pytest.raises(QuestionError) as long:
        submit(3, "ana", "问" * (MAX_QUESTION_CHARS + 1), 1.0)
    assert long.value.field == "text" and f"at most {MAX_QUESTION_CHARS}" in long.value.problem
    with pytest.raises(QuestionError, match="text: the question is empty"):
        submit(4, "ana", " \u200b ", 1.0)


def test_premoderation_and_flagged_questions_wait_for_a_moderator() -> None:
    assert submit(1, "a", "hi", 1.0, premoderated=True).state == "pending"
    flagged = submit(2, "a", "hi", 1.0, flagged="shit")
    assert flagged.state == "pending" and flagged.flagged == "shit"


def test_one_upvote_per_person_and_un_voting() -> None:
    q = upvote(upvote(submit(1, "ana", "Q", 1.0), "bob"), "cai")
    assert q.score == 2
    with pytest.raises(QuestionError, match="vote: you have upvoted this question already"):
        upvote(q, "bob")
    q = unvote(q, "bob")
    assert q.votes == {"cai"}
    with pytest.raises(QuestionError, match="you have not upvoted"):
        unvote(q, "bob")
    with pytest.raises(QuestionError, match="answered questions take no more votes"):
        upvote(moderate(q, "answer"), "bob")
    with pytest.raises(QuestionError, match="not open for votes"):
        upvote(moderate(q, "hide"), "bob")


def test_the_moderation_table() -> None:
    q = submit(1, "ana", "Q", 1.0, premoderated=True)
    assert moderate(q, "approve").state == "visible"
    assert moderate(moderate(q, "hide"), "approve").state == "visible"
    assert moderate(moderate(q, "approve"), "answer").state == "answered"
    for state in QUESTION_STATES:
        for action in ("approve", "hide", "answer"):
            if (state, action) not in MODERATION:
                with pytest.raises(QuestionError) as refused:
                    moderate(Question(1, "a", "Q", 1.0, state), action)
                assert refused.value.field == "state" and state in refused.value.problem


def test_the_audience_never_sees_hidden_ones_and_sees_only_its_own_pending() -> None:
    qs = [Question(1, "ana", "a", 1.0, "visible"), Question(2, "bob", "b", 2.0, "hidden"),
          Question(3, "bob", "c", 3.0, "pending"), Question(4, "cai", "d", 4.0, "answered")]
    assert [q.id for q in audience_view(qs, "ana")] == [1, 4]
    assert [q.id for q in audience_view(qs, "bob")] == [1, 3, 4]
    assert [q.id for q in audience_view(qs)] == [1, 4]
    assert [q.id for q in moderator_view(qs)] == [3, 1, 2, 4]


def test_sorted_by_votes_then_age() -> None:
    qs = [Question(1, "a", "x", 5.0, votes=frozenset({"p"})), Question(2, "a", "y", 1.0),
          Question(3, "a", "z", 9.0, votes=frozenset({"p", "q"})), Question(4, "a", "w", 2.0, votes=frozenset({"q"}))]
    assert [q.id for q in order(qs)] == [3, 4, 1, 2]


actions = st.lists(st.tuples(st.sampled_from(["up", "down"]), st.integers(0, 4), st.sampled_from("abcdef")),
                   max_size=80)


@given(actions)
def test_votes_are_never_counted_twice(steps: list[tuple[str, int, str]]) -> None:
    qs = {i: submit(i, "author", f"q{i}", float(i)) for i in range(5)}
    ballots: set[tuple[int, str]] = set()
    for what, i, user in steps:
        try:
            qs[i] = upvote(qs[i], user) if what == "up" else unvote(qs[i], user)
        except QuestionError:
            assert ((i, user) in ballots) == (what == "up")  # refused exactly when it would count twice / nothing
            continue
        (ballots.add if what == "up" else ballots.discard)((i, user))
    for i, q in qs.items():
        assert q.score == len({u for j, u in ballots if j == i})


questions = st.lists(st.builds(Question, id=st.integers(0, 10_000), author=st.sampled_from("ab"), text=st.just("q"),
                               created=st.floats(0, 100, allow_nan=False).map(lambda f: round(f)),
                               state=st.sampled_from(QUESTION_STATES),
                               votes=st.frozensets(st.sampled_from("pqrstu"))),
                     max_size=30, unique_by=lambda q: q.id)


@given(questions, st.randoms())
def test_the_order_is_total_stable_and_by_votes_then_age(qs: list[Question], rng: object) -> None:
    shuffled = list(qs)
    rng.shuffle(shuffled)  # type: ignore[attr-defined]
    assert order(shuffled) == order(qs)  # the same list whatever order they came in
    ranked = order(qs)
    for a, b in zip(ranked, ranked[1:], strict=False):
        assert (a.score, -a.created) >= (b.score, -b.created)
    seen = audience_view(qs)
    assert all(q.state in ("visible", "answered") for q in seen)
    assert {q.id for q in seen} == {q.id for q in qs if q.state in ("visible", "answered")}
