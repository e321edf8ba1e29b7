"""Who may do what: ordered ``can(actor, action, resource)`` clauses, deny by default.

Every decision of the server goes through ``can``; the client gets ``perm_map(actor)``
(in ``session.perms``) so its UI offers only what the server will allow. Clauses are
tried in order; the first that matches decides; if none matches the answer is "no"
with a reason naming the action.

Rules (roles from ``constants.Role``):
- Everyone with a session (guests too) may join parks, chat near/park/booth, and like
  booths. Guests may not leave business cards: a card is a contact request and needs
  a registered account behind it (plus the card's explicit ``consent``).
- A booth is edited by its owning enterprise (an ``enterprise`` account whose company
  owns it), by ``park_staff`` of that booth's park, and by ``admin``. Enterprises edit
  only their own booths.
- Booth stats (visits, likes, cards) are for the same people who may edit the booth.
- Going on duty as booth staff: the owning enterprise's accounts only (and admin).
- ``booth.assign`` (giving a booth slot to an enterprise, or freeing it): admin, and
  ``park_staff`` for booths in the parks they run. Never an enterprise, not even for
  its own booth.
- ``account.create_role`` (creating organizer/park staff/government/enterprise
  accounts for others): admin only.
- ``stage.control``: organizers, park staff of the park, admin.
- ``park.stats`` (zone-wide figures): government and admin.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from world.protocol.constants import Role


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: str
    role: str
    company: str = ""
    parks: frozenset[str] = field(default_factory=frozenset)  # parks a park_staff account runs

    @property
    def is_guest(self) -> bool:
        return self.role == Role.GUEST


@dataclass(frozen=True, slots=True)
class Resource:
    """What an action is about: a park, a booth (with owner), or nothing."""

    park_id: str = ""
    booth_id: str = ""
    owner_company: str = ""
    owner_user_id: str = ""


NOTHING = Resource()


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    reason: str

    def __bool__(self) -> bool:
        return self.allowed


ACTIONS = (
    "park.join", "park.stats", "chat.near", "chat.park", "chat.booth", "booth.like", "booth.card",
    "booth.edit", "booth.stats", "booth.staff", "booth.assign", "account.create_role", "stage.control",
)

Clause = Callable[[Actor, str, Resource], Decision | None]


def _owns(actor: Actor, res: Resource) -> bool:
    if actor.role != Role.ENTERPRISE:
        return False
    if res.owner_user_id and res.owner_user_id == actor.user_id:
        return True
    return bool(actor.company) and actor.company == res.owner_company


def _unknown_role(actor: Actor, action: str, res: Resource) -> Decision | None:
    if actor.role not in {r.value for r in Role}:
        return Decision(False, f"unknown role {actor.role!r}")
    return None


def _admin(actor: Actor, action: str, res: Resource) -> Decision | None:
    if actor.role == Role.ADMIN and action in ACTIONS:
        return Decision(True, "admin")
    return None


def _everyone(actor: Actor, action: str, res: Resource) -> Decision | None:
    if action in ("park.join", "chat.near", "chat.park", "chat.booth", "booth.like"):
        return Decision(True, "open to every visitor")
    return None


def _cards(actor: Actor, action: str, res: Resource) -> Decision | None:
    if action != "booth.card":
        return None
    if actor.is_guest:
        return Decision(False, "guests cannot leave business cards: register or log in first")
    return Decision(True, "registered visitors may leave a card (with consent)")


def _booth_owner(actor: Actor, action: str, res: Resource) -> Decision | None:
    if action not in ("booth.edit", "booth.stats", "booth.staff"):
        return None
    if _owns(actor, res):
        return Decision(True, "your enterprise owns this booth")
    if action != "booth.staff" and actor.role == Role.PARK_STAFF and res.park_id and res.park_id in actor.parks:
        return Decision(True, "park staff of this park")
    if actor.role == Role.ENTERPRISE and res.booth_id:
        return Decision(False, f"booth {res.booth_id} belongs to another enterprise")
    return None


def _booth_assign(actor: Actor, action: str, res: Resource) -> Decision | None:
    if action != "booth.assign":
        return None
    if actor.role == Role.PARK_STAFF and res.park_id and res.park_id in actor.parks:
        return Decision(True, "park staff of this park")
    if actor.role == Role.PARK_STAFF:
        return Decision(False, f"park staff assign booths only in their own parks, not in {res.park_id or 'this park'}")
    return Decision(False, "only admins and the park's staff assign booths to enterprises")


def _stage(actor: Actor, action: str, res: Resource) -> Decision | None:
    if action != "stage.control":
        return None
    if actor.role == Role.ORGANIZER:
        return Decision(True, "organizer")
    if actor.role == Role.PARK_STAFF and res.park_id in actor.parks:
        return Decision(True, "park staff of this park")
    return None


def _government(actor: Actor, action: str, res: Resource) -> Decision | None:
    if action == "park.stats" and actor.role == Role.GOVERNMENT:
        return Decision(True, "government")
    return None


CLAUSES: tuple[Clause, ...] = (
    _unknown_role, _admin, _everyone, _cards, _booth_owner, _booth_assign, _stage, _government,
)


def can(actor: Actor, action: str, resource: Resource = NOTHING) -> Decision:
    for clause in CLAUSES:
        decision = clause(actor, action, resource)
        if decision is not None:
            return decision
    if action not in ACTIONS:
        return Decision(False, f"unknown action {action!r}")
    return Decision(False, f"a {actor.role} may not {action.replace('.', ' ').replace('_', ' ')}")


def perm_map(actor: Actor, resource: Resource = NOTHING) -> dict[str, bool]:
    """Every action's answer for this actor (booth actions: for booths it owns, or in
    parks it runs: the client asks per booth only when it matters)."""
    out: dict[str, bool] = {}
    for action in ACTIONS:
        res = resource
        if action.startswith("booth.") and action not in ("booth.like", "booth.card") and resource == NOTHING:
            # "can I edit booths at all": an owner of some booth, park staff of some park
            res = Resource(owner_company=actor.company, owner_user_id=actor.user_id,
                           park_id=next(iter(sorted(actor.parks)), ""))
        out[action] = can(actor, action, res).allowed
    return out
