"""A park's tenant spreadsheet: the rows checked, every problem named, nothing guessed.

A park office keeps its tenants in a sheet (CSV or XLSX, read by the server into
rows of cells). ``read_sheet`` turns the header and the rows into enterprise
profiles for the park, or into ``Problem``s: the spreadsheet row number (the header
is row 1), the column, and a problem code with its parameters. Codes are the keys
``import.p.<code>`` of the translation catalogue, so a park office reads the report
in its own language. ``plan_import`` then sets the rows against what the database
holds already (credit codes are unique in the zone): an enterprise registered before
is admitted to the park only when its row says so (the ``if_registered`` column),
and is reported otherwise.

Pure: cells come in as plain values (``str``, ``int``, ``float``, ``bool``, dates,
``None`` or a ``FormulaError`` for an XLSX error cell); the year bound is passed in.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from world.credit_code import normalize, problem_of
from world.profiles import (
    FOUNDED_MIN,
    MAX_AREA_M2,
    MAX_EMPLOYEES,
    MAX_ITEMS,
    MAX_TEXT,
    Contact,
    EnterpriseProfile,
    ProfileError,
    check_enterprise,
    check_industry_code,
)

# the columns a tenant sheet may have, in the template's order
COLUMNS = ("credit_code", "name_zh", "name_en", "industry_codes", "founded", "employees", "area_m2", "contact",
           "if_registered")
NAME_COLUMNS = ("name_zh", "name_en")
MAX_ROWS = 5000  # data rows in one sheet
MAX_COLUMNS = 30  # cells read per row
MAX_PROBLEMS = 10_000  # kept in one report (a sheet of 5,000 bad rows is reported whole)
SHOWN_VALUE = 40  # characters of a bad value quoted back in a problem
# what the if_registered column may say: admit an enterprise registered before
ADMIT_WORDS = frozenset({"admit", "yes", "y", "接收", "是"})
KEEP_WORDS = frozenset({"", "no", "n", "否", "报告"})
_LIST_SPLIT = re.compile(r"[,;，；、/\s]+")
_CONTACT_SPLIT = re.compile(r"[;；\n]+")
_PHONE = re.compile(r"^\+?[\d\s()\-]{5,30}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True, slots=True)
class FormulaError:
    """An XLSX cell holding a formula's error value (``#DIV/0!``, ``#REF!``, ...)."""

    value: str


Cell = str | int | float | bool | date | datetime | FormulaError | None


@dataclass(frozen=True, slots=True)
class Problem:
    """What is wrong with one cell (``column`` a key of ``COLUMNS``, or "" for the
    file or a whole row). ``code``: the catalogue key ``import.p.<code>``."""

    row: int  # 1 = the header row
    column: str
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TenantRow:
    row: int
    profile: EnterpriseProfile
    admit_if_registered: bool


@dataclass(frozen=True, slots=True)
class Sheet:
    rows: tuple[TenantRow, ...]
    problems: tuple[Problem, ...]


@dataclass(frozen=True, slots=True)
class Registered:
    """An enterprise the database holds already with a row's credit code."""

    org_id: int
    park_id: str  # "" = a tenant of no park


@dataclass(frozen=True, slots=True)
class ImportPlan:
    create: tuple[TenantRow, ...]  # new enterprises of the park
    admit: tuple[tuple[TenantRow, int], ...]  # registered enterprises (org id) admitted to the park
    here: tuple[TenantRow, ...]  # registered and a tenant of this park already: nothing to do
    problems: tuple[Problem, ...]


def header_key(label: str) -> str:
    """A header cell as compared: NFKC (full-width brackets are the ordinary ones),
    casefolded, without spaces or underscores."""
    text = unicodedata.normalize("NFKC", label).casefold()
    return "".join(c for c in text if not c.isspace() and c != "_")


def _shown(value: object) -> str:
    text = str(value)
    return text if len(text) <= SHOWN_VALUE else text[:SHOWN_VALUE] + "…"


def credit_code_problem(code: str) -> tuple[str, dict[str, Any]] | None:
    """Why ``code`` is not a unified social credit code, as (problem code, params)."""
    return problem_of(code)


