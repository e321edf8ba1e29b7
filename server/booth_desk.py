"""Booth and chat requests: like, card, edit, stats, staff on duty, chat lines.

Every request is checked with ``world.permissions.can`` (deny by default) and gets an
explicit answer. ``booth_assign`` gives a slot to an enterprise (admins, park staff). Likes, cards and edits are acknowledged only after the store
committed them; what changed is then pushed to the visitors standing in the booth.
A booth is named by its slot id within the client's current park, or as
``<park>/<booth>`` from anywhere (an owner editing without walking there).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import msgspec

from world.booths import BoothRecord, BoothRuleError, apply_patch
from world.chat import NEAR_RADIUS, ChatRuleError, check_channel, clean_text
from world.permissions import can
from world.protocol import messages as M
from world.protocol.codec import encode
from world.protocol.constants import ErrorCode

if TYPE_CHECKING:
    from server.app import HostedPark
    from server.connection import Client


def _find(client: Client, name: str, rid: int) -> tuple[HostedPark, BoothRecord] | None:
    park_id, sep, booth_id = name.rpartition("/")
    park = client.app.parks.get(park_id) if sep else client.park
    record = park.booths.get(booth_id) if park is not None else None
    if park is None or record is None:
        where = f"park {park.id}" if park is not None else "any park (name it as <park>/<booth>)"
        client.session.reply_error(ErrorCode.NOT_FOUND, f"no booth {booth_id!r} in {where}", rid)
        client.flush()
        return None
    return park, record


def _permitted(client: Client, name: str, action: str, rid: int) -> tuple[HostedPark, BoothRecord] | None:
    """The booth a request names, if it exists and the client may do ``action`` there;
    otherwise the explicit error reply (not_found / not_allowed) is already sent."""
    found = _find(client, name, rid)
    if found is None:
        return None
    assert client.who is not None
    decision = can(client.who.actor(), action, found[1].resource)
    if not decision:
        _refuse(client, ErrorCode.NOT_ALLOWED, decision.reason, rid)
        return None
    return found


def _refuse(client: Client, code: ErrorCode, reason: str, rid: int) -> None:
    client.app.metrics.errors[code.value] += 1
    client.session.reply_error(code, reason, rid)
    client.flush()


def push_booth(client: Client, park: HostedPark, booth_id: str) -> None:
    record = park.booths.get(booth_id)
    if record is not None:
        client.push(encode(M.Booth(booth=record.view((park.id, booth_id) in client.liked))))


def push_to_booth_visitors(park: HostedPark, record: BoothRecord) -> None:
    """The booth's new state to everyone standing in its zone (encoded at most twice:
    for visitors who liked it and for those who did not)."""
    frames: dict[bool, bytes] = {}
    key = (park.id, record.id)
    for eid in park.room.visitors_in_booth(record.id):
        client = park.clients.get(eid)
        if client is not None:
            liked = key in client.liked
            frame = frames.get(liked)
            if frame is None:
                frame = frames[liked] = encode(M.Booth(booth=record.view(liked)))
            client.push(frame)


async def on_like(client: Client, msg: M.Like) -> None:
    found = _permitted(client, msg.booth, "booth.like", msg.id)
    if found is None:
        return
    park, record = found
    assert client.who is not None
    new = await client.app.store.add_like(park.id, record.id, client.who.user_id, time.time())
    client.liked.add((park.id, record.id))
    if new:
        record.likes += 1
    client.ok(msg.id, {"likes": record.likes, "new": new})
    if new:
        push_to_booth_visitors(park, record)


async def on_card(client: Client, msg: M.Card) -> None:
    found = _permitted(client, msg.booth, "booth.card", msg.id)
    if found is None:
        return
    park, record = found
    assert client.who is not None
    if not msg.consent:
        _refuse(client, ErrorCode.INVALID, "a business card is only sent with your explicit consent "
                "(consent: true)", msg.id)
        return
    card = {"name": msg.name, "company": msg.company, "email": msg.email, "phone": msg.phone,
            "message": msg.message}
    card_id = await client.app.store.add_card(park.id, record.id, client.who.user_id, card, True, time.time())
    client.ok(msg.id, {"card": card_id})


async def on_edit(client: Client, msg: M.BoothEdit) -> None:
    found = _permitted(client, msg.booth, "booth.edit", msg.id)
    if found is None:
        return
    park, record = found
    assert client.who is not None
    try:
        content = apply_patch(record, msg.content)
    except BoothRuleError as exc:
        _refuse(client, ErrorCode.INVALID, str(exc), msg.id)
        return
    now = time.time()
    saved = await client.app.store.save_content(park.id, record.id, record.owner_company, record.owner_user_id,
                                               msgspec.json.encode(content).decode(), now)
    if not saved:
        await client.app.sync_booths()
        _refuse(client, ErrorCode.CONFLICT, f"booth {record.id} was just given to another owner; "
                "nothing was changed", msg.id)
        return
    record.content, record.updated = content, now
    client.ok(msg.id, {"booth": record.id})
    push_to_booth_visitors(park, record)


async def on_assign(client: Client, msg: M.BoothAssign) -> None:
    found = _permitted(client, msg.booth, "booth.assign", msg.id)
    if found is None:
        return
    park, record = found
    assert client.who is not None
    try:
        record = await client.app.assign_booth(park.id, record.id, msg.owner_user)
    except LookupError as exc:
        _refuse(client, ErrorCode.NOT_FOUND, str(exc.args[0]), msg.id)
        return
    except BoothRuleError as exc:
        _refuse(client, ErrorCode.INVALID, str(exc), msg.id)
        return
    client.ok(msg.id, {"booth": f"{park.id}/{record.id}", "owner": record.owner_company,
                       "owner_user": record.owner_user_id})


async def on_stats(client: Client, msg: M.BoothStats) -> None:
    found = _permitted(client, msg.booth, "booth.stats", msg.id)
    if found is None:
        return
    park, record = found
    assert client.who is not None
    stats = await client.app.store.booth_stats(park.id, record.id)
    client.ok(msg.id, stats)


async def on_staff(client: Client, msg: M.BoothStaff) -> None:
    found = _permitted(client, msg.booth, "booth.staff", msg.id)
    if found is None:
        return
    park, record = found
    assert client.who is not None
    if msg.on:
        record.staff_on_duty.add(client.who.name)
    else:
        record.staff_on_duty.discard(client.who.name)
    client.ok(msg.id, {"staff": sorted(record.staff_on_duty)})
    push_to_booth_visitors(park, record)


async def on_chat(client: Client, msg: M.Chat) -> None:
    park, eid, who = client.park, client.eid, client.who
    assert who is not None
    if park is None or eid is None:
        _refuse(client, ErrorCode.BAD_STATE, "join a park before chatting", msg.id)
        return
    try:
        check_channel(msg.ch, msg.booth)
        text = clean_text(msg.text)
    except ChatRuleError as exc:
        _refuse(client, ErrorCode(exc.code), str(exc), msg.id)
        return
    if not client.app.chat_limiter.allow(who.user_id, time.monotonic()):
        _refuse(client, ErrorCode.RATE_LIMITED, "chat: at most 5 lines per 10 s; this line was dropped", msg.id)
        return
    booth_id = ""
    if msg.ch == "near":
        targets = park.room.near(eid, NEAR_RADIUS)
    elif msg.ch == "park":
        targets = list(park.clients)
    else:
        record = park.booths.get(msg.booth or "")
        if record is None:
            _refuse(client, ErrorCode.NOT_FOUND, f"no booth {msg.booth!r} in park {park.id}", msg.id)
            return
        booth_id = record.id
        staff = {e for e, c in park.clients.items() if c.who is not None and c.who.name in record.staff_on_duty
                 and c.who.company == record.owner_company}
        targets = sorted(set(park.room.visitors_in_booth(record.id)) | staff | {eid})
    decision = can(who.actor(), f"chat.{msg.ch}")
    if not decision:
        _refuse(client, ErrorCode.NOT_ALLOWED, decision.reason, msg.id)
        return
    now = time.time()
    frame = encode(M.ChatLine(ch=msg.ch, text=text, name=who.name, eid=eid, ts=now, booth=booth_id))
    for target in targets:  # fan-out rides the listeners' next writes (their snapshots)
        other = park.clients.get(target)
        if other is not None:
            other.push_later(frame)
    client.app.store.post_chat(park.id, msg.ch, booth_id, who.user_id, who.name, text, now)
    client.ok(msg.id)
