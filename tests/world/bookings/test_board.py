"""The spaces board: what each zone shows now, and when that changes by itself."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from world.bookings.board import Held, board, next_change

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")


def t(text: str, tz: ZoneInfo = SHANGHAI) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=tz).astimezone(UTC).timestamp()


ZONES = ("hall", "studio", "yard", "lobby")
SPACES = {"hall": (1, False), "studio": (2, False), "yard": (3, True)}  # the lobby is not bookable


def test_taken_free_with_the_next_start_today_retired_and_unbookable_zones() -> None:
    now = t("2026-03-02T14:30")
    held = [Held(1, t("2026-03-02T14:00"), t("2026-03-02T16:00"), "confirmed", by="Ink Studio"),
            Held(2, t("2026-03-02T17:30"), t("2026-03-02T18:00"), "confirmed"),
            Held(2, t("2026-03-03T09:00"), t("2026-03-03T10:00"), "confirmed")]  # tomorrow: not "next today"
    shown = {s.id: s for s in board(ZONES, SPACES, held, now, SHANGHAI)}
    assert list(shown) == ["hall", "studio", "yard"]
    assert (shown["hall"].state, shown["hall"].start, shown["hall"].end, shown["hall"].by) == \
        ("taken", "14:00", "16:00", "Ink Studio")
    assert (shown["studio"].state, shown["studio"].next) == ("free", "17:30")
    assert (shown["yard"].state, shown["yard"].space) == ("retired", 3)
    assert next_change(held, now, SHANGHAI) == t("2026-03-02T16:00")
    at_four = {s.id: s for s in board(ZONES, SPACES, held, t("2026-03-02T16:00"), SHANGHAI)}
    assert at_four["hall"].state == "free"  # a booking's end is free time
    evening = {s.id: s for s in board(ZONES, SPACES, held, t("2026-03-02T18:00"), SHANGHAI)}
    assert evening["studio"].next == ""
    assert next_change(held, t("2026-03-02T18:00"), SHANGHAI) == t("2026-03-03T00:00")  # midnight: a new day


def test_a_request_or_offer_holds_its_zone_only_until_its_hold_runs_out() -> None:
    now = t("2026-03-02T10:10")
    held = [Held(1, t("2026-03-02T10:00"), t("2026-03-02T11:00"), "pending", hold_until=t("2026-03-02T10:20")),
            Held(2, t("2026-03-02T12:00"), t("2026-03-02T13:00"), "offered", hold_until=t("2026-03-02T10:05"))]
    shown = {s.id: s for s in board(ZONES, SPACES, held, now, SHANGHAI)}
    assert shown["hall"].state == "taken"
    assert (shown["studio"].state, shown["studio"].next) == ("free", "")  # the lapsed offer holds nothing
    assert next_change(held, now, SHANGHAI) == t("2026-03-02T10:20")
    assert board(ZONES, SPACES, held, t("2026-03-02T10:21"), SHANGHAI)[0].state == "free"


def test_local_times_follow_the_zone_across_the_clocks_going_forward() -> None:
    now = t("2027-03-28T01:30", BERLIN)  # 02:00 does not exist that night in Berlin
    held = [Held(1, t("2027-03-28T01:00", BERLIN), t("2027-03-28T04:00", BERLIN), "checked_in")]
    (hall, *_) = board(ZONES, SPACES, held, now, BERLIN)
    assert (hall.start, hall.end) == ("01:00", "04:00")
    assert next_change(held, now, BERLIN) == t("2027-03-28T04:00", BERLIN)