class _Row:
    """One data row being read: its cells by column, and its problems."""

    def __init__(self, number: int, cells: Mapping[str, Cell], problems: list[Problem]) -> None:
        self.number, self.cells, self.problems = number, cells, problems

    def add(self, column: str, code: str, **params: Any) -> None:
        self.problems.append(Problem(self.number, column, code, params))

    def raw(self, column: str) -> Cell:
        value = self.cells.get(column)
        if isinstance(value, FormulaError):
            self.add(column, "formula_error", value=value.value)
            return None
        return value

    def text(self, column: str) -> str:
        value = self.raw(column)
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = " ".join(str(value).split())
        if len(text) > MAX_TEXT:
            self.add(column, "too_long", length=len(text), max=MAX_TEXT)
            return ""
        return text

    def whole(self, column: str, low: int, high: int, *, year: bool = False) -> int | None:
        value = self.raw(column)
        if year and isinstance(value, date):  # a founding date: its year
            value = value.year
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        number: int | None = None
        if isinstance(value, bool):
            number = None
        elif isinstance(value, int):
            number = value
        elif isinstance(value, float) and value.is_integer():
            number = int(value)
        elif isinstance(value, str):
            text = value.strip().replace(",", "").replace("，", "")
            if re.fullmatch(r"[+-]?\d+(\.0+)?", text):
                number = int(float(text))
        if number is None:
            self.add(column, "not_year" if year else "not_whole", value=_shown(value))
            return None
        if not low <= number <= high:
            if year:
                self.add(column, "year_range", value=number, min=low, max=high)
            else:
                self.add(column, "number_range", value=number, min=low, max=f"{high:,}")
            return None
        return number

    def area(self, column: str) -> float | None:
        value = self.raw(column)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        number: float | None = None
        if isinstance(value, int | float) and not isinstance(value, bool):
            number = float(value)
        elif isinstance(value, str):
            text = value.strip().replace(",", "").replace("，", "")
            if re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
                number = float(text)
        if number is None or number != number:  # NaN
            self.add(column, "not_number", value=_shown(value))
            return None
        if not 0 < number <= MAX_AREA_M2:
            self.add(column, "area_range", value=_shown(value), max=f"{MAX_AREA_M2:,.0f}")
            return None
        return number


def _columns(header: Sequence[Cell], aliases: Mapping[str, str], problems: list[Problem]) -> dict[int, str]:
    """Which column each header cell names (by position); problems for the rest."""
    known = {header_key(k): k for k in COLUMNS}
    known.update({header_key(label): key for label, key in aliases.items()})
    found: dict[int, str] = {}
    for i, cell in enumerate(header):
        label = "" if cell is None or isinstance(cell, FormulaError) else str(cell).strip()
        if not label:
            continue
        key = known.get(header_key(label))
        if key is None:
            problems.append(Problem(1, "", "unknown_column", {"label": _shown(label), "number": i + 1}))
        elif key in found.values():
            problems.append(Problem(1, key, "repeated_column", {"number": i + 1}))
        else:
            found[i] = key
    if "credit_code" not in found.values():
        problems.append(Problem(1, "credit_code", "missing_column", {}))
    if not any(k in found.values() for k in NAME_COLUMNS):
        problems.append(Problem(1, "name_zh", "missing_name_column", {}))
    return found


