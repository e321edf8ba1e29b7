"""One dispatch table: message type -> desk method, permission action, resource finder.

``ROUTES`` is data. For each request ``Dispatcher.handle``:
1. finds the route (``unknown_type`` if none);
2. finds the resource the request is about with the route's finder (a finder raises
   ``Refusal``, e.g. ``not_found``, naming what is missing; one that must read the
   database returns an awaitable);
3. asks ``can(person, action, resource)`` once (``not_allowed`` with the clause's
   reason when denied) — the only ``can`` call of the websocket transport; routes
   marked ``PUBLIC`` (signing in, listing parks, pings, movement, which the session's
   state table already gates) skip it;
4. awaits the desk method, which returns its replies (or raises ``Refusal``);
5. sends them. Every error reply goes through ``error`` and is counted.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

import msgspec

from server.metrics import Metrics
from server.presence import Visitor
from server.refusal import Refusal
from world.permissions import ACTIONS, NOTHING, Resource, can
from world.protocol import messages as M
from world.protocol.constants import ErrorCode

log = logging.getLogger("cloudpark.dispatch")

PUBLIC = ""
Reply = msgspec.Struct | list[msgspec.Struct] | None
Action = str | Callable[[Any], str]
Finder = Callable[[Visitor, Any], tuple[Resource, Any] | Awaitable[tuple[Resource, Any]]]
Handler = Callable[[Visitor, Any, Any], Awaitable[Reply]]


@dataclass(frozen=True, slots=True)
class Route:
    desk: str  # which desk handles it
    method: str  # the desk's method: (visitor, message, found) -> replies
    action: Action  # the permission action (PUBLIC: none), or a function of the message
    find: str = ""  # the finder that names the resource ("" : none)


def _chat_action(msg: M.Chat) -> str:
    return f"chat.{msg.ch}"


ROUTES: dict[type, Route] = {
    M.Hello: Route("front", "hello", PUBLIC),
    M.Guest: Route("front", "guest", PUBLIC),
    M.Register: Route("front", "register", PUBLIC),
    M.Login: Route("front", "login", PUBLIC),
    M.TokenLogin: Route("front", "token", PUBLIC),
    M.CodeLogin: Route("front", "code_login", PUBLIC),
    M.SignOut: Route("front", "sign_out", PUBLIC),
    M.SetLang: Route("front", "set_lang", "account.self"),
    M.ListParks: Route("parks", "list", PUBLIC),
    M.Ping: Route("parks", "ping", PUBLIC),
    M.Join: Route("parks", "join", "park.join", find="park"),
    M.Leave: Route("parks", "leave", PUBLIC),
    M.Input: Route("parks", "input", PUBLIC),
    M.Emote: Route("parks", "emote", PUBLIC),
    M.Look: Route("parks", "look", PUBLIC),
    M.Chat: Route("chat", "chat", _chat_action, find="chat"),
    M.Like: Route("booths", "like", "booth.like", find="booth"),
    M.Card: Route("booths", "card", "booth.card", find="booth"),
    M.BoothEdit: Route("booths", "edit", "booth.edit", find="booth"),
    M.BoothStats: Route("booths", "stats", "booth.stats", find="booth"),
    M.BoothStaff: Route("booths", "staff", "booth.staff", find="booth"),
    M.BoothAssign: Route("booths", "assign", "booth.assign", find="booth"),
    M.Kiosk: Route("kiosk", "view", "park.join"),  # anyone in a park; what it shows depends on who asks
    M.SpaceSlots: Route("spaces", "slots", "booking.make", find="space"),  # a zone of the park the visitor is in
    M.SpaceBook: Route("spaces", "book", "booking.make", find="space"),
    M.SpaceCheckIn: Route("spaces", "check_in", "booking.own", find="space_booking"),  # standing in its zone
    M.React: Route("stage", "react", "stage.react", find="stage"),  # the event on the visitor's park's stage
    M.HallMove: Route("stage", "hall_move", "park.join"),
    M.StageChat: Route("stage", "stage_chat", "stage.control", find="stage"),
    M.Spotlight: Route("stage", "spotlight", "stage.control", find="stage"),
    M.StageRemove: Route("stage", "stage_remove", "stage.control", find="stage"),
    M.Ask: Route("stage", "ask", "showcase.ask", find="stage"),
    M.Upvote: Route("stage", "upvote", "showcase.ask", find="stage"),
    M.PollVote: Route("stage", "poll_vote", "showcase.ask", find="stage"),
}


def actions_used() -> set[str]:
    """Every permission action some route asks (a test holds it equal to ``ACTIONS``)."""
    used: set[str] = set()
    for route in ROUTES.values():
        if isinstance(route.action, str):
            if route.action:
                used.add(route.action)
        else:
            used |= {a for a in ACTIONS if a.startswith("chat.")}
    return used


class Outbox(Protocol):
    """Where replies go: the connection's session (``server.net.connection``)."""

    def send(self, msg: msgspec.Struct) -> None: ...

    def auth_failed(self, detail: str, rid: int) -> None:
        """An ``auth_failed`` error, counted by the session towards its close (4002)."""
        ...


@dataclass(frozen=True, slots=True)
class _Bound:
    handler: Handler
    action: Action
    find: Finder | None


class Dispatcher:
    def __init__(self, desks: dict[str, object], finders: dict[str, Finder], metrics: Metrics) -> None:
        self.metrics = metrics
        self.table: dict[type, _Bound] = {}
        for kind, route in ROUTES.items():  # fail at start, not at the first request
            handler = getattr(desks[route.desk], route.method)
            finder = finders[route.find] if route.find else None
            self.table[kind] = _Bound(handler, route.action, finder)

    def error(self, out: Outbox, code: ErrorCode, text: str, rid: int = 0) -> None:
        self.metrics.errors[code.value] += 1
        if code is ErrorCode.AUTH_FAILED:
            out.auth_failed(text, rid)
        else:
            out.send(M.Error(code=code.value, msg=text, re=rid))

    async def handle(self, visitor: Visitor, out: Outbox, msg: Any) -> None:
        rid = int(getattr(msg, "id", 0) or 0)
        bound = self.table.get(type(msg))
        if bound is None:
            self.error(out, ErrorCode.UNKNOWN_TYPE, f"the server does not handle {type(msg).__name__} here", rid)
            return
        try:
            found: Any = None
            resource = NOTHING
            if bound.find is not None:
                got = bound.find(visitor, msg)
                resource, found = await got if inspect.isawaitable(got) else got
            action = bound.action if isinstance(bound.action, str) else bound.action(msg)
            if action:
                if visitor.person is None:
                    raise Refusal(ErrorCode.BAD_STATE, "sign in first")
                decision = can(visitor.person, action, resource)
                if not decision:
                    raise Refusal(ErrorCode.NOT_ALLOWED, decision.reason)
            reply = await bound.handler(visitor, msg, found)
        except Refusal as refusal:
            self.error(out, refusal.code, refusal.text, rid)
            return
        except Exception:  # one failed request never takes the connection or the room down
            log.exception("request %s failed", type(msg).__name__)
            self.error(out, ErrorCode.UNAVAILABLE, "the server could not complete this request", rid)
            return
        if reply is None:
            return
        if isinstance(reply, AsyncIterator):  # replies sent as they come (a join: joined first)
            try:
                async for one in reply:
                    out.send(one)
            except Exception:
                log.exception("request %s failed on the way", type(msg).__name__)
                self.error(out, ErrorCode.UNAVAILABLE, "the server could not complete this request", rid)
            return
        for one in reply if isinstance(reply, list) else (reply,):
            out.send(one)
