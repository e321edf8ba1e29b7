"""A person: who is acting, in the world and on every terminal.

One concept, one name. A ``Person`` is what the server knows of whoever is on a
connection: a guest (a display name only) or a signed-in account with its
memberships. A ``Membership`` is a role *in an organization*: the owner, an admin or
a member of an enterprise, staff of a park, an officer of a department. Ownership
(of a booth, later of a booking) is always by organization id, never by a name that
anyone can type.

The stored login record is ``server.db.accounts.Account``; the wire shape is
``world.protocol.messages.UserInfo``. Nothing else names a person.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

GUEST_PREFIX = "guest:"

ORG_KINDS = ("enterprise", "park", "institution", "department")
MEMBER_ROLES = ("owner", "admin", "member", "staff", "officer")
# roles in an enterprise that may run its booths (edit content, read statistics)
ENTERPRISE_MANAGERS = frozenset({"owner", "admin"})
ENTERPRISE_PEOPLE = frozenset({"owner", "admin", "member"})
# roles in a service institution (its owners and admins run its profile and people; staff: its mentors)
INSTITUTION_PEOPLE = frozenset({"owner", "admin", "staff", "member"})


@dataclass(frozen=True, slots=True)
class Membership:
    org_id: int
    kind: str  # one of ORG_KINDS
    role: str  # one of MEMBER_ROLES
    org_name: str = ""
    park_id: str = ""  # for kind "park": the park this organization runs


@dataclass(frozen=True, slots=True)
class Person:
    user_id: str
    name: str
    role: str  # the platform role (constants.Role): guest, visitor, enterprise, ...
    color: int = 0x3D7EAA
    registered: bool = False
    memberships: tuple[Membership, ...] = ()
    lang: str = ""  # the interface language the person chose (world.i18n.LANGS); "" = none yet

    @property
    def is_guest(self) -> bool:
        return not self.registered

    @property
    def parks(self) -> frozenset[str]:
        """Parks this person works for as park staff."""
        return frozenset(m.park_id for m in self.memberships if m.kind == "park" and m.park_id)

    @property
    def company(self) -> str:
        """The name of the first enterprise this person belongs to ("" for none): shown
        beside the name, never used to decide anything."""
        for m in self.memberships:
            if m.kind == "enterprise" and m.role in ENTERPRISE_PEOPLE:
                return m.org_name
        return ""

    def role_in(self, org_id: int | None) -> str:
        """This person's role in organization ``org_id`` ("" when not a member)."""
        if org_id is None:
            return ""
        for m in self.memberships:
            if m.org_id == org_id:
                return m.role
        return ""

    def enterprises(self, roles: frozenset[str] = ENTERPRISE_PEOPLE) -> tuple[int, ...]:
        return tuple(m.org_id for m in self.memberships if m.kind == "enterprise" and m.role in roles)

    def institutions(self, roles: frozenset[str] = INSTITUTION_PEOPLE) -> tuple[int, ...]:
        return tuple(m.org_id for m in self.memberships if m.kind == "institution" and m.role in roles)

    def with_look(self, name: str | None, color: int | None) -> Person:
        return dataclasses.replace(self, name=name if name is not None else self.name,
                                   color=color if color is not None else self.color)


def guest(token: str, name: str, color: int) -> Person:
    """A guest; ``token`` makes the id unique (the caller draws it from its own RNG)."""
    return Person(GUEST_PREFIX + token, name, "guest", color)
