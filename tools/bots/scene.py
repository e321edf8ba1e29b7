"""Where the bots learn the park's ground: its layout, from the scene the server serves.

In order: the server's own ``/scenes/<park>.glb`` (what it simulates against), the
local ``<data-dir>/scenes/<park>.glb``, then the site plan computed from the catalogue
(the same pure planner the scene builder uses).
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from pathlib import Path

from world.glb import GlbError, layout_from_glb
from world.layout import LayoutError, ParkLayout

log = logging.getLogger("cloudpark.bots")


def http_base(ws_url: str) -> str:
    """ws://host:port/ws -> http://host:port"""
    scheme, rest = ws_url.split("://", 1)
    host = rest.split("/", 1)[0]
    return ("https" if scheme == "wss" else "http") + "://" + host


def load_layout(ws_url: str, park: str, data_dir: Path | None = Path("var")) -> ParkLayout:
    url = f"{http_base(ws_url)}/scenes/{park}.glb"
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:  # noqa: S310 - our own server
            layout = layout_from_glb(resp.read())
            log.info("layout of %s from %s", park, url)
            return layout
    except (urllib.error.URLError, OSError, GlbError, LayoutError) as exc:
        log.info("no scene at %s (%s); trying local files", url, exc)
    if data_dir is not None:
        path = data_dir / "scenes" / f"{park}.glb"
        if path.is_file():
            log.info("layout of %s from %s", park, path)
            return layout_from_glb(path.read_bytes())
    from tools.catalogue_files import load_catalogue
    from world.siteplan import plan_park

    log.info("layout of %s from the catalogue's site plan", park)
    return plan_park(load_catalogue().get(park)).layout
