"""The front desk: hello, resume, guest entry, register, login, token sign-in, joining.

Each request is answered: a ``session`` on success, an ``error`` saying why not.
Password work runs in a worker thread (``Accounts``) and a new account is
acknowledged only once its row has committed.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from server.accounts import Account, AccountError
from server.booth_desk import push_booth
from server.identity import Who
from world.permissions import perm_map
from world.protocol import messages as M
from world.protocol.constants import SELF_REGISTER_ROLES, CloseCode, ErrorCode
from world.protocol.quantize import pos_to_wire, yaw_to_wire
from world.protocol.session import SessionLimits

if TYPE_CHECKING:
    from server.app import App, HostedPark
    from server.connection import Client


def session_limits(app: App) -> SessionLimits:
    c = app.config
    return SessionLimits(
        max_frame=c.max_frame, inputs_per_s=c.tick_rate * 1.5, handshake_timeout=c.handshake_timeout,
        idle_timeout=c.idle_timeout, tick_rate=c.tick_rate, patch_rate=c.patch_rate,
        view_radius=c.view_radius, view_max=c.view_max,
    )


def perms_of(who: Who) -> dict[str, bool]:
    return perm_map(who.actor())


def _signed_in(client: Client, who: Who, rid: int, token: str = "", expires: float = 0.0) -> None:
    client.who = who
    client.resume_token = client.app.resumes.new_token()
    client.app.live[client.resume_token] = client
    client.session.authenticated()
    client.send(M.Session(user=who.user_info(), resume=client.resume_token, resume_ttl=client.app.config.resume_ttl,
                          perms=perms_of(who), token=token, expires=expires, re=rid))


def _account_who(acc: Account) -> Who:
    return Who(acc.user, acc.name, acc.role, acc.color, acc.company, registered=True, parks=acc.parks)


async def on_hello(client: Client, msg: M.Hello) -> None:
    """The session already answered ``welcome``; here only a resume is handled."""
    if msg.resume:
        await resume(client, msg.resume)


async def _load_likes(client: Client, who: Who) -> None:
    client.liked = await client.app.store.liked_booths(who.user_id)


async def resume(client: Client, token: str) -> None:
    """Reattach a held (or still connected) avatar to this connection. The client gets
    ``session`` (resumed), ``joined`` for the avatar's park so it can rebuild its
    world, the ``booth`` it stands in if any, then snapshots starting from nothing."""
    app = client.app
    old = app.live.pop(token, None)
    if old is not None and old is not client and old.park is not None and old.eid is not None:
        park, eid, who = old.park, old.eid, old.who  # the same client on a new connection: take over
        park.clients.pop(eid, None)
        old.park = old.eid = None
        old.resume_token = ""
        old.bye(CloseCode.REPLACED, "this session was resumed on another connection")
    else:
        held = app.resumes.take(token, time.monotonic())
        park = app.parks.get(held.park) if held is not None else None
        if held is None or park is None or held.eid not in park.room:
            client.session.auth_failed("resume token unknown or expired: sign in again")
            return
        eid, who = held.eid, held.who
        park.held.pop(eid, None)
    assert who is not None
    taken_over = old is not None and old is not client and old.who is who
    park.room.attach(eid)
    park.clients[eid] = client
    client.who, client.park, client.eid = who, park, eid
    client.resume_token = token
    app.live[token] = client
    client.session.authenticated()
    client.session.joined()
    client.send(M.Session(user=who.user_info(), resume=token, resume_ttl=app.config.resume_ttl,
                          perms=perms_of(who), resumed=True, park=park.id))
    client.send(joined_message(park, eid, 0))
    if taken_over and old is not None:
        client.liked = old.liked
    else:
        await _load_likes(client, who)
    booth = park.room.booth_of(eid)
    if booth is not None:
        push_booth(client, park, booth)


async def on_guest(client: Client, msg: M.Guest) -> None:
    color = msg.color if msg.color is not None else client.app.rng.randrange(0x202020, 0xFFFFFF)
    _signed_in(client, Who.guest(msg.name.strip() or "guest", color), msg.id)


async def on_register(client: Client, msg: M.Register) -> None:
    if msg.role not in {r.value for r in SELF_REGISTER_ROLES}:
        client.session.reply_error(ErrorCode.NOT_ALLOWED, f"role {msg.role!r} cannot be self-registered; "
                                   "staff, government and admin accounts are created by an administrator", msg.id)
        return
    if msg.role == "enterprise" and not msg.company.strip():
        client.session.reply_error(ErrorCode.INVALID, "an enterprise account needs its company name", msg.id)
        return
    app = client.app
    now = time.time()
    try:
        acc = await app.accounts.create(msg.user, msg.password, msg.name, msg.role, msg.company.strip(),
                                        color=app.rng.randrange(0x202020, 0xFFFFFF), now=now)
        token, expires = await app.accounts.issue_token(acc.user, now=now)
    except AccountError as exc:
        client.session.reply_error(ErrorCode(exc.code), str(exc), msg.id)
        return
    who = _account_who(acc)
    await _load_likes(client, who)
    _signed_in(client, who, msg.id, token, expires)


async def on_login(client: Client, msg: M.Login) -> None:
    app = client.app
    try:
        acc = await app.accounts.login(msg.user, msg.password)
        token, expires = await app.accounts.issue_token(acc.user, now=time.time())
    except AccountError as exc:
        client.session.auth_failed(str(exc), msg.id)
        return
    who = _account_who(acc)
    await _load_likes(client, who)
    _signed_in(client, who, msg.id, token, expires)


async def on_token(client: Client, msg: M.TokenLogin) -> None:
    try:
        acc = await client.app.accounts.from_token(msg.token, now=time.time())
    except AccountError as exc:
        client.session.auth_failed(str(exc), msg.id)
        return
    who = _account_who(acc)
    await _load_likes(client, who)
    _signed_in(client, who, msg.id)


def joined_message(park: HostedPark, eid: int, rid: int) -> M.Joined:
    av = park.room.avatars[eid]
    booths = [b.summary() for b in park.booths.values()]
    return M.Joined(park=park.id, you=eid, x=pos_to_wire(av.x), y=pos_to_wire(av.y), yaw=yaw_to_wire(av.yaw),
                    tick=park.room.tick, scene=f"/scenes/{park.id}.glb",
                    scene_hash=park.scene.sha256 if park.scene else "", booths=booths, re=rid)
