"""Telling people something: the one way a service writes to the inbox.

``send(store, bus, recipients, notice, now=...)`` writes the notification for every
recipient (``store.inbox.send``: one transaction, all or none) and then publishes an
``inbox.new`` hint ``{"users": [...], "since": now}`` on the bus, so the world server
pushes a ``notice`` to those of them standing in a park (``server.notice_push``).
Bookings, events, policies, park and enterprise changes call this, never
``store.inbox.send`` directly, so no notice is written without the in-world push.

A notice holds translation keys and their parameters, never text: ``render`` turns it
into the words of one language with the catalogue (``world.i18n.Texts``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from server.bus import Bus
from server.db.inbox import Notice
from world.i18n import Texts

SUBJECT = "inbox.new"
Work = Callable[[AsyncConnection], Awaitable[Any]]
USERS_PER_HINT = 200  # a bus frame holds at most 64 KiB; user names are up to 64 characters


async def send(store: Any, bus: Bus, recipients: Sequence[str], notice: Notice, *, now: float) -> int:
    """Write ``notice`` to each recipient's inbox (each once), then hint the world; how
    many were told. Raises what the write raised (nothing is hinted then)."""
    users = list(dict.fromkeys(recipients))
    told = await store.inbox.send(users, notice, now=now)
    for i in range(0, len(users), USERS_PER_HINT):
        bus.publish(SUBJECT, {"users": users[i:i + USERS_PER_HINT], "since": now})
    return int(told)


async def send_each(store: Any, bus: Bus, items: Sequence[tuple[str, Notice]], *, now: float,
                    along: Work | None = None) -> int:
    """``send`` for notices that differ per recipient (``(recipient, notice)`` pairs): one
    transaction for all (with ``along``, the caller's own write, in it too), then the same
    ``inbox.new`` hints."""
    told = await store.inbox.send_each(items, now=now, along=along)
    users = list(dict.fromkeys(r for r, _ in items))
    for i in range(0, len(users), USERS_PER_HINT):
        bus.publish(SUBJECT, {"users": users[i:i + USERS_PER_HINT], "since": now})
    return int(told)


def render(texts: Texts, lang: str, notice: Notice) -> tuple[str, str]:
    """(title, body) of ``notice`` in ``lang``. A parameter the text names but the notice
    lacks leaves its ``{name}`` showing rather than failing the page."""
    return _text(texts, lang, notice.title_key, notice.params), _text(texts, lang, notice.body_key, notice.params)


class _Keep(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _text(texts: Texts, lang: str, key: str, params: dict[str, Any]) -> str:
    template = texts.translate(lang, key)
    try:
        return template.format_map(_Keep(params))
    except (ValueError, IndexError, AttributeError):  # a stray brace in the text
        return template
