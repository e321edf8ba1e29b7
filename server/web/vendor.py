"""Browser libraries installed from npm (``tools/node``, pinned in its package.json) and
served by the web app itself: nothing loads from a CDN, so the consoles' charts work
offline. ``tools/setup.sh`` installs them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, Response
from starlette.exceptions import HTTPException

from server.web.guard import Viewer, public

router = APIRouter(include_in_schema=False)
NODE_MODULES = Path(__file__).resolve().parents[2] / "tools" / "node" / "node_modules"
FILES = {"echarts.min.js": NODE_MODULES / "echarts" / "dist" / "echarts.min.js",
         "hls.min.js": NODE_MODULES / "hls.js" / "dist" / "hls.min.js",  # the event pages' player
         "jsQR.js": NODE_MODULES / "jsqr" / "dist" / "jsQR.js"}  # the check-in scanner without BarcodeDetector


@router.get("/vendor/{name}")
async def vendor(request: Request, viewer: Annotated[Viewer, Depends(public)], name: str) -> Response:
    path = FILES.get(name)
    if path is None:
        raise HTTPException(404, f"name: no vendored file {name!r}")
    if not path.is_file():
        raise HTTPException(404, f"{name} is not installed: run tools/setup.sh (npm install in tools/node)")
    return FileResponse(path, media_type="text/javascript", headers={"Cache-Control": "public, max-age=86400"})
