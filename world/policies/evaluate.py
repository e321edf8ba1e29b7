"""The three-valued evaluator: each condition met, not met or unknown, with its reason.

A condition is **unknown** when the fact it reads is missing (no founding year, no
industry code declared, ...), when the rule demands a confirmed fact and the fact is
only declared (``why = "unverified"``), or when a certification or award is not in an
unconfirmed list (``"not_declared"``: it may hold one it has not declared; a list the
park confirmed is complete, so absence from it is a plain "not met"). Groups combine by
Kleene's logic: ``all`` is not met if any item is not met, else unknown if any is
unknown; ``any`` is met if any item is met, else unknown if any is unknown; ``not``
swaps met and not met and leaves unknown unknown.

The verdict: **eligible** (the rule is met), **possibly** (only unknowns stand in the
way: ``blockers`` names each), **not** eligible. Every verdict lists every condition
(``clauses``, in tree order) with the enterprise's value, and the benefit it could claim
with the arithmetic (``world.policies.benefits``).

``reasons_json`` is the compact form the database keeps per match (one ``[state,
why]`` pair per clause); the bulk matcher writes exactly the same text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from world.policies.benefits import Amount, Benefit, Fixed, compute
from world.policies.fields import FIELDS, expand_codes
from world.policies.rules import All, Condition, Not, Rule, leaves
from world.profiles import EnterpriseProfile

State = Literal["met", "not", "unknown"]
Why = Literal["", "missing", "unverified", "not_declared"]
Verdict = Literal["eligible", "possibly", "not"]
MET: State = "met"
NOT: State = "not"
UNKNOWN: State = "unknown"


@dataclass(frozen=True, slots=True)
class Facts:
    """What the evaluator reads of one enterprise: its profile, the topics of benefits it
    was granted before (the platform's record), and the year to count ages from."""

    profile: EnterpriseProfile
    awards: frozenset[str]
    year: int


@dataclass(frozen=True, slots=True)
class Clause:
    condition: Condition
    state: State
    why: Why
    actual: Any  # the enterprise's value as the rule read it (None: missing)


@dataclass(frozen=True, slots=True)
class Result:
    verdict: Verdict
    clauses: tuple[Clause, ...]
    blockers: tuple[Clause, ...]  # the unknown clauses standing in the way (possibly only)
    amount: Amount | None  # None when not eligible


def fact_value(facts: Facts, name: str) -> Any:
    """The value field ``name`` reads (None: missing)."""
    p = facts.profile
    if name == "age_years":
        return None if p.founded is None else facts.year - p.founded
    if name == "in_zone":
        return p.park_id != ""
    if name == "awards":
        return facts.awards
    if name == "industry_codes":
        return p.industry_codes or None
    value = getattr(p, name)
    return None if value is None else value


def condition_state(c: Condition, facts: Facts) -> Clause:
    spec = FIELDS[c.field]
    actual = fact_value(facts, c.field)
    confirmed = not spec.fact or facts.profile.is_verified(spec.fact)
    if actual is None:
        return Clause(c, UNKNOWN, "missing", None)
    if spec.kind == "number":
        lo, hi = c.value  # type: ignore[misc]
        ok = (lo is None or actual >= lo) and (hi is None or actual <= hi)
    elif spec.kind == "zone":
        ok = actual is c.value
    elif spec.kind in ("parks", "band"):
        ok = actual in c.value  # type: ignore[operator]
    elif spec.kind == "codes":
        ok = bool(expand_codes(actual) & set(c.value))  # type: ignore[arg-type]
    else:  # set: certifications, awards
        wanted = {c.value} if isinstance(c.value, str) else set(c.value)  # type: ignore[arg-type]
        ok = bool(set(actual) & wanted)
        if not ok and not confirmed:
            return Clause(c, UNKNOWN, "not_declared", tuple(actual))
        actual = tuple(actual)
    if c.verified and not confirmed:
        return Clause(c, UNKNOWN, "unverified", actual)
    return Clause(c, MET if ok else NOT, "", actual)


def _walk(rule: Rule, states: list[State], at: int) -> tuple[State, int, list[int]]:
    """(state of ``rule``, the next clause index, the blockers' indexes) with ``rule``'s
    first condition at index ``at`` of ``states`` (the conditions' states in tree order).
    Blockers are the unknown conditions reached through unknown groups: settling them decides."""
    if isinstance(rule, Condition):
        state = states[at]
        return state, at + 1, [at] if state == UNKNOWN else []
    if isinstance(rule, Not):
        inner, at, blocked = _walk(rule.item, states, at)
        return (NOT if inner == MET else MET if inner == NOT else UNKNOWN), at, blocked
    found: list[State] = []
    blocked = []
    for item in rule.items:
        state, at, below = _walk(item, states, at)
        found.append(state)
        if state == UNKNOWN:
            blocked.extend(below)
    if isinstance(rule, All):
        state = NOT if NOT in found else UNKNOWN if UNKNOWN in found else MET
    else:
        state = MET if MET in found else UNKNOWN if UNKNOWN in found else NOT
    return state, at, blocked if state == UNKNOWN else []


def combine(rule: Rule, states: list[State]) -> State:
    """The state of ``rule`` given its conditions' states in tree order."""
    return _walk(rule, states, 0)[0]


def verdict_of(rule: Rule, clause_states: list[State]) -> tuple[Verdict, list[int]]:
    """The verdict from the conditions' states in tree order, and the blockers' indexes."""
    root, used, blocked = _walk(rule, clause_states, 0)
    if used != len(clause_states):
        raise ValueError(f"{len(clause_states)} states for {used} conditions")
    verdict: Verdict = "eligible" if root == MET else "possibly" if root == UNKNOWN else "not"
    return verdict, blocked


def evaluate(rule: Rule, benefit: Benefit, facts: Facts) -> Result:
    """The verdict of one enterprise against one policy version, every clause explained."""
    clauses = tuple(condition_state(c, facts) for c in leaves(rule))
    verdict, blocked = verdict_of(rule, [c.state for c in clauses])
    amount = None
    if verdict != "not":
        value = None if isinstance(benefit, Fixed) else fact_value(facts, benefit.field)
        amount = compute(benefit, None if value is None else float(value))
    return Result(verdict, clauses, tuple(clauses[i] for i in blocked), amount)


def reasons_json(states: list[tuple[str, str]]) -> str:
    """The stored reasons: one [state, why] per clause, compact JSON."""
    return json.dumps([list(s) for s in states], separators=(",", ":"))


def stored_reasons(result: Result) -> str:
    return reasons_json([(c.state, c.why) for c in result.clauses])
