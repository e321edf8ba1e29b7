"""Writing a park (or every park) as a self-contained static web folder.

The browser client in ``tools/webxr/web/`` is bundled with three.js and
@msgpack/msgpack (pinned in tools/node/package.json) by esbuild into one ``app.js``,
so the page needs no CDN and no internet. Every path in the output is relative:
any static host can serve it, and the world server serves ``DATA_DIR/web/`` at /web/.

Layout of one park (``export_park``)::

    OUT/index.html  OUT/app.js  OUT/app.css  OUT/<park>.glb

Layout of every park (``export_all``)::

    OUT/index.html (list of parks)  OUT/app.js  OUT/app.css  OUT/<park>/index.html  OUT/<park>/<park>.glb
    OUT/.park.html (the page for any park: the web app fills in the park, ``template_page``)

Each park page names its scene's hash (``scene_hash``): on a ``joined`` naming another
one (the park was rebuilt) the client fetches the world server's scene and swaps it in.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from world.glb import GlbError, layout_from_glb
from world.i18n import LANGS, CatalogueTextError, parse_texts
from world.layout import LayoutError

REPO = Path(__file__).resolve().parents[2]
WEB_SOURCES = Path(__file__).resolve().parent / "web"
NODE_DIR = REPO / "tools" / "node"
PARK_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
LICENSES = {"three": "three/LICENSE", "msgpack": "@msgpack/msgpack/LICENSE", "hls.js": "hls.js/LICENSE"}
I18N_DIR = REPO / "assets" / "i18n"
# the catalogue keys the browser client shows (both 3D clients' words, its own, role names)
CLIENT_TEXTS = ("client.", "web3d.", "role.")

Progress = Callable[[int, int, str], None]


class ExportError(RuntimeError):
    """The export could not be written; the message says what to do."""


@dataclass(frozen=True, slots=True)
class ExportReport:
    out: Path
    parks: tuple[str, ...]
    bundle_bytes: int
    total_bytes: int
    up_to_date: bool = False  # publish_web found nothing changed and wrote nothing


@dataclass(frozen=True, slots=True)
class ParkEntry:
    id: str
    title: str
    subtitle: str = ""


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _copy_atomic(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.tmp")
    shutil.copyfile(src, tmp)
    os.replace(tmp, dest)


def bundle_client(dest_dir: Path, node_dir: Path = NODE_DIR) -> int:
    """Bundle the client (+ three.js, msgpack) into ``dest_dir/app.js``; copy css and licenses.

    Returns the size of app.js in bytes.
    """
    esbuild = node_dir / "node_modules" / ".bin" / "esbuild"
    if not esbuild.exists():
        raise ExportError(f"esbuild is not installed in {node_dir}; run `bash tools/setup.sh`")
    dest_dir.mkdir(parents=True, exist_ok=True)
    tmp = dest_dir / ".app.js.tmp"
    cmd = [
        str(esbuild), str(WEB_SOURCES / "main.js"), "--bundle", "--minify", "--format=esm",
        "--target=es2020", "--legal-comments=none", "--log-level=warning", f"--outfile={tmp}",
    ]
    env = {**os.environ, "NODE_PATH": str(node_dir / "node_modules")}
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if proc.returncode != 0:
        tmp.unlink(missing_ok=True)
        raise ExportError(f"bundling the web client failed:\n{proc.stderr.strip()}")
    os.replace(tmp, dest_dir / "app.js")
    _copy_atomic(WEB_SOURCES / "app.css", dest_dir / "app.css")
    notices = []
    for name, rel in LICENSES.items():
        src = node_dir / "node_modules" / rel
        if src.exists():
            notices.append(f"== {name} ==\n{src.read_text(encoding='utf-8')}")
    _write_atomic(dest_dir / "THIRD_PARTY_LICENSES.txt", "\n\n".join(notices).encode())
    return (dest_dir / "app.js").stat().st_size


def _check_park_id(park_id: str) -> None:
    if not PARK_ID.match(park_id):
        raise ExportError(f"park id {park_id!r} is not valid (lower-case letters, digits, '-' or '_')")


def scene_path(park_id: str, scenes_dir: Path, *, build_missing: bool = True) -> Path:
    """The park's .glb in ``scenes_dir``, built with the scene builder when missing."""
    _check_park_id(park_id)
    glb = scenes_dir / f"{park_id}.glb"
    if not glb.exists() and build_missing:
        _build_scene(park_id, scenes_dir)
    if not glb.exists():
        raise ExportError(f"no scene for park {park_id!r} at {glb}; run `cloudpark scenes build`")
    try:
        layout_from_glb(glb.read_bytes())
    except (GlbError, LayoutError) as exc:
        raise ExportError(f"{glb} is not a usable park scene: {exc}") from None
    return glb


