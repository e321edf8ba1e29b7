"""A space's booking rules, as data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from world.field_error import FieldError

# A booking starts and ends on one local day (at most 25 hours, the day the clocks go
# back) and each buffer is at most a day: no occupied range is longer than
# MAX_OCCUPIED_MINUTES, which lets the database search a day's bookings by a bounded range.
MAX_BUFFER_MINUTES = 24 * 60
MAX_OCCUPIED_MINUTES = 25 * 60 + 2 * MAX_BUFFER_MINUTES
AUDIENCES = ("park", "zone", "public", "events")  # who may book: the park's own enterprises, all zone enterprises,
# anyone; or only events (a stage: booked by scheduling a showcase, never through the booking pages)


class RuleError(FieldError):
    """A space's rules are inconsistent; ``field`` names the setting, ``code`` (the
    catalogue key ``booking.rule.<code>``) and ``params`` say it in a person's language."""


@dataclass(frozen=True, slots=True)
class Opening:
    """Open on ``weekday`` (0 = Monday) from ``start`` to ``end`` minutes after local midnight."""

    weekday: int
    start: int
    end: int


ALWAYS = tuple(Opening(d, 0, 24 * 60) for d in range(7))


@dataclass(frozen=True, slots=True)
class SpaceRules:
    space_id: str
    park_id: str
    capacity: int
    slot_minutes: int | None = None  # a slot grid (bookings are whole slots from opening), or None: free intervals
    step_minutes: int = 15  # free intervals start and end on this grid
    min_minutes: int = 30
    max_minutes: int = 240
    lead_minutes: int = 0  # how long before the start a booking must be made
    horizon_days: int = 60  # how far ahead bookings open
    buffer_before: int = 0  # minutes kept free before each booking (set-up)
    buffer_after: int = 0  # and after it (clean-up)
    weekly_quota_minutes: int | None = None  # per enterprise, Monday to Sunday local
    approval: bool = False  # bookings wait for the park office
    cancel_deadline_minutes: int = 60  # bookers cancel up to this long before the start
    hold_minutes: int = 30  # how long a pending approval or a waitlist offer holds the slot
    check_in_grace_minutes: int = 15  # not checked in this long after the start: released
    max_no_shows: int | None = None  # bookers with more no-shows than this may not book (None: no limit)
    audience: str = "park"
    opening: tuple[Opening, ...] = ALWAYS
    blackout: frozenset[date] = field(default_factory=frozenset)

    def check(self) -> SpaceRules:
        """Raise ``RuleError`` naming the first inconsistent setting."""
        if self.capacity <= 0:
            raise RuleError("capacity", "must be at least 1", "at_least", min=1)
        if self.slot_minutes is not None and not 5 <= self.slot_minutes <= 24 * 60:
            raise RuleError("slot_minutes", "must be 5..1440 minutes", "slot_range")
        if not 1 <= self.step_minutes <= 60 or 60 % self.step_minutes:
            raise RuleError("step_minutes", "must divide an hour (1..60)", "step")
        if not 0 < self.min_minutes <= self.max_minutes:
            raise RuleError("min_minutes", "must be positive and at most max_minutes", "min_max", max=self.max_minutes)
        for name in ("lead_minutes", "buffer_before", "buffer_after", "cancel_deadline_minutes"):
            if getattr(self, name) < 0:
                raise RuleError(name, "cannot be negative", "negative")
        for name in ("buffer_before", "buffer_after"):
            if getattr(self, name) > MAX_BUFFER_MINUTES:
                raise RuleError(name, f"must be at most {MAX_BUFFER_MINUTES} minutes", "buffer_max", max=MAX_BUFFER_MINUTES)
        if not 1 <= self.horizon_days <= 730:
            raise RuleError("horizon_days", "must be 1..730 days", "horizon")
        if self.weekly_quota_minutes is not None and self.weekly_quota_minutes < self.min_minutes:
            raise RuleError("weekly_quota_minutes", "is below the shortest booking", "quota_short",
                            min=self.min_minutes)
        if self.hold_minutes <= 0 or self.check_in_grace_minutes <= 0:
            raise RuleError("hold_minutes", "holds and grace periods must be positive", "hold")
        if self.audience not in AUDIENCES:
            raise RuleError("audience", f"must be one of {', '.join(AUDIENCES)}", "not_one_of", value=self.audience)
        for o in self.opening:
            if not (0 <= o.weekday <= 6 and 0 <= o.start < o.end <= 24 * 60):
                raise RuleError("opening", f"bad opening {o.weekday} {o.start}-{o.end}", "bad_opening")
        return self

    @property
    def before(self) -> timedelta:
        return timedelta(minutes=self.buffer_before)

    @property
    def after(self) -> timedelta:
        return timedelta(minutes=self.buffer_after)
