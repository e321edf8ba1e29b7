"""What an organization says about itself: the enterprise and institution profiles.

A profile is typed data that later services read (policy matching reads an
enterprise's industry codes, founding year, employees, revenue band, certifications
and rented area), so every field has a name and a type here and nowhere else.

Facts an enterprise declares itself are **unverified** until its park's staff or a
government department confirms them: ``verified`` maps a fact's field name to who
confirmed it and when (a time the caller passes in). Changing a fact's value drops
its confirmation (``EnterpriseProfile.with_facts`` does it).

``check_enterprise`` / ``check_institution`` collect every problem of a profile and
raise one ``ProfileError`` whose ``problems`` name each field, the way the catalogue
does; nothing half-valid is ever stored. Each problem also comes as a ``FieldProblem``
(``ProfileError.keyed``): the field, a problem code (the catalogue key
``profile.p.<code>``) and its parameters, so a page says it in the person's language
and names the field by its label; the English text is for the API and logs.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, get_args

from world.credit_code import problem_of
from world.people import Person

Visibility = Literal["public", "members", "park", "private"]
# who may see a contact: anyone (guests too), members of the zone's organizations, the office
# of the organization's park, the organization's own people (each level sees the ones before it)
VISIBILITIES: tuple[str, ...] = get_args(Visibility)
ContactKind = Literal["phone", "email", "wechat", "address", "person", "website"]
CONTACT_KINDS: tuple[str, ...] = get_args(ContactKind)
# yearly revenue in CNY, as the zone's statistics group it
RevenueBand = Literal["under_1m", "1m_10m", "10m_50m", "50m_200m", "200m_1b", "over_1b"]
REVENUE_BANDS: tuple[str, ...] = get_args(RevenueBand)
CERTIFICATIONS = (
    "high_tech",  # 高新技术企业
    "tech_sme",  # 科技型中小企业
    "specialized_sme",  # 专精特新中小企业
    "cultural_export",  # 国家文化出口重点企业
    "zhongguancun_high_tech",  # 中关村高新技术企业
)
SERVICE_KINDS = ("legal", "ip", "finance", "hr", "tech_transfer")  # what a service institution offers
# the facts a park or department can confirm (the rest of a profile is self-description)
FACT_FIELDS = ("credit_code", "park_id", "industry_codes", "founded", "employees", "revenue_band",
               "certifications", "area_m2")
VERIFIER_KINDS = ("park", "department")  # organization kinds whose staff may confirm facts

# GB/T 4754-2017: a section letter (A-T) or a 2-digit division, 3-digit group or 4-digit class
_INDUSTRY_RE = re.compile(r"^(?:[A-T]|\d{2,4})$")
FOUNDED_MIN = 1800
MAX_TEXT = 200
MAX_ITEMS = 30
MAX_EMPLOYEES = 10_000_000
MAX_AREA_M2 = 5_000_000.0


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One bad field: ``field`` (e.g. ``founded``, ``contacts[2].value``), ``code`` (the
    catalogue key ``profile.p.<code>``), its ``params`` and the English ``text``."""

    field: str
    code: str
    params: Mapping[str, object]
    text: str


class ProfileError(ValueError):
    """A profile with problems; ``problems`` lists (field, English problem) for each,
    ``keyed`` the same as ``FieldProblem``s. A plain (field, text) pair given in is kept
    as the code ``other`` with the text as its one parameter."""

    def __init__(self, problems: list[FieldProblem] | list[tuple[str, str]]) -> None:
        self.keyed = [p if isinstance(p, FieldProblem) else FieldProblem(p[0], "other", {"problem": p[1]}, p[1])
                      for p in problems]
        self.problems = [(p.field, p.text) for p in self.keyed]
        super().__init__("; ".join(f"{name}: {problem}" for name, problem in self.problems))


def not_a_fact(fact: str) -> FieldProblem:
    return FieldProblem(fact, "not_fact", {"value": fact},
                        f"not a fact that can be confirmed (facts: {', '.join(FACT_FIELDS)})")


@dataclass(frozen=True, slots=True)
class Contact:
    kind: ContactKind
    value: str
    visibility: Visibility = "members"


@dataclass(frozen=True, slots=True)
class Verification:
    """Who confirmed a fact (a user, acting for organization ``org_id``) and when."""

    by: str
    org_id: int
    at: float


