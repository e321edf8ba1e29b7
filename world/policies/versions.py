"""A policy version: its texts, dates, materials, eligibility rule, benefit and topics.

A change to a published policy makes a new version (an open application keeps the
version it applied under). ``parse_version`` reads the JSON-like form the officer's
form and the API send and names every problem (``PolicyError``): texts too long or
missing, a level outside ``LEVELS``, **contradictory dates** (an end before its start,
an application window outside the effective period), materials with duplicate keys or
unknown file kinds, a rule on an unknown field, a percentage benefit without a cap.
Dates are calendar dates on the zone's calendar, inclusive at both ends (None:
open-ended); ``is_open(version, today)`` is the "open for applications" test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from world.policies.benefits import Benefit, dump_benefit, parse_benefit
from world.policies.fields import TOPICS
from world.policies.rules import PolicyError, Problem, Rule, dump_rule, parse_rule

LEVELS = ("national", "municipal", "district", "zone", "park")
MATERIAL_KINDS = ("pdf", "image", "docx", "xlsx")  # what server/uploads.py recognises by content
MAX_TITLE = 200
MAX_SUMMARY = 2000
MAX_BODY = 100_000
MAX_MATERIALS = 20
_KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@dataclass(frozen=True, slots=True)
class Material:
    key: str
    name_zh: str
    name_en: str
    required: bool = True
    kinds: tuple[str, ...] = ("pdf",)


@dataclass(frozen=True, slots=True)
class PolicyVersion:
    title_zh: str
    level: str
    rule: Rule
    benefit: Benefit
    title_en: str = ""
    summary_zh: str = ""
    summary_en: str = ""
    body_zh: str = ""
    issuer: str = ""
    effective_from: date | None = None
    effective_to: date | None = None
    apply_from: date | None = None
    apply_to: date | None = None
    materials: tuple[Material, ...] = ()
    topics: tuple[str, ...] = ()


def is_open(v: PolicyVersion, today: date) -> bool:
    """Open for applications on ``today`` (the zone's calendar day)."""
    return (v.apply_from is None or v.apply_from <= today) and (v.apply_to is None or today <= v.apply_to)


def _text(obj: dict[str, Any], key: str, limit: int, problems: list[tuple[str, str]], *,
          required: bool = False) -> str:
    raw = obj.get(key, "")
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        problems.append(Problem(key, "must be a text", "not_text"))
        return ""
    if required and not raw.strip():
        problems.append(Problem(key, "is required", "required"))
    elif len(raw) > limit:
        problems.append(Problem(key, f"is {len(raw):,} characters long (at most {limit:,})", "too_long",
                                length=len(raw), max=limit))
    return raw.strip()


def _date(obj: dict[str, Any], key: str, problems: list[tuple[str, str]]) -> date | None:
    raw = obj.get(key)
    if raw in (None, ""):
        return None
    if isinstance(raw, date):
        return raw
    try:
        if not isinstance(raw, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            raise ValueError
        return date.fromisoformat(raw)
    except ValueError:
        problems.append(Problem(key, f"{raw!r} is not a date (YYYY-MM-DD)", "not_date", value=str(raw)[:40]))
        return None


def _materials(raw: Any, problems: list[tuple[str, str]]) -> tuple[Material, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or len(raw) > MAX_MATERIALS:
        problems.append(Problem("materials", f"must be a list of at most {MAX_MATERIALS} materials", "materials_list",
                                max=MAX_MATERIALS))
        return ()
    out: list[Material] = []
    seen: set[str] = set()
    for i, m in enumerate(raw):
        path = f"materials[{i}]"
        if not isinstance(m, dict):
            problems.append(Problem(path, "must be an object {key, name_zh, name_en, required, kinds}", "material_object"))
            continue
        key = m.get("key")
        if not isinstance(key, str) or not _KEY_RE.match(key):
            problems.append(Problem(f"{path}.key", "must be 1-40 lowercase letters, digits or _ starting with a letter",
                                    "material_key"))
            continue
        if key in seen:
            problems.append(Problem(f"{path}.key", f"{key!r} is listed twice", "key_twice", value=key))
            continue
        seen.add(key)
        names = {}
        for name in ("name_zh", "name_en"):
            value = m.get(name, "")
            if not isinstance(value, str) or len(value) > MAX_TITLE:
                problems.append(Problem(f"{path}.{name}", f"must be a text of at most {MAX_TITLE} characters", "text_max",
                                        max=MAX_TITLE))
                value = ""
            names[name] = value.strip()
        if not names["name_zh"] and not names["name_en"]:
            problems.append(Problem(f"{path}.name_zh", "name the material (in Chinese, English or both)", "material_name"))
        kinds = m.get("kinds", ["pdf"])
        if not isinstance(kinds, list) or not kinds or any(k not in MATERIAL_KINDS for k in kinds):
            problems.append(Problem(f"{path}.kinds", f"must list file kinds of {', '.join(MATERIAL_KINDS)}", "kinds",
                                kinds=", ".join(MATERIAL_KINDS)))
            kinds = ["pdf"]
        required = m.get("required", True)
        if not isinstance(required, bool):
            problems.append(Problem(f"{path}.required", "must be true or false", "yes_no"))
            required = True
        out.append(Material(key, names["name_zh"], names["name_en"], required, tuple(dict.fromkeys(kinds))))
    return tuple(out)


def parse_version(obj: dict[str, Any]) -> PolicyVersion:
    """The version in ``obj``, or ``PolicyError`` naming every problem."""
    problems: list[tuple[str, str]] = []
    texts = {
        "title_zh": _text(obj, "title_zh", MAX_TITLE, problems, required=True),
        "title_en": _text(obj, "title_en", MAX_TITLE, problems),
        "summary_zh": _text(obj, "summary_zh", MAX_SUMMARY, problems),
        "summary_en": _text(obj, "summary_en", MAX_SUMMARY, problems),
        "body_zh": _text(obj, "body_zh", MAX_BODY, problems),
        "issuer": _text(obj, "issuer", MAX_TITLE, problems),
    }
    level = obj.get("level")
    if level not in LEVELS:
        problems.append(Problem("level", f"{level!r} is not one of {', '.join(LEVELS)}", "not_level"))
    dates = {k: _date(obj, k, problems) for k in ("effective_from", "effective_to", "apply_from", "apply_to")}
    ef, et, af, at = (dates[k] for k in ("effective_from", "effective_to", "apply_from", "apply_to"))
    if ef and et and ef > et:
        problems.append(Problem("effective_to", f"{et} is before the start {ef}", "ends_before_start", day=et, start=ef))
    if af and at and af > at:
        problems.append(Problem("apply_to", f"{at} is before the window's start {af}", "closes_before_opens", day=at,
                                start=af))
    if af and et and af > et:
        problems.append(Problem("apply_from", f"{af} is after the policy ends ({et})", "after_end", day=af, end=et))
    if at and et and at > et:
        problems.append(Problem("apply_to", f"{at} is after the policy ends ({et})", "after_end", day=at, end=et))
    if at and ef and at < ef:
        problems.append(Problem("apply_to", f"{at} is before the policy takes effect ({ef})", "before_effect", day=at,
                                start=ef))
    topics = obj.get("topics") or []
    if not isinstance(topics, list) or any(t not in TOPICS for t in topics) or len(set(topics)) != len(topics):
        problems.append(Problem("topics", f"must list distinct topics of {', '.join(TOPICS)}", "topics"))
        topics = []
    materials = _materials(obj.get("materials"), problems)
    rule: Rule | None = None
    benefit: Benefit | None = None
    try:
        rule = parse_rule(obj.get("rules", {"all": []}))
    except PolicyError as exc:
        problems.extend(exc.problems)
    try:
        benefit = parse_benefit(obj.get("benefit"))
    except PolicyError as exc:
        problems.extend(exc.problems)
    if problems or rule is None or benefit is None:
        raise PolicyError(problems)
    return PolicyVersion(rule=rule, benefit=benefit, level=str(level), materials=materials,
                         topics=tuple(str(t) for t in topics), **texts, **dates)  # type: ignore[arg-type]


def dump_version(v: PolicyVersion) -> dict[str, Any]:
    """The JSON-like form ``parse_version`` reads back to ``v``."""
    return {
        "title_zh": v.title_zh, "title_en": v.title_en, "summary_zh": v.summary_zh, "summary_en": v.summary_en,
        "body_zh": v.body_zh, "issuer": v.issuer, "level": v.level,
        **{k: None if getattr(v, k) is None else getattr(v, k).isoformat()
           for k in ("effective_from", "effective_to", "apply_from", "apply_to")},
        "materials": [{"key": m.key, "name_zh": m.name_zh, "name_en": m.name_en, "required": m.required,
                       "kinds": list(m.kinds)} for m in v.materials],
        "rules": dump_rule(v.rule), "benefit": dump_benefit(v.benefit), "topics": list(v.topics),
    }
