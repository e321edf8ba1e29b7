"""The web app's composition root (``cloudpark web``): opens the store, links to the
world server's bus, builds the app and serves it with uvicorn, in its own process so
slow web work never shares a loop with the world's tick."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Iterator

import uvicorn

from server.bus import Bus
from server.clock import SystemClock
from server.config import ServerConfig
from server.db import Store
from server.web.app import create_app

log = logging.getLogger("cloudpark.web")


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: uvicorn re-raises SIGTERM after its
    shutdown, which would kill the process before the store is closed."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve(config: ServerConfig, bus: Bus | None = None) -> None:
    """Serve until SIGINT/SIGTERM, then stop taking requests and close the store."""
    if bus is None:
        from server.bus_link import LinkBus

        link = LinkBus(config.bus_socket)
        link.start()  # reconnects in the background: the world server may start later
        bus = link
    store = await Store.open(config.database_url)
    try:
        app = create_app(config, store, bus, SystemClock())
        server = _Server(uvicorn.Config(app, host=config.host, port=config.web_port, log_level="warning",
                                        proxy_headers=True, server_header=False))
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, lambda: setattr(server, "should_exit", True))
        serving = asyncio.create_task(server.serve())
        while not server.started and not serving.done():
            await asyncio.sleep(0.02)
        if server.started:  # the port it really got (--port 0 picks a free one)
            port = server.servers[0].sockets[0].getsockname()[1]
            print(f"cloudpark web: portal http://{config.host}:{port}/  "  # noqa: T201
                  f"(game websocket announced: {config.game_url})", flush=True)
        await serving
    finally:
        await store.close()
        await bus.close()


def run(config: ServerConfig) -> None:
    asyncio.run(serve(config))