def _build_scene(park_id: str, scenes_dir: Path) -> None:
    from tools.scenes.cli import build_and_report

    try:
        build_and_report(out=scenes_dir, parks=[park_id], previews=False)
    except NotImplementedError:
        raise ExportError(f"the scene for {park_id!r} is missing and the scene builder is not available yet") from None
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - the builder's own report says why
        raise ExportError(f"building the scene for {park_id!r} failed: {exc}") from None


def client_texts(folder: Path = I18N_DIR) -> dict[str, dict[str, str]]:
    """The browser client's words in every language, from the one catalogue (checked by
    ``world.i18n.parse_texts``: both languages have the same keys)."""
    try:
        texts = parse_texts({lang: (folder / f"{lang}.json").read_text(encoding="utf-8") for lang in LANGS})
    except (OSError, CatalogueTextError) as exc:
        raise ExportError(f"the translation catalogue in {folder} cannot be read: {exc}") from None
    return {lang: {k: v for k, v in sorted(texts.texts[lang].items()) if k.startswith(CLIENT_TEXTS)}
            for lang in LANGS}


def _page(entry: ParkEntry, glb_name: str, server: str | None, base: str, *, scene_hash: str = "",
          shown_title: str | None = None) -> bytes:
    # "lang" and "web_session" stay "" here: the web app fills in the viewer's language and
    # its session endpoint when it serves the page (served by the world server, the page
    # never asks for a web ticket: that server has no /api/session)
    config = {"park": entry.id, "glb": glb_name, "server": server or "", "title": entry.title,
              "title_zh": entry.subtitle, "lang": "", "web_session": "", "texts": client_texts()}
    config["scene_hash"] = scene_hash  # the client swaps in another scene when the server names another hash
    # "</" must not close the script element that holds the JSON.
    text = json.dumps(config, ensure_ascii=False).replace("</", "<\\/")
    page = (WEB_SOURCES / "index.html").read_text(encoding="utf-8")
    shown = html.escape(entry.title) if shown_title is None else shown_title
    page = page.replace("{{title}}", shown).replace("{{base}}", base).replace("{{config}}", text)
    return page.encode()


TEMPLATE = ".park.html"  # a hidden name: the world server never serves it; the web app does
TITLE_MARK = "{{title}}"  # where the web app writes the park's name into the template


def template_page(server: str | None = None) -> bytes:
    """The page for any park, as ``OUT/.park.html`` (the web app's ``/web/<park>/`` serves it
    for every live park in the catalogue, one approved after this export too): the park,
    its names and the scene are left empty for the web app to fill in (``{{title}}`` in the
    HTML; the config's ``park``, ``title``, ``title_zh``); with no ``glb`` the client loads
    the world server's ``/scenes/<park>.glb``. Relative to ``OUT/<park>/`` like the parks' pages."""
    return _page(ParkEntry("", ""), "", server, "../", shown_title=TITLE_MARK)


def _hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()  # what the world server names it by


def park_entries(park_ids: Iterable[str], catalogue_dir: Path | None = None) -> list[ParkEntry]:
    """Titles for the pages: the catalogue's names when it can be read, else the id."""
    names: dict[str, tuple[str, str]] = {}
    try:
        from tools.catalogue_files import load_catalogue

        for park in load_catalogue(catalogue_dir):
            names[park.id] = (park.name_en, park.name_zh)
    except Exception:  # noqa: BLE001 - a missing/broken catalogue only costs nicer titles
        names = {}
    out = []
    for pid in park_ids:
        en, zh = names.get(pid, (pid, ""))
        out.append(ParkEntry(pid, en or pid, zh))
    return out


def export_park(
    park_id: str, out: Path, *, scenes_dir: Path, server: str | None = None,
    catalogue_dir: Path | None = None,
) -> ExportReport:
    """One park as a static folder: index.html, app.js, app.css, <park>.glb."""
    glb = scene_path(park_id, scenes_dir)
    entry = park_entries([park_id], catalogue_dir)[0]
    bundle = bundle_client(out)
    _copy_atomic(glb, out / glb.name)
    _write_atomic(out / "index.html", _page(entry, glb.name, server, "", scene_hash=_hash(glb)))
    return ExportReport(out, (park_id,), bundle, _folder_bytes(out))


