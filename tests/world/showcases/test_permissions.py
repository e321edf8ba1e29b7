"""Showcase permissions, every kind of person x every showcase action (deny by default):
``showcase.schedule``, ``showcase.manage``, ``showcase.moderate``, ``showcase.register``,
``showcase.ask``."""

from __future__ import annotations

import pytest

from tests.world.test_permissions_bookings import ADMIN, GUEST, VISITOR, staff_of
from world.people import Membership, Person
from world.permissions import ACTIONS, Resource, can, perm_map

PARK = "798-art-zone"
SHOWCASE = ("showcase.schedule", "showcase.manage", "showcase.moderate", "showcase.register", "showcase.ask")
ORGANIZER = Person("olga", "Olga", "organizer", registered=True)  # organizes the event below
OTHER_ORGANIZER = Person("otto", "Otto", "organizer", registered=True)
PRESENTER = Person("pia", "Pia", "visitor", registered=True)
EMPLOYEE = Person("ana", "Ana", "enterprise", registered=True,
                  memberships=(Membership(11, "enterprise", "owner", "Acme"),))
STAFF, ELSEWHERE = staff_of(PARK), staff_of("751-d-park")
UNREGISTERED_ORGANIZER = Person("olga", "Olga", "organizer")  # the role but no session behind it

STAGE = Resource(park_id=PARK)  # scheduling on the park's stage
EVENT = Resource(park_id=PARK, users=("olga", "pia"))  # olga organizes, pia presents

TABLE = {  # who: (schedule on 798, manage the event, moderate it, register, ask)
    "guest": (GUEST, (False, False, False, False, False)),
    "visitor": (VISITOR, (False, False, False, True, True)),
    "employee": (EMPLOYEE, (False, False, False, True, True)),
    "the event's organizer": (ORGANIZER, (True, True, True, True, True)),
    "another organizer": (OTHER_ORGANIZER, (True, False, False, True, True)),
    "a presenter": (PRESENTER, (False, False, True, True, True)),
    "park staff of 798": (STAFF, (True, True, True, True, True)),
    "park staff elsewhere": (ELSEWHERE, (False, False, False, True, True)),
    "admin": (ADMIN, (True, True, True, True, True)),
    "organizer without a session": (UNREGISTERED_ORGANIZER, (False, False, False, False, False)),
}


@pytest.mark.parametrize("who", list(TABLE))
def test_every_person_and_action(who: str) -> None:
    person, expected = TABLE[who]
    got = tuple(can(person, action, STAGE if action == "showcase.schedule" else EVENT).allowed
                for action in SHOWCASE)
    assert got == expected


def test_the_actions_are_declared() -> None:
    assert set(SHOWCASE) <= set(ACTIONS)


def test_a_refusal_says_why() -> None:
    assert can(GUEST, "showcase.ask", EVENT).reason == "sign in first"
    assert "organizer, its presenters" in can(VISITOR, "showcase.moderate", EVENT).reason
    assert "751-d-park" in can(STAFF, "showcase.schedule", Resource(park_id="751-d-park")).reason
    assert "organizers and the park's staff" in can(EMPLOYEE, "showcase.schedule", STAGE).reason


def test_the_client_map_matches() -> None:
    assert perm_map(ORGANIZER)["showcase.schedule"] and perm_map(ORGANIZER)["showcase.manage"]
    assert not perm_map(VISITOR)["showcase.manage"] and perm_map(VISITOR)["showcase.ask"]
    assert not any(perm_map(GUEST)[a] for a in SHOWCASE)
