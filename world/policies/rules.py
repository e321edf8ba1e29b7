"""Eligibility as data: conditions on profile fields combined with all / any / not.

A rule is a tree, never code: ``Condition`` (a field, an operator, a value, and whether
the fact must be confirmed), ``All``, ``Any`` and ``Not``. ``parse_rule`` reads the
JSON form and ``dump_rule`` writes it; ``check_rule`` names every problem (a field
outside ``world.policies.fields.FIELDS``, an operator the field does not take, a bad
value, contradictory bounds) with the path of the offending clause. JSON form::

    {"all": [
        {"field": "employees", "op": "between", "value": [10, 200]},
        {"field": "age_years", "op": "between", "value": [null, 5]},
        {"field": "certifications", "op": "has", "value": "high_tech", "verified": true},
        {"not": {"field": "awards", "op": "has", "value": "rent"}}]}

Operators: ``between`` [min, max] inclusive, either may be null (number fields);
``in`` a list (park ids, revenue bands); ``any_of`` a list (industry codes,
certifications, award topics); ``has`` one value (certifications, awards); ``is``
true/false (``in_zone``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from world.policies.fields import FIELDS
from world.profiles import check_industry_code

MAX_CLAUSES = 40
MAX_DEPTH = 6
MAX_VALUES = 50
Value = tuple[str, ...] | tuple[float | None, float | None] | str | bool


class Problem(tuple[str, str]):
    """One problem: the pair (field path, problem in English) that ``PolicyError.problems``
    lists, carrying also its ``code`` (the catalogue key ``policy.p.<code>``) and the
    ``params`` the sentence names, so pages say it in the person's language."""

    code: str
    params: dict[str, object]

    def __new__(cls, path: str, problem: str, code: str = "", **params: object) -> Problem:
        self = super().__new__(cls, (path, problem))
        self.code = code
        self.params = params
        return self


