"""Who may do what: ordered ``can(person, action, resource)`` clauses, deny by default.

Every decision of the server goes through ``can`` (one call site per transport: the
websocket dispatch table now, the web app's one dependency later), over the
``ACTIONS`` listed here; the client gets ``perm_map(person)`` (in ``session.perms``)
so its UI offers only what the server will allow. Clauses are tried in order; the
first that matches decides; if none matches the answer is "no" with a reason naming
the action.

Ownership is by organization id (``Resource.owner_org``) and a person's memberships,
never by a company name: anyone can type a name.

Rules (platform roles from ``constants.Role``, membership roles from ``world.people``):
- Everyone with a session (guests too) may join parks, chat near/park/booth and like
  booths (a guest's like counts once per address). Guests may not leave business
  cards: a card is a contact request and needs an account behind it (plus consent).
- A booth's content and statistics are for the owner and admins of the enterprise
  that owns it, for staff of the booth's park, and for platform admins.
- Going on duty as booth staff: any member of the owning enterprise (and admins).
- ``booth.assign`` (giving a slot to an enterprise, or freeing it): platform admins,
  and staff of the booth's park. Never an enterprise, not even for its own booth.
- ``account.self`` (one's own account: reading it on the web, its language from any client):
  any signed-in person.
- An enterprise's own affairs (``org.profile``: its profile; ``org.members``: roles and
  removals; ``org.invite``: invitation codes; ``account.reset``: one-time password reset
  links for its people) are for its owners and admins (the resource names the
  enterprise); which member an owner or admin may change is ``world.membership_rules``.
  A reset link for someone outside any enterprise: platform admins only.
- A park's own affairs (``park.tenants``: admitting, removing and importing enterprises,
  confirming their facts; ``park.staff``: its staff) are for the staff of *that* park
  (the resource names it). ``audit.read``: government officers read the whole log, park
  staff the entries about their own park (resource), admins everything.
- The park catalogue: ``park.edit`` (a park's entry: facts, venues, style) for the
  staff of *that* park; ``park.propose`` (asking for a new park) for anyone signed in;
  ``park.approve`` (deciding a proposal) for platform admins only.
- Bookings of the parks' spaces (never for guests): ``booking.make`` for the people
  of an enterprise (for *that* enterprise when the resource names one), anyone signed
  in for a ``public`` space, a park's staff in their park (the space's own rules then
  check its audience: the park's enterprises or the zone's); ``booking.own`` (cancel,
  accept an offer, check in, the calendar file) for the people the booking belongs to,
  the owners and admins of its enterprise and the park's staff; ``booking.manage``
  (spaces, approvals, the check-in scanner) for the park's staff.
- Policies: ``policy.publish`` and ``policy.review`` (its applications) for the officers
  of the issuing department, or the staff of the issuing park for park-level measures
  (the resource's ``owner_org`` is the issuing organization); ``policy.apply`` for the
  owners and admins of the enterprise that applies (``owner_org`` the enterprise).
- The consoles, by membership: ``console.government`` for the government role and
  officers of a department; ``console.park`` for staff of a park (of *that* park when
  the resource names one); ``console.enterprise`` for owners and admins of an
  enterprise (of *that* enterprise when the resource names one); ``console.employee``
  for every person of an enterprise (owner, admin, member). Guests get none of them.
- Showcases on a park's stage: ``stage.react`` (applause, cheer, ...) for everyone in the
  park, guests too; ``stage.control`` (muting the audience's chat, the spotlight, removing
  a person from the event) for the event's organizer and moderators (the resource's
  ``users``), the staff of the park (resource) and admins. Never a guest.
- Showcase events (``server.showcases``; for an event the resource names its park and its
  ``users`` are the organizer first, then the presenters): ``showcase.schedule`` (an event
  on a park's stage) for the ``organizer`` role and the staff of that park;
  ``showcase.manage`` (editing, cancelling, going live, polls, the attendance report and
  its export) for the event's organizer and the park's staff; ``showcase.moderate``
  (approving, hiding, answering questions) for the organizer, the presenters and the
  park's staff; ``showcase.register`` and ``showcase.ask`` (questions, upvotes, poll
  ballots) for anyone signed in. Never a guest.
- The platform's own organization: ``platform.orgs`` (creating departments, service
  institutions and parks, appointing their officers, staff and owners) and
  ``platform.roles`` (granting or withdrawing the ``organizer`` platform role, for the
  people who run events) are for platform admins only.
- Service institutions: ``console.institution`` for every person of an institution
  (owner, admin, staff, member; of *that* institution when the resource names it); its
  profile (``org.profile``) for its owners and admins, as for an enterprise (the resource
  names the organization); its people are appointed by the platform admin (``platform.orgs``).
- ``org.confirm`` (confirming the facts an enterprise declared, from the government
  console): officers of a government department. Park staff confirm their own
  tenants' facts through ``park.tenants``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from world.people import ENTERPRISE_MANAGERS, ENTERPRISE_PEOPLE, INSTITUTION_PEOPLE, Person
from world.protocol.constants import Role


@dataclass(frozen=True, slots=True)
class Resource:
    """What an action is about: a park, a booth (with its owning organization), or nothing."""

    park_id: str = ""
    booth_id: str = ""
    owner_org: int | None = None
    users: tuple[str, ...] = ()  # the people it belongs to (a booking: who booked it and whom it is for)
    audience: str = ""  # a bookable space's audience (world.bookings.rules.AUDIENCES)


NOTHING = Resource()


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    reason: str

    def __bool__(self) -> bool:
        return self.allowed


ACTIONS = (
    "park.join", "chat.near", "chat.park", "chat.booth", "booth.like", "booth.card",
    "booth.edit", "booth.stats", "booth.staff", "booth.assign",
    "account.self", "console.government", "console.park", "console.enterprise", "console.employee",
    "org.profile", "org.members", "org.invite", "account.reset",
    "park.tenants", "park.staff", "audit.read",
    "park.edit", "park.propose", "park.approve",
    "booking.make", "booking.own", "booking.manage",
    "policy.publish", "policy.review", "policy.apply",
    "stage.react", "stage.control",
    "showcase.schedule", "showcase.manage", "showcase.moderate", "showcase.register", "showcase.ask",
    "platform.orgs", "platform.roles", "console.institution", "org.confirm",
)

Clause = Callable[[Person, str, Resource], Decision | None]
_ROLES = frozenset(r.value for r in Role)


def _unknown_role(who: Person, action: str, res: Resource) -> Decision | None:
    if who.role not in _ROLES:
        return Decision(False, f"unknown role {who.role!r}")
    return None


def _unknown_action(who: Person, action: str, res: Resource) -> Decision | None:
    if action not in ACTIONS:
        return Decision(False, f"unknown action {action!r}")
    return None


def _admin(who: Person, action: str, res: Resource) -> Decision | None:
    if who.role == Role.ADMIN and who.registered:
        return Decision(True, "admin")
    return None


def _everyone(who: Person, action: str, res: Resource) -> Decision | None:
    if action in ("park.join", "chat.near", "chat.park", "chat.booth", "booth.like"):
        return Decision(True, "open to every visitor")
    return None


def _cards(who: Person, action: str, res: Resource) -> Decision | None:
    if action != "booth.card":
        return None
    if who.is_guest:
        return Decision(False, "guests cannot leave business cards: register or log in first")
    return Decision(True, "registered visitors may leave a card (with consent)")


def _booth_owner(who: Person, action: str, res: Resource) -> Decision | None:
    if action not in ("booth.edit", "booth.stats", "booth.staff"):
        return None
    role = who.role_in(res.owner_org)
    if action == "booth.staff":
        if role in ENTERPRISE_PEOPLE:
            return Decision(True, "you work for the enterprise that owns this booth")
        return Decision(False, f"only people of the enterprise that owns booth {res.booth_id or '?'} "
                        "go on duty there")
    if role in ENTERPRISE_MANAGERS:
        return Decision(True, "your enterprise owns this booth")
    if res.park_id and res.park_id in who.parks:
        return Decision(True, "park staff of this park")
    if role:
        return Decision(False, f"a {role} of the enterprise may not {action.replace('.', ' ')}: "
                        "ask its owner or an admin")
    if res.owner_org is None:
        return Decision(False, f"booth {res.booth_id or '?'} has no owner yet")
    return Decision(False, f"booth {res.booth_id or '?'} belongs to another organization")


def _booth_assign(who: Person, action: str, res: Resource) -> Decision | None:
    if action != "booth.assign":
        return None
    if res.park_id and res.park_id in who.parks:
        return Decision(True, "park staff of this park")
    if who.parks:
        return Decision(False, f"park staff assign booths only in their own parks, not in {res.park_id or 'this park'}")
    return Decision(False, "only admins and the park's staff assign booths to enterprises")


_ORG_ACTIONS = {"org.profile": "edit its profile", "org.members": "change its people",
                "org.invite": "invite people", "account.reset": "issue password reset links"}


def _org_managers(who: Person, action: str, res: Resource) -> Decision | None:
    if action not in _ORG_ACTIONS:
        return None
    if who.is_guest:
        return Decision(False, "sign in first")
    what = _ORG_ACTIONS[action]
    if res.owner_org is None:
        if action == "account.reset":
            return Decision(False, "only the platform admin issues reset links outside an enterprise")
        return Decision(False, f"name the enterprise to {what} for")
    role = who.role_in(res.owner_org)
    if role in ENTERPRISE_MANAGERS and res.owner_org in who.enterprises(ENTERPRISE_MANAGERS):
        return Decision(True, f"you are {role} of this enterprise")
    if (role in ENTERPRISE_MANAGERS and action == "org.profile"
            and res.owner_org in who.institutions(ENTERPRISE_MANAGERS)):
        return Decision(True, f"you are {role} of this institution")
    if role:
        return Decision(False, f"a {role} of the organization may not {what}: ask its owner or an admin")
    return Decision(False, f"only the owners and admins of this organization may {what}")


_PARK_OFFICE = {"park.tenants": "its enterprises", "park.staff": "its staff"}


def _park_office(who: Person, action: str, res: Resource) -> Decision | None:
    """A park's enterprises and staff are its own staff's to run; the audit log is read
    whole by government officers, and by park staff for their own park's entries."""
    if action not in _PARK_OFFICE and action != "audit.read":
        return None
    if who.is_guest:
        return Decision(False, "sign in first")
    if action == "audit.read":
        if who.role == Role.GOVERNMENT or any(m.kind == "department" for m in who.memberships):
            return Decision(True, "government officers read the whole audit log")
        if res.park_id and res.park_id in who.parks:
            return Decision(True, "park staff read their own park's entries")
        if who.parks:
            return Decision(False, f"park staff read the entries of their own parks only, not "
                            f"{'of ' + res.park_id if res.park_id else 'the whole log'}")
        return Decision(False, "the audit log is for admins, government officers and park staff")
    if res.park_id and res.park_id in who.parks:
        return Decision(True, "park staff of this park")
    if who.parks:
        return Decision(False, f"park staff run {_PARK_OFFICE[action]} of their own parks only, "
                        f"not of {res.park_id or 'this park'}")
    return Decision(False, f"only the park's staff and admins run {_PARK_OFFICE[action]}")


