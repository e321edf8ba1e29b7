"""An enterprise's verdict on a policy, explained in the viewer's words.

``world.policies.evaluate`` decides (three-valued, a reason per clause, the benefit's
arithmetic); this turns its ``Result`` into lines a template prints with the catalogue:
"员工人数 35：须在 10–200 之间 ✓", "Founded 2019 (7 years): at most 5 years ✗",
"High-tech enterprise certificate: not declared ?", and the amount step by step. The
facts are the enterprise's profile as stored, the topics of benefits approved for it
before (the platform's record) and the zone's calendar year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from world.policies.benefits import Amount, Benefit, Fixed, Percent
from world.policies.evaluate import Clause, Result
from world.policies.fields import FIELDS
from world.policies.rules import All, Condition, Not, Rule

Translate = Callable[..., str]
MARKS = {"met": "✓", "not": "✗", "unknown": "?"}


@dataclass(frozen=True, slots=True)
class Line:
    state: str  # met, not, unknown ("" for a group's heading or a rule read without an enterprise)
    mark: str
    text: str
    depth: int = 0


def zone_year(now: float, zone: str) -> int:
    return dt.datetime.fromtimestamp(now, ZoneInfo(zone)).year


def _num(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int) else str(value)


def _value(t: Translate, field: str, value: Any, parks: dict[str, str]) -> str:
    kind = FIELDS[field].kind
    if isinstance(value, (tuple, list, set, frozenset)):
        return "、".join(_value(t, field, v, parks) for v in sorted(value, key=str)) if value else "—"
    if kind == "parks":
        return parks.get(str(value), str(value))
    if kind == "band":
        return t(f"revenue.{value}")
    if field == "certifications":
        return t(f"cert.{value}")
    if field == "awards":
        return t(f"pol.topic.{value}")
    if kind == "zone":
        return t("pol.yes") if value else t("pol.no")
    return _num(value)


def _condition(t: Translate, c: Condition, parks: dict[str, str]) -> str:
    if c.op == "between":
        lo, hi = c.value  # type: ignore[misc]
        unit = t(f"pol.unit.{FIELDS[c.field].unit}") if FIELDS[c.field].unit not in ("", "year") else ""
        if lo is not None and hi is not None:
            return t("pol.cond.between", lo=_num(lo), hi=_num(hi), unit=unit)
        return t("pol.cond.min", lo=_num(lo), unit=unit) if lo is not None else t("pol.cond.max", hi=_num(hi), unit=unit)
    if c.op == "is":
        return t("pol.cond.is_yes") if c.value else t("pol.cond.is_no")
    if c.op == "has":
        return t("pol.cond.has", value=_value(t, c.field, c.value, parks))
    return t("pol.cond.one_of", values=_value(t, c.field, c.value, parks))


def lines(t: Translate, result: Result | None, parks: dict[str, str], rule: Rule | None = None) -> list[Line]:
    """The rule as lines in tree order: a group's heading ("all of", "any of", "not")
    above its items (the top-level "all of" left out), each condition with its state
    when ``result`` is given (the enterprise's value, ✓ ✗ ?), else just what it asks."""
    clauses = iter(result.clauses) if result is not None else None
    out: list[Line] = []

    def walk(node: Rule, depth: int) -> None:
        if isinstance(node, Condition):
            clause = next(clauses) if clauses is not None else None
            out.append(_line(t, node, clause, parks, depth))
            return
        if isinstance(node, Not):
            out.append(Line("", "", t("pol.group.not"), depth))
            walk(node.item, depth + 1)
            return
        top = depth == 0 and isinstance(node, All)
        if not top:
            out.append(Line("", "", t("pol.group.all" if isinstance(node, All) else "pol.group.any"), depth))
        for item in node.items:
            walk(item, depth if top else depth + 1)

    walk(rule if rule is not None else _rule_of(result), 0)
    return out


def _rule_of(result: Result | None) -> Rule:
    if result is None:
        return All(())
    return All(tuple(c.condition for c in result.clauses))


def _line(t: Translate, c: Condition, clause: Clause | None, parks: dict[str, str], depth: int) -> Line:
    field = t(f"pol.field.{c.field}")
    cond = _condition(t, c, parks)
    if clause is None:
        text = t("pol.asks", field=field, cond=cond) + (" " + t("pol.needs_confirmed") if c.verified else "")
        return Line("", "", text, depth)
    if clause.why in ("missing", "not_declared"):
        actual = t("pol.why.not_declared")
    else:
        actual = _value(t, c.field, clause.actual, parks)
    text = t("pol.clause", field=field, actual=actual, cond=cond)
    if clause.why == "unverified":
        text += " " + t("pol.why.unverified")
    elif c.verified:
        text += " " + t("pol.needs_confirmed")
    return Line(clause.state, MARKS[clause.state], text, depth)


def arithmetic(t: Translate, lang: str, amount: Amount | None) -> list[str]:
    """The benefit's computation, one step a line."""
    if amount is None:
        return []
    out = []
    for step in amount.steps:
        p = dict(step.params)
        if "field" in p:
            p["field"] = t(f"pol.field.{p['field']}")
        for key in ("value", "base", "raw", "cap", "yuan", "amount", "min", "per_unit", "percent"):
            if key in p and p[key] is not None:
                p[key] = _num(p[key])
        if step.kind == "tier" and p.get("max") is None:
            p["max"] = "∞"
        elif "max" in p:
            p["max"] = _num(p["max"])
        if step.kind == "base":
            p["name"] = (p.get("base_zh") if lang == "zh" else p.get("base_en")) or p["field"]
        if step.kind == "cap":
            out.append(t("pol.step.capped" if p.get("capped") else "pol.step.cap", **p))
            continue
        out.append(t(f"pol.step.{step.kind}", **p))
    return out


def benefit_text(t: Translate, lang: str, benefit: Benefit) -> str:
    """What the benefit pays, in words (no enterprise)."""
    if isinstance(benefit, Fixed):
        return t("pol.benefit.fixed", amount=_num(benefit.amount))
    if isinstance(benefit, Percent):
        base = (benefit.base_zh if lang == "zh" else benefit.base_en) or t(f"pol.field.{benefit.field}")
        return t("pol.benefit.percent", percent=_num(benefit.percent), base=base, cap=_num(benefit.cap))
    tiers = "; ".join(t("pol.benefit.tier", min=_num(x.min), max="∞" if x.max is None else _num(x.max),
                        amount=_num(x.amount)) for x in benefit.tiers)
    return t("pol.benefit.tiered", field=t(f"pol.field.{benefit.field}"), tiers=tiers)
