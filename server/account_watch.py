"""Changes to an account made elsewhere reach its live sessions.

``account.changed`` hints (``{"user": id}``, from the CLI, the web consoles, another
world server; ``"signed_out": true`` after "sign out everywhere") are handled here:
- signed out: every connection of the account is closed (``bye`` 4002, sign in again)
  and its avatars held for resume are released, so a revoked sign-in stops working
  at once, not at the next reconnect;
- otherwise the account is read again (role, memberships) and each live session of it
  gets a fresh ``session`` message with the new permission map: a member removed from
  an enterprise loses its booth rights at once.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from server.accounts import Accounts
from server.bus import Bus, Hint
from server.clock import Clock
from server.config import ServerConfig
from server.desks.views import session_message
from server.presence import Presence, Visitor
from world.protocol.codec import encode
from world.protocol.constants import CloseCode

log = logging.getLogger("cloudpark.accounts")

CHANGED = "account.changed"


class AccountWatch:
    def __init__(self, accounts: Accounts, presence: Presence, bus: Bus, clock: Clock, cfg: ServerConfig) -> None:
        self.accounts = accounts
        self.presence = presence
        self.clock = clock
        self.cfg = cfg
        bus.subscribe(CHANGED, self._changed)

    async def _changed(self, subject: str, hint: Hint) -> None:
        user = str(hint.get("user", ""))
        if not user:
            return
        if hint.get("signed_out"):
            self.signed_out_everywhere(user, keep=None)
            return
        account = await self.accounts.store.accounts.get(user)
        if account is None:
            self.signed_out_everywhere(user, keep=None)
            return
        fresh = await self.accounts.person(account)
        for v in self.presence.of_user(user):
            self._refresh(v, fresh)

    def _refresh(self, v: Visitor, fresh: Any) -> None:
        if v.person is None:
            return
        # the look a session chose (name, colour) stays; role and memberships are the account's
        v.person = dataclasses.replace(fresh, name=v.person.name, color=v.person.color)
        if v in self.presence.visitors and v.resume_token:
            v.peer.push(encode(session_message(v.person, v.resume_token, self.cfg.resume_ttl,
                                               park=v.park.id if v.park else "")))

    def signed_out_everywhere(self, user: str, keep: Visitor | None) -> int:
        """Close every other session of ``user`` and release its held avatars."""
        closed = 0
        for v in self.presence.of_user(user):
            if v is not keep and v in self.presence.visitors and not v.peer.closing:
                self.presence.forget_resume(v)  # its avatar leaves with it: nothing to resume
                v.peer.bye(CloseCode.AUTH_FAILED, "signed out everywhere: sign in again")
                closed += 1
        self.presence.release_holds_of(user, self.clock.now())
        return closed
