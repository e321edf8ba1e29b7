"""The ticker's back-pressure with a real server and real sockets: a client that stops
reading has its stale snapshots replaced (its server-side buffer stays bounded), then
is dropped with 4004 and a reason, while everyone else keeps receiving snapshots."""

from __future__ import annotations

import asyncio
import re
import socket
from pathlib import Path

from tests.server.harness import PARK, Visitor, http_get, running_app
from world.people import Person
from world.protocol import messages as M

HIGH_WATER = 4096
PUPPETS = 40


async def _slow_reader(port: int) -> Visitor:
    """A client with a tiny receive buffer, so the server's writes back up quickly."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port))
    return await Visitor.connect(port, sock=sock)


def _metric(text: str, name: str) -> float:
    found = re.search(rf"^{re.escape(name)} (\S+)$", text, re.M)
    return float(found.group(1)) if found else 0.0


def test_a_client_that_stops_reading_is_skipped_then_dropped_and_others_carry_on(tmp_path: Path) -> None:
    async def go() -> None:
        async with running_app(tmp_path, high_water=HIGH_WATER, behind_drop_s=1.0, send_buffer=4096) as app:
            park = app.parks[PARK]
            puppets = [park.room.join(Person(f"p{i}", f"puppet {i}", "guest", 0x808080), "centre", app.rng)
                       for i in range(PUPPETS)]
            walking = True

            async def walk_puppets() -> None:  # a busy crowd: every snapshot carries ~40 updates
                seq = 0
                while walking:
                    seq += 1
                    for k, eid in enumerate(puppets):
                        direction = 1.0 if (seq // 20 + k) % 2 else -1.0
                        park.room.queue_input(eid, M.Input(s=seq, mx=direction))
                    await asyncio.sleep(0.05)

            crowd = asyncio.create_task(walk_puppets())
            slow, fast = await _slow_reader(app.port), await Visitor.connect(app.port)
            await slow.hello_guest("Slow")
            await fast.hello_guest("Fast")
            await slow.join()
            await fast.join()
            await slow.wait_until(lambda: len(slow.seen) >= PUPPETS)
            server_side = park.clients[slow.eid].peer
            slow.ws.transport.pause_reading()  # the client stops reading; the server keeps producing

            biggest = 0
            skipped_while_connected = 0.0
            fast_snaps = sum(isinstance(m, M.SnapView) for m in fast.inbox)
            deadline = asyncio.get_running_loop().time() + 30
            while app.metrics.dropped["too_slow"] == 0:
                assert asyncio.get_running_loop().time() < deadline, "the slow client was never dropped"
                biggest = max(biggest, server_side.buffered())
                skipped_while_connected = app.metrics.snapshots_skipped
                await asyncio.sleep(0.005)
            # stale snapshots were replaced, not queued: the buffer never grew past one frame over high water
            assert skipped_while_connected >= 5
            assert HIGH_WATER < biggest <= HIGH_WATER + 2048, biggest
            _, _, body = await http_get(app.port, "/metrics")
            text = body.decode()
            assert _metric(text, "cloudpark_snapshots_skipped_total") >= skipped_while_connected
            assert _metric(text, 'cloudpark_dropped_clients_total{reason="too_slow"}') == 1
            # the other client kept receiving snapshots all along, and still does
            assert sum(isinstance(m, M.SnapView) for m in fast.inbox) > fast_snaps + 10
            after = sum(isinstance(m, M.SnapView) for m in fast.inbox)
            await fast.wait_until(lambda: sum(isinstance(m, M.SnapView) for m in fast.inbox) > after + 5)
            assert fast.closed is None
            # the slow client, reading again, finds the reason and the close code
            slow.ws.transport.resume_reading()
            await slow.wait_until(lambda: slow.closed is not None, timeout=15)
            assert slow.closed is not None and slow.closed[0] == 4004 and "keep up" in slow.closed[1]
            bye = next(m for m in slow.inbox if isinstance(m, M.Bye))
            assert bye.code == 4004 and "could not keep up with snapshots" in bye.reason
            walking = False
            await crowd
            await fast.close()
    asyncio.run(go())
