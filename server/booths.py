"""Booths: the records in memory, their rows in the store, and changes on the bus.

``BoothService`` loads every booth slot's record at start, and is the one place that
changes a record: after a committed write by this process, or when a
``booth.changed`` hint arrives on the bus (from any process), after which it re-reads
the row. Whoever stands in the booth gets the new state. A process that cannot reach
this one's bus (``cloudpark booths assign`` on the embedded default) is caught up by
``catch_up``, a query of the rows changed since the last one, every
``booth_catch_up_s`` seconds.

``assign`` is the one booth-assignment write: the dispatch desk and the CLI both call it.
"""

from __future__ import annotations

import logging
from typing import Any

from server.bus import Bus, Hint
from server.parks import HostedPark
from server.presence import Presence, Visitor
from server.refusal import Refusal
from world.booths import BoothRecord, BoothRuleError, check_owner, content_after_assign
from world.permissions import Resource
from world.protocol import messages as M
from world.protocol.constants import ErrorCode
from world.protocol.messages import BoothContent

log = logging.getLogger("cloudpark.booths")

CHANGED = "booth.changed"


async def assign(store: Any, bus: Bus, park_id: str, booth_id: str, org_id: int | None, now: float,
                 demo: bool = False, content: BoothContent | None = None, actor: str = "") -> Any:
    """Give slot ``park_id/booth_id`` to enterprise ``org_id`` (None frees it), commit,
    publish the hint, and record who did it in the audit log (``actor``; demo seeding
    records nothing). The slot keeps its content if the same enterprise keeps it and
    starts empty otherwise, unless ``content`` is given. Raises ``LookupError`` (no such organization) or
    ``world.booths.BoothRuleError`` (not an enterprise). Returns the org (or None)."""
    org = None
    if org_id is not None:
        org = await store.orgs.get(org_id)
        if org is None:
            raise LookupError(f"owner: no organization {org_id}")
        check_owner(org.id, org.kind, org.name)
    row = await store.booths.get(park_id, booth_id)
    record = BoothRecord(booth_id, park_id)
    if row is not None:
        record.owner_org, record.content = row.owner_org, row.content
    await store.booths.assign(park_id, booth_id, org_id, content if content is not None else content_after_assign(record, org_id), now, demo=demo)
    bus.publish(CHANGED, {"park": park_id, "booth": booth_id})
    if actor:
        await store.audit.add(actor, "booth.assign", f"booth:{park_id}/{booth_id}",
                              {"org": org_id, "before": record.owner_org}, now=now)
    return org


async def enterprise_of(store: Any, user: str) -> int:
    """The one enterprise ``user`` runs (owner or admin). Raises ``LookupError`` (no
    such account) or ``BoothRuleError`` (it runs none, or more than one)."""
    if await store.accounts.get(user) is None:
        raise LookupError(f"owner_user: no account {user!r}")
    runs = [m.org_id for m in await store.orgs.memberships(user)
            if m.kind == "enterprise" and m.role in ("owner", "admin")]
    if len(runs) != 1:
        raise BoothRuleError("owner_user", f"account {user!r} runs {len(runs)} enterprises; a booth goes to "
                             "exactly one (name the organization: `cloudpark booths assign --org`)")
    return runs[0]