def export_all(
    out: Path, *, scenes_dir: Path, server: str | None = None, park_ids: Iterable[str] | None = None,
    catalogue_dir: Path | None = None, progress: Progress | None = None,
) -> ExportReport:
    """Every park (those with a scene in ``scenes_dir`` unless ``park_ids`` is given) plus a list page."""
    ids = sorted(park_ids) if park_ids is not None else sorted(p.stem for p in scenes_dir.glob("*.glb"))
    if not ids:
        raise ExportError(f"no parks to export: {scenes_dir} holds no .glb scenes; run `cloudpark scenes build`")
    entries = park_entries(ids, catalogue_dir)
    steps = len(entries) + 1
    if progress:
        progress(0, steps, "bundling the web client")
    bundle = bundle_client(out)
    for i, entry in enumerate(entries, start=1):
        if progress:
            progress(i, steps, entry.id)
        glb = scene_path(entry.id, scenes_dir)
        _copy_atomic(glb, out / entry.id / glb.name)
        _write_atomic(out / entry.id / "index.html", _page(entry, glb.name, server, "../", scene_hash=_hash(glb)))
    _write_atomic(out / "index.html", _list_page(entries))
    _write_atomic(out / TEMPLATE, template_page(server))
    if progress:
        progress(steps, steps, "done")
    return ExportReport(out, tuple(ids), bundle, _folder_bytes(out))


def _list_page(entries: list[ParkEntry]) -> bytes:
    items = "\n".join(
        f'<li><a href="{html.escape(e.id)}/">{html.escape(e.title)}</a>'
        + (f' <span class="muted">{html.escape(e.subtitle)}</span>' if e.subtitle else "")
        + "</li>"
        for e in entries
    )
    page = (WEB_SOURCES / "parks.html").read_text(encoding="utf-8").replace("{{items}}", items)
    return page.encode()


STAMP = ".export.json"  # a hidden name: the server never serves it


def web_fingerprint(scenes_dir: Path, node_dir: Path = NODE_DIR) -> str:
    """SHA-256 over what an export is made of: the scenes, the client sources, the pinned
    JavaScript packages and this exporter. Equal fingerprints mean an equal export."""
    h = hashlib.sha256()
    inputs = [*sorted(scenes_dir.glob("*.glb")), *sorted(WEB_SOURCES.iterdir()), Path(__file__),
              node_dir / "package-lock.json", node_dir / "package.json", *sorted(I18N_DIR.glob("*.json"))]
    for path in inputs:
        if path.is_file():
            h.update(f"{path.parent.name}/{path.name}\0".encode())
            h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def publish_web(data_dir: Path, progress: Progress | None = None, *, force: bool = False,
                server: str | None = None) -> ExportReport:
    """What the main command calls: every built scene under DATA_DIR/scenes -> DATA_DIR/web/.

    The world server (and the web app) serve that folder at /web/; pages connect to
    ``server`` (``:8766/ws`` means "the host the page came from, port 8766"), by
    default the same host's /ws.
    Nothing is written when neither the scenes nor the client changed since the last
    publish (``up_to_date`` in the report), so restarts stay fast.
    """
    web, scenes = data_dir / "web", data_dir / "scenes"
    stamp = web / STAMP
    fingerprint = web_fingerprint(scenes) + (f"@{server}" if server else "")
    if not force and (web / "index.html").is_file():
        try:
            old = json.loads(stamp.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            old = None
        if isinstance(old, dict) and old.get("fingerprint") == fingerprint:
            bundle = web / "app.js"
            return ExportReport(web, tuple(old.get("parks", ())), bundle.stat().st_size if bundle.exists() else 0,
                                _folder_bytes(web), up_to_date=True)
    report = export_all(web, scenes_dir=scenes, progress=progress, server=server)
    _prune(web, report.parks)
    _write_atomic(stamp, json.dumps({"fingerprint": fingerprint, "parks": list(report.parks)}).encode())
    return report


def _prune(web: Path, keep: tuple[str, ...]) -> None:
    """Remove pages of parks whose scene is gone (only folders an export wrote: <id>/<id>.glb)."""
    for folder in web.iterdir():
        if folder.is_dir() and folder.name not in keep and PARK_ID.match(folder.name) \
                and (folder / f"{folder.name}.glb").is_file() and (folder / "index.html").is_file():
            shutil.rmtree(folder)


def _folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def progress_bar(stream=None) -> Progress:  # type: ignore[no-untyped-def]
    """A one-line progress bar on stderr (one line per step when not a terminal)."""
    out = stream or sys.stderr
    tty = out.isatty()

    def show(done: int, total: int, what: str) -> None:
        width = 30
        filled = int(width * done / max(1, total))
        line = f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {what}"
        if tty:
            out.write(f"\r{line:<80}" + ("\n" if done >= total else ""))
        else:
            out.write(line + "\n")
        out.flush()

    return show
