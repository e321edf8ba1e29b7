"""Booking permissions, every role x every booking action (the table tests of
``booking.make``, ``booking.own`` and ``booking.manage``)."""

from __future__ import annotations

from world.people import Membership, Person
from world.permissions import ACTIONS, Resource, can, perm_map

ACME_ID, ZETA_ID = 11, 12
PARK = "798-art-zone"


def member(user: str, org: int, role: str) -> Person:
    return Person(user, user, "enterprise", registered=True, memberships=(Membership(org, "enterprise", role, "x"),))


def staff_of(park: str) -> Person:
    return Person("s-" + park, "staff", "park_staff", registered=True,
                  memberships=(Membership(90, "park", "staff", park, park_id=park),))


GUEST = Person("guest:1", "g", "guest")
VISITOR = Person("v1", "v", "visitor", registered=True)
ADMIN = Person("a", "a", "admin", registered=True)
OWNER, MEMBER, OTHER = member("ana", ACME_ID, "owner"), member("bob", ACME_ID, "member"), member("zed", ZETA_ID, "owner")
STAFF, ELSEWHERE = staff_of(PARK), staff_of("751-d-park")

ZONE_SPACE = Resource(park_id=PARK, audience="zone")
PUBLIC_SPACE = Resource(park_id=PARK, audience="public")
FOR_ACME = Resource(park_id=PARK, owner_org=ACME_ID, audience="zone")
# bob's booking, made for Acme in park 798
BOBS = Resource(park_id=PARK, owner_org=ACME_ID, users=("bob",))

TABLE = {  # who: (make zone space, make public space, make for Acme, own bob's booking, manage 798)
    "guest": (GUEST, (False, False, False, False, False)),
    "visitor": (VISITOR, (False, True, False, False, False)),
    "acme owner": (OWNER, (True, True, True, True, False)),
    "acme member": (MEMBER, (True, True, True, True, False)),
    "zeta owner": (OTHER, (True, True, False, False, False)),
    "park staff of 798": (STAFF, (True, True, False, True, True)),
    "park staff elsewhere": (ELSEWHERE, (False, True, False, False, False)),
    "admin": (ADMIN, (True, True, True, True, True)),
}


def test_every_role_times_every_booking_action() -> None:
    asks = (("booking.make", ZONE_SPACE), ("booking.make", PUBLIC_SPACE), ("booking.make", FOR_ACME),
            ("booking.own", BOBS), ("booking.manage", Resource(park_id=PARK)))
    for label, (who, expected) in TABLE.items():
        for (action, res), allowed in zip(asks, expected, strict=True):
            decision = can(who, action, res)
            assert decision.allowed == allowed, (label, action, res, decision.reason)
            assert decision.reason


def test_refusals_say_why() -> None:
    assert can(GUEST, "booking.make", PUBLIC_SPACE).reason == "sign in first to book a space"
    assert "not one of this enterprise's people" in can(OTHER, "booking.make", FOR_ACME).reason
    assert "someone else's" in can(OTHER, "booking.own", BOBS).reason
    assert "798-art-zone" in can(ELSEWHERE, "booking.manage", Resource(park_id=PARK)).reason
    assert can(member("cai", ACME_ID, "member"), "booking.own", BOBS).allowed is False  # a colleague, not a manager


def test_booking_actions_are_declared_and_in_the_map() -> None:
    assert {"booking.make", "booking.own", "booking.manage"} <= set(ACTIONS)
    assert perm_map(STAFF)["booking.manage"] and not perm_map(OWNER)["booking.manage"]
    assert perm_map(OWNER)["booking.make"] and not perm_map(GUEST)["booking.make"]


def test_nobody_books_a_stage_through_the_booking_pages() -> None:
    """A stage (audience ``events``) is booked by scheduling an event; ``booking.make`` on it
    is refused to every role but the platform admin, with the way to do it named."""
    stage = Resource(park_id=PARK, audience="events")
    for who in (GUEST, VISITOR, OWNER, MEMBER, OTHER, STAFF, ELSEWHERE):
        decision = can(who, "booking.make", stage)
        assert not decision.allowed, who.user_id
    assert "scheduling an event" in can(OWNER, "booking.make", stage).reason
