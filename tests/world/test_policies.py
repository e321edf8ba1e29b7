"""The policy model as pure data: three-valued matching with a reason per clause, the
benefit arithmetic, and precise refusals of bad rules, benefits and dates."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings

from tests.world.policy_strategies import YEAR, benefits, facts, rules
from world.policies.benefits import Fixed, Percent, compute, parse_benefit
from world.policies.evaluate import MET, NOT, UNKNOWN, Facts, combine, condition_state, evaluate
from world.policies.rules import (
    All,
    Condition,
    Not,
    PolicyError,
    Rule,
    dump_rule,
    leaves,
    parse_rule,
)
from world.policies.versions import dump_version, is_open, parse_version
from world.profiles import EnterpriseProfile, Verification

CONFIRMED = Verification("pam", 1, 1.0)


def _state(rule: Rule, f: Facts) -> str:
    return combine(rule, [condition_state(c, f).state for c in leaves(rule)])


@settings(max_examples=300, deadline=None)
@given(rules, facts())
def test_a_rule_and_its_negation_are_never_both_met_and_unknown_stays_unknown(rule: Rule, f: Facts) -> None:
    state, negated = _state(rule, f), _state(Not(rule), f)
    assert not (state == MET and negated == MET)
    assert (state == UNKNOWN) == (negated == UNKNOWN)
    assert {state, negated} in ({MET, NOT}, {UNKNOWN})
    assert _state(Not(Not(rule)), f) == state


@settings(max_examples=300, deadline=None)
@given(rules, benefits, facts())
def test_every_verdict_lists_every_clause_and_possibly_names_what_stands_in_the_way(rule: Rule, benefit: object,
                                                                                 f: Facts) -> None:
    result = evaluate(rule, benefit, f)  # type: ignore[arg-type]
    assert [c.condition for c in result.clauses] == list(leaves(rule))
    for c in result.clauses:
        assert (c.state == UNKNOWN) == (c.why != "")
    if result.verdict == "possibly":
        assert result.blockers and all(b.state == UNKNOWN for b in result.blockers)
    else:
        assert result.blockers == ()
    assert (result.amount is None) == (result.verdict == "not")
    # settling the unknowns decides: with every blocker met (or not met), the verdict is no longer "possibly"
    if result.verdict == "possibly":
        assert _state(rule, f) == UNKNOWN


def _facts(**kw: object) -> Facts:
    verified = kw.pop("verified", ())
    profile = EnterpriseProfile(name_zh="墨石动画", **kw)  # type: ignore[arg-type]
    return Facts(EnterpriseProfile(**{**{k: getattr(profile, k) for k in profile.__slots__ if k != "verified"},  # type: ignore[attr-defined]
                                      "verified": {v: CONFIRMED for v in verified}}), frozenset(), YEAR)


RENT = parse_rule({"all": [
    {"field": "employees", "op": "between", "value": [10, 200]},
    {"field": "age_years", "op": "between", "value": [None, 5]},
    {"field": "certifications", "op": "has", "value": "high_tech"}]})


def test_the_issue_example_reads_met_not_met_and_not_declared() -> None:
    result = evaluate(RENT, Fixed(100_000), _facts(employees=35, founded=2019))
    assert [(c.state, c.why, c.actual) for c in result.clauses] == [
        ("met", "", 35), ("not", "", 7), ("unknown", "not_declared", ())]
    assert result.verdict == "not" and result.amount is None


def test_only_a_missing_fact_in_the_way_is_possibly_eligible_and_it_is_named() -> None:
    result = evaluate(RENT, Fixed(100_000), _facts(employees=35, founded=2023))
    assert result.verdict == "possibly"
    assert [b.condition.value for b in result.blockers] == ["high_tech"]
    assert result.amount is not None and result.amount.yuan == 100_000
    confirmed_list = evaluate(RENT, Fixed(1), _facts(employees=35, founded=2023, verified=("certifications",)))
    assert confirmed_list.verdict == "not"  # a confirmed list is complete: absence is "not met"


def test_a_rule_demanding_a_confirmed_fact_is_unknown_while_it_is_only_declared() -> None:
    rule = parse_rule({"field": "employees", "op": "between", "value": [10, None], "verified": True})
    declared = evaluate(rule, Fixed(1), _facts(employees=35))
    assert (declared.verdict, declared.clauses[0].why) == ("possibly", "unverified")
    assert evaluate(rule, Fixed(1), _facts(employees=35, verified=("employees",))).verdict == "eligible"
    assert evaluate(rule, Fixed(1), _facts()).clauses[0].why == "missing"


def test_industry_codes_match_by_prefix_and_section() -> None:
    f = _facts(industry_codes=("8730",))
    for code, state in (("87", MET), ("873", MET), ("8730", MET), ("R", MET), ("8710", NOT), ("I", NOT)):
        rule = Condition("industry_codes", "any_of", (code,))
        assert condition_state(rule, f).state == state, code
    assert condition_state(Condition("industry_codes", "any_of", ("R",)), _facts()).why == "missing"


def test_percent_of_rent_with_a_cap_shows_the_arithmetic() -> None:
    benefit = parse_benefit({"type": "percent", "field": "area_m2", "per_unit": 1277.5, "percent": 50,
                             "cap": 500000, "base_zh": "一年租金", "base_en": "a year's rent"})
    small = compute(benefit, 300.0)
    assert small.yuan == 191_625
    assert [s.kind for s in small.steps] == ["base", "percent", "cap"]
    assert small.steps[0].params["base"] == 383_250.0 and small.steps[2].params["capped"] is False
    big = compute(benefit, 1000.0)
    assert big.yuan == 500_000 and big.steps[2].params["capped"] is True
    assert compute(benefit, None).yuan is None


def test_tiers_pick_the_band_a_number_falls_in() -> None:
    benefit = parse_benefit({"type": "tiered", "field": "employees", "tiers": [
        {"min": 50, "max": None, "amount": 100000}, {"min": 0, "max": 49, "amount": 50000}]})
    assert [compute(benefit, v).yuan for v in (0, 49, 50, 5000)] == [50_000, 50_000, 100_000, 100_000]


@pytest.mark.parametrize(("rule", "where", "says"), [
    ({"field": "turnover", "op": "between", "value": [1, 2]}, "rules.field", "not a profile field"),
    ({"all": [{"field": "employees", "op": "has", "value": "x"}]}, "rules.all[0].op", "takes between"),
    ({"field": "employees", "op": "between", "value": [200, 10]}, "rules.value", "above the maximum"),
    ({"field": "certifications", "op": "has", "value": "gold"}, "rules.value", "not one of"),
    ({"field": "industry_codes", "op": "any_of", "value": ["87x"]}, "rules.value[0]", "GB/T 4754"),
    ({"any": []}, "rules.any", "never met"),
    ({"all": [], "not": {}}, "rules", "exactly one key"),
    ({"field": "awards", "op": "has", "value": "rent", "verified": True}, "rules.verified", "platform"),
])
def test_bad_rules_are_refused_naming_the_clause(rule: dict[str, object], where: str, says: str) -> None:
    with pytest.raises(PolicyError) as err:
        parse_rule(rule)
    assert any(name == where and says in problem for name, problem in err.value.problems), err.value.problems


@pytest.mark.parametrize(("benefit", "where", "says"), [
    ({"type": "percent", "field": "area_m2", "per_unit": 1, "percent": 50}, "benefit.cap", "needs a cap"),
    ({"type": "percent", "field": "area_m2", "per_unit": 1, "percent": 150, "cap": 1}, "benefit.percent", "100"),
    ({"type": "percent", "field": "rent", "per_unit": 1, "percent": 5, "cap": 1}, "benefit.field", "number field"),
    ({"type": "grant"}, "benefit.type", "not a benefit type"),
    ({"type": "fixed", "amount": 0.5}, "benefit.amount", "whole yuan"),
    ({"type": "tiered", "field": "employees", "tiers": [{"min": 0, "max": 60, "amount": 1},
                                                        {"min": 50, "amount": 2}]}, "benefit.tiers", "overlaps"),
])
def test_bad_benefits_are_refused_naming_the_field(benefit: dict[str, object], where: str, says: str) -> None:
    with pytest.raises(PolicyError) as err:
        parse_benefit(benefit)
    assert any(name == where and says in problem for name, problem in err.value.problems), err.value.problems


def test_every_problem_has_a_code_for_the_pages_and_keeps_its_english() -> None:
    """Each problem names its catalogue code and figures (policy.p.<code>) beside the
    English the API and logs show; the catalogue has words for every code."""
    import json
    from pathlib import Path
    bad = {"title_zh": "", "level": "city", "effective_from": "2026-05-01", "effective_to": "2026-01-01",
           "materials": [{"key": "Lease", "name_zh": "租赁合同"}], "topics": ["weather"],
           "rules": {"all": [{"field": "employees", "op": "between", "value": [300, 200]},
                             {"field": "shoe_size", "op": "has", "value": "x"}]},
           "benefit": {"type": "percent", "field": "area_m2", "per_unit": 1, "percent": 150}}
    with pytest.raises(PolicyError) as err:
        parse_version(bad)
    found = {path: (problem, code, params) for (path, problem), (code, params)
             in zip(err.value.problems, err.value.codes, strict=True)}
    assert found["rules.all[0].value"] == ("the minimum 300 is above the maximum 200", "min_above_max",
                                           {"min": 300.0, "max": 200.0})
    assert found["rules.all[1].field"][1:] == ("not_field", {"value": "shoe_size"})
    assert found["effective_to"][1:] == ("ends_before_start", {"day": date(2026, 1, 1), "start": date(2026, 5, 1)})
    assert found["benefit.cap"][1] == "cap" and found["title_zh"][1] == "required"
    keys = set(json.loads((Path(__file__).parents[2] / "assets/i18n/en.json").read_text(encoding="utf-8")))
    assert all(code and f"policy.p.{code}" in keys for code, _ in err.value.codes), err.value.codes
    assert "rules.all[0].value: the minimum 300 is above the maximum 200" in str(err.value)


GOOD = {"title_zh": "朝阳区文化企业房租补贴", "title_en": "Rent subsidy", "level": "district",
        "effective_from": "2026-01-01", "effective_to": "2026-12-31",
        "apply_from": "2026-03-01", "apply_to": "2026-06-30",
        "materials": [{"key": "lease", "name_zh": "租赁合同", "name_en": "Lease", "kinds": ["pdf"]}],
        "rules": dump_rule(RENT), "benefit": {"type": "fixed", "amount": 100000}, "topics": ["rent"]}


def test_a_version_round_trips_and_knows_its_window() -> None:
    v = parse_version(GOOD)
    assert parse_version(dump_version(v)) == v
    assert [is_open(v, date(2026, m, d)) for m, d in ((2, 28), (3, 1), (6, 30), (7, 1))] == [
        False, True, True, False]


@pytest.mark.parametrize(("change", "where"), [
    ({"effective_to": "2025-12-31"}, "effective_to"),
    ({"apply_to": "2026-02-01"}, "apply_to"),
    ({"apply_to": "2027-01-31"}, "apply_to"),
    ({"apply_from": "2026-13-01"}, "apply_from"),
    ({"level": "galactic"}, "level"),
    ({"title_zh": " "}, "title_zh"),
    ({"topics": ["rent", "rent"]}, "topics"),
    ({"materials": [{"key": "a", "name_zh": "x"}, {"key": "a", "name_zh": "y"}]}, "materials[1].key"),
    ({"materials": [{"key": "a", "name_zh": "x", "kinds": ["exe"]}]}, "materials[0].kinds"),
])
def test_contradictory_dates_and_bad_fields_are_refused(change: dict[str, object], where: str) -> None:
    with pytest.raises(PolicyError) as err:
        parse_version({**GOOD, **change})
    assert where in [name for name, _ in err.value.problems], err.value.problems


def test_every_problem_is_named_at_once() -> None:
    with pytest.raises(PolicyError) as err:
        parse_version({**GOOD, "level": "x", "benefit": {"type": "percent", "field": "area_m2", "per_unit": 1,
                                                         "percent": 5}, "rules": {"field": "nope"}})
    assert {"level", "benefit.cap", "rules.field"} <= {name for name, _ in err.value.problems}


def test_no_conditions_is_everyone_and_a_percent_needs_its_field() -> None:
    result = evaluate(All(()), Percent("area_m2", 1.0, 50.0, 10), _facts())
    assert result.verdict == "eligible" and result.amount is not None and result.amount.yuan is None
