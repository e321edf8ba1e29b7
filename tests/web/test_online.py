"""Visitors online come from the world server's /parks.json, cached, "unknown" when down."""

from __future__ import annotations

import httpx
import pytest

from server.clock import ManualClock
from server.web.online import OnlineCounts, parks_json_url

pytestmark = pytest.mark.anyio


def test_the_game_url_names_the_world_servers_http_side() -> None:
    assert parks_json_url("ws://127.0.0.1:8766/ws") == "http://127.0.0.1:8766/parks.json"
    assert parks_json_url("wss://park.example/ws") == "https://park.example/parks.json"


async def test_counts_are_cached_and_become_unknown_when_the_world_server_fails() -> None:
    asked: list[str] = []
    state = {"up": True}

    def world(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        if not state["up"]:
            return httpx.Response(503)
        return httpx.Response(200, json=[{"id": "798-art-zone", "online": 4, "name_zh": "", "name_en": ""}])

    clock = ManualClock()
    online = OnlineCounts("ws://world:8766/ws", clock, ttl=5.0, transport=httpx.MockTransport(world))
    assert await online.counts() == {"798-art-zone": 4}
    assert await online.counts() == {"798-art-zone": 4} and len(asked) == 1  # cached
    state["up"] = False
    clock.advance(6)
    assert await online.counts() is None and asked == ["http://world:8766/parks.json"] * 2
    await online.close()
