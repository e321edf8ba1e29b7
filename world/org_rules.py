"""What the platform admin may create and appoint: pure rules, checked by the admin
console and ``cloudpark orgs create`` alike, every problem naming its field.

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

from world.profiles import MAX_TEXT, SERVICE_KINDS

CREATABLE = ("department", "institution")
APPOINTABLE: dict[str, tuple[str, ...]] = {
    "department": ("officer",),
    "institution": ("owner", "admin", "staff", "member"),
}


def _text(name: str, value: str, problems: list[tuple[str, str]]) -> None:
    if len(value) > MAX_TEXT:
        problems.append((name, f"is {len(value)} characters long (at most {MAX_TEXT})"))
    elif value != value.strip():
        problems.append((name, "has spaces at the start or end"))
    elif any(ord(c) < 32 or ord(c) == 127 for c in value):
        problems.append((name, "contains a control character"))


def new_org_problems(kind: str, name_zh: str, name_en: str, service_kinds: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """Every problem of a new organization, as (field, problem); [] when it may be created."""
    problems: list[tuple[str, str]] = []
    if kind not in CREATABLE:
        problems.append(("kind", f"{kind!r} is not one of {', '.join(CREATABLE)}"))
    _text("name_zh", name_zh, problems)
    _text("name_en", name_en, problems)
    if not name_zh.strip() and not name_en.strip():
        problems.append(("name_zh", "give the Chinese name or the English name"))
    if kind == "institution":
        if not service_kinds:
            problems.append(("service_kinds", f"name at least one of {', '.join(SERVICE_KINDS)}"))
        for i, s in enumerate(service_kinds):
            if s not in SERVICE_KINDS:
                problems.append((f"service_kinds[{i}]", f"{s!r} is not one of {', '.join(SERVICE_KINDS)}"))
        if len(set(service_kinds)) != len(service_kinds):
            problems.append(("service_kinds", "lists an entry twice"))
    elif service_kinds:
        problems.append(("service_kinds", "only an institution offers services"))
    return problems


def appoint_problem(kind: str, role: str) -> str | None:
    """Why ``role`` cannot be given in an organization of ``kind`` here (None: it can)."""
    allowed = APPOINTABLE.get(kind)
    if allowed is None:
        return f"org: a{'n' if kind[:1] in 'aeiou' else ''} {kind}'s people are not appointed by the platform admin"
    if role not in allowed:
        return f"role: a {kind} has {', '.join(allowed)} (not {role!r})"
    return None
