"""The permission table: every role x every action, the expected answer written out as
data (an action's row lists the roles it allows; every other role is refused), asked of
three resources: an enterprise's booth in its park, nothing in particular (the "may I
at all" answers of the consoles and the permission map), and a service institution.

A change to ``world.permissions`` that changes any answer fails here and names the
cell, so a new rule is a deliberate edit of this table. Every refusal has a reason.
"""

from __future__ import annotations

from world.people import Membership, Person
from world.permissions import ACTIONS, NOTHING, Resource, can, perm_map

ACME, ZETA, INST, DEPT = 11, 12, 40, 70
PARK, OTHER_PARK = "798-art-zone", "751-d-park"


def _p(user: str, role: str, *memberships: Membership) -> Person:
    return Person(user, user, role, registered=role != "guest", memberships=memberships)


# every role the platform knows, by platform role and by membership
PEOPLE: dict[str, Person] = {
    "guest": Person("guest:1", "g", "guest"),
    "visitor": _p("v", "visitor"),
    "organizer": _p("org", "organizer"),  # runs events (the platform role)
    "government": _p("gov", "government"),  # the platform role, in no department
    "officer": _p("off", "visitor", Membership(DEPT, "department", "officer", "Bureau")),
    "park_staff": _p("ps", "park_staff", Membership(90, "park", "staff", PARK, park_id=PARK)),
    "other_park": _p("ps2", "park_staff", Membership(91, "park", "staff", OTHER_PARK, park_id=OTHER_PARK)),
    "owner": _p("own", "enterprise", Membership(ACME, "enterprise", "owner", "Acme")),
    "ent_admin": _p("ea", "visitor", Membership(ACME, "enterprise", "admin", "Acme")),
    "member": _p("em", "visitor", Membership(ACME, "enterprise", "member", "Acme")),
    "other_owner": _p("zo", "enterprise", Membership(ZETA, "enterprise", "owner", "Zeta")),
    "inst_admin": _p("ia", "visitor", Membership(INST, "institution", "admin", "Law")),
    "inst_staff": _p("is", "visitor", Membership(INST, "institution", "staff", "Law")),
    "admin": _p("root", "admin"),
}
EVERYONE = frozenset(PEOPLE)
SIGNED_IN = EVERYONE - {"guest"}
ADMIN = frozenset({"admin"})

# Acme's booth b01 in the 798 Art Zone
ON_ACMES_BOOTH: dict[str, frozenset[str] | set[str]] = {
    "park.join": EVERYONE,
    "chat.near": EVERYONE,
    "chat.park": EVERYONE,
    "chat.booth": EVERYONE,
    "booth.like": EVERYONE,
    "booth.card": SIGNED_IN,
    "booth.edit": {"park_staff", "owner", "ent_admin", "admin"},
    "booth.stats": {"park_staff", "owner", "ent_admin", "admin"},
    "booth.staff": {"owner", "ent_admin", "member", "admin"},
    "booth.assign": {"park_staff", "admin"},
    "account.self": SIGNED_IN,
    "console.government": {"government", "officer", "admin"},
    "console.park": {"park_staff", "admin"},
    "console.enterprise": {"owner", "ent_admin", "admin"},
    "console.employee": {"owner", "ent_admin", "member", "admin"},
    "org.profile": {"owner", "ent_admin", "admin"},
    "org.members": {"owner", "ent_admin", "admin"},
    "org.invite": {"owner", "ent_admin", "admin"},
    "account.reset": {"owner", "ent_admin", "admin"},
    "park.tenants": {"park_staff", "admin"},
    "park.staff": {"park_staff", "admin"},
    "audit.read": {"government", "officer", "park_staff", "admin"},
    "park.edit": {"park_staff", "admin"},
    "park.propose": SIGNED_IN,
    "park.approve": ADMIN,
    "booking.make": {"owner", "ent_admin", "member", "admin"},
    "booking.own": {"park_staff", "owner", "ent_admin", "admin"},
    "booking.manage": {"park_staff", "admin"},
    "policy.publish": ADMIN,
    "policy.review": ADMIN,
    "policy.apply": {"owner", "ent_admin", "admin"},
    "stage.react": EVERYONE,
    "stage.control": {"park_staff", "admin"},
    "showcase.schedule": {"organizer", "park_staff", "admin"},
    "showcase.manage": {"park_staff", "admin"},
    "showcase.moderate": {"park_staff", "admin"},
    "showcase.register": SIGNED_IN,
    "showcase.ask": SIGNED_IN,
    "platform.orgs": ADMIN,
    "platform.roles": ADMIN,
    "console.institution": ADMIN,
    "org.confirm": {"officer", "admin"},
}

