"""The organization profile form: what the console accepts, field by field (pydantic names
each bad field in its 422), and the ``EnterpriseProfile`` (or, for a service institution,
the ``InstitutionProfile``) it becomes. One form and one page serve both: an institution
has names, credit code, services, tags, offers and contacts, an enterprise its facts as
well. Lists are typed one entry per line (or comma-separated); contacts are rows of
kind, value, visibility."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from world.profiles import (
    MAX_ITEMS,
    MAX_TEXT,
    Contact,
    ContactKind,
    EnterpriseProfile,
    FieldProblem,
    InstitutionProfile,
    RevenueBand,
    Visibility,
)

CONTACT_ROWS = 4  # contact rows the form offers (a saved profile shows its own plus empty ones)
LIST_FIELDS = ("industry_codes", "tags", "offers", "needs")
_SPLIT = re.compile(r"[\n,，、;；]+")


def _blank_is_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


Optional = BeforeValidator(_blank_is_none)
ListText = Annotated[str, Field(default="", max_length=MAX_TEXT * MAX_ITEMS)]


def split_list(text: str) -> tuple[str, ...]:
    """One entry per line or comma (Chinese commas too); blanks dropped, spaces trimmed."""
    return tuple(part.strip() for part in _SPLIT.split(text) if part.strip())


class ProfileForm(BaseModel):
    model_config = ConfigDict(extra="ignore")
    csrf: str = Field(default="", max_length=128)
    name_zh: str = Field(default="", max_length=MAX_TEXT)
    name_en: str = Field(default="", max_length=MAX_TEXT)
    credit_code: Annotated[str | None, Optional] = Field(default=None, max_length=18)
    industry_codes: ListText
    founded: Annotated[int | None, Optional] = Field(default=None, ge=1800, le=9999)
    employees: Annotated[int | None, Optional] = Field(default=None, ge=0)
    revenue_band: Annotated[RevenueBand | None, Optional] = None
    certifications: list[str] = Field(default_factory=list, max_length=MAX_ITEMS)
    area_m2: Annotated[float | None, Optional] = Field(default=None, gt=0)
    tags: ListText
    offers: ListText
    needs: ListText
    service_kinds: list[str] = Field(default_factory=list, max_length=MAX_ITEMS)  # institutions
    contact_kind: list[Annotated[ContactKind | None, Optional]] = Field(default_factory=list, max_length=MAX_ITEMS)
    contact_value: list[Annotated[str, Field(max_length=MAX_TEXT)]] = Field(default_factory=list,
                                                                           max_length=MAX_ITEMS)
    contact_visibility: list[Visibility] = Field(default_factory=list, max_length=MAX_ITEMS)

    def contacts(self) -> tuple[Contact, ...]:
        """The filled-in rows (a row without a value is an unused row)."""
        out = []
        for i, value in enumerate(self.contact_value):
            if not value.strip():
                continue
            kind = self.contact_kind[i] if i < len(self.contact_kind) else None
            visibility = self.contact_visibility[i] if i < len(self.contact_visibility) else "members"
            out.append(Contact(kind or "phone", value.strip(), visibility))
        return tuple(out)

    def profile(self, base: EnterpriseProfile | None) -> EnterpriseProfile:
        """The profile this form describes; the park and the confirmations stay the stored
        ones (the repository drops the confirmation of every fact whose value changed)."""
        code = self.credit_code.strip().upper() if self.credit_code else None
        fields: dict[str, Any] = {
            "name_zh": self.name_zh.strip(), "name_en": self.name_en.strip(), "credit_code": code,
            "industry_codes": split_list(self.industry_codes), "founded": self.founded,
            "employees": self.employees, "revenue_band": self.revenue_band,
            "certifications": tuple(dict.fromkeys(self.certifications)), "area_m2": self.area_m2,
            "tags": split_list(self.tags), "offers": split_list(self.offers), "needs": split_list(self.needs),
            "contacts": self.contacts(),
        }
        if base is None:
            return EnterpriseProfile(**fields)
        return base.with_facts(**fields)

    def institution(self, base: InstitutionProfile | None) -> InstitutionProfile:
        """The institution profile this form describes (its park stays the stored one)."""
        code = self.credit_code.strip().upper() if self.credit_code else None
        return InstitutionProfile(name_zh=self.name_zh.strip(), name_en=self.name_en.strip(), credit_code=code,
                                  service_kinds=tuple(dict.fromkeys(self.service_kinds)),
                                  park_id=base.park_id if base is not None else "", tags=split_list(self.tags),
                                  offers=split_list(self.offers), contacts=self.contacts())


def form_values(p: EnterpriseProfile | InstitutionProfile) -> dict[str, Any]:
    """What the form shows for a stored profile."""
    contacts = list(p.contacts) + [Contact("phone", "", "members")] * max(0, CONTACT_ROWS - len(p.contacts))
    if isinstance(p, InstitutionProfile):
        return {"name_zh": p.name_zh, "name_en": p.name_en, "credit_code": p.credit_code or "",
                "service_kinds": list(p.service_kinds), "tags": "\n".join(p.tags), "offers": "\n".join(p.offers),
                "contacts": [{"kind": c.kind, "value": c.value, "visibility": c.visibility} for c in contacts]}
    return {
        "name_zh": p.name_zh, "name_en": p.name_en, "credit_code": p.credit_code or "",
        "industry_codes": "\n".join(p.industry_codes), "founded": "" if p.founded is None else str(p.founded),
        "employees": "" if p.employees is None else str(p.employees), "revenue_band": p.revenue_band or "",
        "certifications": list(p.certifications),
        "area_m2": "" if p.area_m2 is None else f"{p.area_m2:g}",
        "tags": "\n".join(p.tags), "offers": "\n".join(p.offers), "needs": "\n".join(p.needs),
        "contacts": [{"kind": c.kind, "value": c.value, "visibility": c.visibility} for c in contacts],
    }



FORM_LISTS = ("certifications", "service_kinds", "contact_kind", "contact_value", "contact_visibility")
_CONTACT_PARTS = {"contact_kind": "kind", "contact_value": "value", "contact_visibility": "visibility"}
_FIELD = re.compile(r"^([a-z_0-9]+)(?:\[([^\]]+)\])?(?:\.([a-z_]+))?$")
Translate = Callable[..., str]


def read_form(items: Sequence[tuple[str, Any]]) -> ProfileForm | tuple[list[FieldProblem], dict[str, Any]]:
    """The posted form (``items``: its name, value pairs in order) as a ``ProfileForm``, or
    every field pydantic refuses, as problems with what was typed (to show the form again)."""
    data: dict[str, Any] = {}
    for name, value in items:
        text = value if isinstance(value, str) else ""
        if name in FORM_LISTS:
            data.setdefault(name, []).append(text)
        else:
            data[name] = text
    try:
        return ProfileForm.model_validate(data)
    except ValidationError as exc:
        return [_problem_of(dict(e)) for e in exc.errors()], _typed(data)


def _problem_of(error: dict[str, Any]) -> FieldProblem:
    loc = tuple(error.get("loc", ()))
    name = str(loc[0]) if loc else "form"
    if name in _CONTACT_PARTS:
        name = f"contacts[{loc[1]}].{_CONTACT_PARTS[name]}" if len(loc) > 1 else "contacts"
    elif len(loc) > 1 and isinstance(loc[1], int):
        name = f"{name}[{loc[1]}]"
    code, params = pydantic_code(error)
    return FieldProblem(name, code, params, str(error.get("msg", "")))


def pydantic_code(error: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """A pydantic error of a form field as a problem code of the catalogue (the key
    ``profile.p.<code>``) and its parameters; ``invalid`` for a kind without its own words."""
    kind, ctx, given = str(error.get("type", "")), error.get("ctx") or {}, error.get("input")
    shown = str(given)[:40] if isinstance(given, str | int | float) else ""
    if kind == "missing" or (kind == "string_too_short" and ctx.get("min_length") == 1):
        return "required", {}
    return {
        "int_parsing": ("not_whole", {"value": shown}), "int_from_float": ("not_whole", {"value": shown}),
        "float_parsing": ("not_number", {"value": shown}),
        "greater_than_equal": ("too_small", {"min": ctx.get("ge")}),
        "greater_than": ("above_zero", {}) if ctx.get("gt") == 0 else ("too_small", {"min": ctx.get("gt")}),
        "less_than_equal": ("too_big", {"max": ctx.get("le")}),
        "string_too_long": ("too_long", {"length": len(given) if isinstance(given, str) else 0,
                                         "max": ctx.get("max_length")}),
        "too_long": ("too_many", {"count": ctx.get("actual_length"), "max": ctx.get("max_length")}),
        "literal_error": ("not_one_of", {"value": shown}), "enum": ("not_one_of", {"value": shown}),
        "string_too_short": ("too_short", {"min": ctx.get("min_length")}),
    }.get(kind, ("invalid", {}))


def _typed(data: dict[str, Any]) -> dict[str, Any]:
    """What the form shows again after pydantic refused it: the text as typed."""
    values: dict[str, Any] = {k: str(data.get(k, "")) for k in (
        "name_zh", "name_en", "credit_code", "industry_codes", "founded", "employees", "revenue_band", "area_m2",
        "tags", "offers", "needs")}
    values["certifications"] = list(data.get("certifications", []))
    values["service_kinds"] = list(data.get("service_kinds", []))
    kinds, texts, seen = (data.get(k, []) for k in ("contact_kind", "contact_value", "contact_visibility"))
    rows = max(CONTACT_ROWS, len(texts))
    values["contacts"] = [{"kind": kinds[i] if i < len(kinds) else "phone", "value": texts[i] if i < len(texts) else "",
                           "visibility": seen[i] if i < len(seen) else "members"} for i in range(rows)]
    return values


def field_label(t: Translate, name: str) -> str:
    """A problem's field by its label on the page: ``contacts[1].value`` is "Contacts 2 · Value"."""
    found = _FIELD.match(name)
    if found is None:
        return name
    base, index, part = found.groups()
    label = t(f"profile.field.{base}")
    if index is not None:
        label += f" {int(index) + 1}" if index.isdigit() else f" ({index})"
    if part is not None:
        label += " · " + t(f"profile.contact.{part}")
    return label


def _shown(value: object) -> object:
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:g}"
    return value


def problem_lines(t: Translate, problems: Sequence[FieldProblem]) -> list[tuple[str, str]]:
    """(field label, problem) in the page's language, for each problem."""
    return [(field_label(t, p.field), t(f"profile.p.{p.code}", **{k: _shown(v) for k, v in p.params.items()}))
            for p in problems]