class BoothService:
    def __init__(self, parks: dict[str, HostedPark], presence: Presence, store: Any, bus: Bus) -> None:
        self.parks = parks
        self.presence = presence
        self.store = store
        self.bus = bus
        self._seen = 0.0  # the newest row update taken so far
        bus.subscribe(CHANGED, self._changed)
        presence.on_leave.append(self.off_duty)

    async def load(self) -> None:
        likes = await self.store.likes.counts()
        rows = {(r.park, r.booth): r for r in await self.store.booths.all()}
        for park in self.parks.values():
            self._fill(park, rows, likes)

    async def rows_of(self, park_id: str) -> tuple[dict[tuple[str, str], Any], dict[tuple[str, str], int]]:
        """A park's stored booth rows and like counts (for ``relayout``)."""
        likes = await self.store.likes.counts()
        return {(r.park, r.booth): r for r in await self.store.booths.all() if r.park == park_id}, likes

    def _fill(self, park: HostedPark, rows: dict[tuple[str, str], Any], likes: dict[tuple[str, str], int]) -> None:
        for slot in park.layout.booths:
            if slot.id in park.booths:
                continue
            record = BoothRecord(id=slot.id, park_id=park.id)
            row = rows.get((park.id, slot.id))
            if row is not None:
                self._take(record, row)
            record.likes = likes.get((park.id, slot.id), 0)
            park.booths[slot.id] = record

    def relayout(self, park: HostedPark, rows: dict[tuple[str, str], Any], likes: dict[tuple[str, str], int]) -> None:
        """The park's scene changed (or it just went online): keep the records of slots it
        still has (content, likes, staff on duty), drop the rest, fill in new ones from
        ``rows_of``. Synchronous: called between two ticks."""
        keep = {slot.id for slot in park.layout.booths}
        for booth_id in [b for b in park.booths if b not in keep]:
            del park.booths[booth_id]
        self._fill(park, rows, likes)

    def _take(self, record: BoothRecord, row: Any) -> None:
        if row.owner_org != record.owner_org:
            record.staff_on_duty.clear()
        record.owner_org, record.owner_name = row.owner_org, row.owner_name
        record.content, record.updated = row.content, row.updated
        self._seen = max(self._seen, row.updated)

    def find(self, v: Visitor, name: str) -> tuple[HostedPark, BoothRecord]:
        """The booth ``name`` names: a slot id in the visitor's park, or ``<park>/<booth>``."""
        park_id, sep, booth_id = name.rpartition("/")
        park = self.parks.get(park_id) if sep else v.park
        record = park.booths.get(booth_id) if park is not None else None
        if park is None or record is None:
            where = f"park {park.id}" if park is not None else "any park (name it as <park>/<booth>)"
            raise Refusal(ErrorCode.NOT_FOUND, f"booth: no booth {booth_id!r} in {where}")
        return park, record

    def finder(self, v: Visitor, msg: Any) -> tuple[Resource, tuple[HostedPark, BoothRecord]]:
        park, record = self.find(v, msg.booth)
        return record.resource, (park, record)

    def message(self, park: HostedPark, booth_id: str, liked: bool) -> M.Booth | None:
        record = park.booths.get(booth_id)
        return None if record is None else M.Booth(booth=record.view(liked))

    def changed(self, park: HostedPark, record: BoothRecord) -> None:
        """Tell the people in the booth (and, through the bus, other processes)."""
        self.presence.to_booth_visitors(park, record)
        self.bus.publish(CHANGED, {"park": park.id, "booth": record.id, "updated": record.updated})

    async def refresh(self, park_id: str, booth_id: str) -> bool:
        """Re-read one booth's row; True when the record changed (its visitors are told)."""
        park = self.parks.get(park_id)
        record = park.booths.get(booth_id) if park is not None else None
        if park is None or record is None:
            return False
        row = await self.store.booths.get(park_id, booth_id)
        if row is None or row.updated < record.updated:
            return False
        if (row.owner_org, row.owner_name, row.content) == (record.owner_org, record.owner_name, record.content):
            self._seen = max(self._seen, row.updated)
            return False
        self._take(record, row)
        self.presence.to_booth_visitors(park, record)
        return True

    async def _changed(self, subject: str, hint: Hint) -> None:
        await self.refresh(str(hint.get("park", "")), str(hint.get("booth", "")))

    async def catch_up(self) -> int:
        """Take every row changed since the newest one seen (hints this process missed)."""
        changed = 0
        for row in await self.store.booths.all():
            if row.updated >= self._seen:  # equal: another write in the same instant
                changed += await self.refresh(row.park, row.booth)
        return changed

    def off_duty(self, park: HostedPark, v: Visitor, now: float) -> None:
        """Someone left the park: they are no longer on duty at any of its booths."""
        if v.person is None:
            return
        for record in park.booths.values():
            if record.staff_on_duty.pop(v.person.user_id, None) is not None:
                self.presence.to_booth_visitors(park, record)