def _is_blank(cells: Sequence[Cell]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _contacts(r: _Row) -> tuple[Contact, ...]:
    text = r.text("contact")
    out: list[Contact] = []
    for part in (p.strip() for p in _CONTACT_SPLIT.split(text)):
        if not part:
            continue
        if "@" in part:
            if not _EMAIL.match(part):
                r.add("contact", "contact_email", value=_shown(part))
                continue
            out.append(Contact("email", part))
        elif _PHONE.match(part) and sum(c.isdigit() for c in part) >= 5:
            out.append(Contact("phone", part))
        else:
            r.add("contact", "contact_kind", value=_shown(part))
    return tuple(out)


def _industry(r: _Row) -> tuple[str, ...]:
    codes = tuple(c for c in _LIST_SPLIT.split(r.text("industry_codes").upper()) if c)
    if len(codes) > MAX_ITEMS:
        r.add("industry_codes", "too_many", count=len(codes), max=MAX_ITEMS)
        return ()
    seen: set[str] = set()
    for code in codes:
        if check_industry_code(code) is not None:
            r.add("industry_codes", "industry_code", value=_shown(code))
        elif code in seen:
            r.add("industry_codes", "repeated", value=code)
        seen.add(code)
    return tuple(dict.fromkeys(codes))


def _credit_code(r: _Row) -> str:
    if isinstance(r.cells.get("credit_code"), float):  # Excel keeps 15 digits of a number: the code is lost
        r.add("credit_code", "code_number")
        return ""
    code = normalize(r.text("credit_code"))
    if not code:
        r.add("credit_code", "required")
    elif (bad := credit_code_problem(code)) is not None:
        r.add("credit_code", bad[0], **bad[1])
    return code


def _one(number: int, cells: Mapping[str, Cell], park_id: str, this_year: int,
         problems: list[Problem]) -> TenantRow | None:
    r = _Row(number, cells, [])
    code = _credit_code(r)
    name_zh, name_en = r.text("name_zh"), r.text("name_en")
    if not name_zh and not name_en and not any(p.column in NAME_COLUMNS for p in r.problems):
        r.add("name_zh", "name_required")
    industry = _industry(r)
    founded = r.whole("founded", FOUNDED_MIN, this_year, year=True)
    employees = r.whole("employees", 0, MAX_EMPLOYEES)
    area = r.area("area_m2")
    contacts = _contacts(r)
    word = r.text("if_registered").casefold()
    if word not in ADMIT_WORDS and word not in KEEP_WORDS:
        r.add("if_registered", "if_registered", value=_shown(word))
    if r.problems:
        problems.extend(r.problems)
        return None
    profile = EnterpriseProfile(name_zh=name_zh, name_en=name_en, credit_code=code, park_id=park_id,
                                industry_codes=industry, founded=founded, employees=employees, area_m2=area,
                                contacts=contacts)
    try:
        check_enterprise(profile, this_year=this_year)
    except ProfileError as exc:  # a rule the cell checks above did not foresee: still named
        for name, problem in exc.problems:
            column = name.split("[")[0]
            problems.append(Problem(number, column if column in COLUMNS else "", "other", {"problem": problem}))
        return None
    return TenantRow(number, profile, word in ADMIT_WORDS)


def read_sheet(header: Sequence[Cell], rows: Sequence[Sequence[Cell]], *, park_id: str, this_year: int,
               aliases: Mapping[str, str] = {}, first_row: int = 2) -> Sheet:  # noqa: B006 - never mutated
    """The sheet's tenants, or every problem with it. ``header``: the cells of row 1;
    ``rows``: the data rows from ``first_row`` on (blank rows are skipped but keep
    their numbers). ``aliases``: header labels (both languages) -> column key."""
    problems: list[Problem] = []
    if _is_blank(header):
        return Sheet((), (Problem(1, "", "no_header", {}),))
    columns = _columns(header[:MAX_COLUMNS], aliases, problems)
    if problems:
        return Sheet((), tuple(problems))
    data = [(first_row + i, cells) for i, cells in enumerate(rows) if not _is_blank(cells)]
    if not data:
        return Sheet((), (Problem(1, "", "no_rows", {}),))
    if len(data) > MAX_ROWS:
        return Sheet((), (Problem(data[MAX_ROWS][0], "", "too_many_rows", {"max": MAX_ROWS}),))
    out: list[TenantRow] = []
    first_of: dict[str, int] = {}
    for number, cells in data:
        if len(problems) >= MAX_PROBLEMS:
            break
        width = len(cells)
        extra = [i + 1 for i in range(width) if i not in columns and not _is_blank([cells[i]])]
        if extra:
            problems.append(Problem(number, "", "extra_cells", {"number": extra[0]}))
        named = {key: cells[i] for i, key in columns.items() if i < width}
        row = _one(number, named, park_id, this_year, problems)
        if row is None:
            continue
        code = row.profile.credit_code or ""
        if code in first_of:
            problems.append(Problem(number, "credit_code", "duplicate_in_file", {"code": code,
                                                                                  "first": first_of[code]}))
            continue
        first_of[code] = number
        out.append(row)
    return Sheet(tuple(out), tuple(problems[:MAX_PROBLEMS]))


def plan_import(rows: Sequence[TenantRow], registered: Mapping[str, Registered], park_id: str) -> ImportPlan:
    """What to write for ``rows``, given the enterprises already ``registered`` under
    their credit codes: new ones are created, registered ones admitted only when the
    row says so (and only when no other park has them), the rest reported."""
    create: list[TenantRow] = []
    admit: list[tuple[TenantRow, int]] = []
    here: list[TenantRow] = []
    problems: list[Problem] = []
    for row in rows:
        code = row.profile.credit_code or ""
        found = registered.get(code)
        if found is None:
            create.append(row)
        elif found.park_id and found.park_id != park_id:
            problems.append(Problem(row.row, "credit_code", "tenant_elsewhere", {"code": code,
                                                                                 "park": found.park_id}))
        elif not row.admit_if_registered:
            problems.append(Problem(row.row, "credit_code", "registered", {"code": code}))
        elif found.park_id == park_id:
            here.append(row)
        else:
            admit.append((row, found.org_id))
    return ImportPlan(tuple(create), tuple(admit), tuple(here), tuple(problems))
