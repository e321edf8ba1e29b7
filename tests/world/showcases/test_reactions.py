"""Reactions counted per second, a person's flood capped, unknown kinds refused."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from world.showcases.reactions import KINDS, Counts, ReactionError, Tally, total


def test_one_record_per_second_with_the_counts_of_each_kind() -> None:
    tally = Tally()
    assert tally.add("ann", "applause", 100.1) == (1, [])
    tally.add("bo", "applause", 100.5)
    tally.add("bo", "heart", 100.9)
    counted, closed = tally.add("ann", "cheer", 101.2)
    assert counted == 1
    assert closed == [Counts(100, {"applause": 2, "heart": 1})]
    assert tally.close(101.99) == []
    assert tally.close(102.0) == [Counts(101, {"cheer": 1})]
    assert tally.close(110.0) == []  # nobody reacted: no record


def test_a_flood_counts_at_most_the_cap_per_person_and_second() -> None:
    tally = Tally(per_second=3)
    results = [tally.add("ann", "wow", 50.0 + i / 100)[0] for i in range(40)]
    assert sum(results) == 3 and results[:3] == [1, 1, 1]
    assert tally.add("bo", "wow", 50.5)[0] == 1  # someone else still counts
    assert tally.add("ann", "wow", 51.0)[0] == 1  # a new second, a new allowance
    assert tally.refused == 37
    assert tally.close(60.0) == [Counts(51, {"wow": 1})]


def test_unknown_kinds_and_bad_numbers_are_refused_naming_the_field() -> None:
    tally = Tally()
    with pytest.raises(ReactionError, match=r"kind: unknown reaction 'boo'; use one of applause, cheer"):
        tally.add("ann", "boo", 1.0)
    with pytest.raises(ReactionError, match="n: must be at least 1"):
        tally.add("ann", "heart", 1.0, n=0)
    with pytest.raises(ReactionError, match="per_second"):
        Tally(per_second=0)
    assert tally.close(5.0) == []


def test_records_of_several_halls_are_summed_per_second() -> None:
    got = total([Counts(7, {"applause": 2}), Counts(6, {"heart": 1}), Counts(7, {"applause": 1, "wow": 4})])
    assert got == [Counts(6, {"heart": 1}), Counts(7, {"applause": 3, "wow": 4})]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.sampled_from(KINDS), st.floats(0, 0.999)), max_size=80),
       st.integers(1, 6))
def test_a_second_never_counts_more_than_the_cap_times_the_people(
        events: list[tuple[int, str, float]], cap: int) -> None:
    tally = Tally(per_second=cap)
    events = sorted(events, key=lambda e: e[2])
    for who, kind, at in events:
        tally.add(who, kind, 10.0 + at)
    records = tally.close(11.0)
    want: dict[int, int] = {}
    for who, _, _ in events:
        want[who] = min(cap, want.get(who, 0) + 1)
    assert sum(r.total for r in records) == sum(want.values())
