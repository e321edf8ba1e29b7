"""The application workflow is a table: only its moves are possible, each by its side."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from world.policies.applications import (
    APPLICANT,
    CLOSED,
    OPEN,
    REVIEWER,
    STATES,
    STEP_NAMES,
    STEPS,
    TABLE,
    Refusal,
    Step,
    advance,
    steps_from,
)

ALLOWED = {  # the whole table written out: a change to the workflow must change this too
    ("", "submit"): ("submitted", APPLICANT),
    ("submitted", "start_review"): ("under_review", REVIEWER),
    ("resubmitted", "start_review"): ("under_review", REVIEWER),
    ("under_review", "ask_more"): ("more_info", REVIEWER),
    ("more_info", "resubmit"): ("resubmitted", APPLICANT),
    ("under_review", "approve"): ("approved", REVIEWER),
    ("under_review", "reject"): ("rejected", REVIEWER),
    ("approved", "disburse"): ("disbursed", REVIEWER),
    ("submitted", "withdraw"): ("withdrawn", APPLICANT),
    ("under_review", "withdraw"): ("withdrawn", APPLICANT),
    ("more_info", "withdraw"): ("withdrawn", APPLICANT),
    ("resubmitted", "withdraw"): ("withdrawn", APPLICANT),
}


def ok(state: str, step: str, by: str) -> Step | Refusal:
    return advance(state, step, by, note="please add the lease", amount=100, claimed=1000)


def test_every_pair_of_state_and_step_is_allowed_exactly_as_the_table_says() -> None:
    for state, step, by in itertools.product(("", *STATES), STEP_NAMES, (APPLICANT, REVIEWER)):
        got = ok(state, step, by)
        want = ALLOWED.get((state, step))
        if want is not None and want[1] == by:
            assert isinstance(got, Step) and got.target == want[0], (state, step, by)
        else:
            assert isinstance(got, Refusal) and not got and got.reason, (state, step, by)


def test_the_wrong_side_is_told_who_may() -> None:
    got = advance("under_review", "approve", APPLICANT, amount=1)
    assert isinstance(got, Refusal) and got.code == "not_yours" and "officers" in got.reason
    got = advance("more_info", "resubmit", REVIEWER)
    assert isinstance(got, Refusal) and got.code == "not_yours" and "enterprise" in got.reason


def test_closed_applications_take_no_step() -> None:
    for state in CLOSED:
        assert not steps_from(state, APPLICANT) and not steps_from(state, REVIEWER)
        assert advance(state, "withdraw", APPLICANT).code == "closed"  # type: ignore[union-attr]


def test_asking_for_more_and_rejecting_need_a_note_and_approval_an_amount_within_the_claim() -> None:
    assert advance("under_review", "ask_more", REVIEWER, note="  ").code == "note_missing"  # type: ignore[union-attr]
    assert advance("under_review", "reject", REVIEWER).code == "note_missing"  # type: ignore[union-attr]
    assert advance("under_review", "ask_more", REVIEWER, note="x" * 2001).code == "note_long"  # type: ignore[union-attr]
    assert advance("under_review", "approve", REVIEWER).code == "amount_missing"  # type: ignore[union-attr]
    assert advance("under_review", "approve", REVIEWER, amount=-1).code == "amount_range"  # type: ignore[union-attr]
    got = advance("under_review", "approve", REVIEWER, amount=1001, claimed=1000)
    assert isinstance(got, Refusal) and got.code == "amount_over"
    assert isinstance(advance("under_review", "approve", REVIEWER, amount=1000, claimed=1000), Step)


def test_unknown_steps_are_named() -> None:
    got = advance("submitted", "cancel", APPLICANT)
    assert isinstance(got, Refusal) and got.code == "unknown_step" and "'cancel'" in got.reason


def test_every_state_is_reached_and_every_open_state_can_still_end() -> None:
    reached = {s.target for s in STEPS}
    assert reached == set(STATES)
    for state in OPEN:
        seen, todo = {state}, [state]
        while todo:
            for s in STEPS:
                if s.source == todo[-1] and s.target not in seen:
                    seen.add(s.target)
                    todo.append(s.target)
                    break
            else:
                todo.pop()
        assert seen & CLOSED, state


@given(st.lists(st.tuples(st.sampled_from(STEP_NAMES), st.sampled_from((APPLICANT, REVIEWER))), max_size=30))
def test_any_sequence_of_attempts_only_ever_moves_along_the_table(attempts: list[tuple[str, str]]) -> None:
    state = ""
    for step, by in attempts:
        got = ok(state, step, by)
        if isinstance(got, Step):
            assert TABLE[(state, step)] == got and got.by == by
            state = got.target
        else:
            assert got.code in {"unknown_step", "not_now", "closed", "not_yours"}
    assert state in ("", *STATES)
