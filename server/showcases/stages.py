"""A park's stages as bookable spaces: an event books its stage through the booking
service (``server.bookings``), so two events never overlap on one stage and there is one
conflict checker (the database's ``bookings_no_overlap``).

Each stage of a park is a ``spaces`` row of kind ``stage`` with venue id ``stage:<id>``
(``stage:main`` today: every layout has one stage), added when first needed
(``SpaceRepo.add_many`` skips one that exists, so this is idempotent and safe to race).
Its rules: booked only through this service (audience ``events``: the booking pages and
API refuse it, for anyone; an organizer needs no enterprise),
any length from 15 minutes to 12 hours on a 5-minute grid, a year ahead, cancellable up
to the start, and an hour's grace before an unused stage is released as a no-show (the
service checks the booking in when the event goes live).
"""

from __future__ import annotations

from typing import Any

from server.db import Store
from server.db.spaces import Space
from world.showcases.events import MAX_MINUTES, MIN_MINUTES

KIND = "stage"
STAGE_RULES: dict[str, Any] = {
    "audience": "events",  # booked only by scheduling an event (the booking pages refuse it)
    "min_minutes": MIN_MINUTES,
    "max_minutes": MAX_MINUTES,
    "step_minutes": 5,
    "horizon_days": 365,
    "cancel_deadline_minutes": 0,
    "check_in_grace_minutes": 60,
}
DEFAULT_STAGES = ("main",)


def venue_id(stage_id: str) -> str:
    return f"stage:{stage_id}"


def stage_name(stage_id: str) -> str:
    return "Main stage · 主舞台" if stage_id == "main" else f"Stage {stage_id} · 舞台 {stage_id}"


def space_of(park_id: str, stage_id: str) -> Space:
    return Space(park_id, venue_id(stage_id), stage_name(stage_id), KIND, None, "", rules=dict(STAGE_RULES))


async def stage_space(store: Store, park_id: str, stage_id: str) -> Space:
    """The stage's space, added if it is missing."""
    vid = venue_id(stage_id)
    for space in await store.spaces.of_park(park_id):
        if space.venue_id == vid:
            return space
    await store.spaces.add_many([space_of(park_id, stage_id)])
    for space in await store.spaces.of_park(park_id):
        if space.venue_id == vid:
            return space
    raise RuntimeError(f"the stage space {park_id}/{vid} could not be stored")
