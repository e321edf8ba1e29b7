"""Folders under the data folder (``DATA_DIR``, default ``./var``) that one part of Cloud
Park writes and another reads, named once here so the writer (tools/) and the reader
(server/) cannot disagree."""

from __future__ import annotations

from pathlib import Path

PREVIEWS = "previews"
"""One picture per park, ``<park>.png``: rendered from its scene by ``tools.scenes.preview``
(``cloudpark up``, ``cloudpark scenes preview``, the world server after a park's scene is
rebuilt), served at ``/previews/`` by the web app and shown on the portal's park cards."""


def previews_dir(data_dir: Path) -> Path:
    return data_dir / PREVIEWS
