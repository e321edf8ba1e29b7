"""The bulk matcher: one policy version against every enterprise at once, in numpy.

The enterprises are held as columns (``Columns``: one array per fact, a mask per
confirmation, and an inverted index per list fact), and each condition of the rule is
evaluated for all of them with array operations, repeating exactly the rules of the
pure evaluator (``world.policies.evaluate.condition_state``): missing -> unknown
("missing"); a certification or award not in an unconfirmed list -> unknown
("not_declared"); a fact the rule wants confirmed but only declared -> unknown
("unverified"). States are coded 0 = not met, 1 = unknown, 2 = met, so Kleene's
``all`` is the minimum, ``any`` the maximum and ``not`` is 2 - x. Amounts repeat
``world.policies.benefits`` in the same floating-point order. No Python runs per
enterprise: the cost is a handful of array operations per condition.

The stored reasons (``[state, why]`` per clause) are built by vectorised string
concatenation and equal ``world.policies.evaluate.stored_reasons`` character for
character (tests/server/policies check it, missing facts included).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from world.policies.benefits import Benefit, Fixed, Percent
from world.policies.evaluate import reasons_json
from world.policies.fields import FIELDS, expand_codes
from world.policies.rules import All, Condition, Not, Rule, leaves

NOT, UNKNOWN, MET = 0, 1, 2
STATES = ("not", "unknown", "met")
WHYS = ("", "missing", "unverified", "not_declared")
VERDICTS = np.array(["not", "possibly", "eligible"])
FACTS_CONFIRMABLE = ("park_id", "industry_codes", "founded", "employees", "revenue_band", "certifications",
                     "area_m2")
Mask = npt.NDArray[np.bool_]


@dataclass
class Columns:
    """Every enterprise's facts as columns, row i being ``org_ids[i]``."""

    org_ids: npt.NDArray[np.int64]
    park_id: npt.NDArray[np.str_]
    founded: npt.NDArray[np.float64]  # NaN: missing
    employees: npt.NDArray[np.float64]
    area_m2: npt.NDArray[np.float64]
    revenue_band: npt.NDArray[np.str_]  # "": missing
    verified: dict[str, Mask]  # fact -> confirmed
    # (kind, term) -> row indexes: industry (each declared code), certification, award
    terms: dict[tuple[str, str], npt.NDArray[np.int64]]
    _codes: dict[str, Mask] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return int(self.org_ids.shape[0])

    def rows_with(self, kind: str, values: Sequence[str]) -> Mask:
        out = np.zeros(self.size, dtype=bool)
        for v in values:
            idx = self.terms.get((kind, v))
            if idx is not None:
                out[idx] = True
        return out

    def has_industry(self) -> Mask:
        if "" not in self._codes:
            out = np.zeros(self.size, dtype=bool)
            for (kind, _term), idx in self.terms.items():
                if kind == "industry":
                    out[idx] = True
            self._codes[""] = out
        return self._codes[""]

    def answers_code(self, code: str) -> Mask:
        """Rows with a declared industry code that ``code`` names (prefix or section)."""
        if code not in self._codes:
            out = np.zeros(self.size, dtype=bool)
            for (kind, term), idx in self.terms.items():
                if kind == "industry" and code in expand_codes((term,)):
                    out[idx] = True
            self._codes[code] = out
        return self._codes[code]


def build_columns(org_ids: Sequence[int], park_id: Sequence[str], founded: Sequence[int | None],
                  employees: Sequence[int | None], area_m2: Sequence[float | None],
                  revenue_band: Sequence[str | None], verified: dict[str, Sequence[bool]],
                  term_rows: Sequence[int], term_kinds: Sequence[str], term_values: Sequence[str],
                  terms_by_key: dict[tuple[str, str], npt.NDArray[np.int64]] | None = None) -> Columns:
    """Columns from per-fact sequences (a database result's columns, None for missing) and
    the list facts as three parallel sequences: row index (not org id), kind, term; or
    already grouped (``terms_by_key``: (kind, term) -> row indexes), merged with those."""
    n = len(org_ids)

    def strings(values: Sequence[str | None]) -> npt.NDArray[np.str_]:
        arr = np.array(values, dtype=object).reshape(n)
        arr[np.equal(arr, None)] = ""
        return arr.astype(np.str_) if n else np.array([], dtype=np.str_)

    terms: dict[tuple[str, str], npt.NDArray[np.int64]] = {}
    if len(term_rows):
        keys = np.char.add(np.char.add(np.array(term_kinds, dtype=np.str_), "\x1f"),
                           np.array(term_values, dtype=np.str_))
        unique, inverse = np.unique(keys, return_inverse=True)
        order = np.argsort(inverse, kind="stable")
        bounds = np.searchsorted(inverse[order], np.arange(unique.size + 1))
        rows = np.array(term_rows, dtype=np.int64)[order]
        for i, key in enumerate(unique.tolist()):
            kind, term = key.split("\x1f", 1)
            terms[(kind, term)] = rows[bounds[i]:bounds[i + 1]]
    for key, idx in (terms_by_key or {}).items():
        terms[key] = np.union1d(terms[key], idx) if key in terms else idx
    return Columns(
        org_ids=np.array(org_ids, dtype=np.int64).reshape(n),
        park_id=strings(park_id), revenue_band=strings(revenue_band),
        founded=np.array(founded, dtype=np.float64).reshape(n),
        employees=np.array(employees, dtype=np.float64).reshape(n),
        area_m2=np.array(area_m2, dtype=np.float64).reshape(n),
        verified={f: np.array(verified.get(f, np.zeros(n)), dtype=bool).reshape(n) for f in FACTS_CONFIRMABLE},
        terms=terms,
    )


