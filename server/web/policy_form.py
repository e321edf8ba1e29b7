"""The policy form: structured fields (never raw JSON) to and from a policy version.

The rule builder is a list of condition rows combined with "all of" or "any of"; each
row names a profile field (a choice from ``world.policies.fields.FIELDS``), a minimum
and a maximum (number fields), the values (codes, parks, certifications, bands, award
topics; separated by commas), yes/no (registered in the zone), "must not" (the row's
negation) and "must be confirmed". The operator follows from the field. The benefit is
one of the closed set (percent of a base with a cap, fixed, tiered by a field; tiers as
``min-max: amount`` lines), the materials rows of key, names, required and kinds.

``version_of(form)`` gives the JSON form ``world.policies.versions.parse_version``
reads, with a map from each part's path to the form field that wrote it, so every
problem the parser names (an unknown field, contradictory dates, a percent benefit
without a cap) is shown beside its own field. ``values_of(version)`` fills the form from
a stored version (for a new version of a policy)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from world.policies.benefits import Fixed, Percent, Tiered
from world.policies.fields import FIELDS
from world.policies.rules import All, Any_, Condition, Not, Problem
from world.policies.versions import MATERIAL_KINDS, PolicyVersion

MAX_ROWS = 20
TEXTS = ("title_zh", "title_en", "summary_zh", "summary_en", "body_zh", "issuer")
DATES = ("effective_from", "effective_to", "apply_from", "apply_to")
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def _op_of(field: str) -> str:
    kind = FIELDS[field].kind
    return {"number": "between", "zone": "is", "parks": "in", "band": "in"}.get(kind, "any_of")


def _number(text: str, where: str, problems: dict[str, Problem]) -> float | None:
    text = text.strip().replace(",", "")
    if not text:
        return None
    if not NUMBER.match(text):
        problems[where] = Problem(where, f"{text!r} is not a number", "not_number", value=text[:40])
        return None
    return float(text)


def rows_in(form: Mapping[str, str], prefix: str) -> list[int]:
    """The row numbers the form sent for ``prefix`` (``cond.3.field`` -> 3), in order."""
    found = {int(m.group(1)) for k in form if (m := re.match(rf"^{re.escape(prefix)}\.(\d{{1,2}})\.", k))}
    return sorted(n for n in found if n < MAX_ROWS)


def version_of(form: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str], dict[str, Problem]]:
    """(the version's JSON form, parser path -> form field, problems found here by form field)."""
    problems: dict[str, Problem] = {}
    paths: dict[str, str] = {}
    out: dict[str, Any] = {k: form.get(k, "").strip() for k in TEXTS}
    out["level"] = form.get("level", "")
    for k in DATES:
        out[k] = form.get(k, "").strip() or None
        paths[k] = k
    out["topics"] = [t for t in form.get("topics", "").split(",") if t]
    paths.update({k: k for k in (*TEXTS, "level", "topics")})
    combine = "any" if form.get("combine") == "any" else "all"
    items: list[Any] = []
    for n in rows_in(form, "cond"):
        name = form.get(f"cond.{n}.field", "")
        if not name:
            continue
        where = f"cond.{n}"
        at = f"rules.{combine}[{len(items)}]"
        condition: dict[str, Any] = {"field": name, "op": _op_of(name) if name in FIELDS else "?"}
        if name in FIELDS and FIELDS[name].kind == "number":
            lo = _number(form.get(f"{where}.min", ""), f"{where}.min", problems)
            hi = _number(form.get(f"{where}.max", ""), f"{where}.max", problems)
            condition["value"] = [lo, hi]
        elif name in FIELDS and FIELDS[name].kind == "zone":
            condition["value"] = form.get(f"{where}.yes", "yes") != "no"
        else:
            values = [v.strip() for v in re.split(r"[,，、;；\s]+", form.get(f"{where}.values", "")) if v.strip()]
            condition["value"] = values
        if form.get(f"{where}.verified"):
            condition["verified"] = True
        if form.get(f"{where}.negate"):
            items.append({"not": condition})
            paths[at] = where
        else:
            items.append(condition)
            paths[at] = where
    out["rules"] = {combine: items}
    kind = form.get("benefit.type", "")
    benefit: dict[str, Any] = {"type": kind}
    if kind == "fixed":
        benefit["amount"] = _number(form.get("benefit.amount", ""), "benefit.amount", problems)
    elif kind == "percent":
        benefit["field"] = form.get("benefit.field", "")
        benefit["per_unit"] = _number(form.get("benefit.per_unit", "") or "1", "benefit.per_unit", problems)
        benefit["percent"] = _number(form.get("benefit.percent", ""), "benefit.percent", problems)
        benefit["cap"] = _number(form.get("benefit.cap", ""), "benefit.cap", problems)
        benefit["base_zh"] = form.get("benefit.base_zh", "").strip()
        benefit["base_en"] = form.get("benefit.base_en", "").strip()
    elif kind == "tiered":
        benefit["field"] = form.get("benefit.field", "")
        tiers = []
        for line in form.get("benefit.tiers", "").splitlines():
            line = line.strip()
            if not line:
                continue
            m = re.match(r"^(-?[\d.,]+)\s*[-–~]\s*(-?[\d.,]*)\s*[:：]\s*([\d.,]+)$", line)
            if not m:
                problems["benefit.tiers"] = Problem("benefit.tiers", f"{line!r}: write each tier as min-max: amount "
                                                  "(max may be empty)", "tier_line", line=line[:60])
                continue
            lo, hi, amount = (x.replace(",", "") for x in m.groups())
            tiers.append({"min": float(lo), "max": float(hi) if hi else None, "amount": float(amount)})
        benefit["tiers"] = tiers
    out["benefit"] = benefit
    for key in ("type", "amount", "field", "per_unit", "percent", "cap", "base_zh", "base_en", "tiers"):
        paths[f"benefit.{key}"] = f"benefit.{key}"
    paths["benefit"] = "benefit.type"
    materials = []
    for n in rows_in(form, "mat"):
        key = form.get(f"mat.{n}.key", "").strip()
        if not key and not form.get(f"mat.{n}.name_zh", "").strip():
            continue
        paths[f"materials[{len(materials)}]"] = f"mat.{n}"
        materials.append({"key": key, "name_zh": form.get(f"mat.{n}.name_zh", "").strip(),
                          "name_en": form.get(f"mat.{n}.name_en", "").strip(),
                          "required": bool(form.get(f"mat.{n}.required")),
                          "kinds": [k for k in MATERIAL_KINDS if form.get(f"mat.{n}.kind.{k}")]})
    out["materials"] = materials
    return out, paths, problems


def field_of(path: str, paths: Mapping[str, str]) -> str:
    """The form field a parser path belongs to (the longest known prefix)."""
    best = ""
    for known in paths:
        if (path == known or path.startswith(known + ".") or path.startswith(known + "[")) and len(known) > len(best):
            best = known
    return paths[best] if best else path


def values_of(v: PolicyVersion) -> tuple[dict[str, str], int, int]:
    """The form's values for version ``v``; how many condition and material rows they fill
    (a rule nested deeper than the form's one level raises ValueError)."""
    values: dict[str, str] = {k: getattr(v, k) for k in TEXTS}
    values["level"] = v.level
    for k in DATES:
        day = getattr(v, k)
        values[k] = "" if day is None else day.isoformat()
    values["topics"] = ",".join(v.topics)
    rule = v.rule
    if isinstance(rule, Condition | Not):
        rule = All((rule,))
    values["combine"] = "any" if isinstance(rule, Any_) else "all"
    assert isinstance(rule, All | Any_)
    for n, item in enumerate(rule.items):
        negate = isinstance(item, Not)
        c = item.item if isinstance(item, Not) else item
        if not isinstance(c, Condition):
            raise ValueError("the rule nests groups: edit it through the API")
        values[f"cond.{n}.field"] = c.field
        if negate:
            values[f"cond.{n}.negate"] = "1"
        if c.verified:
            values[f"cond.{n}.verified"] = "1"
        if c.op == "between":
            lo, hi = c.value  # type: ignore[misc]
            values[f"cond.{n}.min"] = "" if lo is None else f"{lo:g}"
            values[f"cond.{n}.max"] = "" if hi is None else f"{hi:g}"
        elif c.op == "is":
            values[f"cond.{n}.yes"] = "yes" if c.value else "no"
        else:
            values[f"cond.{n}.values"] = ", ".join([c.value] if isinstance(c.value, str) else map(str, c.value))
    b = v.benefit
    if isinstance(b, Fixed):
        values.update({"benefit.type": "fixed", "benefit.amount": str(b.amount)})
    elif isinstance(b, Percent):
        values.update({"benefit.type": "percent", "benefit.field": b.field, "benefit.per_unit": f"{b.per_unit:g}",
                       "benefit.percent": f"{b.percent:g}", "benefit.cap": str(b.cap), "benefit.base_zh": b.base_zh,
                       "benefit.base_en": b.base_en})
    elif isinstance(b, Tiered):
        values.update({"benefit.type": "tiered", "benefit.field": b.field, "benefit.tiers": "\n".join(
            f"{t.min:g}-{'' if t.max is None else f'{t.max:g}'}: {t.amount}" for t in b.tiers)})
    for n, m in enumerate(v.materials):
        values.update({f"mat.{n}.key": m.key, f"mat.{n}.name_zh": m.name_zh, f"mat.{n}.name_en": m.name_en})
        if m.required:
            values[f"mat.{n}.required"] = "1"
        for k in m.kinds:
            values[f"mat.{n}.kind.{k}"] = "1"
    return values, len(rule.items), len(v.materials)