def _park_catalogue(who: Person, action: str, res: Resource) -> Decision | None:
    """A park's catalogue entry is its staff's to edit; anyone signed in may propose a
    new park (the office of a park not on the platform has no staff here yet), and a
    platform admin (the ``_admin`` clause) approves or rejects it."""
    if action not in ("park.edit", "park.propose", "park.approve"):
        return None
    if who.is_guest or not who.registered:
        return Decision(False, "sign in first")
    if action == "park.propose":
        return Decision(True, "anyone signed in may propose a new park; an admin decides")
    if action == "park.approve":
        return Decision(False, "only platform admins approve or reject new parks")
    if res.park_id and res.park_id in who.parks:
        return Decision(True, "park staff of this park")
    if res.park_id:
        return Decision(False, f"only staff of park {res.park_id} edit its catalogue entry")
    if who.parks:
        return Decision(True, "park staff")
    return Decision(False, "a park's catalogue entry is edited by its staff and admins")


def _bookings(who: Person, action: str, res: Resource) -> Decision | None:
    if not action.startswith("booking."):
        return None
    if who.is_guest:
        return Decision(False, "sign in first to book a space")
    if action == "booking.make":
        if res.audience == "events":
            return Decision(False, "a stage is booked by scheduling an event (the organizer console)")
        mine = who.enterprises()
        if res.owner_org is not None:
            if res.owner_org in mine:
                return Decision(True, "you book for your enterprise")
            return Decision(False, "you are not one of this enterprise's people")
        if res.audience == "public":
            return Decision(True, "this space is open to everyone")
        if mine:
            return Decision(True, "you belong to an enterprise of the zone")
        if res.park_id and res.park_id in who.parks:
            return Decision(True, "park staff of this park")
        return Decision(False, "only people of the zone's enterprises book this space")
    if action == "booking.own":
        if who.user_id in res.users:
            return Decision(True, "your booking")
        if res.park_id and res.park_id in who.parks:
            return Decision(True, "park staff of this park")
        if res.owner_org is not None and who.role_in(res.owner_org) in ENTERPRISE_MANAGERS:
            return Decision(True, "a booking of your enterprise")
        return Decision(False, "this booking is someone else's")
    if res.park_id and res.park_id in who.parks:  # booking.manage
        return Decision(True, "park staff of this park")
    if res.park_id:
        return Decision(False, f"only staff of park {res.park_id} run its spaces")
    if who.parks:
        return Decision(True, "park staff")
    return Decision(False, "the park office runs its spaces")


