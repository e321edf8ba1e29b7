"""Building every park's scene, in a pool of two, with a manifest that caches by hash.

``manifest.json`` (next to the .glb files) holds per park: file, sha256, bytes,
triangles, the catalogue file's hash and the builder hash. A park is rebuilt when its
file is missing or either hash changed (or on ``force``).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools.scenes.assemble import BUILDER_VERSION
from world.catalogue import DEFAULT_CATALOGUE_DIR, parse_park

ROOT = Path(__file__).resolve().parents[2]
BUILDER_SOURCES = ("tools/scenes/assemble.py", "tools/scenes/document.py", "tools/scenes/shapes.py",
                   "tools/scenes/materials.py", "world/siteplan.py", "world/siteplan_lots.py",
                   "world/geometry.py", "world/layout.py")


@dataclass(frozen=True, slots=True)
class Built:
    park_id: str
    path: Path
    sha256: str
    bytes: int
    triangles: int
    seconds: float
    rebuilt: bool


def builder_hash() -> str:
    h = hashlib.sha256(BUILDER_VERSION.encode())
    for rel in BUILDER_SOURCES:
        h.update((ROOT / rel).read_bytes())
    return h.hexdigest()[:16]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_manifest(out: Path) -> dict[str, Any]:
    try:
        data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        return data if isinstance(data, dict) and isinstance(data.get("parks"), dict) else {"parks": {}}
    except (OSError, ValueError):
        return {"parks": {}}


def _build_one(job: tuple[str, str, str]) -> dict[str, Any]:
    from tools.scenes.assemble import build_scene

    file, text, out = job
    start = time.perf_counter()
    park = parse_park(file, text)
    scene = build_scene(park)
    path = Path(out) / f"{park.id}.glb"
    tmp = path.with_suffix(".glb.tmp")
    tmp.write_bytes(scene.glb)
    tmp.replace(path)
    return {"park": park.id, "file": path.name, "sha256": _sha(scene.glb), "bytes": len(scene.glb),
            "triangles": scene.triangles, "catalogue_sha256": _sha(text.encode("utf-8")),
            "seconds": round(time.perf_counter() - start, 3)}


def build_parks(out: Path, parks: list[str] | None = None, force: bool = False,
                catalogue_dir: Path | None = None, jobs: int = 2,
                progress: Callable[[str], None] | None = None) -> list[Built]:
    """Build the named parks (all when None) into ``out``; skip those already up to date."""
    from multiprocessing import get_context

    from tools.catalogue_files import load_catalogue

    folder = catalogue_dir or DEFAULT_CATALOGUE_DIR
    catalogue = load_catalogue(folder)  # all-or-nothing validation first
    wanted = parks or catalogue.ids()
    unknown = [p for p in wanted if p not in catalogue.ids()]
    if unknown:
        raise KeyError(f"unknown park(s): {', '.join(unknown)}; known: {', '.join(catalogue.ids())}")
    out.mkdir(parents=True, exist_ok=True)
    manifest = read_manifest(out)
    bhash = builder_hash()
    texts = {pid: (folder / f"{pid}.toml").read_text(encoding="utf-8") for pid in wanted}
    todo, results = [], {}
    for pid in wanted:
        entry = manifest["parks"].get(pid)
        fresh = (entry is not None and not force and entry.get("builder") == bhash
                 and entry.get("catalogue_sha256") == _sha(texts[pid].encode("utf-8"))
                 and (out / entry["file"]).is_file()
                 and entry.get("bytes") == (out / entry["file"]).stat().st_size)
        if fresh:
            results[pid] = (entry, False)
        else:
            todo.append((str(folder / f"{pid}.toml"), texts[pid], str(out)))
    if todo:
        with get_context("spawn").Pool(min(jobs, len(todo))) as pool:
            for n, entry in enumerate(pool.imap_unordered(_build_one, todo), 1):
                entry["builder"] = bhash
                results[entry["park"]] = (entry, True)
                if progress:
                    progress(f"[{n}/{len(todo)}] built {entry['park']} ({entry['triangles']:,} triangles, "
                             f"{entry['bytes'] / 1e6:.2f} MB, {entry['seconds']:.2f} s)")
    for pid, (entry, _) in results.items():
        manifest["parks"][pid] = {k: v for k, v in entry.items() if k not in ("park", "seconds")}
        manifest["parks"][pid].setdefault("builder", bhash)
    manifest["builder"] = bhash
    manifest["parks"] = dict(sorted(manifest["parks"].items()))
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return [Built(pid, out / e["file"], e["sha256"], e["bytes"], e["triangles"], e.get("seconds", 0.0), rebuilt)
            for pid in wanted for e, rebuilt in [results[pid]]]