@dataclass(frozen=True, slots=True)
class EnterpriseProfile:
    name_zh: str
    name_en: str = ""
    credit_code: str | None = None  # unique across the zone when given
    park_id: str = ""  # the park it rents in ("" = none of the zone's parks)
    industry_codes: tuple[str, ...] = ()  # GB/T 4754-2017 codes, e.g. "8730"
    founded: int | None = None  # year
    employees: int | None = None
    revenue_band: RevenueBand | None = None
    certifications: tuple[str, ...] = ()  # of CERTIFICATIONS
    area_m2: float | None = None  # rented floor area
    tags: tuple[str, ...] = ()
    offers: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    contacts: tuple[Contact, ...] = ()
    verified: Mapping[str, Verification] = field(default_factory=dict)  # fact field -> confirmation

    def is_verified(self, fact: str) -> bool:
        return fact in self.verified

    def with_facts(self, **changes: object) -> EnterpriseProfile:
        """A copy with ``changes``; every fact whose value changed loses its confirmation."""
        updated = dataclasses.replace(self, **changes)  # type: ignore[arg-type]
        kept = {k: v for k, v in self.verified.items() if getattr(updated, k) == getattr(self, k)}
        return dataclasses.replace(updated, verified=kept)

    def confirmed(self, fact: str, verification: Verification) -> EnterpriseProfile:
        if fact not in FACT_FIELDS:
            raise ProfileError([not_a_fact(fact)])
        return dataclasses.replace(self, verified={**self.verified, fact: verification})


@dataclass(frozen=True, slots=True)
class InstitutionProfile:
    """A professional service institution (legal, IP, finance, HR, technology transfer)."""

    name_zh: str
    name_en: str = ""
    service_kinds: tuple[str, ...] = ()  # of SERVICE_KINDS
    credit_code: str | None = None
    park_id: str = ""
    tags: tuple[str, ...] = ()
    offers: tuple[str, ...] = ()
    contacts: tuple[Contact, ...] = ()


Profile = EnterpriseProfile | InstitutionProfile


class _Problems:
    def __init__(self) -> None:
        self.found: list[FieldProblem] = []

    def add(self, name: str, code: str, text: str, **params: object) -> None:
        self.found.append(FieldProblem(name, code, params, text))

    def text(self, name: str, value: str, *, required: bool = False) -> None:
        if required and not value.strip():
            self.add(name, "required", "is required")
        elif len(value) > MAX_TEXT:
            self.add(name, "too_long", f"is {len(value)} characters long (at most {MAX_TEXT})",
                     length=len(value), max=MAX_TEXT)
        elif value != value.strip():
            self.add(name, "spaces", "has spaces at the start or end")

    def one_of(self, name: str, value: object, allowed: tuple[str, ...]) -> None:
        self.add(name, "not_one_of", f"{value!r} is not one of {', '.join(allowed)}", value=str(value))

    def items(self, name: str, values: tuple[str, ...], allowed: tuple[str, ...] | None = None) -> None:
        if len(values) > MAX_ITEMS:
            self.add(name, "too_many", f"has {len(values)} entries (at most {MAX_ITEMS})",
                     count=len(values), max=MAX_ITEMS)
        if len(set(values)) != len(values):
            self.add(name, "repeated", "lists an entry twice")
        for i, value in enumerate(values):
            if allowed is not None and value not in allowed:
                self.one_of(f"{name}[{i}]", value, allowed)
            else:
                self.text(f"{name}[{i}]", value, required=True)

    def credit_code(self, code: str | None) -> None:
        if code is None:
            return
        bad = problem_of(code)
        if bad is not None:
            self.add("credit_code", bad[0], _CODE_TEXT[bad[0]].format(**bad[1]), **bad[1])

    def contacts(self, contacts: tuple[Contact, ...]) -> None:
        if len(contacts) > MAX_ITEMS:
            self.add("contacts", "too_many", f"has {len(contacts)} entries (at most {MAX_ITEMS})",
                     count=len(contacts), max=MAX_ITEMS)
        for i, contact in enumerate(contacts):
            if contact.kind not in CONTACT_KINDS:
                self.one_of(f"contacts[{i}].kind", contact.kind, CONTACT_KINDS)
            if contact.visibility not in VISIBILITIES:
                self.one_of(f"contacts[{i}].visibility", contact.visibility, VISIBILITIES)
            self.text(f"contacts[{i}].value", contact.value, required=True)
            if contact.kind == "email" and "@" not in contact.value:
                self.add(f"contacts[{i}].value", "email_at", "an email address needs an @")

    def raise_any(self) -> None:
        if self.found:
            raise ProfileError(self.found)


_CODE_TEXT = {  # the English of a credit code's problem (pages say it from the catalogue)
    "code_length": "must be 18 characters long, not {length}",
    "code_char": "position {position}: {char!r} is not a code character",
    "code_division": "position {position}: {char!r}: positions 3-8 are the division code and must be digits",
    "code_check": "position 18: the check character is {given!r} but the first 17 characters give {expected!r}",
}


