"""Enterprise and institution profiles: valid ones pass, every bad field is named,
facts start unverified and lose their confirmation when they change."""

from __future__ import annotations

import dataclasses

import pytest

from world.profiles import (
    Contact,
    EnterpriseProfile,
    InstitutionProfile,
    ProfileError,
    Verification,
    check_enterprise,
    check_industry_code,
    check_institution,
    visible_contacts,
)

GOOD = EnterpriseProfile(
    name_zh="墨砚动画（演示）", name_en="Inkstone Animation (demo)", credit_code="914403001922038216",
    park_id="e9", industry_codes=("8730", "6572"), founded=2015, employees=42, revenue_band="10m_50m",
    certifications=("high_tech",), area_m2=850.0, tags=("animation",), offers=("2D animation",),
    needs=("investors",), contacts=(Contact("email", "hi@example.com", "public"), Contact("phone", "010-1", "private")),
)


def _problems(p: EnterpriseProfile) -> dict[str, str]:
    with pytest.raises(ProfileError) as caught:
        check_enterprise(p, this_year=2026)
    return dict(caught.value.problems)


def test_a_good_profile_passes_and_its_facts_start_unverified() -> None:
    assert check_enterprise(GOOD, this_year=2026) is GOOD
    assert not GOOD.is_verified("employees")


@pytest.mark.parametrize(("change", "field_name", "words"), [
    ({"name_zh": "", "name_en": ""}, "name_zh", "is required"),
    ({"credit_code": "914403001922038217"}, "credit_code", "position 18"),
    ({"industry_codes": ("87x",)}, "industry_codes[0]", "GB/T 4754"),
    ({"industry_codes": ("8730", "8730")}, "industry_codes", "twice"),
    ({"founded": 2030}, "founded", "between 1800 and 2026"),
    ({"employees": -1}, "employees", "between 0"),
    ({"revenue_band": "lots"}, "revenue_band", "not one of"),
    ({"certifications": ("famous",)}, "certifications[0]", "'famous' is not one of"),
    ({"area_m2": 0.0}, "area_m2", "between 0"),
    ({"tags": (" padded",)}, "tags[0]", "spaces"),
    ({"offers": ("x" * 201,)}, "offers[0]", "at most 200"),
    ({"contacts": (Contact("fax", "1"),)}, "contacts[0].kind", "not one of"),  # type: ignore[arg-type]
    ({"contacts": (Contact("email", "nobody", "secret"),)}, "contacts[0].visibility", "not one of"),  # type: ignore[arg-type]
    ({"contacts": (Contact("email", "nobody"),)}, "contacts[0].value", "needs an @"),
    ({"verified": {"name_zh": Verification("x", 1, 0.0)}}, "verified[name_zh]", "not a fact"),
])
def test_each_bad_field_is_named(change: dict[str, object], field_name: str, words: str) -> None:
    problems = _problems(dataclasses.replace(GOOD, **change))  # type: ignore[arg-type]
    assert field_name in problems, problems
    assert words in problems[field_name]


def test_all_problems_are_reported_at_once() -> None:
    problems = _problems(dataclasses.replace(GOOD, founded=1700, employees=-5))
    assert set(problems) == {"founded", "employees"}


def test_a_confirmed_fact_is_unconfirmed_again_when_its_value_changes() -> None:
    confirmed = GOOD.confirmed("employees", Verification("staff-e9", 3, 100.0)).confirmed(
        "founded", Verification("staff-e9", 3, 100.0))
    assert confirmed.is_verified("employees")
    changed = confirmed.with_facts(employees=43, tags=("animation", "film"))
    assert not changed.is_verified("employees") and changed.is_verified("founded")
    with pytest.raises(ProfileError, match="tags: not a fact"):
        GOOD.confirmed("tags", Verification("x", 1, 0.0))


def test_industry_codes_follow_the_gb_t_4754_shape() -> None:
    assert all(check_industry_code(c) is None for c in ("R", "87", "873", "8730"))
    assert all(check_industry_code(c) for c in ("U", "8", "87301", "r"))


def test_an_institution_names_what_it_offers() -> None:
    good = InstitutionProfile(name_zh="律所（演示）", service_kinds=("legal", "ip"))
    assert check_institution(good) is good
    with pytest.raises(ProfileError) as caught:
        check_institution(InstitutionProfile(name_zh="x", service_kinds=("catering",)))
    assert dict(caught.value.problems)["service_kinds[0]"].startswith("'catering' is not one of")
    with pytest.raises(ProfileError, match="service_kinds: name at least one"):
        check_institution(InstitutionProfile(name_zh="x"))


def test_contacts_are_shown_by_visibility() -> None:
    contacts = (Contact("email", "a@x", "public"), Contact("phone", "1", "members"), Contact("wechat", "w", "private"))
    assert visible_contacts(contacts, member_of_zone=False, own=False) == contacts[:1]
    assert visible_contacts(contacts, member_of_zone=True, own=False) == contacts[:2]
    assert visible_contacts(contacts, member_of_zone=True, own=True) == contacts
