"""The bulk matcher equals the pure evaluator, enterprise by enterprise: verdict, each
clause's state and reason, the stored reasons text and the amount, with missing and
unconfirmed facts, unconfirmed lists and awards among the enterprises."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from server.policies.bulk import FACTS_CONFIRMABLE, STATES, WHYS, build_columns, match
from tests.world.policy_strategies import YEAR, benefits, facts, rules
from world.policies.benefits import Benefit
from world.policies.evaluate import Facts, evaluate, stored_reasons
from world.policies.rules import Rule


def columns_of(found: list[Facts]):  # type: ignore[no-untyped-def]
    rows, kinds, values = [], [], []
    for i, f in enumerate(found):
        for code in f.profile.industry_codes:
            rows.append(i), kinds.append("industry"), values.append(code)
        for cert in f.profile.certifications:
            rows.append(i), kinds.append("certification"), values.append(cert)
        for topic in sorted(f.awards):
            rows.append(i), kinds.append("award"), values.append(topic)
    return build_columns(
        org_ids=[100 + i for i in range(len(found))], park_id=[f.profile.park_id for f in found],
        founded=[f.profile.founded for f in found], employees=[f.profile.employees for f in found],
        area_m2=[f.profile.area_m2 for f in found], revenue_band=[f.profile.revenue_band for f in found],
        verified={k: [f.profile.is_verified(k) for f in found] for k in FACTS_CONFIRMABLE},
        term_rows=rows, term_kinds=kinds, term_values=values)


def _same(rule: Rule, benefit: Benefit, found: list[Facts]) -> None:
    out = match(columns_of(found), rule, benefit, YEAR)
    position = {int(r): j for j, r in enumerate(out.rows)}
    for i, f in enumerate(found):
        one = evaluate(rule, benefit, f)
        if one.verdict == "not":
            assert i not in position, (i, f)
            continue
        j = position[i]
        assert out.verdicts[j] == one.verdict
        assert [(STATES[s], WHYS[w]) for s, w in zip(out.states[:, j], out.whys[:, j], strict=True)] == [
            (c.state, c.why) for c in one.clauses]
        assert out.reasons[j] == stored_reasons(one)
        assert one.amount is not None
        bulk = out.amounts[j]
        assert (one.amount.yuan is None and math.isnan(bulk)) or one.amount.yuan == bulk, (one.amount, bulk)


@settings(max_examples=250, deadline=None)
@given(rules, benefits, st.lists(facts(), min_size=1, max_size=25))
def test_bulk_equals_one_by_one(rule: Rule, benefit: Benefit, found: list[Facts]) -> None:
    _same(rule, benefit, found)


def test_no_enterprises_no_matches() -> None:
    from world.policies.benefits import Fixed
    from world.policies.rules import All
    out = match(columns_of([]), All(()), Fixed(1), YEAR)
    assert out.rows.size == 0 and out.reasons.size == 0