def _issuer_role(who: Person, org_id: int | None) -> str:
    """"officer" (of a department) or "staff" (of a park's organization) when the person
    speaks for organization ``org_id`` (any such organization when None); else ""."""
    for m in who.memberships:
        if (org_id is None or m.org_id == org_id) and (
                (m.kind == "department" and m.role == "officer") or (m.kind == "park" and m.role == "staff")):
            return m.role
    return ""


def _policies(who: Person, action: str, res: Resource) -> Decision | None:
    """Policies are published and reviewed by the body that issues them (the resource's
    ``owner_org``: a department, or a park's organization for park-level measures); an
    enterprise's owners and admins apply for it (``owner_org``: the enterprise)."""
    if not action.startswith("policy."):
        return None
    if who.is_guest:
        return Decision(False, "sign in first")
    if action == "policy.apply":
        mine = who.enterprises(ENTERPRISE_MANAGERS)
        if res.owner_org is not None:
            if res.owner_org in mine:
                return Decision(True, f"you are {who.role_in(res.owner_org)} of this enterprise")
            if who.role_in(res.owner_org):
                return Decision(False, "only the enterprise's owners and admins apply for policies")
            return Decision(False, "you do not speak for this enterprise")
        if mine:
            return Decision(True, "you run an enterprise")
        return Decision(False, "policies are applied for by an enterprise's owners and admins")
    what = "publish policies" if action == "policy.publish" else "review applications"
    role = _issuer_role(who, res.owner_org)
    if role:
        return Decision(True, "an officer of the issuing department" if role == "officer"
                        else "staff of the issuing park")
    if res.owner_org is not None and _issuer_role(who, None):
        return Decision(False, f"only the issuing body's own officers {what} for it")
    return Decision(False, f"officers of a department (and park staff, for their park) {what}")


