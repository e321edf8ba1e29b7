"""The dispatch table: every message has a route, every route an action or PUBLIC, and
``can`` is asked once, before the desk runs; a denied request gets its error."""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec
import pytest

from server.dispatch import PUBLIC, ROUTES, Dispatcher, actions_used
from server.metrics import Metrics
from server.presence import Visitor
from server.refusal import Refusal
from server.web.app import route_actions
from world.people import Membership, Person
from world.permissions import ACTIONS, Resource
from world.protocol import messages as M
from world.protocol.constants import ErrorCode

BOOTH = Resource(park_id="798-art-zone", booth_id="b1", owner_org=7)
MINE = Resource(park_id="798-art-zone", owner_org=7, users=("m", "m"))  # m's booking for Acme


class Desk:
    """Records which methods ran; each returns an ``ok``."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        async def method(v: Visitor, msg: Any, found: Any) -> M.Ok:
            self.calls.append(name)
            return M.Ok(re=getattr(msg, "id", 0))
        return method


class Out:
    def __init__(self) -> None:
        self.sent: list[Any] = []

    def send(self, msg: msgspec.Struct) -> None:
        self.sent.append(msg)

    def auth_failed(self, detail: str, rid: int) -> None:
        self.sent.append(M.Error(code="auth_failed", msg=detail, re=rid))


class Peer:
    ip = "127.0.0.1"
    closing = False
    session: Any = None


def _dispatcher() -> tuple[Dispatcher, Desk, Metrics]:
    desk, metrics = Desk(), Metrics()
    desks = {name: desk for name in ("front", "parks", "chat", "booths", "kiosk", "spaces", "stage")}

    def finder(v: Visitor, msg: Any) -> tuple[Resource, Any]:
        return BOOTH, None

    def missing(v: Visitor, msg: Any) -> tuple[Resource, Any]:
        raise Refusal(ErrorCode.NOT_FOUND, "booth: no booth 'zz' in park 798-art-zone")

    async def booking(v: Visitor, msg: Any) -> tuple[Resource, Any]:  # a finder that reads the database
        await asyncio.sleep(0)
        return MINE, None

    finders = {"park": finder, "chat": finder, "booth": finder, "space": finder, "stage": finder,
               "space_booking": booking}
    d = Dispatcher(desks, finders, metrics)
    d.missing = missing  # type: ignore[attr-defined]
    return d, desk, metrics


def _sample(kind: type) -> Any:
    """A valid instance of a message type with made-up field values."""
    values = {"booth": "b1", "park": "798-art-zone", "ch": "near", "text": "hi", "name": "Ann", "consent": True,
              "content": M.BoothPatch(name="x"), "on": True, "owner_user": "acme", "user": "ann",
              "password": "long enough", "token": "t", "v": 1, "s": 1, "e": "wave", "lang": "en",
              "space": 12, "start": 1767225600, "minutes": 60, "kind": "applause", "muted": True, "question": 3,
              "poll": 2, "choices": [0], "booking": 9}
    fields = {f.name: values[f.name] for f in msgspec.structs.fields(kind) if f.required}
    return kind(**fields)


def test_every_client_message_has_a_route_and_every_action_is_used() -> None:
    assert set(ROUTES) == set(M.ClientMessage.__args__)
    for kind, route in ROUTES.items():
        if isinstance(route.action, str) and route.action != PUBLIC:
            assert route.action in ACTIONS, kind
    # an action counts as used when a websocket route or a web route asks it
    web = {action for _, _, action in route_actions() if action}
    assert web <= set(ACTIONS)
    assert actions_used() | web == set(ACTIONS)  # no action declared and never checked


@pytest.mark.parametrize("kind", [k for k, r in ROUTES.items() if r.action != PUBLIC])
def test_a_denied_request_gets_not_allowed_with_a_reason_and_the_desk_never_runs(kind: type) -> None:
    d, desk, metrics = _dispatcher()
    v = Visitor(Peer())  # type: ignore[arg-type]
    v.person = Person("x", "X", "pirate", registered=True)  # an unknown role: every action is refused
    out = Out()
    asyncio.run(d.handle(v, out, _sample(kind)))
    (error,) = out.sent
    assert isinstance(error, M.Error) and error.code == "not_allowed" and "unknown role" in error.msg
    assert desk.calls == [] and metrics.errors["not_allowed"] == 1


@pytest.mark.parametrize(("kind", "who", "allowed"), [
    (M.BoothEdit, Person("g", "G", "guest"), False),
    (M.Card, Person("g", "G", "guest"), False),
    (M.Card, Person("v", "V", "visitor", registered=True), True),
    (M.BoothEdit, Person("o", "O", "enterprise", registered=True,
                         memberships=(Membership(7, "enterprise", "owner", "Acme"),)), True),
    (M.BoothEdit, Person("m", "M", "enterprise", registered=True,
                         memberships=(Membership(8, "enterprise", "owner", "Acme"),)), False),
    (M.BoothAssign, Person("o", "O", "enterprise", registered=True,
                           memberships=(Membership(7, "enterprise", "owner", "Acme"),)), False),
    (M.Like, Person("g", "G", "guest"), True),
    (M.SetLang, Person("g", "G", "guest"), False),  # a guest keeps its language in its client
    (M.SetLang, Person("v", "V", "visitor", registered=True), True),
    # booking a space from inside the park: booking.make, as on the web
    (M.SpaceSlots, Person("g", "G", "guest"), False),
    (M.SpaceBook, Person("g", "G", "guest"), False),
    (M.SpaceBook, Person("v", "V", "visitor", registered=True), False),  # no enterprise of the zone
    (M.SpaceBook, Person("m", "M", "enterprise", registered=True,
                         memberships=(Membership(7, "enterprise", "member", "Acme"),)), True),
    (M.SpaceSlots, Person("m", "M", "enterprise", registered=True,
                          memberships=(Membership(7, "enterprise", "member", "Acme"),)), True),
    # checking in at the space: booking.own over the booking an awaited finder read
    (M.SpaceCheckIn, Person("m", "M", "enterprise", registered=True,
                            memberships=(Membership(7, "enterprise", "member", "Acme"),)), True),
    (M.SpaceCheckIn, Person("n", "N", "enterprise", registered=True,  # a colleague: not theirs
                            memberships=(Membership(7, "enterprise", "member", "Acme"),)), False),
    (M.SpaceCheckIn, Person("o", "O", "enterprise", registered=True,  # the enterprise's owner may
                            memberships=(Membership(7, "enterprise", "owner", "Acme"),)), True),
    (M.SpaceCheckIn, Person("g", "G", "guest"), False),
])
def test_the_desk_runs_exactly_when_can_allows(kind: type, who: Person, allowed: bool) -> None:
    d, desk, _ = _dispatcher()
    v = Visitor(Peer())  # type: ignore[arg-type]
    v.person = who
    out = Out()
    asyncio.run(d.handle(v, out, _sample(kind)))
    assert (len(desk.calls) == 1) is allowed
    assert isinstance(out.sent[0], M.Ok if allowed else M.Error)


def test_a_finder_refusal_and_a_desk_refusal_are_one_counted_error_each() -> None:
    d, desk, metrics = _dispatcher()
    d.table[M.Like] = d.table[M.Like].__class__(d.table[M.Like].handler, "booth.like", d.missing)  # type: ignore[attr-defined]
    v = Visitor(Peer())  # type: ignore[arg-type]
    v.person = Person("g", "G", "guest")
    out = Out()
    asyncio.run(d.handle(v, out, M.Like(booth="zz", id=4)))
    assert out.sent == [M.Error(code="not_found", msg="booth: no booth 'zz' in park 798-art-zone", re=4)]

    async def refuses(v: Visitor, msg: Any, found: Any) -> None:
        raise Refusal(ErrorCode.INVALID, "consent: needed")

    d.table[M.Card] = d.table[M.Card].__class__(refuses, "booth.card", None)
    v.person = Person("v", "V", "visitor", registered=True)
    asyncio.run(d.handle(v, out, M.Card(booth="b1", name="V", consent=False, id=5)))
    assert out.sent[-1] == M.Error(code="invalid", msg="consent: needed", re=5)
    assert metrics.errors == {"not_found": 1, "invalid": 1}


def test_a_desk_that_crashes_is_answered_unavailable_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    d, _, metrics = _dispatcher()

    async def broken(v: Visitor, msg: Any, found: Any) -> None:
        raise RuntimeError("bug")

    d.table[M.Ping] = d.table[M.Ping].__class__(broken, PUBLIC, None)
    out = Out()
    asyncio.run(d.handle(Visitor(Peer()), out, M.Ping(c=1.0)))  # type: ignore[arg-type]
    assert out.sent[0].code == "unavailable" and metrics.errors["unavailable"] == 1
    assert "request Ping failed" in caplog.text
