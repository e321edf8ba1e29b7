"""Every venue of the catalogue is a bookable space.

The park catalogue (``Store.catalogue``, one entry per park) is the one source of truth
for a venue's identity: its id, name, kind, capacity and building, and so for the zone
the scene builder gives it. The ``spaces`` row (keyed by park and venue id) holds what
booking adds: the rules, equipment, photos, price, floor area, retired.

``sync_park`` brings one park's spaces in line with its entry after a change (the
catalogue seeded, a proposal approved, the entry saved in the park console): a new
venue gets a space (default rules), a venue whose facts changed has them copied, a
removed venue's space is **retired** (it takes no new bookings; its bookings stay), a
venue that comes back is taken out of retirement. ``add_missing`` only adds (any time,
idempotent: ``SpaceRepo.add_many`` skips the spaces there already), so a database
seeded before this existed gets its venues' spaces at the next start.

``with_venue`` is the entry's document with one venue added or replaced: the park
console's "add a space" adds a venue to the catalogue (then ``park.changed`` rebuilds
the scene with a zone for it, and ``sync_park`` makes its space), never a space alone.
"""

from __future__ import annotations

import dataclasses
import logging
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from server.db.spaces import Space
from world.catalogue import Catalogue, Park, Venue
from world.catalogue_toml import entry_text, split_header

log = logging.getLogger("cloudpark.bookings")


@dataclass(frozen=True, slots=True)
class Synced:
    added: int = 0
    updated: int = 0
    retired: int = 0
    revived: int = 0


def space_of(park_id: str, venue: Venue, *, now: float = 0.0) -> Space:
    return Space(park_id, venue.id, venue.name, venue.kind, venue.capacity, venue.building or "", updated=now)


def _facts(venue: Venue) -> tuple[str, str, int | None, str]:
    return venue.name, venue.kind, venue.capacity, venue.building or ""


async def add_missing(store: Any, parks: Iterable[Park], *, now: float) -> int:
    """A space for each venue of ``parks`` that has none yet; how many were added."""
    return int(await store.spaces.add_many([space_of(p.id, v, now=now) for p in parks for v in p.venues]))


async def add_missing_all(store: Any, catalogue: Catalogue, *, now: float) -> int:
    added = await add_missing(store, catalogue.parks, now=now)
    if added:
        log.info("spaces: %d catalogue venues became bookable spaces", added)
    return added


async def sync_park(store: Any, park: Park, before: Park | None, *, now: float) -> Synced:
    """``park``'s spaces after its entry changed from ``before`` (None: a new park)."""
    added = await add_missing(store, [park], now=now)
    old = {v.id: v for v in before.venues} if before is not None else {}
    new = {v.id: v for v in park.venues}
    updated = retired = revived = 0
    for space in await store.spaces.of_park(park.id):
        venue = new.get(space.venue_id)
        if venue is None:
            if space.venue_id in old and not space.retired:  # removed from the catalogue: no new bookings
                await store.spaces.save(dataclasses.replace(space, retired=True, updated=now))
                retired += 1
            continue
        changed = space
        if before is not None and space.venue_id not in old and space.retired:  # the venue came back
            changed = dataclasses.replace(changed, retired=False)
            revived += 1
        if (space.name, space.kind, space.capacity, space.building) != _facts(venue):
            was = old.get(space.venue_id)
            if was is None or _facts(was) != _facts(venue):  # the catalogue's facts changed: they win
                name, kind, capacity, building = _facts(venue)
                changed = dataclasses.replace(changed, name=name, kind=kind, capacity=capacity, building=building)
                updated += 1
        if changed is not space:
            await store.spaces.save(dataclasses.replace(changed, updated=now))
    return Synced(added, updated, retired, revived)


def with_venue(document: str, venue: dict[str, Any]) -> str:
    """The entry ``document`` with ``venue`` (a ``[[venues]]`` table: id, name, kind,
    capacity, building) added, or replacing the venue of that id (its other keys kept)."""
    header, body = split_header(document)
    raw = tomllib.loads(body)
    venues = [v for v in raw.get("venues", []) if isinstance(v, dict)]
    for i, old in enumerate(venues):
        if old.get("id") == venue["id"]:
            merged = {**old, **venue}
            venues[i] = {k: v for k, v in merged.items() if v not in (None, "")}
            break
    else:
        venues.append({k: v for k, v in venue.items() if v not in (None, "")})
    raw["venues"] = venues
    return entry_text(raw, header)
