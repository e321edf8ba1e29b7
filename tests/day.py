"""Times for tests that run against a real world server at whatever hour CI starts them:
a booking must start and end on one local day, so an hour-long booking made "now" at
23:30 in Shanghai would be refused (as it should be)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
LATEST = 21  # parked no later than 21:00 local: an hour's booking and the free hour after it stay in the day


def within_day(start: datetime, length: timedelta, tz: tzinfo = SHANGHAI) -> datetime:
    """``start + length``, cut at the local midnight after ``start``."""
    local = start.astimezone(tz)
    midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), tz)
    return min(start + length, midnight.astimezone(UTC))


def parked_wall(now: float, tz: tzinfo = SHANGHAI) -> float:
    """The quarter hour at or before ``now``, or 21:00 local of that day when that is earlier."""
    quarter = now - now % 900
    local = datetime.fromtimestamp(quarter, tz)
    latest = local.replace(hour=LATEST, minute=0, second=0, microsecond=0)
    return min(quarter, latest.timestamp())


class ParkedClock:
    """Wall time stands still (``parked_wall`` of when it was made); monotonic time runs, so the
    sessions' rate limits and the ticks behave."""

    def __init__(self) -> None:
        self.wall = parked_wall(time.time())

    def now(self) -> float:
        return self.wall

    def monotonic(self) -> float:
        return time.monotonic()
