"""Park scenes downloaded once per content hash into the user's cache folder.

``$XDG_CACHE_HOME/cloudpark/scenes/<sha256>.glb`` (``~/.cache`` by default, or
``CLOUDPARK_CACHE``). A file is only kept when its SHA-256 matches the hash the server
announced, so a cached scene is always the exact bytes the server serves.
"""

from __future__ import annotations

import hashlib
import os
import urllib.request
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urljoin, urlsplit, urlunsplit

CHUNK = 64 * 1024


class SceneError(RuntimeError):
    """The scene could not be downloaded or did not match its hash."""


def cache_dir() -> Path:
    if os.environ.get("CLOUDPARK_CACHE"):
        return Path(os.environ["CLOUDPARK_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cloudpark"


def http_base(ws_url: str) -> str:
    """ws://host:port/ws -> http://host:port/ (same port serves HTTP)."""
    parts = urlsplit(ws_url)
    scheme = {"ws": "http", "wss": "https"}.get(parts.scheme, parts.scheme)
    return urlunsplit((scheme, parts.netloc, "/", "", ""))


def fetch_scene(ws_url: str, scene: str, sha256: str,
                progress: Callable[[float], None] | None = None, root: Path | None = None) -> Path:
    """The local path of the scene with content ``sha256``, downloading it if needed."""
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise SceneError(f"scene hash {sha256!r} is not a SHA-256 hex digest")
    folder = (root or cache_dir()) / "scenes"
    path = folder / f"{sha256}.glb"
    if path.exists():
        if progress:
            progress(1.0)
        return path
    folder.mkdir(parents=True, exist_ok=True)
    url = urljoin(http_base(ws_url), scene)
    digest = hashlib.sha256()
    tmp = path.with_suffix(f".part{os.getpid()}")
    try:
        with urllib.request.urlopen(url, timeout=30) as resp, tmp.open("wb") as out:  # noqa: S310 - our server
            total = int(resp.headers.get("Content-Length") or 0)
            done = 0
            while chunk := resp.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
                done += len(chunk)
                if progress and total:
                    progress(min(1.0, done / total))
        if digest.hexdigest() != sha256:
            raise SceneError(f"{url}: content hash {digest.hexdigest()} does not match {sha256}")
        tmp.replace(path)
    except OSError as exc:
        raise SceneError(f"cannot download {url}: {exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)
    if progress:
        progress(1.0)
    return path
