"""Seats in a park's halls: the main hall first, then the fullest open overflow hall,
never more than the capacity in a hall, never one person in two halls."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from world.showcases.seats import MAIN, SeatError, Seats


def check(seats: Seats) -> None:
    seen: dict[object, int] = {}
    for hall, people in seats.halls.items():
        assert len(people) <= seats.capacity, f"hall {hall} holds {len(people)} > {seats.capacity}"
        if hall != MAIN:
            assert people, f"overflow hall {hall} is empty but open"
        for who in people:
            assert who not in seen, f"{who} sits in halls {seen[who]} and {hall}"
            seen[who] = hall
    assert seen == seats.where
    assert len(seats.halls[MAIN]) + len(seats.offers) <= seats.capacity
    for who, offer in seats.offers.items():
        assert seats.where[who] == offer.from_hall != MAIN
    if seats.max_halls:
        assert len(seats.halls) <= seats.max_halls


def test_the_main_hall_fills_first_then_an_overflow_hall_opens() -> None:
    seats = Seats(capacity=2)
    assert [seats.admit(w, 0.0).hall for w in "ab"] == [1, 1]
    third = seats.admit("c", 0.0)
    assert (third.hall, third.opened) == (2, True)
    assert seats.admit("d", 0.0) == type(third)(2, False)
    assert seats.admit("e", 0.0).hall == 3
    assert seats.occupancy() == {1: 2, 2: 2, 3: 1}


def test_a_newcomer_joins_the_fullest_overflow_hall_with_a_seat() -> None:
    seats = Seats(capacity=3)
    for w in "abc" "def" "gh":  # main full, hall 2 full, hall 3 has two
        seats.admit(w, 0.0)
    seats.leave("d", 1.0)  # hall 2 now has two, hall 3 two: the lower number wins the tie
    seats.leave("g", 1.0)  # hall 3 has one
    assert seats.admit("x", 2.0).hall == 2


def test_an_empty_overflow_hall_closes_and_its_number_is_used_again() -> None:
    seats = Seats(capacity=1)
    for w in "abc":
        seats.admit(w, 0.0)
    assert seats.leave("b", 1.0).closed == 2
    assert 2 not in seats.halls
    assert seats.admit("d", 1.0).hall == 2


def test_a_freed_main_seat_is_offered_to_who_waited_longest_and_held_for_them() -> None:
    seats = Seats(capacity=2, offer_s=30.0)
    seats.admit("a", 0.0)
    seats.admit("b", 0.0)
    seats.admit("c", 1.0)  # hall 2
    seats.admit("d", 2.0)  # hall 2
    change = seats.leave("a", 10.0)
    assert [(o.who, o.from_hall, o.until) for o in change.offers] == [("c", 2, 40.0)]
    assert seats.free(MAIN) == 0  # held for c: a newcomer goes to an overflow hall (2 is full)
    assert seats.admit("e", 11.0).hall == 3
    moved = seats.accept("c", 12.0)
    assert seats.hall_of("c") == MAIN and moved.closed == 0
    assert seats.occupancy() == {1: 2, 2: 1, 3: 1}
    check(seats)


def test_an_offer_that_runs_out_passes_to_the_next_and_is_not_made_again() -> None:
    seats = Seats(capacity=1, offer_s=5.0)
    seats.admit("a", 0.0)
    seats.admit("b", 1.0)
    seats.admit("c", 2.0)  # hall 3 (hall 2 is full)
    offered = seats.leave("a", 3.0).offers
    assert [o.who for o in offered] == ["b"]
    assert seats.lapse(7.0) == type(seats.lapse(0.0))()  # not yet
    change = seats.lapse(9.0)
    assert [o.who for o in change.withdrawn] == ["b"] and [o.who for o in change.offers] == ["c"]
    with pytest.raises(SeatError, match="hall: the main hall is full"):
        seats.accept("b", 9.5)
    assert seats.accept("c", 9.5).closed == 3
    check(seats)


def test_moving_without_an_offer_takes_a_free_main_seat_and_is_refused_when_there_is_none() -> None:
    seats = Seats(capacity=1)
    seats.admit("a", 0.0)
    seats.admit("b", 0.0)
    with pytest.raises(SeatError, match="main hall is full"):
        seats.accept("b", 1.0)
    with pytest.raises(SeatError, match="in the main hall already"):
        seats.accept("a", 1.0)
    with pytest.raises(SeatError, match="who: not seated"):
        seats.accept("zed", 1.0)
    seats.decline("b", 1.0)  # no offer: nothing happens
    seats.leave("a", 2.0)
    assert seats.accept("b", 2.5).closed == 2


def test_the_last_hall_full_is_refused_naming_the_park() -> None:
    seats = Seats(capacity=1, max_halls=2)
    seats.admit("a", 0.0)
    seats.admit("b", 0.0)
    with pytest.raises(SeatError, match=r"park: every hall is full \(2 halls of 1\)"):
        seats.admit("c", 0.0)
    with pytest.raises(SeatError, match="who: already seated in hall 2"):
        seats.admit("b", 0.0)


def test_bad_settings_are_refused_naming_them() -> None:
    with pytest.raises(SeatError, match="capacity: a hall holds at least one"):
        Seats(capacity=0)
    with pytest.raises(SeatError, match="max_halls"):
        Seats(capacity=3, max_halls=-1)


# --- any interleaving --------------------------------------------------------------------

PEOPLE = st.integers(min_value=0, max_value=14)
STEP = st.one_of(
    st.tuples(st.just("join"), st.lists(PEOPLE, min_size=1, max_size=5), st.randoms(use_true_random=False)),
    st.tuples(st.just("leave"), PEOPLE, st.none()),
    st.tuples(st.just("accept"), PEOPLE, st.none()),
    st.tuples(st.just("decline"), PEOPLE, st.none()),
    st.tuples(st.just("lapse"), st.none(), st.none()),
)


@settings(max_examples=300, deadline=None)
@given(capacity=st.integers(1, 4), max_halls=st.integers(0, 4), steps=st.lists(STEP, max_size=60))
def test_no_interleaving_of_joins_and_leaves_overfills_a_hall_or_seats_anyone_twice(
        capacity: int, max_halls: int, steps: list[tuple[str, object, object]]) -> None:
    seats = Seats(capacity=capacity, max_halls=max_halls, offer_s=3.0)
    now = 0.0
    for kind, arg, rng in steps:
        now += 1.0
        if kind == "join":
            # several connections decide at once from the same state; the decisions are
            # applied in any order (some go stale meanwhile)
            people = [p for p in dict.fromkeys(arg) if p not in seats.where]  # type: ignore[arg-type]
            proposals = []
            for who in people:
                try:
                    proposals.append(seats.propose(who))
                except SeatError:
                    pass
            rng.shuffle(proposals)  # type: ignore[union-attr]
            for proposal in proposals:
                try:
                    got = seats.commit(proposal, now)
                except SeatError as exc:
                    assert exc.field == "park"  # only ever refused when every hall is full
                    assert all(seats.free(h) <= 0 for h in seats.halls)
                else:
                    assert seats.hall_of(proposal.who) == got.hall
        elif kind == "leave":
            seats.leave(arg, now)
            assert seats.hall_of(arg) is None
        elif kind == "accept":
            try:
                seats.accept(arg, now)
            except SeatError:
                pass
            else:
                assert seats.hall_of(arg) == MAIN
        elif kind == "decline":
            seats.decline(arg, now)
        else:
            seats.lapse(now)
        check(seats)
