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
does; nothing half-valid is ever stored.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, get_args

from world.credit_code import CreditCodeError, validate

Visibility = Literal["public", "members", "private"]
VISIBILITIES: tuple[str, ...] = get_args(Visibility)  # who may see a contact: anyone, members of the zone, the org
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


class ProfileError(ValueError):
    """A profile with problems; ``problems`` lists (field, problem) for each."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{name}: {problem}" for name, problem in problems))


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
            raise ProfileError([(fact, f"not a fact that can be confirmed (facts: {', '.join(FACT_FIELDS)})")])
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
        self.found: list[tuple[str, str]] = []

    def add(self, name: str, problem: str) -> None:
        self.found.append((name, problem))

    def text(self, name: str, value: str, *, required: bool = False) -> None:
        if required and not value.strip():
            self.add(name, "is required")
        elif len(value) > MAX_TEXT:
            self.add(name, f"is {len(value)} characters long (at most {MAX_TEXT})")
        elif value != value.strip():
            self.add(name, "has spaces at the start or end")

    def items(self, name: str, values: tuple[str, ...], allowed: tuple[str, ...] | None = None) -> None:
        if len(values) > MAX_ITEMS:
            self.add(name, f"has {len(values)} entries (at most {MAX_ITEMS})")
        if len(set(values)) != len(values):
            self.add(name, "lists an entry twice")
        for i, value in enumerate(values):
            if allowed is not None and value not in allowed:
                self.add(f"{name}[{i}]", f"{value!r} is not one of {', '.join(allowed)}")
            else:
                self.text(f"{name}[{i}]", value, required=True)

    def credit_code(self, code: str | None) -> None:
        if code is None:
            return
        try:
            validate(code)
        except CreditCodeError as exc:
            self.add("credit_code", str(exc))

    def contacts(self, contacts: tuple[Contact, ...]) -> None:
        if len(contacts) > MAX_ITEMS:
            self.add("contacts", f"has {len(contacts)} entries (at most {MAX_ITEMS})")
        for i, contact in enumerate(contacts):
            if contact.kind not in CONTACT_KINDS:
                self.add(f"contacts[{i}].kind", f"{contact.kind!r} is not one of {', '.join(CONTACT_KINDS)}")
            if contact.visibility not in VISIBILITIES:
                self.add(f"contacts[{i}].visibility",
                         f"{contact.visibility!r} is not one of {', '.join(VISIBILITIES)}")
            self.text(f"contacts[{i}].value", contact.value, required=True)
            if contact.kind == "email" and "@" not in contact.value:
                self.add(f"contacts[{i}].value", "an email address needs an @")

    def raise_any(self) -> None:
        if self.found:
            raise ProfileError(self.found)


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
            chk.add(f"industry_codes[{i}]", problem)
    if p.founded is not None and not FOUNDED_MIN <= p.founded <= this_year:
        chk.add("founded", f"{p.founded} is not a year between {FOUNDED_MIN} and {this_year}")
    if p.employees is not None and not 0 <= p.employees <= MAX_EMPLOYEES:
        chk.add("employees", f"{p.employees} is not between 0 and {MAX_EMPLOYEES:,}")
    if p.revenue_band is not None and p.revenue_band not in REVENUE_BANDS:
        chk.add("revenue_band", f"{p.revenue_band!r} is not one of {', '.join(REVENUE_BANDS)}")
    chk.items("certifications", p.certifications, CERTIFICATIONS)
    if p.area_m2 is not None and not 0 < p.area_m2 <= MAX_AREA_M2:
        chk.add("area_m2", f"{p.area_m2} m² is not between 0 and {MAX_AREA_M2:,.0f}")
    for name in ("tags", "offers", "needs"):
        chk.items(name, getattr(p, name))
    chk.contacts(p.contacts)
    for fact in p.verified:
        if fact not in FACT_FIELDS:
            chk.add(f"verified[{fact}]", f"not a fact that can be confirmed (facts: {', '.join(FACT_FIELDS)})")
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
        chk.add("service_kinds", f"name at least one of {', '.join(SERVICE_KINDS)}")
    for name in ("tags", "offers"):
        chk.items(name, getattr(p, name))
    chk.contacts(p.contacts)
    chk.raise_any()
    return p


def visible_contacts(contacts: tuple[Contact, ...], *, member_of_zone: bool, own: bool) -> tuple[Contact, ...]:
    """The contacts a viewer may see: ``own`` (a member of the organization) sees all,
    a signed-in member of the zone sees public and members, anyone else public only."""
    if own:
        return contacts
    allowed = {"public", "members"} if member_of_zone else {"public"}
    return tuple(c for c in contacts if c.visibility in allowed)
