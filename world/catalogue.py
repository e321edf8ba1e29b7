"""The park catalogue: one TOML file per park, parsed and validated here.

Pure: callers read the files and hand their text in (``parse_catalogue``), so the
same rules serve the server, the scene builder and the tests. A broken file never
half-loads: every problem of every file is collected, then one ``CatalogueError``
names each file, field and problem.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

DEFAULT_CATALOGUE_DIR = Path(__file__).resolve().parents[1] / "assets" / "parks"

AreaKind = Literal["site", "building"]
VenueKind = Literal["gallery", "museum", "theatre", "meeting", "hall", "studio", "outdoor", "other"]
BuildingStyle = Literal["sawtooth", "gasworks", "warehouse", "mill", "silo", "factory", "campus"]

AREA_KINDS: tuple[str, ...] = get_args(AreaKind)
VENUE_KINDS: tuple[str, ...] = get_args(VenueKind)
BUILDING_STYLES: tuple[str, ...] = get_args(BuildingStyle)

# When a park has no public area figure, the scene still needs a size: a small
# creative park's site. Marked estimated wherever it is used.
DEFAULT_AREA_M2 = 40_000.0
DEFAULT_AREA_BASIS = "no public figure: default for a small creative park, to be replaced by the park office"
# Building (floor) areas become a site estimate at this plot ratio (floor area / site).
ESTIMATED_PLOT_RATIO = 0.8
MIN_AREA_M2 = 2_000.0
MAX_AREA_M2 = 5_000_000.0

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


class CatalogueError(ValueError):
    """One or more catalogue files are broken. ``problems`` lists (file, field, problem)
    in English; ``codes`` gives each, in the same order, as (code, params) for the
    translation catalogue (the key ``catalogue.p.<code>``; "" where a problem has none),
    so the park console says it in the person's language."""

    def __init__(self, problems: list[tuple[str, str, str]],
                 codes: list[tuple[str, Mapping[str, object]]] | None = None) -> None:
        self.problems = problems
        given = list(codes or [])[:len(problems)]
        self.codes: list[tuple[str, Mapping[str, object]]] = given + [("", {})] * (len(problems) - len(given))
        lines = [f"{file}: {fld}: {problem}" for file, fld, problem in problems]
        super().__init__("park catalogue has errors:\n  " + "\n  ".join(lines))


@dataclass(frozen=True, slots=True)
class Area:
    m2: float
    kind: AreaKind
    estimated: bool = False
    basis: str = ""

    @property
    def site_m2(self) -> float:
        """The site (land) area the scene is laid out on."""
        if self.kind == "site":
            return self.m2
        return self.m2 / ESTIMATED_PLOT_RATIO

    @property
    def site_is_estimate(self) -> bool:
        return self.estimated or self.kind == "building"


@dataclass(frozen=True, slots=True)
class Venue:
    id: str
    name: str
    kind: VenueKind
    capacity: int | None = None
    estimated: bool = False
    building: str | None = None  # the building (or hall number) it is in, when known


@dataclass(frozen=True, slots=True)
class Location:
    """Where the park is (WGS 84 degrees). Nothing can be geocoded offline here, so
    every location so far is an estimate, and ``basis`` says how it was found."""

    lat: float
    lon: float
    estimated: bool = False
    basis: str = ""


# a box around Beijing: a coordinate outside it is a typo (swapped lat/lon, a sign)
LAT_RANGE = (39.4, 41.1)
LON_RANGE = (115.4, 117.6)


@dataclass(frozen=True, slots=True)
class Park:
    id: str
    name_zh: str
    name_en: str
    area: Area
    style: BuildingStyle
    sources: tuple[str, ...]
    address_zh: str | None = None
    focus: tuple[str, ...] = ()
    former_use: str | None = None
    opened: str | None = None
    venues: tuple[Venue, ...] = ()
    events: tuple[str, ...] = ()
    notes: str | None = None
    location: Location | None = None


@dataclass(frozen=True, slots=True)
class Catalogue:
    parks: tuple[Park, ...] = field(default_factory=tuple)

    def __iter__(self) -> Iterator[Park]:
        return iter(self.parks)

    def __len__(self) -> int:
        return len(self.parks)

    def ids(self) -> list[str]:
        return [p.id for p in self.parks]

    def get(self, park_id: str) -> Park:
        for park in self.parks:
            if park.id == park_id:
                return park
        raise KeyError(f"no park {park_id!r} in the catalogue")


# --- field checking -------------------------------------------------------------

