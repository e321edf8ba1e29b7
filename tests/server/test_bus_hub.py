"""The bus across processes: a hub in the world server, links in the web app and the CLI."""

from __future__ import annotations

import asyncio
from pathlib import Path

from server.bus_hub import MAX_FRAME, HubBus
from server.bus_link import LinkBus


async def _until(cond, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while not cond():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached"
        await asyncio.sleep(0.01)


def test_a_hint_published_in_any_process_reaches_every_matching_receiver_once(tmp_path: Path) -> None:
    async def go() -> None:
        hub = HubBus(tmp_path / "bus.sock")
        assert await hub.start()
        web, cli = LinkBus(hub.path), LinkBus(hub.path)
        at_hub: list[dict] = []
        at_web: list[dict] = []
        at_cli: list[dict] = []
        hub.subscribe("booth.*", lambda s, h: at_hub.append(h))
        web.subscribe("booth.changed", lambda s, h: at_web.append(h))
        cli.subscribe("space.>", lambda s, h: at_cli.append(h))
        assert await web.connect_once() and await cli.connect_once()
        await _until(lambda: sum(len(p.patterns) for p in hub.peers) == 2)
        cli.publish("booth.changed", {"park": "p", "booth": "b1"})  # the CLI's edit
        await _until(lambda: at_hub and at_web)
        hub.publish("booth.changed", {"park": "p", "booth": "b2"})  # the world's own edit
        web.publish("space.changed.s1", {"space": "s1"})
        await _until(lambda: len(at_web) == 2 and at_cli)
        await asyncio.sleep(0.05)
        assert at_hub == [{"park": "p", "booth": "b1"}, {"park": "p", "booth": "b2"}]
        assert at_web == [{"park": "p", "booth": "b1"}, {"park": "p", "booth": "b2"}]
        assert at_cli == [{"space": "s1"}]
        for bus in (web, cli, hub):
            await bus.close()
        assert not hub.path.exists()
    asyncio.run(go())


def test_a_broken_client_is_closed_alone_and_a_missing_hub_drops_hints_quietly(tmp_path: Path) -> None:
    async def go() -> None:
        hub = HubBus(tmp_path / "bus.sock")
        await hub.start()
        good = LinkBus(hub.path)
        heard: list[dict] = []
        good.subscribe("x.y", lambda s, h: heard.append(h))
        await good.connect_once()
        for garbage in (b"\x00\x00\x00\x03\xc1\xc1\xc1",                      # not MessagePack
                        (MAX_FRAME + 1).to_bytes(4, "big"),                       # oversize
                        b"\x00\x00\x00\x02\x91\x01",                              # wrong shape
                        b"\x00\x00\x00\x0c\x93\xa3pub\xa3x.*\x80"):              # a wildcard subject
            _, w = await asyncio.open_unix_connection(str(hub.path))
            w.write(garbage)
            await w.drain()
            w.close()
        await _until(lambda: hub.refused_frames == 4)
        hub.publish("x.y", {"n": 1})
        await _until(lambda: heard == [{"n": 1}])  # the good client never noticed
        await hub.close()
        await _until(lambda: not good.connected.is_set())
        good.publish("x.y", {"n": 2})  # hub gone: dropped, no error (the database holds the truth)
        assert good.dropped >= 1
        hub2 = HubBus(tmp_path / "bus.sock")  # the server restarts: the link comes back, subscriptions too
        await hub2.start()
        await _until(lambda: good.connected.is_set() and any(p.patterns == ["x.y"] for p in hub2.peers))
        hub2.publish("x.y", {"n": 3})
        await _until(lambda: heard[-1] == {"n": 3})
        await good.close()
        await hub2.close()
    asyncio.run(go())


def test_a_second_server_on_the_same_data_dir_keeps_its_hints_to_itself(tmp_path: Path) -> None:
    async def go() -> None:
        first, second = HubBus(tmp_path / "bus.sock"), HubBus(tmp_path / "bus.sock")
        assert await first.start()
        assert not await second.start()
        assert first.path.exists()  # the live hub's socket was not taken away
        await second.close()
        await first.close()
    asyncio.run(go())