def _stage(who: Person, action: str, res: Resource) -> Decision | None:
    if action == "stage.react":
        return Decision(True, "everyone in the park may react to the showcase")
    if action != "stage.control":
        return None
    if who.is_guest or not who.registered:
        return Decision(False, "sign in first")
    if who.user_id in res.users:
        return Decision(True, "the event's organizer or a moderator")
    if res.park_id and res.park_id in who.parks:
        return Decision(True, "park staff of this park")
    return Decision(False, "only the event's organizer and moderators and the park's staff run the stage")


def _showcases(who: Person, action: str, res: Resource) -> Decision | None:
    """Events on park stages: the resource is the event's park, with ``users`` = the
    organizer, then the presenters (``server.showcases.service.resource``)."""
    if not action.startswith("showcase."):
        return None
    if who.is_guest or not who.registered:
        return Decision(False, "sign in first")
    if action in ("showcase.register", "showcase.ask"):
        return Decision(True, "anyone signed in takes part in showcases")
    staff = bool(res.park_id) and res.park_id in who.parks
    if action == "showcase.schedule":
        if who.role == Role.ORGANIZER:
            return Decision(True, "event organizer")
        if staff or (not res.park_id and who.parks):
            return Decision(True, "park staff of this park")
        if who.parks:
            return Decision(False, f"park staff schedule events on their own parks' stages, not {res.park_id}")
        return Decision(False, "only event organizers and the park's staff schedule showcases")
    if staff:
        return Decision(True, "park staff of this park")
    if res.users and who.user_id == res.users[0]:
        return Decision(True, "you organize this event")
    if action == "showcase.moderate" and who.user_id in res.users[1:]:
        return Decision(True, "you present this event")
    if not res.users and not res.park_id and (who.role == Role.ORGANIZER or who.parks):
        return Decision(True, "event organizers and park staff run their own events")  # perm_map: "at all"
    if action == "showcase.moderate":
        return Decision(False, "only the event's organizer, its presenters and the park's staff moderate it")
    return Decision(False, "only the event's organizer and the park's staff run this event")


