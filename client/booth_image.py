"""Booth pictures (logo, main image): downloaded off the render thread, cached on disk.

``BoothImages.state(url)`` never blocks: the first call queues the download and says
"loading"; a worker thread fetches it (http or https, from the game server, for a
URL like ``/web/logo.png``, or any reachable host), checks it decodes as an image,
shrinks it to at most ``MAX_PX`` on a side and writes a PNG into
``<cache>/images/<sha256 of the URL>.png``. Later calls answer "ready" with that
path, or "failed" with the reason (the panel then shows a placeholder). When a
download fails but an earlier run cached the picture, the cached copy is used.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import queue
import threading
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from client.scene_cache import cache_dir, http_base

log = logging.getLogger(__name__)

MAX_BYTES = 8 * 1024 * 1024
MAX_PX = 512
TIMEOUT = 8.0


@dataclass(frozen=True, slots=True)
class ImageState:
    state: str  # none | loading | ready | failed
    path: Path | None = None
    detail: str = ""


NONE = ImageState("none")
LOADING = ImageState("loading")


class BoothImages:
    def __init__(self, server: str, root: Path | None = None) -> None:
        self.base = http_base(server) if server else ""
        self.folder = (root or cache_dir()) / "images"
        self._states: dict[str, ImageState] = {}
        self._lock = threading.Lock()
        self._queue: queue.SimpleQueue[str] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    def resolve(self, url: str) -> str | None:
        """An absolute http(s) URL for ``url`` (relative ones are on the game server), or None."""
        url = url.strip()
        if not url:
            return None
        full = urljoin(self.base, url) if self.base else url
        return full if urlsplit(full).scheme in ("http", "https") and urlsplit(full).netloc else None

    def state(self, url: str) -> ImageState:
        full = self.resolve(url)
        if full is None:
            return ImageState("failed", detail=f"not an http(s) URL: {url[:80]}") if url.strip() else NONE
        with self._lock:
            known = self._states.get(full)
            if known is not None:
                return known
            self._states[full] = LOADING
        self._queue.put(full)
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name="booth-images", daemon=True)
            self._thread.start()
        return LOADING

    def settled(self, urls: list[str]) -> bool:
        """True when none of ``urls`` is still loading."""
        return all(self.state(u).state != "loading" for u in urls)

    def _work(self) -> None:
        while True:
            url = self._queue.get()
            result = self.fetch(url)
            with self._lock:
                self._states[url] = result

    def fetch(self, url: str) -> ImageState:
        """Download ``url`` now (the worker's job; blocking)."""
        from PIL import Image, UnidentifiedImageError

        path = self.folder / f"{hashlib.sha256(url.encode()).hexdigest()}.png"
        try:
            with urllib.request.urlopen(url, timeout=TIMEOUT) as resp:  # noqa: S310 - http(s) only, checked above
                data = resp.read(MAX_BYTES + 1)
            if len(data) > MAX_BYTES:
                raise ValueError(f"larger than {MAX_BYTES // (1024 * 1024)} MiB")
            with Image.open(io.BytesIO(data)) as img:
                img.load()
                pic = img.convert("RGBA")
            pic.thumbnail((MAX_PX, MAX_PX))
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".part{os.getpid()}")
            pic.save(tmp, format="PNG")
            tmp.replace(path)
            return ImageState("ready", path)
        except (OSError, ValueError, UnidentifiedImageError) as exc:
            log.info("booth image %s: %s", url, exc)
            if path.exists():
                return ImageState("ready", path, detail=f"cached copy ({exc})")
            return ImageState("failed", detail=str(exc)[:200])
