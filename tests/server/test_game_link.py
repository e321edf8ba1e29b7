"""The game websocket on picows behind the door, and websockets beside it: the same
rules either way (what the door routes where, fragments, text, limits, closes)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from server.net.door import MAX_HEAD, Way, way_of
from server.net.game_link import GameLink
from tests.server.harness import PARK, Visitor, http_get, running_app
from world.protocol import messages as M
from world.protocol.codec import encode
from world.protocol.constants import PROTOCOL_VERSION, SUBPROTOCOL

UPGRADE = (b"GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
           b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
SOCKETS = ["picows", "websockets"]


@pytest.mark.parametrize(("head", "way"), [
    (UPGRADE, Way.GAME),
    (UPGRADE.replace(b"GET /ws ", b"GET /ws?x=1 "), Way.GAME),
    (UPGRADE.replace(b"Connection: Upgrade", b"Connection: keep-alive, Upgrade"), Way.GAME),
    (UPGRADE[:30], Way.WAIT),
    (b"GE", Way.WAIT),
    (UPGRADE.replace(b"GET /ws ", b"GET /other "), Way.HTTP),  # websockets answers 404
    (UPGRADE.replace(b"Upgrade: websocket\r\n", b""), Way.HTTP),  # websockets answers 426
    (b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", Way.HTTP),
    (b"POST /ws HTTP/1.1\r\nHost: x\r\n\r\n", Way.HTTP),  # websockets answers 405
    (b"HEAD /ws HTTP/1.1\r\nHost: x\r\n\r\n", Way.HTTP),
    (b"GET /ws HTTP/1.0\r\nHost: x\r\n\r\n", Way.HTTP),  # malformed for websockets: its own 400
    (b"GET /ws HTTP/1.1\r\nX-Long: " + b"a" * MAX_HEAD, Way.HTTP),
    (b"\x16\x03\x01\x02\x00", Way.HTTP),  # TLS on a plain port
])
def test_the_door_sends_only_game_upgrades_to_picows(head: bytes, way: Way) -> None:
    assert way_of(head) is way


@pytest.mark.parametrize("game_socket", SOCKETS)
def test_both_sockets_serve_the_game_and_the_http_routes(tmp_path: Path, game_socket: str) -> None:
    async def go() -> None:
        async with running_app(tmp_path, game_socket=game_socket) as app:
            v = await Visitor.connect(app.port)
            assert v.ws.subprotocol == SUBPROTOCOL
            assert v.ws.response is not None and v.ws.response.headers["Server"] == "CloudPark"
            await v.hello_guest("Ann")
            await v.join(PARK)
            await v.walk_until(1.0, 0.0, lambda: v.pos is not None and v.pos[0] > 100)
            server_side = next(iter(app.listener.connections))
            assert isinstance(server_side.ws, GameLink) is (game_socket == "picows")
            status, _, body = await http_get(app.port, "/healthz")
            assert status == 200 and b'"clients": 1' in body
            status, _, _ = await http_get(app.port, "/ws")  # no upgrade asked: 426 from websockets
            assert status == 426
            with pytest.raises(InvalidStatus) as refused:  # an upgrade elsewhere: 404 from websockets
                await connect(f"ws://127.0.0.1:{app.port}/other")
            assert refused.value.response.status_code == 404
            await v.close()
            assert v.closed is not None and v.closed[0] == 1000
            await v.wait_until(lambda: not app.listener.connections)
    asyncio.run(go())


@pytest.mark.parametrize("game_socket", SOCKETS)
def test_a_fragmented_message_is_read_whole(tmp_path: Path, game_socket: str) -> None:
    async def go() -> None:
        async with running_app(tmp_path, game_socket=game_socket) as app:
            v = await Visitor.connect(app.port)
            hello = encode(M.Hello(v=PROTOCOL_VERSION, client="tests"))
            await v.ws.send([hello[:3], hello[3:7], hello[7:]])  # three frames, one message
            await v.wait_for(lambda m: isinstance(m, M.Welcome))
            await v.close()
    asyncio.run(go())


@pytest.mark.parametrize("game_socket", SOCKETS)
def test_a_text_frame_that_is_not_utf8_closes_1007(tmp_path: Path, game_socket: str) -> None:
    async def go() -> None:
        async with running_app(tmp_path, game_socket=game_socket) as app:
            r, w = await asyncio.open_connection("127.0.0.1", app.port)
            w.write(UPGRADE)
            head = await r.readuntil(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 101")
            payload = b"\xff\xfe"
            w.write(bytes((0x81, 0x80 | len(payload))) + b"\0\0\0\0" + payload)  # masked, key 0
            frame = await asyncio.wait_for(r.read(4), 5)
            assert frame[0] == 0x88 and int.from_bytes(frame[2:4], "big") == 1007
            w.close()
    asyncio.run(go())


@pytest.mark.parametrize("game_socket", SOCKETS)
def test_a_message_over_the_read_limit_closes_1009(tmp_path: Path, game_socket: str) -> None:
    async def go() -> None:
        async with running_app(tmp_path, game_socket=game_socket) as app:
            v = await Visitor.connect(app.port, max_size=None)
            await v.hello_guest("Big")
            part = b"\x00" * (300 * 1024)
            await v.ws.send([part, part, part, part])  # 1.2 MiB in four frames
            await v.wait_until(lambda: v.closed is not None)
            assert v.closed is not None and v.closed[0] == 1009
            status, _, _ = await http_get(app.port, "/healthz")  # the server carries on
            assert status == 200
    asyncio.run(go())


@pytest.mark.parametrize("game_socket", SOCKETS)
def test_the_server_answers_a_close_with_its_code_and_keeps_what_the_peer_sent(
        tmp_path: Path, game_socket: str, caplog: pytest.LogCaptureFixture) -> None:
    async def go() -> None:
        async with running_app(tmp_path, game_socket=game_socket) as app:
            v = await Visitor.connect(app.port)
            await v.hello_guest("Bea")
            server_side = next(iter(app.listener.connections))
            await v.ws.close(1001, "going home")
            await v._reader
            assert v.closed is not None and v.closed[0] == 1001
            rcvd = server_side.ws.protocol.close_rcvd
            assert rcvd is not None and (rcvd.code, rcvd.reason) == (1001, "going home")
            await v.wait_until(lambda: not app.listener.connections)
    asyncio.run(go())
    # the connection's handler ended as a close ends, not with an error of its own
    failed = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not failed, [r.getMessage() for r in failed]


def test_stopping_the_server_closes_game_links_1001(tmp_path: Path) -> None:
    async def go() -> None:
        async with running_app(tmp_path, game_socket="picows") as app:
            v = await Visitor.connect(app.port)
            await v.hello_guest("Cy")
            assert app.listener.links
            await app.stop()
            await v.wait_until(lambda: v.closed is not None)
            assert v.closed is not None and v.closed[0] == 1001
            assert not app.listener.links and not app.listener.link_tasks
    asyncio.run(go())