def _platform(who: Person, action: str, res: Resource) -> Decision | None:
    """The platform's own organization is its admins' (the ``_admin`` clause lets them through)."""
    if action == "platform.orgs":
        return Decision(False, "only the platform admin creates organizations and appoints their people")
    if action == "platform.roles":
        return Decision(False, "only the platform admin grants the organizer role")
    if action != "org.confirm":
        return None
    if who.is_guest:
        return Decision(False, "sign in first")
    if any(m.kind == "department" and m.role == "officer" for m in who.memberships):
        return Decision(True, "an officer of a government department")
    if who.parks:
        return Decision(False, "park staff confirm their own tenants' facts in the park console")
    return Decision(False, "the facts an enterprise declared are confirmed by its park or a department's officers")


def _signed_in(who: Person, action: str, res: Resource) -> Decision | None:
    if not (action == "account.self" or action.startswith("console.")):
        return None
    if who.is_guest:
        return Decision(False, "sign in first")
    if action == "account.self":
        return Decision(True, "your own account")
    return None


def _consoles(who: Person, action: str, res: Resource) -> Decision | None:
    if action == "console.government":
        if who.role == Role.GOVERNMENT or any(m.kind == "department" for m in who.memberships):
            return Decision(True, "government officer")
        return Decision(False, "the government console is for the zone's government officers")
    if action == "console.park":
        if res.park_id and res.park_id in who.parks:
            return Decision(True, "park staff of this park")
        if res.park_id:
            return Decision(False, f"only staff of park {res.park_id} use its console")
        if who.parks:
            return Decision(True, "park staff")
        return Decision(False, "the park console is for the staff of a park")
    if action in ("console.enterprise", "console.employee"):
        roles = ENTERPRISE_MANAGERS if action == "console.enterprise" else ENTERPRISE_PEOPLE
        mine = who.enterprises(roles)
        if res.owner_org is not None:
            if res.owner_org in mine:
                return Decision(True, f"you are {who.role_in(res.owner_org)} of this enterprise")
            return Decision(False, "you are not one of this enterprise's " +
                            ("owners or admins" if action == "console.enterprise" else "people"))
        if mine:
            return Decision(True, "you belong to an enterprise")
        if action == "console.enterprise":
            return Decision(False, "the enterprise console is for an enterprise's owners and admins")
        return Decision(False, "the employee console is for people of an enterprise")
    if action == "console.institution":
        mine = who.institutions(INSTITUTION_PEOPLE)
        if res.owner_org is not None:
            if res.owner_org in mine:
                return Decision(True, f"you are {who.role_in(res.owner_org)} of this institution")
            return Decision(False, "you are not one of this institution's people")
        if mine:
            return Decision(True, "you work for a service institution")
        return Decision(False, "the institution console is for the people of a service institution")
    return None


CLAUSES: tuple[Clause, ...] = (
    _unknown_role, _unknown_action, _admin, _everyone, _cards, _booth_owner, _booth_assign,
    _org_managers, _park_office, _park_catalogue, _bookings, _policies, _stage, _showcases,
    _platform, _signed_in, _consoles,
)


def can(who: Person, action: str, resource: Resource = NOTHING) -> Decision:
    for clause in CLAUSES:
        decision = clause(who, action, resource)
        if decision is not None:
            return decision
    return Decision(False, f"a {who.role} may not {action.replace('.', ' ').replace('_', ' ')}")


_PARK_SCOPED = ("park.tenants", "park.staff", "audit.read", "stage.control")  # perm_map asks them of the person's park


def perm_map(who: Person) -> dict[str, bool]:
    """Every action's answer for this person. Booth actions are asked of the person's own
    enterprise (or of their park), an organization's own affairs of the enterprise (else
    the institution) they run: "may I edit booths at all"."""
    managed = who.enterprises(ENTERPRISE_MANAGERS)
    park = next(iter(sorted(who.parks)), "")
    own = Resource(park_id=park, booth_id="*", owner_org=managed[0] if managed else (who.enterprises() or (None,))[0])
    runs = managed or who.institutions(ENTERPRISE_MANAGERS)
    org = Resource(park_id=park, booth_id="*", owner_org=runs[0]) if runs else own
    out: dict[str, bool] = {}
    for action in ACTIONS:
        of_own = action.startswith("booth.") and action not in ("booth.like", "booth.card")
        res = org if action in _ORG_ACTIONS else own if of_own or action in _PARK_SCOPED else NOTHING
        out[action] = can(who, action, res).allowed
    return out
