"""The front desk: hello, resume, guests, accounts, tokens, sign-out.

A guest is a display name and nothing else. ``register`` creates an account; with
role ``enterprise`` it also founds a new enterprise organization owned by the
account, and a company name that is already registered is refused: nobody joins an
existing company by typing its name (its admin adds people). ``sign_out`` revokes the
session's login token (or every token of the account) and leaves the park.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import secrets
from typing import Any

from server import notices
from server.accounts import AccountError, Accounts, token_hash
from server.bus import Bus
from server.clock import Clock
from server.config import ServerConfig
from server.db.inbox import Notice
from server.db.signin_codes import CODE_CHARS, Redeemed, normalize
from server.desks.views import joined_message, session_message
from server.presence import Presence, Visitor
from server.refusal import Refusal
from world.chat import ChatLimiter
from world.people import Person, guest
from world.protocol import messages as M
from world.protocol.codec import encode
from world.protocol.constants import MAX_SHORT_CHARS, SELF_REGISTER_ROLES, CloseCode, ErrorCode
from world.protocol.session import TokenBucket
from world.room import Rng
from world.text import MAX_NAME_CHARS, TextRuleError, clean_name

log = logging.getLogger("cloudpark.front")


def _name(text: str, field: str, max_chars: int = MAX_NAME_CHARS) -> str:
    try:
        return clean_name(text, field, max_chars)
    except TextRuleError as exc:
        raise Refusal(ErrorCode.INVALID, str(exc)) from None


CODE_REFUSALS = {
    "unknown": "code: unknown sign-in code: check it, or get a new one in the console",
    "used": "code: this sign-in code was already used: get a new one in the console",
    "expired": "code: this sign-in code has expired: get a new one in the console",
}

# told to the account (in its inbox) when a desktop code signs it in: a code shown on a
# screen can be read over a shoulder
CODE_USED = Notice("account", "notice.code_used.title", "notice.code_used.body", link="/signout")


class FailureLimit:
    """Failures per address as token buckets (``now`` monotonic, passed in): each failure
    takes a token, an empty bucket refuses the next attempt; full buckets are forgotten."""

    def __init__(self, burst: float, rate: float) -> None:
        self.burst, self.rate = burst, rate
        self.buckets: dict[str, TokenBucket] = {}

    def allow(self, key: str, now: float) -> bool:
        bucket = self.buckets.get(key)
        if bucket is None:
            return True
        bucket.take(now, 0.0)  # refill to now
        return bucket.tokens >= 1.0

    def failed(self, key: str, now: float) -> None:
        if len(self.buckets) > 10_000:
            self.buckets = {k: b for k, b in self.buckets.items()
                            if b.tokens + (now - b.stamp) * self.rate < self.burst}
        self.buckets.setdefault(key, TokenBucket.full(self.rate, self.burst, now)).take(now)


def _account_error(exc: AccountError) -> Refusal:
    return Refusal(ErrorCode(exc.code), str(exc))


class FrontDesk:
    def __init__(self, accounts: Accounts, presence: Presence, likes: Any, clock: Clock, rng: Rng,
                 cfg: ServerConfig, booth_message: Any, bus: Bus, *, spaces: Any = None, stage: Any = None) -> None:
        self.accounts = accounts
        self.presence = presence
        self.likes = likes
        self.clock = clock
        self.rng = rng
        self.cfg = cfg
        self.booth_message = booth_message  # (park, booth_id, liked) -> M.Booth | None
        self.bus = bus
        self.spaces = spaces  # server.space_board.SpaceBoard: the park's bookable zones, sent after a resume too
        self.stage = stage  # server.stage_board.StageBoard: the park's stage, sent after a resume too
        self._tasks: set[asyncio.Task[None]] = set()
        # new accounts per address (a fresh account would reset every per-account cap:
        # cards, likes, chat): a burst, then a steady rate
        self.registrations = ChatLimiter(burst=float(cfg.register_burst), rate=cfg.register_per_hour / 3600.0)
        # wrong one-time codes per address (a right one costs nothing: an office behind one
        # address signs in together)
        self.code_failures = FailureLimit(burst=float(cfg.code_failures_burst), rate=cfg.code_failures_per_hour / 3600.0)

    async def _signed_in(self, v: Visitor, person: Person, rid: int, token: str = "",
                         expires: float = 0.0) -> M.Session | None:
        liked = await self.likes.of_user(person.user_id) if person.registered else set()
        if v.peer.closing:  # the handshake deadline (or a drop) ended the session meanwhile
            return None
        v.liked = liked
        resume = self.presence.signed_in(v, person)
        v.peer.session.authenticated()
        return session_message(person, resume, self.cfg.resume_ttl, token=token, expires=expires, rid=rid)

    async def hello(self, v: Visitor, msg: M.Hello, _: Any) -> list[Any] | None:
        """The session already answered ``welcome``; here only a resume is handled. The
        order a resumed client gets: ``session``, ``joined``, ``hall`` (which of the park's
        halls), the park's ``spaces`` (when it has bookable zones: the states may have
        changed while the client was away), its ``stage``, its ``booth`` (when it stands in
        one), then snapshots."""
        if not msg.resume:
            return None
        found = self.presence.resume(v, msg.resume, self.clock.monotonic(), self.clock.now())
        if found is None:
            raise Refusal(ErrorCode.AUTH_FAILED, "resume token unknown or expired: sign in again")
        old, takeover = found
        if takeover and not old.peer.closing:
            old.peer.bye(CloseCode.REPLACED, "this session was resumed on another connection")
        assert v.person is not None and v.park is not None and v.eid is not None
        v.peer.session.authenticated()
        v.peer.session.joined()
        park, eid = v.park, v.eid
        replies: list[Any] = [session_message(v.person, msg.resume, self.cfg.resume_ttl, resumed=True,
                                              park=park.id),
                              joined_message(park, eid, 0),
                              self.presence.hall_message(park, self.presence.offer_of(v))]
        if self.spaces is not None:  # nothing awaited here: nothing can come before these replies
            known, board = self.spaces.current(park)
            if board is not None:
                replies.append(board)
            elif not known:  # nobody was in the park meanwhile: read, then send it after
                self._later(self._spaces_after(v, park, eid))
        if self.stage is not None:
            replies.append(self.stage.view(park.id, v.person.lang if v.person.lang == "en" else "zh"))
        booth = park.room.booth_of(eid)
        if booth is not None:
            shown = self.booth_message(park, booth, (park.id, booth) in v.liked)
            if shown is not None:
                replies.append(shown)
        return replies

    def _later(self, work: Any) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _spaces_after(self, v: Visitor, park: Any, eid: int) -> None:
        try:
            board = await self.spaces.message(park)
        except Exception:  # the board is a picture: a failed read never ends the session
            log.exception("could not read the spaces of %s after a resume", park.id)
            return
        if board is not None and v.park is park and v.eid == eid and not v.peer.closing:
            v.peer.push_later(encode(board))

    async def guest(self, v: Visitor, msg: M.Guest, _: Any) -> M.Session | None:
        name = _name(msg.name, "name") if msg.name.strip() else "guest"
        color = msg.color if msg.color is not None else self.rng.randrange(0x202020, 0xFFFFFF)
        return await self._signed_in(v, guest(secrets.token_hex(6), name, color), msg.id)

    async def register(self, v: Visitor, msg: M.Register, _: Any) -> M.Session | None:
        if msg.role not in {r.value for r in SELF_REGISTER_ROLES}:
            raise Refusal(ErrorCode.NOT_ALLOWED, f"role: {msg.role!r} cannot be self-registered; staff, "
                          "government and admin accounts are created by an administrator")
        name = _name(msg.name, "name")
        if not self.registrations.allow(v.ip, self.clock.monotonic()):
            raise Refusal(ErrorCode.RATE_LIMITED, "register: too many new accounts from your address; "
                          "try again in a few minutes")
        company = msg.company.strip()
        if msg.role == "enterprise":
            if not company:
                raise Refusal(ErrorCode.INVALID, "company: an enterprise account needs its company name")
            company = _name(company, "company", MAX_SHORT_CHARS)
        now = self.clock.now()
        try:
            account = await self.accounts.create(msg.user, msg.password, name, msg.role,
                                                 color=self.rng.randrange(0x202020, 0xFFFFFF),
                                                 company=company if msg.role == "enterprise" else "", now=now)
            token, expires = await self.accounts.issue_token(account.user, now=now)
        except AccountError as exc:
            raise _account_error(exc) from None
        v.login_token = token_hash(token)
        return await self._signed_in(v, await self.accounts.person(account), msg.id, token, expires)

    async def login(self, v: Visitor, msg: M.Login, _: Any) -> M.Session | None:
        try:
            account = await self.accounts.login(msg.user, msg.password)
            token, expires = await self.accounts.issue_token(account.user, now=self.clock.now())
        except AccountError as exc:
            raise _account_error(exc) from None
        v.login_token = token_hash(token)
        return await self._signed_in(v, await self.accounts.person(account), msg.id, token, expires)

    async def token(self, v: Visitor, msg: M.TokenLogin, _: Any) -> M.Session | None:
        try:
            account = await self.accounts.from_token(msg.token, now=self.clock.now())
        except AccountError as exc:
            raise _account_error(exc) from None
        v.login_token = token_hash(msg.token)
        return await self._signed_in(v, await self.accounts.person(account), msg.id)

    async def code_login(self, v: Visitor, msg: M.CodeLogin, _: Any) -> M.Session | None:
        """A one-time code from the web (a desktop code or the browser page's ticket): used
        once, then a login token as with ``login``. Failed attempts are limited per address."""
        mono = self.clock.monotonic()
        if not self.code_failures.allow(v.ip, mono):
            raise Refusal(ErrorCode.RATE_LIMITED, "code: too many wrong sign-in codes from your address; "
                          "wait a minute and try again")
        now = self.clock.now()
        found = await self.accounts.store.signin_codes.redeem(msg.code, now=now)
        account = await self.accounts.store.accounts.get(found.user) if isinstance(found, Redeemed) else None
        if account is None:
            self.code_failures.failed(v.ip, mono)
            raise Refusal(ErrorCode.AUTH_FAILED, CODE_REFUSALS[found if isinstance(found, str) else "unknown"])
        token, expires = await self.accounts.issue_token(account.user, now=now)
        v.login_token = token_hash(token)
        if len(normalize(msg.code)) == CODE_CHARS:  # a desktop code, not the browser page's ticket
            await notices.send(self.accounts.store, self.bus, [account.user], CODE_USED, now=now)
        return await self._signed_in(v, await self.accounts.person(account), msg.id, token, expires)

    async def sign_out(self, v: Visitor, msg: M.SignOut, _: Any) -> M.Ok:
        person = v.person
        assert person is not None
        revoked = 0
        if person.registered:
            revoked = await self.accounts.sign_out(person.user_id, v.login_token, msg.everywhere)
            if msg.everywhere:
                await self.accounts.store.audit.add(person.user_id, "account.sign_out_everywhere",
                                                    f"account:{person.user_id}", {"tokens": revoked},
                                                    now=self.clock.now())
        self.presence.leave(v, self.clock.now())
        self.presence.forget_resume(v)
        v.person, v.login_token, v.liked = None, b"", set()
        v.peer.session.signed_out()
        if msg.everywhere and person.registered:  # the account's other sessions, here and in other processes
            self.bus.publish("account.changed", {"user": person.user_id, "signed_out": True})
        return M.Ok(re=msg.id, data={"revoked": revoked})

    async def set_lang(self, v: Visitor, msg: M.SetLang, _: Any) -> M.Ok:
        """Store the account's language; the account's other sessions (here and in other
        processes) get a fresh ``session`` carrying it, and the web follows on its next page."""
        person = v.person
        assert person is not None and person.registered  # account.self refuses guests
        try:
            await self.accounts.set_lang(person.user_id, msg.lang)
        except AccountError as exc:
            raise _account_error(exc) from None
        v.person = dataclasses.replace(person, lang=msg.lang)
        self.bus.publish("account.changed", {"user": person.user_id})
        return M.Ok(re=msg.id, data={"lang": msg.lang})
