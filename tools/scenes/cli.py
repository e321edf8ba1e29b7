"""``cloudpark scenes``: build every park's .glb, check them, render previews."""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from world.datadir import previews_dir

DEFAULT_DATA = Path("var")
DEFAULT_OUT = DEFAULT_DATA / "scenes"


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    scenes = sub.add_parser("scenes", help="build and check park scenes (.glb)",
                            description="Build one self-contained .glb per park and check them.")
    ssub = scenes.add_subparsers(dest="scenes_command", metavar="ACTION", required=True)
    p = ssub.add_parser("build", help="build scenes that are missing or stale, then report budgets",
                        description="Build one .glb per park (catalogue -> site plan -> scene).")
    p.add_argument("--park", action="append", metavar="ID", help="only this park (repeatable)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default {DEFAULT_OUT})")
    p.add_argument("--previews", action="store_true",
                   help="also render a PNG per park into the previews folder beside OUT (OUT/../previews: "
                        "with the default OUT, var/previews, where the portal shows them)")
    p.add_argument("--force", action="store_true", help="rebuild even when the manifest says up to date")
    p.add_argument("--catalogue", type=Path, default=None, metavar="DIR",
                   help="catalogue folder to build from (default assets/parks; the world server passes "
                        "DATA_DIR/catalogue, the database's live entries)")
    p.set_defaults(handler=cmd_build)
    p = ssub.add_parser("check", help="validate, measure budgets and reachability; exit 1 on any failure",
                        description="glTF-Validator (zero errors), triangles/size/draw-call budgets, "
                                    "walkable reachability, for every .glb in DIR.")
    p.add_argument("dir", type=Path, nargs="?", default=DEFAULT_OUT, help=f"scene folder (default {DEFAULT_OUT})")
    p.set_defaults(handler=cmd_check)
    p = ssub.add_parser("preview", help="render the park pictures the portal shows (missing or stale ones)",
                        description="Render DATA_DIR/scenes/<park>.glb offscreen (Panda3D) into "
                                    "DATA_DIR/previews/<park>.png for each picture that is missing or "
                                    "older than its scene.")
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA, help=f"data folder (default {DEFAULT_DATA})")
    p.add_argument("--park", action="append", metavar="ID", help="only this park (repeatable)")
    p.add_argument("--force", action="store_true", help="render even the pictures that are up to date")
    p.set_defaults(handler=cmd_preview)


def _say(line: str) -> None:
    print(line, flush=True)  # noqa: T201  (this is a CLI's output)


def cmd_build(args: argparse.Namespace) -> int:
    return build_and_report(args.out, args.park, args.previews, force=args.force, catalogue=args.catalogue)


def cmd_preview(args: argparse.Namespace) -> int:
    return render_pictures(args.data_dir, args.park, force=args.force)


def render_pictures(data_dir: Path, parks: list[str] | None, *, force: bool = False,
                    timeout: float = 600.0) -> int:
    """Render the pictures of DATA_DIR's scenes that are missing or stale (every one with
    ``force``) into DATA_DIR/previews; print what was done; 1 when they could not be."""
    from tools.scenes.preview import render_previews, stale

    glbs = sorted((data_dir / "scenes").glob("*.glb"))
    if parks:
        missing = sorted(set(parks) - {g.stem for g in glbs})
        if missing:
            _say(f"error: no scene for {', '.join(missing)} in {data_dir / 'scenes'} (run: cloudpark scenes build)")
            return 1
        glbs = [g for g in glbs if g.stem in parks]
    out = previews_dir(data_dir)
    todo = glbs if force else stale(glbs, out)
    if not todo:
        _say(f"park pictures in {out}/ are up to date ({len(glbs)})")
        return 0
    start = time.perf_counter()
    try:
        pngs = render_previews(todo, out, timeout=timeout)
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
        print(f"error: the park pictures were not rendered (the portal shows placeholders): {exc}",  # noqa: T201
              file=sys.stderr)
        return 1
    _say(f"rendered {len(pngs)} park picture(s) into {out}/ in {time.perf_counter() - start:.1f} s")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    paths = sorted(args.dir.glob("*.glb"))
    if not paths:
        _say(f"no .glb files in {args.dir} (run: cloudpark scenes build)")
        return 1
    return _report(paths)


def build_and_report(out: Path, parks: list[str] | None, previews: bool, force: bool = False,
                     catalogue: Path | None = None) -> int:
    """Build what is missing or stale, print one line per park and a total; 1 on any failure."""
    from tools.scenes.pipeline import build_parks
    from world.catalogue import CatalogueError

    start = time.perf_counter()
    _say(f"building scenes into {out}/ ...")
    try:
        built = build_parks(out, parks, force=force, progress=lambda s: _say("  " + s), catalogue_dir=catalogue)
    except (CatalogueError, KeyError) as exc:
        _say(f"error: {exc}")
        return 1
    seconds = time.perf_counter() - start
    rebuilt = sum(b.rebuilt for b in built)
    _say(f"built {rebuilt} of {len(built)} scenes in {seconds:.1f} s ({len(built) - rebuilt} up to date)")
    status = _report([b.path for b in built])
    if previews:
        from tools.scenes.preview import render_previews

        pictures = previews_dir(out.parent)
        _say("rendering previews ...")
        try:
            pngs = render_previews([b.path for b in built], pictures)
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
            print(f"error: the previews were not rendered: {exc}", file=sys.stderr)  # noqa: T201
            return 1
        _say(f"wrote {len(pngs)} previews to {pictures}/")
    return status


def _report(paths: list[Path]) -> int:
    from tools.scenes.checks import MAX_BYTES, MAX_DRAW_CALLS, MAX_TRIANGLES, check_scenes

    _say(f"checking {len(paths)} scenes (glTF-Validator, budgets, reachability) ...")
    try:
        reports = check_scenes(paths)
    except RuntimeError as exc:  # ValidatorMissing says what to install
        print(f"error: {exc}", file=sys.stderr)  # noqa: T201
        return 1
    for r in reports:
        mark = "ok  " if r.ok else "FAIL"
        _say(f"{mark} {r.path}  {r.triangles:>7,} tris  {r.bytes / 1e6:5.2f} MB  {r.draw_calls:>3} draws  "
             f"validator {r.errors} errors {r.warnings} warnings")
        for m in r.messages:
            _say(f"       {m}")
        for p in r.problems:
            _say(f"       problem: {p}")
    failed = [r for r in reports if not r.ok]
    _say(f"total: {len(reports)} scenes, max {max(r.triangles for r in reports):,} tris "
         f"(budget {MAX_TRIANGLES:,}), max {max(r.bytes for r in reports) / 1e6:.2f} MB "
         f"(budget {MAX_BYTES / 1e6:.1f}), max {max(r.draw_calls for r in reports)} draw calls "
         f"(budget {MAX_DRAW_CALLS}), validator errors {sum(r.errors for r in reports)}, "
         f"warnings {sum(r.warnings for r in reports)}; {len(failed)} failed")
    if failed:
        print(f"scene check failed for: {', '.join(r.path.stem for r in failed)}", file=sys.stderr)  # noqa: T201
        return 1
    return 0
