"""The web app's composition root (``cloudpark web``): opens the store, links to the
world server's bus, builds the app and serves it with uvicorn, in its own process so
slow web work never shares a loop with the world's tick."""

from __future__ import annotations

import asyncio
import logging

import uvicorn

from server.bus import Bus
from server.clock import SystemClock
from server.config import ServerConfig
from server.db import Store
from server.web.app import create_app

log = logging.getLogger("cloudpark.web")


async def serve(config: ServerConfig, bus: Bus | None = None) -> None:
    """Serve until interrupted (uvicorn handles SIGINT/SIGTERM), then close the store."""
    if bus is None:
        from server.bus_link import LinkBus

        link = LinkBus(config.bus_socket)
        link.start()  # reconnects in the background: the world server may start later
        bus = link
    store = await Store.open(config.database_url)
    try:
        app = create_app(config, store, bus, SystemClock())
        server = uvicorn.Server(uvicorn.Config(app, host=config.host, port=config.port, log_level="warning",
                                               proxy_headers=True, server_header=False))
        print(f"cloudpark web: portal http://{config.host}:{config.port}/  "  # noqa: T201
              f"(game websocket announced: {config.game_url})", flush=True)
        await server.serve()
    finally:
        await store.close()
        await bus.close()


def run(config: ServerConfig) -> None:
    asyncio.run(serve(config))
