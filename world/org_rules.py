"""What the platform admin may create and appoint: pure rules, checked by the admin
console and ``cloudpark orgs create`` alike, every problem naming its field (a
``FieldProblem``: its code is the catalogue key ``admin.p.<code>`` or, for the shared
form words, ``profile.p.<code>``).

- The admin creates **departments** (a government body: a name) and **service
  institutions** (a name zh and/or en, the services it offers, optionally the park it
  sits in; it gets an ``InstitutionProfile`` and so shows in the directory). Parks come
  online through a proposal the admin approves (``park.approve``), not from here.
- Who may be appointed to an organization of each kind, and as what
  (``APPOINTABLE``): a department's officers, an institution's owners, admins, staff
  (its mentors, advisers) and members. Enterprises run their own people (invitations,
  ``org.members``) and a park's staff are run on its staff page (``park.staff``, which
  admins pass too), so the admin does not appoint into them here.
"""

from __future__ import annotations

from world.profiles import MAX_TEXT, SERVICE_KINDS, FieldProblem

CREATABLE = ("department", "institution")
APPOINTABLE: dict[str, tuple[str, ...]] = {
    "department": ("officer",),
    "institution": ("owner", "admin", "staff", "member"),
}


def _problem(field: str, code: str, text: str, /, **params: object) -> FieldProblem:
    return FieldProblem(field, code, params, text)


def _text(name: str, value: str, problems: list[FieldProblem]) -> None:
    if len(value) > MAX_TEXT:
        problems.append(_problem(name, "too_long", f"is {len(value)} characters long (at most {MAX_TEXT})",
                                 length=len(value), max=MAX_TEXT))
    elif value != value.strip():
        problems.append(_problem(name, "spaces", "has spaces at the start or end"))
    elif any(ord(c) < 32 or ord(c) == 127 for c in value):
        problems.append(_problem(name, "control", "contains a control character"))


def new_org_problems(kind: str, name_zh: str, name_en: str, service_kinds: tuple[str, ...] = ()) -> list[FieldProblem]:
    """Every problem of a new organization (``FieldProblem``: the field, a code of the
    catalogue, its params and the English text); [] when it may be created."""
    problems: list[FieldProblem] = []
    if kind not in CREATABLE:
        problems.append(_problem("kind", "not_one_of", f"{kind!r} is not one of {', '.join(CREATABLE)}", value=kind))
    _text("name_zh", name_zh, problems)
    _text("name_en", name_en, problems)
    if not name_zh.strip() and not name_en.strip():
        problems.append(_problem("name_zh", "name_needed", "give the Chinese name or the English name"))
    if kind == "institution":
        if not service_kinds:
            problems.append(_problem("service_kinds", "service_needed",
                                     f"name at least one of {', '.join(SERVICE_KINDS)}"))
        for i, s in enumerate(service_kinds):
            if s not in SERVICE_KINDS:
                problems.append(_problem(f"service_kinds[{i}]", "not_one_of",
                                         f"{s!r} is not one of {', '.join(SERVICE_KINDS)}", value=s))
        if len(set(service_kinds)) != len(service_kinds):
            problems.append(_problem("service_kinds", "repeated", "lists an entry twice"))
    elif service_kinds:
        problems.append(_problem("service_kinds", "services_only_institution", "only an institution offers services"))
    return problems


def appoint_problem(kind: str, role: str) -> FieldProblem | None:
    """Why ``role`` cannot be given in an organization of ``kind`` here (None: it can)."""
    allowed = APPOINTABLE.get(kind)
    if allowed is None:
        return _problem("org", "not_appointable",
                        f"a{'n' if kind[:1] in 'aeiou' else ''} {kind}'s people are not appointed by the platform admin",
                        kind=kind)
    if role not in allowed:
        return _problem("role", "role_not_allowed", f"a {kind} has {', '.join(allowed)} (not {role!r})",
                        kind=kind, role=role, allowed=", ".join(allowed))
    return None