def _number(cols: Columns, name: str, year: int) -> npt.NDArray[np.float64]:
    if name == "age_years":
        return float(year) - cols.founded
    return {"founded": cols.founded, "employees": cols.employees, "area_m2": cols.area_m2}[name]


def condition(cols: Columns, c: Condition, year: int) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.int8]]:
    """(state, why) of ``c`` for every row: the vector form of ``condition_state``."""
    spec = FIELDS[c.field]
    n = cols.size
    confirmed = cols.verified[spec.fact] if spec.fact else np.ones(n, dtype=bool)
    missing = np.zeros(n, dtype=bool)
    not_declared = np.zeros(n, dtype=bool)
    if spec.kind == "number":
        values = _number(cols, c.field, year)
        missing = np.isnan(values)
        lo, hi = c.value  # type: ignore[misc]
        with np.errstate(invalid="ignore"):
            ok = np.ones(n, dtype=bool)
            if lo is not None:
                ok &= values >= lo
            if hi is not None:
                ok &= values <= hi
    elif spec.kind == "zone":
        ok = (cols.park_id != "") == bool(c.value)
    elif spec.kind == "parks":
        ok = np.isin(cols.park_id, list(c.value))  # type: ignore[arg-type]
    elif spec.kind == "band":
        missing = cols.revenue_band == ""
        ok = np.isin(cols.revenue_band, list(c.value))  # type: ignore[arg-type]
    elif spec.kind == "codes":
        missing = ~cols.has_industry()
        ok = np.zeros(n, dtype=bool)
        for code in c.value:  # type: ignore[union-attr]
            ok |= cols.answers_code(str(code))
    else:
        kind = "certification" if c.field == "certifications" else "award"
        wanted = [c.value] if isinstance(c.value, str) else list(c.value)  # type: ignore[arg-type]
        ok = cols.rows_with(kind, wanted)
        not_declared = ~ok & ~confirmed
    state = np.where(ok, MET, NOT).astype(np.int8)
    why = np.zeros(n, dtype=np.int8)
    if c.verified:
        unverified = ~confirmed & ~missing & ~not_declared
        state[unverified] = UNKNOWN
        why[unverified] = 2
    state[not_declared] = UNKNOWN
    why[not_declared] = 3
    state[missing] = UNKNOWN
    why[missing] = 1
    return state, why


def _combine(rule: Rule, leaf: list[npt.NDArray[np.int8]], at: int, n: int) -> tuple[npt.NDArray[np.int8], int]:
    if isinstance(rule, Condition):
        return leaf[at], at + 1
    if isinstance(rule, Not):
        inner, at = _combine(rule.item, leaf, at, n)
        return (MET - inner).astype(np.int8), at
    parts = []
    for item in rule.items:
        part, at = _combine(item, leaf, at, n)
        parts.append(part)
    if not parts:
        return np.full(n, MET if isinstance(rule, All) else NOT, dtype=np.int8), at
    stacked = np.vstack(parts)
    return (stacked.min(axis=0) if isinstance(rule, All) else stacked.max(axis=0)).astype(np.int8), at


def amounts(cols: Columns, benefit: Benefit, year: int) -> npt.NDArray[np.float64]:
    """Yuan per row (NaN: not computable), as ``world.policies.benefits.compute``."""
    n = cols.size
    if isinstance(benefit, Fixed):
        return np.full(n, float(benefit.amount))
    values = _number(cols, benefit.field, year)
    if isinstance(benefit, Percent):
        base = values * benefit.per_unit
        raw = base * benefit.percent / 100.0
        return np.minimum(float(benefit.cap), np.floor(raw))
    out = np.zeros(n)
    done = np.zeros(n, dtype=bool)
    with np.errstate(invalid="ignore"):
        for tier in benefit.tiers:
            hit = ~done & (values >= tier.min) & (True if tier.max is None else values <= tier.max)
            out[hit] = tier.amount
            done |= hit
    out[np.isnan(values)] = np.nan
    return out


@dataclass(frozen=True, slots=True)
class Outcome:
    rows: npt.NDArray[np.int64]  # row indexes of the eligible and possibly eligible
    verdicts: npt.NDArray[np.str_]
    amounts: npt.NDArray[np.float64]
    reasons: npt.NDArray[np.str_]
    states: npt.NDArray[np.int8]  # (clauses, rows) for those rows
    whys: npt.NDArray[np.int8]


def _reason_table() -> dict[tuple[int, int], str]:
    return {(s, w): reasons_json([(STATES[s], WHYS[w])])[1:-1] for s in range(3) for w in range(4)}


REASON_PIECES = _reason_table()


def match(cols: Columns, rule: Rule, benefit: Benefit, year: int) -> Outcome:
    """Every enterprise's verdict; only the eligible and possibly eligible are returned."""
    n = cols.size
    conds = list(leaves(rule))
    pairs = [condition(cols, c, year) for c in conds]
    root, _ = _combine(rule, [p[0] for p in pairs], 0, n)
    rows = np.flatnonzero(root > NOT)
    states = np.array([p[0][rows] for p in pairs], dtype=np.int8).reshape(len(conds), rows.size)
    whys = np.array([p[1][rows] for p in pairs], dtype=np.int8).reshape(len(conds), rows.size)
    pieces = np.array([REASON_PIECES[(s, w)] for s in range(3) for w in range(4)])
    text = np.full(rows.size, "[", dtype=np.str_)
    for i in range(len(conds)):
        piece = pieces[states[i].astype(np.int64) * 4 + whys[i]]
        text = np.char.add(np.char.add(text, "," if i else ""), piece)
    text = np.char.add(text, "]")
    return Outcome(rows, VERDICTS[root[rows]], amounts(cols, benefit, year)[rows],
                   text, states, whys)
