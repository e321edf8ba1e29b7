"""A tenant sheet: good rows become profiles of the park; every bad cell is reported
with its row, its column and a catalogue code; duplicates in the file and against
the database are found; registered enterprises are admitted only when the row says so."""

from __future__ import annotations

import random
from datetime import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from world.credit_code import generate
from world.tenants import (
    MAX_ROWS,
    FormulaError,
    Registered,
    credit_code_problem,
    plan_import,
    read_sheet,
)

PARK = "798-art-zone"
HEADER = ["credit_code", "name_zh", "name_en", "industry_codes", "founded", "employees", "area_m2", "contact"]
INK = "914403001922038216"
ALIBABA = "91330100716105852F"
ZH = {"统一社会信用代码": "credit_code", "企业名称（中文）": "name_zh", "已登记时": "if_registered"}


def read(rows: list[list[object]], header: list[object] | None = None):  # type: ignore[no-untyped-def]
    return read_sheet(header or HEADER, rows, park_id=PARK, this_year=2026, aliases=ZH)  # type: ignore[arg-type]


def codes(sheet) -> list[tuple[int, str, str]]:  # type: ignore[no-untyped-def]
    return [(p.row, p.column, p.code) for p in sheet.problems]


def test_good_rows_become_profiles_of_the_park() -> None:
    sheet = read([[INK, "墨砚动画", "Inkstone Animation", "8730、6572", 2015, "42", "850.5", "hi@example.com; 010-6543 2100"],
                  [ALIBABA, "", "Lakeside Media", "", "", "", "", ""]])
    assert sheet.problems == ()
    first, second = sheet.rows
    assert first.row == 2 and second.row == 3
    p = first.profile
    assert (p.credit_code, p.name_zh, p.park_id, p.industry_codes, p.founded, p.employees, p.area_m2) == (
        INK, "墨砚动画", PARK, ("8730", "6572"), 2015, 42, 850.5)
    assert [(c.kind, c.value) for c in p.contacts] == [("email", "hi@example.com"), ("phone", "010-6543 2100")]
    assert second.profile.name_en == "Lakeside Media" and second.profile.founded is None
    assert not first.admit_if_registered


def test_every_broken_cell_is_reported_with_row_and_column() -> None:
    bad_check = INK[:-1] + "7"
    sheet = read([
        [bad_check, "坏校验位", "", "", "", "", "", ""],  # row 2: check character
        [ALIBABA, "", "", "", "", "", "", ""],  # row 3: no name
        [generate(random.Random(1)), "未来公司", "", "", 2099, "", "", ""],  # row 4: founded in the future
        [INK, "甲", "", "87x", "", "-3", "0", "not a contact"],  # row 5: four bad cells
        [INK, "甲又一次", "", "", "", "", "", ""],  # row 6: same code as row 5? row 5 is bad, so not a duplicate
        [generate(random.Random(2)), "公式", "", "", FormulaError("#DIV/0!"), "", "", ""],  # row 7
    ])
    found = codes(sheet)
    assert (2, "credit_code", "code_check") in found
    assert (3, "name_zh", "name_required") in found
    assert (4, "founded", "year_range") in found
    assert {(5, "industry_codes", "industry_code"), (5, "employees", "number_range"), (5, "area_m2", "area_range"),
            (5, "contact", "contact_kind")} <= set(found)
    assert (7, "founded", "formula_error") in found
    assert sheet.rows[0].row == 6  # the good rows are still read (the caller writes none while problems exist)
    check = next(p for p in sheet.problems if p.code == "code_check")
    assert check.params == {"given": "7", "expected": "6"}


def test_a_code_twice_in_the_file_is_reported_on_the_second_row() -> None:
    sheet = read([[INK, "一", "", "", "", "", "", ""], [ALIBABA, "二", "", "", "", "", "", ""],
                  [INK.lower(), "三", "", "", "", "", "", ""]])
    dup = [p for p in sheet.problems if p.code == "duplicate_in_file"]
    assert [(p.row, p.params["first"]) for p in dup] == [(4, 2)]