class PolicyError(ValueError):
    """A policy (or part of one) with problems; ``problems`` lists (field path, problem)
    in English; ``codes`` gives each, in the same order, as (code, params) ("" where a
    problem has no code)."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        self.codes: list[tuple[str, dict[str, object]]] = [
            (p.code, p.params) if isinstance(p, Problem) else ("", {}) for p in problems]
        super().__init__("; ".join(f"{name}: {problem}" for name, problem in problems))


@dataclass(frozen=True, slots=True)
class Condition:
    field: str
    op: str
    value: Value
    verified: bool = False  # the fact must be confirmed by the park or a department


@dataclass(frozen=True, slots=True)
class All:
    items: tuple[Rule, ...]


@dataclass(frozen=True, slots=True)
class Any_:
    items: tuple[Rule, ...]


@dataclass(frozen=True, slots=True)
class Not:
    item: Rule


Rule = Condition | All | Any_ | Not
EVERYONE = All(())  # no conditions: every enterprise is eligible


def leaves(rule: Rule) -> Iterator[Condition]:
    """The conditions in tree order (the order reasons are listed and stored in)."""
    if isinstance(rule, Condition):
        yield rule
    elif isinstance(rule, Not):
        yield from leaves(rule.item)
    else:
        for item in rule.items:
            yield from leaves(item)


def _depth(rule: Rule) -> int:
    if isinstance(rule, Condition):
        return 1
    if isinstance(rule, Not):
        return 1 + _depth(rule.item)
    return 1 + max((_depth(i) for i in rule.items), default=0)


def _number(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError
    return float(value)


def _condition(obj: dict[str, Any], path: str, problems: list[tuple[str, str]]) -> Condition | None:
    name = obj.get("field")
    if not isinstance(name, str) or name not in FIELDS:
        problems.append(Problem(f"{path}.field", f"{name!r} is not a profile field (fields: {', '.join(FIELDS)})",
                                "not_field", value=str(name)))
        return None
    spec = FIELDS[name]
    op = obj.get("op")
    if op not in spec.ops:
        problems.append(Problem(f"{path}.op", f"{name} takes {' or '.join(spec.ops)}, not {op!r}", "bad_op", field=name))
        return None
    verified = obj.get("verified", False)
    if not isinstance(verified, bool):
        problems.append(Problem(f"{path}.verified", "must be true or false", "yes_no"))
        return None
    if verified and not spec.fact:
        problems.append(Problem(f"{path}.verified", f"{name} is the platform's own record: it needs no confirmation",
                                "no_confirm", field=name))
        return None
    unknown = set(obj) - {"field", "op", "value", "verified"}
    if unknown:
        problems.append(Problem(path, f"unknown keys {', '.join(sorted(unknown))}", "unknown_keys",
                                keys=", ".join(sorted(unknown))))
    raw = obj.get("value")
    vpath = f"{path}.value"
    if op == "between":
        try:
            if not isinstance(raw, list) or len(raw) != 2:
                raise TypeError
            lo, hi = _number(raw[0]), _number(raw[1])
        except TypeError:
            problems.append(Problem(vpath, "must be [min, max] (numbers; either may be null)", "min_max"))
            return None
        if lo is None and hi is None:
            problems.append(Problem(vpath, "give a minimum, a maximum or both", "no_bound"))
            return None
        if lo is not None and hi is not None and lo > hi:
            problems.append(Problem(vpath, f"the minimum {lo:g} is above the maximum {hi:g}", "min_above_max",
                                    min=lo, max=hi))
            return None
        return Condition(name, op, (lo, hi), verified)
    if op == "is":
        if not isinstance(raw, bool):
            problems.append(Problem(vpath, "must be true or false", "yes_no"))
            return None
        return Condition(name, op, raw, verified)
    values = [raw] if op == "has" else raw
    if op == "has" and not isinstance(raw, str) or not isinstance(values, list) or not values:
        problems.append(Problem(vpath, "must be one value" if op == "has" else "must be a list of at least one value",
                                "one_value" if op == "has" else "some_values"))
        return None
    if len(values) > MAX_VALUES:
        problems.append(Problem(vpath, f"has {len(values)} values (at most {MAX_VALUES})", "too_many_values",
                                count=len(values), max=MAX_VALUES))
        return None
    bad = False
    for i, v in enumerate(values):
        where = vpath if op == "has" else f"{vpath}[{i}]"
        if not isinstance(v, str) or not v.strip():
            problems.append(Problem(where, "must be a non-empty text", "empty_value"))
            bad = True
        elif spec.allowed and v not in spec.allowed:
            problems.append(Problem(where, f"{v!r} is not one of {', '.join(spec.allowed)}", "not_allowed", value=v))
            bad = True
        elif spec.kind == "codes" and (problem := check_industry_code(v)):
            problems.append(Problem(where, problem, "industry_code", value=v))
            bad = True
    if len(set(values)) != len(values):
        problems.append(Problem(vpath, "lists a value twice", "value_twice"))
        bad = True
    if bad:
        return None
    return Condition(name, op, raw if op == "has" else tuple(values), verified)


def _parse(obj: Any, path: str, problems: list[tuple[str, str]]) -> Rule | None:
    if not isinstance(obj, dict):
        problems.append(Problem(path, "must be an object: a condition, or all / any / not", "not_rule"))
        return None
    groups = [k for k in ("all", "any", "not") if k in obj]
    if not groups:
        return _condition(obj, path, problems)
    if len(groups) > 1 or len(obj) > 1:
        problems.append(Problem(path, "a group has exactly one key: all, any or not", "group_keys"))
        return None
    key = groups[0]
    if key == "not":
        item = _parse(obj["not"], f"{path}.not", problems)
        return None if item is None else Not(item)
    raw = obj[key]
    if not isinstance(raw, list):
        problems.append(Problem(f"{path}.{key}", "must be a list", "not_list"))
        return None
    if key == "any" and not raw:
        problems.append(Problem(f"{path}.any", "an empty any is never met: give at least one condition", "empty_any"))
        return None
    items = [_parse(item, f"{path}.{key}[{i}]", problems) for i, item in enumerate(raw)]
    if any(i is None for i in items):
        return None
    kept = tuple(i for i in items if i is not None)
    return All(kept) if key == "all" else Any_(kept)


def parse_rule(obj: Any, path: str = "rules") -> Rule:
    """The rule in ``obj`` (its JSON form), or ``PolicyError`` naming every problem."""
    problems: list[tuple[str, str]] = []
    rule = _parse(obj, path, problems)
    if rule is not None and not problems:
        count = sum(1 for _ in leaves(rule))
        if count > MAX_CLAUSES:
            problems.append(Problem(path, f"has {count} conditions (at most {MAX_CLAUSES})", "too_many_conditions",
                                    count=count, max=MAX_CLAUSES))
        if _depth(rule) > MAX_DEPTH:
            problems.append(Problem(path, f"nests deeper than {MAX_DEPTH} levels", "too_deep", max=MAX_DEPTH))
    if problems or rule is None:
        raise PolicyError(problems)
    return rule


def dump_rule(rule: Rule) -> dict[str, Any]:
    """The JSON form ``parse_rule`` reads back to ``rule``."""
    if isinstance(rule, Not):
        return {"not": dump_rule(rule.item)}
    if isinstance(rule, All):
        return {"all": [dump_rule(i) for i in rule.items]}
    if isinstance(rule, Any_):
        return {"any": [dump_rule(i) for i in rule.items]}
    value: Any = list(rule.value) if isinstance(rule.value, tuple) else rule.value
    out: dict[str, Any] = {"field": rule.field, "op": rule.op, "value": value}
    if rule.verified:
        out["verified"] = True
    return out


def industry_terms(rule: Rule) -> tuple[str, ...]:
    """The industry codes a rule names (what the search's industry filter matches)."""
    found: dict[str, None] = {}
    for c in leaves(rule):
        if c.field == "industry_codes" and isinstance(c.value, tuple):
            found.update(dict.fromkeys(str(v) for v in c.value))
    return tuple(found)
