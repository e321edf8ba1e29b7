"""The profile fields a policy rule may name: the schema every rule is checked against.

Each field reads one fact of ``world.profiles.EnterpriseProfile`` (or the platform's
own record of awards), has a kind that decides its operators, and names the profile
fact whose confirmation a rule can demand (``verified``). A rule naming a field not
listed here is refused when it is written, never at matching time.

Industry codes (GB/T 4754-2017) match hierarchically: a rule's code matches an
enterprise code it is a prefix of ("87" matches "8730"), and a section letter matches
every division in its range ("R" matches "8730"): ``expand_codes`` gives every code an
enterprise code answers to, so matching is a set intersection (the bulk matcher uses
the same expansion).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from world.profiles import CERTIFICATIONS, REVENUE_BANDS

FieldKind = Literal["codes", "parks", "zone", "number", "band", "set"]
Op = Literal["any_of", "in", "is", "between", "has"]


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    kind: FieldKind
    ops: tuple[str, ...]
    fact: str  # the profile fact it reads (whose confirmation a rule may demand); "" = the platform's record
    allowed: tuple[str, ...] = ()  # the values a set or band field takes ("" = any)
    unit: str = ""  # for the reasons: "people", "m2", "years", "year"


# the topics policies are filed under (subscriptions, search filters, awards)
TOPICS = ("rent", "talent", "culture_export", "ip", "digital", "finance", "startup", "tech", "exhibition",
          "green")

FIELDS: dict[str, Field] = {f.name: f for f in (
    Field("industry_codes", "codes", ("any_of",), "industry_codes"),
    Field("park_id", "parks", ("in",), "park_id"),
    Field("in_zone", "zone", ("is",), "park_id"),  # registered in one of the zone's parks
    Field("age_years", "number", ("between",), "founded", unit="years"),  # years since founding
    Field("founded", "number", ("between",), "founded", unit="year"),
    Field("employees", "number", ("between",), "employees", unit="people"),
    Field("revenue_band", "band", ("in",), "revenue_band", REVENUE_BANDS),
    Field("area_m2", "number", ("between",), "area_m2", unit="m2"),
    Field("certifications", "set", ("has", "any_of"), "certifications", CERTIFICATIONS),
    Field("awards", "set", ("has", "any_of"), "", TOPICS),  # topics of benefits approved before (platform record)
)}
NUMBER_FIELDS = tuple(name for name, f in FIELDS.items() if f.kind == "number")

# GB/T 4754-2017 sections and the divisions (2-digit) each spans
SECTIONS: dict[str, tuple[int, int]] = {
    "A": (1, 5), "B": (6, 12), "C": (13, 43), "D": (44, 46), "E": (47, 50), "F": (51, 52), "G": (53, 60),
    "H": (61, 62), "I": (63, 65), "J": (66, 69), "K": (70, 70), "L": (71, 72), "M": (73, 75), "N": (76, 79),
    "O": (80, 82), "P": (83, 83), "Q": (84, 85), "R": (86, 90), "S": (91, 96), "T": (97, 97),
}


def section_of(code: str) -> str:
    """The section letter of a code ("" when its division is in no section)."""
    if code[:1].isalpha():
        return code[:1]
    division = int(code[:2]) if code[:2].isdigit() and len(code) >= 2 else -1
    return next((s for s, (lo, hi) in SECTIONS.items() if lo <= division <= hi), "")


def expand_codes(codes: tuple[str, ...] | list[str]) -> frozenset[str]:
    """Every code a rule may name that these enterprise codes answer to: each code, its
    shorter prefixes of 2 and 3 digits, and its section letter."""
    out: set[str] = set()
    for code in codes:
        out.add(code)
        if code.isdigit():
            out.update(code[:n] for n in (2, 3) if n < len(code))
        section = section_of(code)
        if section:
            out.add(section)
    return frozenset(out)