def check_industry_code(code: str) -> str | None:
    """The problem with an industry code, or None: GB/T 4754-2017 format (a section
    letter A-T, or 2-4 digits). The code list itself is not checked."""
    if _INDUSTRY_RE.match(code):
        return None
    return f"{code!r} is not a GB/T 4754 code (a section letter A-T, or 2 to 4 digits such as '8730')"


def check_enterprise(p: EnterpriseProfile, *, this_year: int) -> EnterpriseProfile:
    """``p`` itself when valid, else ``ProfileError`` naming every bad field.
    ``this_year`` bounds the founding year (the caller knows the date; this module does not)."""
    chk = _Problems()
    chk.text("name_zh", p.name_zh, required=not p.name_en)
    chk.text("name_en", p.name_en, required=not p.name_zh)
    chk.credit_code(p.credit_code)
    chk.text("park_id", p.park_id)
    chk.items("industry_codes", p.industry_codes)
    for i, code in enumerate(p.industry_codes):
        problem = check_industry_code(code)
        if problem:
            chk.add(f"industry_codes[{i}]", "industry_code", problem, value=code)
    if p.founded is not None and not FOUNDED_MIN <= p.founded <= this_year:
        chk.add("founded", "year_range", f"{p.founded} is not a year between {FOUNDED_MIN} and {this_year}",
                value=p.founded, min=FOUNDED_MIN, max=this_year)
    if p.employees is not None and not 0 <= p.employees <= MAX_EMPLOYEES:
        chk.add("employees", "number_range", f"{p.employees} is not between 0 and {MAX_EMPLOYEES:,}",
                value=p.employees, min=0, max=MAX_EMPLOYEES)
    if p.revenue_band is not None and p.revenue_band not in REVENUE_BANDS:
        chk.one_of("revenue_band", p.revenue_band, REVENUE_BANDS)
    chk.items("certifications", p.certifications, CERTIFICATIONS)
    if p.area_m2 is not None and not 0 < p.area_m2 <= MAX_AREA_M2:
        chk.add("area_m2", "area_range", f"{p.area_m2} m² is not between 0 and {MAX_AREA_M2:,.0f}",
                value=p.area_m2, max=MAX_AREA_M2)
    for name in ("tags", "offers", "needs"):
        chk.items(name, getattr(p, name))
    chk.contacts(p.contacts)
    for fact in p.verified:
        if fact not in FACT_FIELDS:
            bad = not_a_fact(fact)
            chk.add(f"verified[{fact}]", bad.code, bad.text, value=fact)
    chk.raise_any()
    return p


def check_institution(p: InstitutionProfile) -> InstitutionProfile:
    """``p`` itself when valid, else ``ProfileError`` naming every bad field."""
    chk = _Problems()
    chk.text("name_zh", p.name_zh, required=not p.name_en)
    chk.text("name_en", p.name_en, required=not p.name_zh)
    chk.credit_code(p.credit_code)
    chk.text("park_id", p.park_id)
    chk.items("service_kinds", p.service_kinds, SERVICE_KINDS)
    if not p.service_kinds:
        chk.add("service_kinds", "service_needed", f"name at least one of {', '.join(SERVICE_KINDS)}")
    for name in ("tags", "offers"):
        chk.items(name, getattr(p, name))
    chk.contacts(p.contacts)
    chk.raise_any()
    return p


def visible_contacts(contacts: tuple[Contact, ...], *, member_of_zone: bool, own: bool,
                     park_office: bool = False) -> tuple[Contact, ...]:
    """The contacts a viewer may see: ``own`` (a member of the organization) sees all, the
    staff of its park (``park_office``) all but private, a signed-in member of the zone
    public and members, anyone else public only."""
    if own:
        return contacts
    allowed = {"public", "members", "park"} if park_office else {"public", "members"} if member_of_zone else {"public"}
    return tuple(c for c in contacts if c.visibility in allowed)


def contact_audience(who: Person, org_id: int, park_id: str) -> Literal["own", "park", "members", "public"]:
    """Which contacts of organization ``org_id`` (in park ``park_id``) ``who`` sees: its own
    people all; the staff of its park and platform admins all but private ones; a signed-in
    member of any of the zone's organizations, or a government officer, the zone members'
    ones; everyone else (guests, visitors in no organization) the public ones."""
    if who.is_guest:
        return "public"
    if who.role_in(org_id):
        return "own"
    if (park_id and park_id in who.parks) or who.role == "admin":
        return "park"
    if who.memberships or who.role == "government":
        return "members"
    return "public"


def contacts_for(who: Person, org_id: int, profile: EnterpriseProfile | InstitutionProfile) -> tuple[Contact, ...]:
    seen = contact_audience(who, org_id, profile.park_id)
    return visible_contacts(profile.contacts, member_of_zone=seen == "members", own=seen == "own",
                            park_office=seen == "park")
