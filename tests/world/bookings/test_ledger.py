"""The booking ledger under random sequences (hypothesis): whatever is requested,
cancelled, checked in, approved or left to time, no two bookings that hold the space
ever overlap (buffers included) and no enterprise ever exceeds its weekly quota;
waitlist offers and no-show release follow the clock that is passed in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from world.bookings.check import HOLDING, Request, occupied, quota_used, week_of
from world.bookings.ledger import Ledger, LedgerError
from world.bookings.rules import SpaceRules

TZS = [ZoneInfo("Asia/Shanghai"), ZoneInfo("Europe/Berlin")]
START = datetime(2027, 3, 22, 0, 0, tzinfo=UTC)  # Berlin changes its clocks that Sunday


def rules(approval: bool) -> SpaceRules:
    return SpaceRules("s", "p", capacity=6, step_minutes=30, min_minutes=30, max_minutes=180, buffer_before=15,
                      buffer_after=15, weekly_quota_minutes=120, approval=approval, hold_minutes=30,
                      check_in_grace_minutes=15, cancel_deadline_minutes=60, audience="zone",
                      horizon_days=30).check()


operation = st.one_of(
    st.tuples(st.just("book"), st.integers(0, 36), st.sampled_from([30, 60, 90, 120]),
              st.integers(1, 4), st.integers(1, 3)),
    st.tuples(st.just("wait"), st.integers(0, 36), st.sampled_from([30, 60, 120]), st.integers(1, 4),
              st.integers(1, 3)),
    st.tuples(st.just("cancel"), st.integers(0, 40)),
    st.tuples(st.just("check_in"), st.integers(0, 40)),
    st.tuples(st.just("approve"), st.integers(0, 40)),
    st.tuples(st.just("accept"), st.integers(0, 40)),
    st.tuples(st.just("time"), st.integers(1, 600)),
)


def _invariants(ledger: Ledger) -> None:
    held = sorted(ledger.holding(), key=lambda b: b.start)
    for a, b in zip(held, held[1:], strict=False):
        assert occupied(ledger.rules, a.start, a.end)[1] <= occupied(ledger.rules, b.start, b.end)[0], (a, b)
    for enterprise in {b.enterprise for b in held if b.enterprise is not None}:
        for monday in {week_of(b.start.astimezone(ledger.tz).date()) for b in held}:
            assert quota_used(ledger.rules, enterprise, monday, held, ledger.tz) <= 120


@settings(max_examples=150, deadline=None)
@given(ops=st.lists(operation, max_size=60), approval=st.booleans(), tz=st.sampled_from(TZS))
def test_no_sequence_leaves_two_holding_bookings_overlapping_or_a_quota_exceeded(ops, approval, tz) -> None:  # type: ignore[no-untyped-def]
    ledger = Ledger(rules(approval), tz)
    now = START
    for op in ops:
        kind = op[0]
        if kind in ("book", "wait"):
            _, half_hours, minutes, people, ent = op
            start = START + timedelta(minutes=30 * half_hours)
            req = Request("s", start, start + timedelta(minutes=minutes), people, f"u{ent}", ent, "p")
            if kind == "book":
                ledger.book(req, now)
            else:
                try:
                    ledger.wait(req, now)
                except LedgerError:
                    pass
        elif kind == "time":
            now += timedelta(minutes=op[1])
            ledger.advance(now)
        else:
            ids = sorted(ledger.bookings)
            if not ids:
                continue
            booking_id = ids[op[1] % len(ids)]
            try:
                getattr(ledger, kind)(booking_id, now)
            except LedgerError:
                pass
        _invariants(ledger)
        for b in ledger.bookings.values():  # nothing stays held past its hold or unchecked past its grace
            if b.state in ("pending", "offered"):
                assert ledger.holds[b.id] >= now - timedelta(minutes=600)


def test_a_no_show_is_released_after_the_grace_period_and_the_waitlist_gets_an_offer() -> None:
    tz = TZS[0]
    ledger = Ledger(rules(False), tz)
    now = START
    slot = START + timedelta(days=1, hours=2)
    first, _ = ledger.book(Request("s", slot, slot + timedelta(hours=2), 2, "ann", 1, "p"), now)
    assert first is not None and first.state == "confirmed"
    late = slot + timedelta(hours=1)  # bob waits for the second hour of ann's booking
    entry = ledger.wait(Request("s", late, late + timedelta(hours=1), 2, "bob", 2, "p"), now)
    gone = ledger.wait(Request("s", slot, slot + timedelta(hours=1), 2, "dan", 4, "p"), now)
    with pytest.raises(LedgerError):  # a free time is booked, not waited for
        ledger.wait(Request("s", slot + timedelta(hours=3), slot + timedelta(hours=4), 2, "cy", 3, "p"), now)
    assert ledger.advance(slot + timedelta(minutes=14)) == []  # within the grace period
    events = ledger.advance(slot + timedelta(minutes=16))
    assert [e.kind for e in events] == ["released", "offered"]
    assert ledger.no_shows == {"ann": 1} and entry not in ledger.waitlist
    assert gone not in ledger.waitlist  # dan's time had begun: dropped, not offered
    offer = events[1].booking
    assert (offer.booker, offer.state, offer.start) == ("bob", "offered", late)
    # not accepted within its hold: it expires
    expired = ledger.advance(slot + timedelta(minutes=47))
    assert [e.kind for e in expired] == ["expired"]


def test_an_offer_is_accepted_within_its_hold_and_not_after() -> None:
    tz = TZS[1]
    ledger = Ledger(rules(False), tz)
    slot = START + timedelta(days=3, hours=9)
    first, _ = ledger.book(Request("s", slot, slot + timedelta(hours=1), 2, "ann", 1, "p"), START)
    ledger.wait(Request("s", slot, slot + timedelta(hours=1), 2, "bob", 2, "p"), START)
    ledger.wait(Request("s", slot, slot + timedelta(hours=1), 2, "cy", 3, "p"), START)
    assert first is not None
    events = ledger.cancel(first.id, START)
    (offer,) = [e.booking for e in events if e.kind == "offered"]
    assert offer.booker == "bob"
    with pytest.raises(LedgerError, match="run out"):
        ledger.accept(offer.id, START + timedelta(minutes=31))
    nxt = ledger.advance(START + timedelta(minutes=31))
    assert [(e.kind, e.booking.booker) for e in nxt] == [("expired", "bob"), ("offered", "cy")]
    cy = nxt[1].booking
    assert [e.kind for e in ledger.accept(cy.id, START + timedelta(minutes=40))] == ["confirmed"]
    late = ledger.bookings[cy.id]
    with pytest.raises(LedgerError, match="minutes before the start"):
        ledger.cancel(late.id, slot - timedelta(minutes=30))
    with pytest.raises(LedgerError, match="opens"):
        ledger.check_in(late.id, slot - timedelta(minutes=30))
    assert [e.kind for e in ledger.check_in(late.id, slot)] == ["checked_in"]
    assert all(b.state not in HOLDING or b.id == cy.id for b in ledger.bookings.values())