_PARK_FIELDS = {
    "id", "name_zh", "name_en", "address_zh", "area", "focus", "former_use", "style",
    "opened", "venues", "events", "notes", "sources", "location",
}
_LOCATION_FIELDS = {"lat", "lon", "estimated", "basis"}
_AREA_FIELDS = {"m2", "kind", "estimated", "basis"}
_VENUE_FIELDS = {"id", "name", "kind", "capacity", "estimated", "building"}


class _Checker:
    """Collects problems for one file instead of stopping at the first."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[tuple[str, str, str]] = []
        self.codes: list[tuple[str, Mapping[str, object]]] = []

    def fail(self, fld: str, problem: str, code: str = "", **params: object) -> None:
        self.problems.append((self.file, fld, problem))
        self.codes.append((code, params))

    def pop(self) -> None:
        self.problems.pop()
        self.codes.pop()

    def unknown(self, table: Mapping[str, Any], allowed: set[str], prefix: str) -> None:
        for key in sorted(set(table) - allowed):
            self.fail(f"{prefix}{key}", f"unknown field (allowed: {', '.join(sorted(allowed))})", "unknown",
                      value=key)

    def text(self, table: Mapping[str, Any], key: str, prefix: str = "", *, required: bool) -> str | None:
        if key not in table:
            if required:
                self.fail(prefix + key, "required field is missing", "required")
            return None
        value = table[key]
        if not isinstance(value, str):
            self.fail(prefix + key, f"must be a string, got {type(value).__name__}", "not_text")
            return None
        if required and not value.strip():
            self.fail(prefix + key, "must not be empty", "required")
            return None
        return value

    def texts(self, table: Mapping[str, Any], key: str, prefix: str = "") -> tuple[str, ...]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(prefix + key, "must be a list of strings", "not_texts")
            return ()
        return tuple(value)

    def flag(self, table: Mapping[str, Any], key: str, prefix: str) -> bool:
        value = table.get(key, False)
        if not isinstance(value, bool):
            self.fail(prefix + key, f"must be true or false, got {type(value).__name__}", "not_flag")
            return False
        return value

    def choice(self, table: Mapping[str, Any], key: str, allowed: tuple[str, ...], prefix: str) -> str | None:
        value = self.text(table, key, prefix, required=True)
        if value is not None and value not in allowed:
            self.fail(prefix + key, f"{value!r} is not one of: {', '.join(allowed)}", "not_one_of", value=value)
            return None
        return value


def _parse_area(chk: _Checker, raw: Any) -> Area | None:
    if raw is None:
        return Area(DEFAULT_AREA_M2, "site", estimated=True, basis=DEFAULT_AREA_BASIS)
    if not isinstance(raw, dict):
        chk.fail("area", "must be a table with m2 and kind", "not_table")
        return None
    chk.unknown(raw, _AREA_FIELDS, "area.")
    m2 = raw.get("m2")
    if isinstance(m2, bool) or not isinstance(m2, int | float):
        chk.fail("area.m2", "must be a number of square metres", "not_number")
        return None
    if m2 <= 0:
        chk.fail("area.m2", f"must be positive, got {m2}", "not_positive")
        return None
    if not MIN_AREA_M2 <= m2 <= MAX_AREA_M2:
        chk.fail("area.m2", f"{m2} is outside the plausible range {MIN_AREA_M2:.0f}..{MAX_AREA_M2:.0f}",
                 "area_range", value=m2, min=int(MIN_AREA_M2), max=int(MAX_AREA_M2))
        return None
    kind = chk.choice(raw, "kind", AREA_KINDS, "area.")
    estimated = chk.flag(raw, "estimated", "area.")
    basis = chk.text(raw, "basis", "area.", required=False) or ""
    if estimated and not basis:
        chk.fail("area.basis", "an estimated area must say what the estimate is based on", "basis_needed")
    if kind is None:
        return None
    return Area(float(m2), kind, estimated, basis)  # type: ignore[arg-type]


def _parse_location(chk: _Checker, raw: Any) -> Location | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        chk.fail("location", "must be a table with lat and lon", "not_table")
        return None
    chk.unknown(raw, _LOCATION_FIELDS, "location.")
    coords: list[float] = []
    for key, (low, high) in (("lat", LAT_RANGE), ("lon", LON_RANGE)):
        value = raw.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            chk.fail(f"location.{key}", "must be a number of degrees", "not_number")
        elif not low <= value <= high:
            chk.fail(f"location.{key}", f"{value} is outside Beijing ({low}..{high})", "outside_beijing",
                     value=value, min=low, max=high)
        else:
            coords.append(float(value))
    estimated = chk.flag(raw, "estimated", "location.")
    basis = chk.text(raw, "basis", "location.", required=False) or ""
    if estimated and not basis:
        chk.fail("location.basis", "an estimated location must say how it was found", "location_basis_needed")
    if len(coords) != 2:
        return None
    return Location(coords[0], coords[1], estimated, basis)


def _parse_venues(chk: _Checker, raw: Any) -> tuple[Venue, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        chk.fail("venues", "must be an array of tables ([[venues]])", "not_table")
        return ()
    venues: list[Venue] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        prefix = f"venues[{i}]."
        if not isinstance(item, dict):
            chk.fail(f"venues[{i}]", "must be a table", "not_table")
            continue
        chk.unknown(item, _VENUE_FIELDS, prefix)
        vid = chk.text(item, "id", prefix, required=True)
        name = chk.text(item, "name", prefix, required=True)
        kind = chk.choice(item, "kind", VENUE_KINDS, prefix)
        capacity = item.get("capacity")
        if capacity is not None and (isinstance(capacity, bool) or not isinstance(capacity, int) or capacity <= 0):
            chk.fail(prefix + "capacity", "must be a positive whole number of people", "capacity")
            capacity = None
        estimated = chk.flag(item, "estimated", prefix)
        building = chk.text(item, "building", prefix, required=False)
        if vid is not None and not _ID_RE.match(vid):
            chk.fail(prefix + "id", f"{vid!r} must be lowercase letters, digits and '-'", "venue_id", value=vid)
            continue
        if vid is not None and vid in seen:
            chk.fail(prefix + "id", f"duplicate venue id {vid!r}", "venue_twice", value=vid)
            continue
        if vid is None or name is None or kind is None:
            continue
        seen.add(vid)
        venues.append(Venue(vid, name, kind, capacity, estimated, building or None))  # type: ignore[arg-type]
    return tuple(venues)


def parse_park(file: str, text: str) -> Park:
    """Parse one park file. Raises ``CatalogueError`` listing every problem found."""
    chk = _Checker(file)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError([(file, "(file)", f"not valid TOML: {exc}")]) from None
    chk.unknown(raw, _PARK_FIELDS, "")
    pid = chk.text(raw, "id", required=True)
    if pid is not None and not _ID_RE.match(pid):
        chk.fail("id", f"{pid!r} must be 1-64 lowercase letters, digits and '-', starting with a letter or digit",
                 "park_id", value=pid)
    stem = Path(file).stem
    if pid is not None and stem != pid:
        chk.fail("id", f"{pid!r} does not match the file name {stem!r}.toml", "park_id_file", value=pid, file=stem)
    name_zh = chk.text(raw, "name_zh", required=True)
    name_en = chk.text(raw, "name_en", required=True)
    address = chk.text(raw, "address_zh", required=False)
    area = _parse_area(chk, raw.get("area"))
    style = chk.choice(raw, "style", BUILDING_STYLES, "")
    focus = chk.texts(raw, "focus")
    former = chk.text(raw, "former_use", required=False)
    opened = chk.text(raw, "opened", required=False)
    if isinstance(raw.get("opened"), int):
        chk.pop()
        chk.fail("opened", "must be a string such as \"2002\" or \"2011-09\" (quote it)", "opened")
    venues = _parse_venues(chk, raw.get("venues"))
    events = chk.texts(raw, "events")
    notes = chk.text(raw, "notes", required=False)
    location = _parse_location(chk, raw.get("location"))
    sources = chk.texts(raw, "sources")
    if "sources" in raw and not sources and not chk.problems:
        chk.fail("sources", "at least one public source is required", "sources_needed")
    if "sources" not in raw:
        chk.fail("sources", "required field is missing (where do these facts come from?)", "sources_needed")
    if chk.problems:
        raise CatalogueError(chk.problems, chk.codes)
    assert pid and name_zh and name_en and area and style
    return Park(
        id=pid, name_zh=name_zh, name_en=name_en, address_zh=address, area=area,
        style=style,  # type: ignore[arg-type]
        focus=focus, former_use=former, opened=opened, venues=venues, events=events,
        notes=notes, sources=sources, location=location,
    )


def parse_catalogue(files: Mapping[str, str]) -> Catalogue:
    """Parse every park file (name -> text). All or nothing: any problem raises."""
    problems: list[tuple[str, str, str]] = []
    parks: list[Park] = []
    first_file: dict[str, str] = {}
    for name in sorted(files):
        try:
            park = parse_park(name, files[name])
        except CatalogueError as exc:
            problems.extend(exc.problems)
            continue
        if park.id in first_file:
            problems.append((name, "id", f"duplicate park id {park.id!r} (also in {first_file[park.id]})"))
            continue
        first_file[park.id] = name
        parks.append(park)
    if not files:
        problems.append(("(catalogue)", "(files)", "no park files found"))
    if problems:
        raise CatalogueError(problems)
    return Catalogue(tuple(parks))
