"""Events as pure rules: every bad field named, the lifecycle table, registration
places, the waitlist's promotions and who may attend."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from world.showcases.events import (
    MAX_DESCRIPTION_CHARS,
    MAX_TITLE_CHARS,
    TRANSITIONS,
    Event,
    EventDraft,
    cleaned,
    edit_problems,
    may_attend,
    next_state,
    place,
    problems,
    promotions,
    registration_problem,
)

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
START = NOW + timedelta(days=1)
GOOD = EventDraft("798-art-zone", "main", "新品发布", "Launch", START, START + timedelta(hours=2), 200,
                  registration="required", quota=150, description_zh="介绍", description_en="About",
                  presenters=("ana", "bob"))


def fields(draft: EventDraft) -> list[tuple[str, str]]:
    return [(p.field, p.code) for p in problems(cleaned(draft), NOW)]


def event(**changes: object) -> Event:
    base = Event(7, "798-art-zone", "main", "org", "新品发布", "Launch", "", "", START, START + timedelta(hours=2),
                 ("ana",), 200, "required", 150)
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_a_good_draft_has_no_problems() -> None:
    assert fields(GOOD) == []


@pytest.mark.parametrize(("change", "expected"), [
    ({"end": START - timedelta(minutes=1)}, [("end", "bad_range")]),
    ({"end": START}, [("end", "bad_range")]),
    ({"start": NOW - timedelta(minutes=5), "end": NOW + timedelta(hours=1)}, [("start", "past")]),
    ({"end": START + timedelta(minutes=10)}, [("end", "too_short")]),
    ({"end": START + timedelta(hours=13)}, [("end", "too_long")]),
    ({"start": START.replace(tzinfo=None)}, [("start", "naive_time")]),
    ({"capacity": 0, "quota": None}, [("capacity", "capacity")]),
    ({"capacity": -5, "quota": None}, [("capacity", "capacity")]),
    ({"capacity": 100, "quota": 101}, [("quota", "quota")]),
    ({"quota": 0}, [("quota", "quota")]),
    ({"title_zh": "   "}, [("title_zh", "required")]),
    ({"title_en": "\u200b"}, [("title_en", "required")]),  # invisible only: empty once cleaned
    ({"title_en": "x" * (MAX_TITLE_CHARS + 1)}, [("title_en", "too_long")]),
    ({"description_zh": "字" * (MAX_DESCRIPTION_CHARS + 1)}, [("description_zh", "too_long")]),
    ({"registration": "invite"}, [("registration", "registration")]),
    ({"presenters": ("ana", "ana")}, [("presenters", "presenters")]),
    ({"presenters": ("",)}, [("presenters", "presenters")]),
    ({"park_id": ""}, [("park_id", "required")]),
    ({"stage_id": ""}, [("stage_id", "required")]),
])
def test_each_bad_field_is_named(change: dict[str, object], expected: list[tuple[str, str]]) -> None:
    assert fields(dataclasses.replace(GOOD, **change)) == expected  # type: ignore[arg-type]


def test_several_problems_are_all_named() -> None:
    bad = dataclasses.replace(GOOD, title_zh="", capacity=0, quota=None, registration="x")
    assert fields(bad) == [("title_zh", "required"), ("capacity", "capacity"), ("registration", "registration")]


def test_quota_defaults_to_the_capacity() -> None:
    assert event(quota=None).seats == 200 and event().seats == 150


def test_the_lifecycle_table() -> None:
    assert next_state("scheduled", "start") == "live"
    assert next_state("live", "end") == "ended"
    assert next_state("scheduled", "cancel") == "cancelled"
    for state in ("scheduled", "live", "ended", "cancelled"):
        for what in ("start", "end", "cancel"):
            if (state, what) not in TRANSITIONS:
                with pytest.raises(ValueError, match=state):
                    next_state(state, what)
    with pytest.raises(ValueError, match="a live event cannot be cancelled"):
        next_state("live", "cancel")


def test_a_live_event_changes_its_texts_but_not_its_start() -> None:
    live = event(state="live")
    during = START + timedelta(minutes=30)
    draft = dataclasses.replace(GOOD, start=START, title_en="Launch day")
    assert edit_problems(live, draft, during) == []
    moved = dataclasses.replace(draft, start=START + timedelta(minutes=15))
    assert [(p.field, p.code) for p in edit_problems(live, moved, during)] == [("start", "state")]
    early_end = dataclasses.replace(draft, end=START + timedelta(minutes=20))
    assert [(p.field, p.code) for p in edit_problems(live, early_end, during)] == [("end", "state")]
    assert [p.code for p in edit_problems(event(state="ended"), draft, during)] == ["state"]
    other_stage = dataclasses.replace(draft, stage_id="east")
    assert [p.field for p in edit_problems(event(), other_stage, NOW)] == ["stage_id"]


def test_registration_closes_at_the_end_and_for_a_cancelled_event() -> None:
    assert registration_problem(event(), NOW) is None
    assert registration_problem(event(state="live"), START + timedelta(minutes=5)) is None
    assert registration_problem(event(), START + timedelta(hours=2)).message == "this event is over"  # type: ignore[union-attr]
    assert registration_problem(event(state="cancelled"), NOW).message == "this event was cancelled"  # type: ignore[union-attr]


def test_places_and_promotions() -> None:
    assert place(2, 0) == place(2, 1) == "confirmed"
    assert place(2, 2) == place(2, 3) == "waitlisted"
    assert promotions(3, 1, ["c", "d", "e"]) == ["c", "d"]
    assert promotions(3, 3, ["c"]) == [] and promotions(3, 5, ["c"]) == []


@given(seats=st.integers(1, 20), arrivals=st.integers(0, 60), cancels=st.lists(st.integers(0, 59), max_size=30))
def test_confirmed_never_exceed_the_seats_and_the_waitlist_keeps_its_order(seats: int, arrivals: int,
                                                                           cancels: list[int]) -> None:
    confirmed: list[int] = []
    waiting: list[int] = []
    for person in range(arrivals):
        (confirmed if place(seats, len(confirmed)) == "confirmed" else waiting).append(person)
    for person in cancels:
        if person in confirmed:
            confirmed.remove(person)
        elif person in waiting:
            waiting.remove(person)
        else:
            continue
        up = promotions(seats, len(confirmed), [str(w) for w in waiting])
        assert up == [str(w) for w in waiting[:len(up)]]  # first come, first served
        confirmed += waiting[:len(up)]
        del waiting[:len(up)]
        assert len(confirmed) <= seats
        assert not waiting or len(confirmed) == seats  # nobody waits while a seat is free
    assert len(confirmed) == min(seats, len(confirmed) + len(waiting))


def test_who_may_attend() -> None:
    required = event()
    assert may_attend(required, "x", "confirmed") and not may_attend(required, "x", "waitlisted")
    assert not may_attend(required, "x", None)
    assert may_attend(required, "org", None) and may_attend(required, "ana", None)
    assert may_attend(event(registration="open"), "x", None)
    assert not may_attend(event(state="ended", registration="open"), "x", None)


def test_titles_fall_back_to_the_other_language() -> None:
    assert event(title_en="").title("en") == "新品发布"
    assert event().title("zh") == "新品发布" and event().title("en") == "Launch"
