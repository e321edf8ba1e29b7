"""What a policy gives: a closed set of benefit types and their arithmetic, each step shown.

- ``Percent``: a percentage of a base with a cap, the base being a profile number times
  a rate (``per_unit``): "50 % of a year's rent (area m² x 1,277.5 yuan/m² a year), at
  most 500,000 yuan". The cap is required.
- ``Fixed``: one amount.
- ``Tiered``: an amount by the band a profile number falls in (tiers may not overlap).

Amounts are whole yuan: the arithmetic runs in binary floating point in a fixed order
(``value * per_unit``, then ``* percent / 100``), then is floored, then capped, so the
bulk matcher (numpy, the same operations in the same order) gets the same yuan.
JSON forms: ``{"type": "percent", "field": "area_m2", "per_unit": 1277.5, "percent": 50,
"cap": 500000, "base_zh": "一年租金", "base_en": "a year's rent"}``, ``{"type": "fixed",
"amount": 200000}``, ``{"type": "tiered", "field": "employees", "tiers": [{"min": 0,
"max": 49, "amount": 50000}, {"min": 50, "max": null, "amount": 100000}]}``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from world.policies.fields import NUMBER_FIELDS
from world.policies.rules import PolicyError, Problem

MAX_AMOUNT = 1_000_000_000  # yuan
MAX_TIERS = 20
BENEFIT_TYPES = ("percent", "fixed", "tiered")


@dataclass(frozen=True, slots=True)
class Percent:
    field: str
    per_unit: float
    percent: float
    cap: int
    base_zh: str = ""
    base_en: str = ""


@dataclass(frozen=True, slots=True)
class Fixed:
    amount: int


@dataclass(frozen=True, slots=True)
class Tier:
    min: float
    max: float | None  # None: no upper bound
    amount: int


@dataclass(frozen=True, slots=True)
class Tiered:
    field: str
    tiers: tuple[Tier, ...]


Benefit = Percent | Fixed | Tiered


@dataclass(frozen=True, slots=True)
class Step:
    """One line of the arithmetic: a catalogue key (``policy.step.<kind>``) and its numbers."""

    kind: str  # base, percent, cap, fixed, tier, no_tier, missing
    params: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Amount:
    yuan: int | None  # None: not computable (the base fact is missing)
    steps: tuple[Step, ...]


def _num(obj: dict[str, Any], key: str, path: str, problems: list[tuple[str, str]], *,
         positive: bool = True, whole: bool = False, required: bool = True) -> float | None:
    raw = obj.get(key)
    if raw is None:
        if required:
            problems.append(Problem(f"{path}.{key}", "is required", "required"))
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
        problems.append(Problem(f"{path}.{key}", "must be a number", "number"))
        return None
    if whole and raw != int(raw):
        problems.append(Problem(f"{path}.{key}", "must be whole yuan", "whole_yuan"))
        return None
    if (raw <= 0 if positive else raw < 0) or raw > MAX_AMOUNT:
        problems.append(Problem(f"{path}.{key}", f"must be {'above' if positive else 'at least'} 0 and at most "
                                f"{MAX_AMOUNT:,}", "amount_range" if positive else "amount_range_zero", max=MAX_AMOUNT))
        return None
    return float(raw)


def _field(obj: dict[str, Any], path: str, problems: list[tuple[str, str]]) -> str:
    name = obj.get("field")
    if name not in NUMBER_FIELDS:
        problems.append(Problem(f"{path}.field", f"{name!r} is not a number field of the profile "
                                f"({', '.join(NUMBER_FIELDS)})", "number_field"))
        return ""
    return str(name)


def parse_benefit(obj: Any, path: str = "benefit") -> Benefit:
    """The benefit in ``obj`` (its JSON form), or ``PolicyError`` naming every problem."""
    problems: list[tuple[str, str]] = []
    if not isinstance(obj, dict) or obj.get("type") not in BENEFIT_TYPES:
        got = obj.get("type") if isinstance(obj, dict) else obj
        raise PolicyError([Problem(f"{path}.type", f"{got!r} is not a benefit type ({', '.join(BENEFIT_TYPES)})",
                                   "benefit_type")])
    kind = obj["type"]
    benefit: Benefit | None = None
    if kind == "fixed":
        amount = _num(obj, "amount", path, problems, whole=True)
        if amount is not None:
            benefit = Fixed(int(amount))
    elif kind == "percent":
        name = _field(obj, path, problems)
        per_unit = _num(obj, "per_unit", path, problems)
        percent = obj.get("percent")
        if isinstance(percent, bool) or not isinstance(percent, int | float) or not 0 < percent <= 100:
            problems.append(Problem(f"{path}.percent", "must be a number above 0 and at most 100", "percent"))
            percent = None
        if obj.get("cap") is None:
            problems.append(Problem(f"{path}.cap", "a percentage benefit needs a cap (the most it pays, in yuan)", "cap"))
            cap = None
        else:
            cap = _num(obj, "cap", path, problems, whole=True)
        texts = {k: obj.get(k, "") for k in ("base_zh", "base_en")}
        for k, v in texts.items():
            if not isinstance(v, str) or len(v) > 60:
                problems.append(Problem(f"{path}.{k}", "must be a text of at most 60 characters", "text_max", max=60))
        if name and per_unit is not None and percent is not None and cap is not None and not problems:
            benefit = Percent(name, per_unit, float(percent), int(cap), str(texts["base_zh"]),
                              str(texts["base_en"]))
    else:
        name = _field(obj, path, problems)
        raw = obj.get("tiers")
        tiers: list[Tier] = []
        if not isinstance(raw, list) or not raw or len(raw) > MAX_TIERS:
            problems.append(Problem(f"{path}.tiers", f"must be a list of 1 to {MAX_TIERS} tiers", "tiers", max=MAX_TIERS))
            raw = []
        for i, t in enumerate(raw):
            tpath = f"{path}.tiers[{i}]"
            if not isinstance(t, dict):
                problems.append(Problem(tpath, "must be an object {min, max, amount}", "tier_object"))
                continue
            lo = _num(t, "min", tpath, problems, positive=False)
            hi = _num(t, "max", tpath, problems, positive=False, required=False)
            amount = _num(t, "amount", tpath, problems, positive=False, whole=True)
            if lo is not None and hi is not None and lo > hi:
                problems.append(Problem(f"{tpath}.max", f"is below the minimum {lo:g}", "tier_below", min=lo))
            elif lo is not None and amount is not None:
                tiers.append(Tier(lo, hi, int(amount)))
        ordered = sorted(tiers, key=lambda t: t.min)
        for a, b in zip(ordered, ordered[1:], strict=False):
            if a.max is None or a.max >= b.min:
                problems.append(Problem(f"{path}.tiers", f"the tier from {a.min:g} overlaps the tier from {b.min:g}",
                                    "tier_overlap", a=a.min, b=b.min))
        if name and not problems:
            benefit = Tiered(name, tuple(ordered))
    if problems or benefit is None:
        raise PolicyError(problems)
    return benefit


def dump_benefit(benefit: Benefit) -> dict[str, Any]:
    if isinstance(benefit, Fixed):
        return {"type": "fixed", "amount": benefit.amount}
    if isinstance(benefit, Percent):
        return {"type": "percent", "field": benefit.field, "per_unit": benefit.per_unit,
                "percent": benefit.percent, "cap": benefit.cap, "base_zh": benefit.base_zh,
                "base_en": benefit.base_en}
    return {"type": "tiered", "field": benefit.field,
            "tiers": [{"min": t.min, "max": t.max, "amount": t.amount} for t in benefit.tiers]}


def percent_yuan(value: float, b: Percent) -> tuple[float, float, int]:
    """(base, before the cap, yuan): the one formula the bulk matcher repeats."""
    base = value * b.per_unit
    raw = base * b.percent / 100.0
    return base, raw, min(b.cap, math.floor(raw))


def compute(benefit: Benefit, value: float | None) -> Amount:
    """What ``benefit`` pays when its field has ``value`` (None: missing), with the steps."""
    if isinstance(benefit, Fixed):
        return Amount(benefit.amount, (Step("fixed", {"amount": benefit.amount}),))
    if value is None:
        return Amount(None, (Step("missing", {"field": benefit.field}),))
    if isinstance(benefit, Percent):
        base, raw, yuan = percent_yuan(value, benefit)
        return Amount(yuan, (
            Step("base", {"field": benefit.field, "value": value, "per_unit": benefit.per_unit, "base": base,
                          "base_zh": benefit.base_zh, "base_en": benefit.base_en}),
            Step("percent", {"percent": benefit.percent, "raw": math.floor(raw)}),
            Step("cap", {"cap": benefit.cap, "yuan": yuan, "capped": math.floor(raw) > benefit.cap}),
        ))
    for tier in benefit.tiers:
        if tier.min <= value and (tier.max is None or value <= tier.max):
            return Amount(tier.amount, (Step("tier", {"field": benefit.field, "value": value, "min": tier.min,
                                                      "max": tier.max, "yuan": tier.amount}),))
    return Amount(0, (Step("no_tier", {"field": benefit.field, "value": value}),))
