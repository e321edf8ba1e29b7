"""Booth requests: like, card, edit, stats, staff on duty, assign.

The dispatch table has already found the booth and asked ``can``; these methods do
the work and return the reply. Likes, cards and edits are acknowledged only after
the store committed them; what changed is then pushed to the visitors standing in
the booth (``BoothService.changed``).
"""

from __future__ import annotations

from typing import Any

import msgspec

from server.booths import BoothService, assign, enterprise_of
from server.clock import Clock
from server.db.cards import CardFields
from server.parks import HostedPark
from server.presence import Visitor
from server.refusal import Refusal
from world.booths import BoothRecord, BoothRuleError, apply_patch
from world.protocol import messages as M
from world.protocol.constants import MAX_SHORT_CHARS, ErrorCode
from world.text import TextRuleError, clean_name, clean_text

Found = tuple[HostedPark, BoothRecord]
CARDS_PER_DAY = 30  # per account, over every booth: a card is a contact request, not a mailing list


class BoothDesk:
    def __init__(self, booths: BoothService, store: Any, clock: Clock) -> None:
        self.booths = booths
        self.store = store
        self.clock = clock

    async def like(self, v: Visitor, msg: M.Like, found: Found) -> M.Ok:
        park, record = found
        new = await self.store.likes.add(park.id, record.id, v.like_key, self.clock.now())
        v.liked.add((park.id, record.id))
        if new:
            record.likes += 1
            self.booths.presence.to_booth_visitors(park, record)
        return M.Ok(re=msg.id, data={"likes": record.likes, "new": new})

    async def card(self, v: Visitor, msg: M.Card, found: Found) -> M.Ok:
        park, record = found
        assert v.person is not None
        if not msg.consent:
            raise Refusal(ErrorCode.INVALID, "consent: a business card is only sent with your explicit consent "
                          "(consent: true)")
        now = self.clock.now()
        sent = await self.store.cards.count_since(v.person.user_id, now - 86400.0)
        if sent >= CARDS_PER_DAY:
            raise Refusal(ErrorCode.RATE_LIMITED, f"card: at most {CARDS_PER_DAY} business cards a day "
                          "from one account")
        try:
            card = CardFields(name=clean_name(msg.name, "name", MAX_SHORT_CHARS), consent=True,
                              company=clean_text(msg.company, multiline=False),
                              email=clean_text(msg.email, multiline=False),
                              phone=clean_text(msg.phone, multiline=False), message=clean_text(msg.message))
        except TextRuleError as exc:
            raise Refusal(ErrorCode.INVALID, str(exc)) from None
        card_id = await self.store.cards.add(park.id, record.id, v.person.user_id, card, now)
        return M.Ok(re=msg.id, data={"card": card_id})

    async def edit(self, v: Visitor, msg: M.BoothEdit, found: Found) -> M.Ok:
        park, record = found
        try:
            content = apply_patch(record, msg.content)
        except BoothRuleError as exc:
            raise Refusal(ErrorCode.INVALID, str(exc)) from None
        now = self.clock.now()
        if not await self.store.booths.save_content(park.id, record.id, record.owner_org, content, now):
            await self.booths.refresh(park.id, record.id)
            raise Refusal(ErrorCode.CONFLICT, f"booth: {record.id} was just given to another owner; "
                          "nothing was changed")
        record.content, record.updated = content, now
        self.booths.changed(park, record)
        return M.Ok(re=msg.id, data={"booth": record.id})

    async def assign(self, v: Visitor, msg: M.BoothAssign, found: Found) -> M.Ok:
        park, record = found
        try:
            org_id = await enterprise_of(self.store, msg.owner_user) if msg.owner_user else None
            assert v.person is not None
            await assign(self.store, self.booths.bus, park.id, record.id, org_id, self.clock.now(),
                         actor=v.person.user_id)
        except LookupError as exc:
            raise Refusal(ErrorCode.NOT_FOUND, str(exc.args[0])) from None
        except BoothRuleError as exc:
            raise Refusal(ErrorCode.INVALID, str(exc)) from None
        await self.booths.refresh(park.id, record.id)
        return M.Ok(re=msg.id, data={"booth": f"{park.id}/{record.id}", "owner": record.owner_name,
                                     "owner_org": record.owner_org, "owner_user": msg.owner_user})

    async def stats(self, v: Visitor, msg: M.BoothStats, found: Found) -> M.Ok:
        park, record = found
        stats = await self.store.visits.stats(park.id, record.id)
        return M.Ok(re=msg.id, data=msgspec.to_builtins(stats))

    async def staff(self, v: Visitor, msg: M.BoothStaff, found: Found) -> M.Ok:
        park, record = found
        assert v.person is not None
        if msg.on:
            if v.park is not park:
                raise Refusal(ErrorCode.BAD_STATE, f"booth: go on duty from inside park {park.id} (join it first)")
            record.staff_on_duty[v.person.user_id] = v.person.name
        else:
            record.staff_on_duty.pop(v.person.user_id, None)
        self.booths.presence.to_booth_visitors(park, record)
        return M.Ok(re=msg.id, data={"staff": sorted(record.staff_on_duty.values())})
