"""Hypothesis strategies for policy rules, benefits and enterprise facts (missing and
unconfirmed facts included), shared by the pure evaluator's and the bulk matcher's tests."""

from __future__ import annotations

from hypothesis import strategies as st

from world.policies.benefits import Benefit, Fixed, Percent, Tier, Tiered
from world.policies.evaluate import Facts
from world.policies.fields import TOPICS
from world.policies.rules import All, Any_, Condition, Not, Rule
from world.profiles import (
    CERTIFICATIONS,
    FACT_FIELDS,
    REVENUE_BANDS,
    EnterpriseProfile,
    Verification,
)

PARKS = ("p01", "p02", "p03")
CODES = ("8730", "8710", "6513", "7240", "8760")  # real GB/T 4754 classes of the zone's industries
RULE_CODES = ("87", "873", "8730", "R", "65", "I", "7240", "M")
YEAR = 2026


def _between(lo: float, hi: float) -> st.SearchStrategy[tuple[float | None, float | None]]:
    bound = st.one_of(st.none(), st.integers(int(lo), int(hi)).map(float))
    return st.tuples(bound, bound).filter(lambda b: b != (None, None) and (None in b or b[0] <= b[1]))  # type: ignore[operator]


conditions: st.SearchStrategy[Condition] = st.one_of(
    st.builds(Condition, st.just("employees"), st.just("between"), _between(0, 300), st.booleans()),
    st.builds(Condition, st.just("age_years"), st.just("between"), _between(0, 30), st.booleans()),
    st.builds(Condition, st.just("founded"), st.just("between"), _between(1995, 2026), st.booleans()),
    st.builds(Condition, st.just("area_m2"), st.just("between"), _between(0, 3000), st.booleans()),
    st.builds(Condition, st.just("industry_codes"), st.just("any_of"),
              st.lists(st.sampled_from(RULE_CODES), min_size=1, max_size=3, unique=True).map(tuple), st.booleans()),
    st.builds(Condition, st.just("park_id"), st.just("in"),
              st.lists(st.sampled_from(PARKS), min_size=1, max_size=2, unique=True).map(tuple), st.booleans()),
    st.builds(Condition, st.just("in_zone"), st.just("is"), st.booleans(), st.booleans()),
    st.builds(Condition, st.just("revenue_band"), st.just("in"),
              st.lists(st.sampled_from(REVENUE_BANDS), min_size=1, max_size=3, unique=True).map(tuple),
              st.booleans()),
    st.builds(Condition, st.just("certifications"), st.just("has"), st.sampled_from(CERTIFICATIONS), st.booleans()),
    st.builds(Condition, st.just("certifications"), st.just("any_of"),
              st.lists(st.sampled_from(CERTIFICATIONS), min_size=1, max_size=2, unique=True).map(tuple),
              st.booleans()),
    st.builds(Condition, st.just("awards"), st.just("has"), st.sampled_from(TOPICS[:3]), st.just(False)),
)

rules: st.SearchStrategy[Rule] = st.recursive(
    conditions,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda xs: All(tuple(xs))),
        st.lists(inner, min_size=1, max_size=3).map(lambda xs: Any_(tuple(xs))),
        inner.map(Not)),
    max_leaves=8)

benefits: st.SearchStrategy[Benefit] = st.one_of(
    st.builds(Fixed, st.integers(1, 1_000_000)),
    st.builds(Percent, st.sampled_from(("area_m2", "employees", "age_years")),
              st.sampled_from((1.0, 1277.5, 3.3, 5000.0, 0.1)), st.sampled_from((50.0, 30.0, 12.5, 100.0, 33.3)),
              st.integers(1, 2_000_000)),
    st.builds(Tiered, st.sampled_from(("employees", "area_m2")),
              st.just((Tier(0, 49, 50_000), Tier(50, 199.5, 100_000), Tier(300, None, 200_000)))),
)

_confirm = Verification("pam", 1, 1.0)


@st.composite
def facts(draw: st.DrawFn) -> Facts:
    profile = EnterpriseProfile(
        name_zh="企业",
        park_id=draw(st.sampled_from(("", *PARKS))),
        industry_codes=tuple(draw(st.lists(st.sampled_from(CODES), max_size=2, unique=True))),
        founded=draw(st.one_of(st.none(), st.integers(1990, YEAR))),
        employees=draw(st.one_of(st.none(), st.integers(0, 400))),
        revenue_band=draw(st.one_of(st.none(), st.sampled_from(REVENUE_BANDS))),
        certifications=tuple(draw(st.lists(st.sampled_from(CERTIFICATIONS), max_size=2, unique=True))),
        area_m2=draw(st.one_of(st.none(), st.floats(1, 4000, allow_nan=False).map(lambda a: round(a, 2)))),
    )
    confirmed = draw(st.lists(st.sampled_from(FACT_FIELDS), unique=True))
    profile = EnterpriseProfile(**{**{f: getattr(profile, f) for f in profile.__slots__ if f != "verified"},  # type: ignore[attr-defined]
                                   "verified": {f: _confirm for f in confirmed}})
    awards = frozenset(draw(st.lists(st.sampled_from(TOPICS[:3]), max_size=2, unique=True)))
    return Facts(profile, awards, YEAR)
