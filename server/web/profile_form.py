"""The organization profile form: what the console accepts, field by field (pydantic names
each bad field in its 422), and the ``EnterpriseProfile`` (or, for a service institution,
the ``InstitutionProfile``) it becomes. One form and one page serve both: an institution
has names, credit code, services, tags, offers and contacts, an enterprise its facts as
well. Lists are typed one entry per line (or comma-separated); contacts are rows of
kind, value, visibility."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from world.profiles import (
    MAX_ITEMS,
    MAX_TEXT,
    Contact,
    ContactKind,
    EnterpriseProfile,
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

