"""Notices in the 3D parks: the inbox's new notifications pushed to people standing in a park.

``inbox.new`` hints (``{"users": [...], "since": t}``, from ``server.notices.send`` in
any process) are handled here: for each named account with a session in a park, the
unread notifications written since ``t`` are read back from the inbox (the truth; the
hint only says where to look) and each goes out as a ``notice`` message, rendered in
the person's language, with the unread count. A notification is pushed at most once
per account (the highest id pushed is kept per account). Guests are never named in an
inbox; sessions outside a park are left alone (the console's inbox shows everything).
"""

from __future__ import annotations

import logging
from typing import Any

from server.bus import Bus, Hint
from server.notices import SUBJECT, render
from server.presence import Presence, Visitor
from world.i18n import Texts
from world.protocol import messages as M
from world.protocol.codec import encode

log = logging.getLogger("cloudpark.notices")

RECENT = 10  # unread notifications read per account and hint


class NoticePush:
    def __init__(self, presence: Presence, store: Any, bus: Bus, texts: Texts) -> None:
        self.presence = presence
        self.store = store
        self.texts = texts
        self.pushed: dict[str, int] = {}  # account -> highest notification id pushed
        self.sent = 0
        bus.subscribe(SUBJECT, self._new)

    def _in_park(self, user: str) -> list[Visitor]:
        return [v for v in self.presence.of_user(user)
                if v in self.presence.visitors and v.park is not None and v.person is not None
                and v.person.registered and not v.peer.closing]

    async def _new(self, subject: str, hint: Hint) -> None:
        users = hint.get("users")
        since = hint.get("since", 0.0)
        if not isinstance(users, list) or not isinstance(since, int | float):
            log.warning("inbox.new hint without users/since: %r", hint)
            return
        for user in users:
            if isinstance(user, str) and self._in_park(user):
                await self.push(user, float(since))

    async def push(self, user: str, since: float) -> int:
        """Push ``user``'s unread notifications written at or after ``since`` (each once)."""
        fresh = [n for n in await self.store.inbox.page(user, limit=RECENT, unread_only=True)
                 if n.created >= since and n.id > self.pushed.get(user, 0)]
        if not fresh:
            return 0
        unread = await self.store.inbox.unread_count(user)
        if len(self.pushed) > 100_000:  # keep only accounts that are still here
            self.pushed = {u: i for u, i in self.pushed.items() if self.presence.of_user(u)}
        self.pushed[user] = max(self.pushed.get(user, 0), *(n.id for n in fresh))
        count = 0
        for v in self._in_park(user):  # read again: the awaits above may have let someone leave
            lang = getattr(v.person, "lang", "") or "zh"
            for n in sorted(fresh, key=lambda n: n.id):
                title, body = render(self.texts, lang, n.notice)
                v.peer.push(encode(M.Notice(id=n.id, kind=n.notice.kind, title_key=n.notice.title_key,
                                            body_key=n.notice.body_key, params=n.notice.params, title=title,
                                            body=body, link=n.notice.link, created=n.created, unread=unread)))
                count += 1
        self.sent += count
        return count
