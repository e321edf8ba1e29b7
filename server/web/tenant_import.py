"""Reading a tenant spreadsheet off the wire: CSV (UTF-8, or GB18030 as Chinese Excel
writes it) or XLSX (openpyxl, read-only, cached values), into the header and rows of
cells that ``world.tenants.read_sheet`` checks; and the template files.

Everything a file can do wrong before its rows are read is a ``SheetFileError`` whose
``code`` is the catalogue key ``import.file.<code>``: empty, too large, the wrong
type, an old binary ``.xls``, a corrupt XLSX, text in no known encoding, too many rows.
An XLSX is a zip: its unpacked size is bounded before openpyxl opens it.
"""

from __future__ import annotations

import csv
import io
import logging
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from world.tenants import MAX_COLUMNS, MAX_ROWS, Cell, FormulaError

log = logging.getLogger("cloudpark.web.import")

MAX_UPLOAD = 2 * 1024 * 1024  # bytes in one sheet
MAX_UNZIPPED = 64 * 1024 * 1024  # bytes an XLSX may unpack to
MAX_SCANNED = 4 * MAX_ROWS  # rows read at most, blank ones included (a sheet of a million blank rows)
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls
ENCODINGS = ("utf-8-sig", "gb18030")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class SheetFileError(Exception):
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"import.file.{self.code} {self.params}"


@dataclass(frozen=True, slots=True)
class Grid:
    """The first sheet: its header cells, its data rows (row 2 on), the format read."""

    header: tuple[Cell, ...]
    rows: tuple[tuple[Cell, ...], ...]
    kind: str  # "csv" or "xlsx"
    encoding: str = ""


def _suffix(name: str) -> str:
    base = name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    return "." + base.rsplit(".", 1)[-1].lower() if "." in base else ""


def read_upload(name: str, data: bytes) -> Grid:
    """The grid of an uploaded sheet named ``name``; ``SheetFileError`` otherwise."""
    if len(data) > MAX_UPLOAD:
        raise SheetFileError("too_large", {"mib": MAX_UPLOAD // (1024 * 1024)})
    if not data.strip():
        raise SheetFileError("empty")
    suffix = _suffix(name)
    if data.startswith(OLE_MAGIC) or suffix == ".xls":
        raise SheetFileError("xls_old")
    if data.startswith(ZIP_MAGIC) or suffix == ".xlsx":
        return _xlsx(data)
    if suffix not in (".csv", ".txt", ""):
        raise SheetFileError("wrong_type", {"suffix": suffix})
    return _csv(data)


def _grid(rows: Iterable[Sequence[Cell]], kind: str, encoding: str = "") -> Grid:
    header: tuple[Cell, ...] | None = None
    out: list[tuple[Cell, ...]] = []
    filled = 0
    for scanned, cells in enumerate(rows):
        row = tuple(cells[:MAX_COLUMNS])
        if header is None:
            header = row
            continue
        if scanned > MAX_SCANNED:
            raise SheetFileError("too_many_rows", {"max": MAX_ROWS})
        out.append(row)
        if any(c is not None and not (isinstance(c, str) and not c.strip()) for c in row):
            filled += 1
            if filled > MAX_ROWS:  # one past the limit: read_sheet reports the row it is on
                break
    return Grid(header or (), tuple(out), kind, encoding)


def _csv(data: bytes) -> Grid:
    if b"\x00" in data:
        raise SheetFileError("wrong_type", {"suffix": "binary"})
    for encoding in ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        break
    else:
        raise SheetFileError("encoding")
    if not text.strip():  # a byte-order mark and blank lines
        raise SheetFileError("empty")
    try:
        dialect: Any = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return _grid(csv.reader(io.StringIO(text, newline=""), dialect), "csv", encoding)
    except csv.Error as exc:
        raise SheetFileError("csv_broken", {"problem": str(exc)[:120]}) from exc


def _xlsx(data: bytes) -> Grid:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(i.file_size for i in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise SheetFileError("corrupt") from exc
    if unpacked > MAX_UNZIPPED:
        raise SheetFileError("unpacks_too_large", {"mib": MAX_UNZIPPED // (1024 * 1024)})
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "no default style" and the like: not the person's problem
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                if not book.worksheets:
                    raise SheetFileError("no_sheet")
                sheet = book.worksheets[0]
                return _grid(([_cell(c) for c in row] for row in sheet.iter_rows(max_col=MAX_COLUMNS)), "xlsx")
            finally:
                book.close()
    except SheetFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a broken file
        log.info("unreadable XLSX upload: %r", exc)
        raise SheetFileError("corrupt") from exc


def _cell(cell: Any) -> Cell:
    value = getattr(cell, "value", None)
    if getattr(cell, "data_type", "") == "e":
        return FormulaError(str(value))
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if hasattr(value, "year"):  # a date or datetime
        return value  # type: ignore[no-any-return]
    return str(value)  # a time or duration: shown as text, refused by the column's rule


def template_csv(labels: Sequence[str]) -> bytes:
    """The header row as CSV, UTF-8 with a byte-order mark (Excel then reads Chinese right)."""
    out = io.StringIO()
    csv.writer(out).writerow(labels)
    return out.getvalue().encode("utf-8-sig")


def template_xlsx(labels: Sequence[str], sheet_title: str) -> bytes:
    """The header row as an XLSX whose credit code column is text (a number would lose digits)."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title[:31]
    sheet.append(list(labels))
    for i, label in enumerate(labels, start=1):
        letter = get_column_letter(i)
        sheet.column_dimensions[letter].width = max(14, min(40, 2 * len(label) + 4))
        sheet.column_dimensions[letter].number_format = "@"
    for row in range(2, 202):  # the rows people fill in first keep the codes as text
        sheet.cell(row=row, column=1).number_format = "@"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