# no resource: "may this person do it at all"
AT_ALL: dict[str, frozenset[str] | set[str]] = {
    "park.join": EVERYONE,
    "chat.near": EVERYONE,
    "chat.park": EVERYONE,
    "chat.booth": EVERYONE,
    "booth.like": EVERYONE,
    "booth.card": SIGNED_IN,
    "booth.edit": ADMIN,
    "booth.stats": ADMIN,
    "booth.staff": ADMIN,
    "booth.assign": ADMIN,
    "account.self": SIGNED_IN,
    "console.government": {"government", "officer", "admin"},
    "console.park": {"park_staff", "other_park", "admin"},
    "console.enterprise": {"owner", "ent_admin", "other_owner", "admin"},
    "console.employee": {"owner", "ent_admin", "member", "other_owner", "admin"},
    "org.profile": ADMIN,
    "org.members": ADMIN,
    "org.invite": ADMIN,
    "account.reset": ADMIN,
    "park.tenants": ADMIN,
    "park.staff": ADMIN,
    "audit.read": {"government", "officer", "admin"},
    "park.edit": {"park_staff", "other_park", "admin"},
    "park.propose": SIGNED_IN,
    "park.approve": ADMIN,
    "booking.make": {"owner", "ent_admin", "member", "other_owner", "admin"},
    "booking.own": ADMIN,
    "booking.manage": {"park_staff", "other_park", "admin"},
    "policy.publish": {"officer", "park_staff", "other_park", "admin"},
    "policy.review": {"officer", "park_staff", "other_park", "admin"},
    "policy.apply": {"owner", "ent_admin", "other_owner", "admin"},
    "stage.react": EVERYONE,
    "stage.control": ADMIN,
    "showcase.schedule": {"organizer", "park_staff", "other_park", "admin"},
    "showcase.manage": {"organizer", "park_staff", "other_park", "admin"},
    "showcase.moderate": {"organizer", "park_staff", "other_park", "admin"},
    "showcase.register": SIGNED_IN,
    "showcase.ask": SIGNED_IN,
    "platform.orgs": ADMIN,
    "platform.roles": ADMIN,
    "console.institution": {"inst_admin", "inst_staff", "admin"},
    "org.confirm": {"officer", "admin"},
}

# the service institution INST (the actions whose answer depends on the organization named)
ON_THE_INSTITUTION: dict[str, frozenset[str] | set[str]] = {
    "org.profile": {"inst_admin", "admin"},
    "org.members": ADMIN,  # its people are appointed by the platform admin
    "org.invite": ADMIN,
    "account.reset": ADMIN,
    "console.institution": {"inst_admin", "inst_staff", "admin"},
    "console.enterprise": ADMIN,
    "console.employee": ADMIN,
    "policy.apply": ADMIN,
    "booking.make": ADMIN,
}


def _check(table: dict[str, frozenset[str] | set[str]], resource: Resource) -> list[str]:
    wrong = []
    for action, allowed in table.items():
        assert set(allowed) <= EVERYONE, (action, set(allowed) - EVERYONE)
        for label, who in PEOPLE.items():
            decision = can(who, action, resource)
            assert decision.reason, (label, action)
            if decision.allowed != (label in allowed):
                wrong.append(f"{action} x {label}: expected {'allow' if label in allowed else 'deny'}, "
                             f"got {decision.allowed} ({decision.reason})")
    return wrong


def test_every_role_times_every_action_on_an_enterprises_booth() -> None:
    assert list(ON_ACMES_BOOTH) == list(ACTIONS)
    assert _check(ON_ACMES_BOOTH, Resource(park_id=PARK, booth_id="b01", owner_org=ACME)) == []


def test_every_role_times_every_action_at_all() -> None:
    assert list(AT_ALL) == list(ACTIONS)
    assert _check(AT_ALL, NOTHING) == []


def test_the_institutions_own_affairs_are_its_peoples() -> None:
    assert _check(ON_THE_INSTITUTION, Resource(owner_org=INST)) == []


def test_the_permission_map_of_every_role_agrees_with_the_table() -> None:
    """The 3D clients' map asks the consoles and the platform actions of nothing in particular."""
    for label, who in PEOPLE.items():
        perms = perm_map(who)
        assert set(perms) == set(ACTIONS)
        for action in ("console.government", "console.park", "console.enterprise", "console.employee",
                       "console.institution", "platform.orgs", "platform.roles", "org.confirm", "park.approve"):
            assert perms[action] == (label in AT_ALL[action]), (label, action)


def test_the_map_of_an_enterprise_member_who_runs_an_institution_keeps_both() -> None:
    both = _p("emil", "visitor", Membership(ACME, "enterprise", "member", "Acme"),
              Membership(INST, "institution", "admin", "Law"))
    perms = perm_map(both)
    assert perms["booth.staff"] and not perms["booth.edit"]  # on duty at Acme's booths, not their editor
    assert perms["org.profile"] and not perms["org.members"]  # the institution's profile; its people are the admin's
    assert perms["console.employee"] and perms["console.institution"] and not perms["console.enterprise"]


def test_unknown_actions_and_roles_are_refused_for_everyone() -> None:
    for label, who in PEOPLE.items():
        decision = can(who, "platform.everything")
        assert not decision and "unknown action" in decision.reason, label
    pirate = _p("x", "pirate", Membership(ACME, "enterprise", "owner", "Acme"))
    assert not any(can(pirate, action, Resource(park_id=PARK, owner_org=ACME)) for action in ACTIONS)
