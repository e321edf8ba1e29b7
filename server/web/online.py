"""Visitors online per park, as the world server reports them (``GET /parks.json`` on
the game port). Cached a few seconds; when the world server cannot be reached the
answer is ``None`` ("unknown"), never a made-up zero."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import httpx

from server.clock import Clock

log = logging.getLogger("cloudpark.web")


def parks_json_url(game_url: str) -> str:
    """``ws://host:port/ws`` -> ``http://host:port/parks.json`` (wss -> https)."""
    parts = urlsplit(game_url)
    scheme = "https" if parts.scheme == "wss" else "http"
    return f"{scheme}://{parts.netloc}/parks.json"


class OnlineCounts:
    def __init__(self, game_url: str, clock: Clock, *, ttl: float = 5.0, timeout: float = 0.5,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.url = parks_json_url(game_url)
        self.clock = clock
        self.ttl = ttl
        self._client = httpx.AsyncClient(timeout=timeout, transport=transport)
        self._fetched = -1e18
        self._counts: dict[str, int] | None = None

    async def counts(self) -> dict[str, int] | None:
        """park id -> visitors online now, or None when the world server does not answer."""
        if self.clock.monotonic() - self._fetched < self.ttl:
            return self._counts
        self._fetched = self.clock.monotonic()
        try:
            reply = await self._client.get(self.url)
            reply.raise_for_status()
            self._counts = {str(p["id"]): int(p["online"]) for p in reply.json()}
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            log.info("visitors online unknown: %s did not answer (%s)", self.url, exc)
            self._counts = None
        return self._counts

    async def close(self) -> None:
        await self._client.aclose()
