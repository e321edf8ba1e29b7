"""A space's booking rules as stored (a JSON object in ``spaces.rules``) and as the pure
rules want them (``world.bookings.SpaceRules``). Missing settings take the defaults;
unknown ones and bad values are refused naming the setting (``RuleError``)."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from server.db.spaces import Space
from world.bookings.rules import Opening, RuleError, SpaceRules

NO_LIMIT_PEOPLE = 10_000  # a space whose capacity nobody entered yet: no people limit
SETTINGS = tuple(f.name for f in dataclasses.fields(SpaceRules) if f.name not in ("space_id", "park_id", "capacity"))
_DEFAULTS = SpaceRules("", "", 1)


def rules_of(space: Space) -> SpaceRules:
    """The rules of ``space`` (RuleError for stored settings that make no sense)."""
    return from_json(str(space.id), space.park_id, space.capacity or NO_LIMIT_PEOPLE, space.rules)


def from_json(space_id: str, park_id: str, capacity: int, data: dict[str, Any]) -> SpaceRules:
    unknown = sorted(set(data) - set(SETTINGS))
    if unknown:
        raise RuleError(unknown[0], "is not a booking setting")
    values: dict[str, Any] = {}
    for name, value in data.items():
        default = getattr(_DEFAULTS, name)
        try:
            if name == "opening":
                values[name] = tuple(Opening(int(d), int(s), int(e)) for d, s, e in value)
            elif name == "blackout":
                values[name] = frozenset(date.fromisoformat(str(d)) for d in value)
            elif isinstance(default, bool):
                if not isinstance(value, bool):
                    raise TypeError
                values[name] = value
            elif name in ("slot_minutes", "weekly_quota_minutes", "max_no_shows"):
                values[name] = None if value is None else int(value)
            elif isinstance(default, int):
                if isinstance(value, bool):
                    raise TypeError
                values[name] = int(value)
            else:
                values[name] = str(value)
        except (TypeError, ValueError) as exc:
            raise RuleError(name, f"bad value {value!r}") from exc
    return SpaceRules(space_id, park_id, capacity, **values).check()


def to_json(rules: SpaceRules) -> dict[str, Any]:
    """Only the settings that differ from the defaults, as JSON values."""
    out: dict[str, Any] = {}
    for name in SETTINGS:
        value = getattr(rules, name)
        if value == getattr(_DEFAULTS, name):
            continue
        if name == "opening":
            value = [[o.weekday, o.start, o.end] for o in value]
        elif name == "blackout":
            value = sorted(d.isoformat() for d in value)
        out[name] = value
    return out
