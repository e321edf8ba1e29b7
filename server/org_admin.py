"""The platform admin's own work, shared by the admin console (``server.web.admin_orgs``)
and the CLI (``cloudpark orgs create``, ``orgs appoint``): creating departments and
service institutions, appointing the people of departments and institutions,
and granting the ``organizer`` platform role to the people who run events.

Each change is audit-logged; an appointment, a removal or a role change also tells the
person through the inbox (``server.notices``) and publishes ``account.changed`` so
their live 3D sessions get the new permission map at once (``server.account_watch``).
What may be created and appointed is ``world.org_rules``.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from server import notices
from server.bus import Bus
from server.db.inbox import Notice
from world.org_rules import APPOINTABLE, appoint_problem, new_org_problems
from world.profiles import FieldProblem, InstitutionProfile, ProfileError
from world.protocol.constants import Role

ACCOUNT_CHANGED = "account.changed"


class OrgProblems(ValueError):
    """A new organization that cannot be created: ``keyed`` names each field with its
    catalogue code and params (``FieldProblem``), ``problems`` the same as (field,
    English problem)."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        self.keyed = problems
        self.problems = [(p.field, p.text) for p in problems]
        super().__init__("; ".join(f"{f}: {p}" for f, p in self.problems))


def said(problem: FieldProblem) -> str:
    """A refusal in English, as the command line says it: "field: problem"."""
    return f"{problem.field}: {problem.text}"


def _p(field: str, code: str, text: str, /, **params: object) -> FieldProblem:
    return FieldProblem(field, code, params, text)


@dataclass(frozen=True, slots=True)
class NewOrg:
    kind: str  # world.org_rules.CREATABLE
    name_zh: str = ""
    name_en: str = ""
    service_kinds: tuple[str, ...] = ()  # institutions
    park_id: str = ""  # institutions: the park it sits in ("" none)


def _a(noun: str) -> str:
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


def org_name(new: NewOrg) -> str:
    """The organization's one name: the Chinese name, with the English one after it when both are given."""
    if new.name_zh and new.name_en:
        return f"{new.name_zh} / {new.name_en}" if new.kind == "department" else new.name_zh
    return new.name_zh or new.name_en


async def create(store: Any, new: NewOrg, *, parks: Collection[str], actor: str, now: float) -> int:
    """The new organization's id; ``OrgProblems`` naming every bad field (nothing written)."""
    problems = new_org_problems(new.kind, new.name_zh, new.name_en, new.service_kinds)
    if new.park_id and new.park_id not in parks:
        problems.append(_p("park_id", "no_park", f"{new.park_id!r} is not a park of the zone", park=new.park_id))
    if new.park_id and new.kind != "institution":
        problems.append(_p("park_id", "park_only_institution", "only an institution names the park it sits in"))
    name = org_name(new)
    if not problems:
        taken = [o for o in await store.orgs.named(name) if o.kind == new.kind]
        if taken:
            problems.append(_p("name_zh" if new.name_zh else "name_en", f"taken_{new.kind}",
                               f"{_a(new.kind)} named {name!r} exists already (id {taken[0].id})",
                               name=name, id=taken[0].id))
    if problems:
        raise OrgProblems(problems)
    if new.kind == "institution":
        try:
            org_id = int(await store.profiles.create(InstitutionProfile(
                name_zh=new.name_zh, name_en=new.name_en, service_kinds=new.service_kinds, park_id=new.park_id),
                now=now))
        except ProfileError as exc:
            raise OrgProblems(list(exc.keyed)) from None
    else:
        org_id = int(await store.orgs.create(new.kind, name, now=now))
    await store.audit.add(actor, "platform.org_create", f"org:{org_id}",
                          {"kind": new.kind, "name": name, "service_kinds": list(new.service_kinds),
                           "park_id": new.park_id}, now=now)
    return org_id


async def appoint(store: Any, bus: Bus, org_id: int, user: str, role: str, *, actor: str, by: str,
                  now: float) -> FieldProblem | None:
    """Give ``user`` ``role`` in the organization; the problem or None when done."""
    org = await store.orgs.get(org_id)
    if org is None:
        return _p("org", "no_org", f"there is no organization {org_id}", id=org_id)
    problem = appoint_problem(org.kind, role)
    if problem is not None:
        return problem
    if await store.accounts.get(user) is None:
        return _p("user", "no_account", f"there is no account named {user!r}", user=user)
    current = {m.user: m.role for m in await store.orgs.members(org_id)}
    if current.get(user) == role:
        return _p("user", "already_member", f"{user} is {role} of this {org.kind} already", user=user, role=role)
    await store.orgs.add_member(org_id, user, role, now)
    await store.audit.add(actor, "platform.appoint", f"org:{org_id}", {"user": user, "role": role}, now=now)
    await notices.send(store, bus, [user], Notice("account", "notice.membership.title",
                                                  f"notice.membership.appointed_{role}", {"org": org.name, "by": by},
                                                  link="/console/"), now=now)
    bus.publish(ACCOUNT_CHANGED, {"user": user})
    return None


async def dismiss(store: Any, bus: Bus, org_id: int, user: str, *, actor: str, by: str,
                  now: float) -> FieldProblem | None:
    """Take ``user`` out of the organization; the problem or None when done."""
    org = await store.orgs.get(org_id)
    if org is None:
        return _p("org", "no_org", f"there is no organization {org_id}", id=org_id)
    if org.kind not in APPOINTABLE:
        return _p("org", "not_appointable", f"{_a(org.kind)}'s people are not appointed by the platform admin",
                  kind=org.kind)
    if not await store.orgs.remove_member(org_id, user):
        return _p("user", "not_member", f"{user} is not one of this {org.kind}'s people", user=user)
    await store.audit.add(actor, "platform.dismiss", f"org:{org_id}", {"user": user}, now=now)
    if await store.accounts.get(user) is not None:
        await notices.send(store, bus, [user], Notice("account", "notice.membership.title", "notice.membership.removed",
                                                      {"org": org.name, "by": by}, link="/console/"), now=now)
    bus.publish(ACCOUNT_CHANGED, {"user": user})
    return None


async def set_organizer(store: Any, bus: Bus, user: str, grant: bool, *, actor: str, by: str,
                        now: float) -> FieldProblem | None:
    """Grant (or withdraw) the ``organizer`` platform role; the problem or None when done.
    Only a visitor becomes an organizer (other platform roles mean more and stay), and
    withdrawing makes the person a visitor again."""
    account = await store.accounts.get(user)
    if account is None:
        return _p("user", "no_account", f"there is no account named {user!r}", user=user)
    if grant and account.role == Role.ORGANIZER:
        return _p("user", "already_organizer", f"{user} is an event organizer already", user=user)
    if grant and account.role != Role.VISITOR:
        return _p("user", "not_visitor",
                  f"{user} has the platform role {account.role}; only a visitor's account becomes an organizer's",
                  user=user, platform_role=str(account.role))
    if not grant and account.role != Role.ORGANIZER:
        return _p("user", "not_organizer", f"{user} is not an event organizer", user=user)
    role = Role.ORGANIZER if grant else Role.VISITOR
    await store.accounts.set_role(user, str(role))
    await store.audit.add(actor, "platform.organizer_grant" if grant else "platform.organizer_withdraw",
                          f"account:{user}", {"user": user, "role": str(role)}, now=now)
    await notices.send(store, bus, [user], Notice("account", "notice.organizer.title",
                                                  "notice.organizer.granted" if grant else "notice.organizer.withdrawn",
                                                  {"by": by}, link="/console/"), now=now)
    bus.publish(ACCOUNT_CHANGED, {"user": user})
    return None
