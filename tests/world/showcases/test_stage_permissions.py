"""Who runs a park's stage during a showcase: the event's organizer and moderators, the
park's staff and admins (``stage.control``); everyone may react (``stage.react``)."""

from __future__ import annotations

from world.people import Membership, Person
from world.permissions import Resource, can, perm_map

EVENT = Resource(park_id="798-art-zone", users=("org", "mod"))
ORG = Person("org", "Org", "organizer", registered=True)
MOD = Person("mod", "Mod", "visitor", registered=True)
OTHER_ORGANIZER = Person("org2", "Org 2", "organizer", registered=True)
VISITOR = Person("v1", "v", "visitor", registered=True)
GUEST = Person("guest:1", "g", "guest")
ADMIN = Person("root", "Root", "admin", registered=True)


def staff_of(park: str) -> Person:
    return Person("s-" + park, "staff", "park_staff", registered=True,
                  memberships=(Membership(90, "park", "staff", park, park_id=park),))


def test_the_events_organizer_and_moderators_the_parks_staff_and_admins_run_the_stage() -> None:
    for who in (ORG, MOD, staff_of("798-art-zone"), ADMIN):
        assert can(who, "stage.control", EVENT), who.user_id


def test_everyone_else_is_refused_with_a_reason() -> None:
    for who in (OTHER_ORGANIZER, VISITOR, staff_of("751-d-park")):
        decision = can(who, "stage.control", EVENT)
        assert not decision
        assert decision.reason == "only the event's organizer and moderators and the park's staff run the stage"
    guest = can(GUEST, "stage.control", Resource(park_id="798-art-zone", users=("guest:1",)))
    assert not guest and guest.reason == "sign in first"  # a guest never runs a stage, even if named


def test_everyone_may_react_guests_too() -> None:
    for who in (GUEST, VISITOR, ORG):
        assert can(who, "stage.react", EVENT)


def test_the_permission_map_tells_park_staff_they_run_stages() -> None:
    assert perm_map(staff_of("798-art-zone"))["stage.control"] is True
    assert perm_map(VISITOR)["stage.control"] is False
    assert perm_map(GUEST)["stage.react"] is True
