"""``cloudpark parks``: list, show and seed the park catalogue."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from tools.catalogue_files import load_catalogue
from world.catalogue import (
    DEFAULT_AREA_BASIS,
    DEFAULT_AREA_M2,
    DEFAULT_CATALOGUE_DIR,
    CatalogueError,
    Park,
)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parks = sub.add_parser("parks", help="the park catalogue", description="List, show and seed the park catalogue.")
    parks.add_argument("--catalogue", type=Path, default=None, help=f"catalogue folder (default {DEFAULT_CATALOGUE_DIR})")
    psub = parks.add_subparsers(dest="parks_command", metavar="ACTION", required=True)
    p = psub.add_parser("list", help="one line per park")
    p.set_defaults(handler=cmd_list)
    p = psub.add_parser("show", help="every fact held on one park")
    p.add_argument("park_id", metavar="ID")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.set_defaults(handler=cmd_show)
    p = psub.add_parser("seed", help="write one catalogue file per park from a public-facts JSON (shared/data/parks.json)")
    p.add_argument("source", type=Path, help="parks.json with public facts and sources")
    p.add_argument("--out", type=Path, default=DEFAULT_CATALOGUE_DIR, help="folder to write (default: the catalogue)")
    p.add_argument("--force", action="store_true", help="overwrite files that already exist")
    p.set_defaults(handler=cmd_seed)


def say(text: str, *, err: bool = False) -> None:
    """Command output (stdout) or a complaint (stderr)."""
    (sys.stderr if err else sys.stdout).write(text + "\n")


def _load(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    try:
        return load_catalogue(args.catalogue)
    except CatalogueError as exc:
        say(str(exc), err=True)
        raise SystemExit(1) from None


def cmd_list(args: argparse.Namespace) -> int:
    cat = _load(args)
    for park in cat:
        est = " (estimate)" if park.area.site_is_estimate else ""
        say(f"{park.id:24} {park.name_en} / {park.name_zh}  site {park.area.site_m2:,.0f} m2{est}  style {park.style}")
    say(f"{len(cat)} parks")
    return 0


def _park_dict(park: Park) -> dict[str, Any]:
    return {
        "id": park.id, "name_zh": park.name_zh, "name_en": park.name_en, "address_zh": park.address_zh,
        "area": {"m2": park.area.m2, "kind": park.area.kind, "estimated": park.area.estimated,
                 "basis": park.area.basis, "site_m2": park.area.site_m2},
        "style": park.style, "focus": list(park.focus), "former_use": park.former_use,
        "opened": park.opened, "events": list(park.events), "notes": park.notes,
        "venues": [{"id": v.id, "name": v.name, "kind": v.kind, "capacity": v.capacity,
                    "estimated": v.estimated} for v in park.venues],
        "sources": list(park.sources),
    }


def cmd_show(args: argparse.Namespace) -> int:
    cat = _load(args)
    try:
        park = cat.get(args.park_id)
    except KeyError as exc:
        say(f"{exc.args[0]}; known: {', '.join(cat.ids())}", err=True)
        return 1
    data = _park_dict(park)
    if args.json:
        say(json.dumps(data, ensure_ascii=False, indent=1))
        return 0
    for key, value in data.items():
        if key == "venues":
            say("venues:")
            for v in value:
                say(f"  - {v['id']}: {v['name']} ({v['kind']}{', estimate' if v['estimated'] else ''})")
        elif isinstance(value, list):
            say(f"{key}: {'; '.join(value) if value else '-'}")
        elif isinstance(value, dict):
            say(f"{key}: " + ", ".join(f"{k}={v}" for k, v in value.items()))
        else:
            say(f"{key}: {value if value is not None else '-'}")
    return 0


# --- seeding from the public-facts file ------------------------------------------

_STYLE_RULES = (
    ("sawtooth", r"sawtooth"),
    ("gasworks", r"gas works|gas holder"),
    ("silo", r"silo|cement"),
    ("mill", r"\bmill\b|cotton"),
    ("warehouse", r"warehouse|depot|仓库"),
    ("factory", r"factory|plant|works|厂|industrial park"),
)
_VENUE_RULES = (
    ("theatre", r"theatre|theater|drama|performance|stage|kunqu"),
    ("meeting", r"meeting|conference"),
    ("museum", r"museum|美术馆|艺术馆"),
    ("gallery", r"gallery|showroom|space"),
    ("studio", r"centre|center|studio"),
    ("outdoor", r"market|street|park|locomotive"),
    ("hall", r"hall|exhibition"),
)


def style_for(former_use: str | None) -> str:
    text = (former_use or "").lower()
    for style, pattern in _STYLE_RULES:
        if re.search(pattern, text):
            return style
    return "campus"


def venue_kind_for(name: str) -> str:
    text = name.lower()
    for kind, pattern in _VENUE_RULES:
        if re.search(pattern, text):
            return kind
    return "other"


def seed_entry(entry: dict[str, Any]) -> dict[str, Any]:
    """One park file's content from one public-facts entry, keeping every fact and source."""
    out: dict[str, Any] = {"id": entry["id"], "name_zh": entry["name_zh"], "name_en": entry["name_en"]}
    if entry.get("address_zh"):
        out["address_zh"] = entry["address_zh"]
    if entry.get("opened"):
        out["opened"] = str(entry["opened"])
    if entry.get("former_use"):
        out["former_use"] = entry["former_use"]
    out["style"] = style_for(entry.get("former_use"))
    out["focus"] = list(entry.get("focus") or [])
    if entry.get("events"):
        out["events"] = list(entry["events"])
    if entry.get("notes"):
        out["notes"] = entry["notes"]
    if entry.get("area_m2"):
        out["area"] = {"m2": entry["area_m2"], "kind": entry.get("area_kind") or "site"}
    else:
        out["area"] = {"m2": DEFAULT_AREA_M2, "kind": "site", "estimated": True, "basis": DEFAULT_AREA_BASIS}
    venues = []
    counts: dict[str, int] = {}
    for name in entry.get("venues") or []:
        if "nearby" in name.lower():
            continue  # named in the sources as near the park, not in it
        kind = venue_kind_for(name)
        counts[kind] = counts.get(kind, 0) + 1
        venues.append({"id": f"{kind}-{counts[kind]}", "name": name, "kind": kind})
    if not venues:
        venues = [
            {"id": "hall-1", "name": "Multi-function hall", "kind": "hall", "estimated": True},
            {"id": "meeting-1", "name": "Meeting room", "kind": "meeting", "estimated": True},
        ]
    out["sources"] = list(entry.get("sources") or [])
    out["venues"] = venues
    return out


_HEADER = """\
# Cloud Park catalogue entry: {name_en} ({name_zh}).
# Public facts seeded from shared/data/parks.json; every fact has a source below.
# Fields marked estimated = true are placeholders for the park office to replace.
# style picks the scene's building style: {styles}.
"""


def cmd_seed(args: argparse.Namespace) -> int:
    import tomli_w

    from world.catalogue import BUILDING_STYLES, parse_park

    data = json.loads(args.source.read_text(encoding="utf-8"))
    args.out.mkdir(parents=True, exist_ok=True)
    written = skipped = 0
    for entry in data["parks"]:
        path = args.out / f"{entry['id']}.toml"
        if path.exists() and not args.force:
            skipped += 1
            continue
        content = seed_entry(entry)
        text = _HEADER.format(styles=", ".join(BUILDING_STYLES), **content) + "\n" + tomli_w.dumps(content)
        parse_park(str(path), text)  # never write a file the loader would refuse
        path.write_text(text, encoding="utf-8")
        written += 1
    say(f"wrote {written} park files to {args.out} ({skipped} existing files kept; --force overwrites)")
    return 0