def test_headers_in_either_language_and_unknown_or_missing_columns() -> None:
    sheet = read([[INK, "墨砚", "接收"]], header=["统一社会信用代码", "企业名称（中文）", "已登记时"])
    assert sheet.problems == () and sheet.rows[0].admit_if_registered
    spaced = read([[INK, "墨砚"]], header=[" 统一社会信用代码 ", "企业名称(中文)"])  # spaces, half-width brackets
    assert spaced.problems == ()
    bad = read([[INK, "x"]], header=["credit_code", "colour"])
    assert ("unknown_column", "missing_name_column") == tuple(p.code for p in bad.problems)
    assert bad.rows == ()
    twice = read([[INK, "x", "y"]], header=["credit_code", "name_zh", "Name ZH"])
    assert [p.code for p in twice.problems] == ["repeated_column"]


def test_empty_sheets_and_too_many_rows() -> None:
    assert codes(read_sheet([], [], park_id=PARK, this_year=2026)) == [(1, "", "no_header")]
    assert codes(read([["", "", None]])) == [(1, "", "no_rows")]
    rng = random.Random(3)
    rows = [[generate(rng), f"企业{i}"] for i in range(MAX_ROWS + 1)]
    too_many = read(rows, header=["credit_code", "name_zh"])
    assert codes(too_many) == [(MAX_ROWS + 2, "", "too_many_rows")]
    blank_lines = [[None, None]] * 10 + rows[:3]  # blank rows are skipped but keep their numbers
    assert [r.row for r in read(blank_lines, header=["credit_code", "name_zh"]).rows] == [12, 13, 14]


def test_excel_numbers_dates_and_a_code_lost_to_a_number_cell() -> None:
    sheet = read([[INK, "日期", "", 8730, datetime(2015, 6, 1), 42.0, 120, ""],
                  [9.14403001922038e17, "数字格式", "", "", "", "", "", ""]])
    assert sheet.rows[0].profile.founded == 2015 and sheet.rows[0].profile.industry_codes == ("8730",)
    assert sheet.rows[0].profile.employees == 42
    assert codes(sheet) == [(3, "credit_code", "code_number")]


def test_plan_admits_registered_enterprises_only_when_the_row_says_so() -> None:
    rng = random.Random(4)
    new, asked, silent, elsewhere, here = (generate(rng) for _ in range(5))
    sheet = read([[new, "新"], [asked, "已登记", "接收"], [silent, "未说明", ""], [elsewhere, "别处", "admit"],
                  [here, "本园", "接收"]], header=["credit_code", "name_zh", "if_registered"])
    assert sheet.problems == ()
    plan = plan_import(sheet.rows, {asked: Registered(21, ""), silent: Registered(22, ""),
                                    elsewhere: Registered(23, "751-d-park"), here: Registered(24, PARK)}, PARK)
    assert [r.profile.credit_code for r in plan.create] == [new]
    assert [(r.row, org) for r, org in plan.admit] == [(3, 21)]
    assert [r.row for r in plan.here] == [6]
    assert [(p.row, p.code, p.params.get("park")) for p in plan.problems] == [
        (4, "registered", None), (5, "tenant_elsewhere", "751-d-park")]


def test_credit_code_problems_name_what_is_wrong() -> None:
    assert credit_code_problem(INK) is None
    assert credit_code_problem(INK[:17]) == ("code_length", {"length": 17})
    assert credit_code_problem("91440300I922038216") == ("code_char", {"position": 9, "char": "I"})
    assert credit_code_problem("91A40300192203821" + "6")[0] == "code_division"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.one_of(st.none(), st.text(max_size=30), st.integers(), st.floats(allow_nan=True),
                                   st.booleans()), max_size=12), max_size=8))
def test_any_cells_give_rows_or_named_problems_never_an_exception(rows: list[list[object]]) -> None:
    sheet = read(rows)
    for p in sheet.problems:
        assert p.row >= 1 and p.code
    for r in sheet.rows:
        assert r.profile.park_id == PARK and r.profile.credit_code
