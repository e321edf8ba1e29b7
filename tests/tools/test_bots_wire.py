"""The bots' websocket framing, checked against websockets' own sans-I/O server side."""

from __future__ import annotations

import pytest
from websockets.frames import Close, Opcode
from websockets.http11 import Request
from websockets.protocol import Protocol, Side, State
from websockets.server import ServerProtocol

from tools.bots import wire


def _server() -> Protocol:
    return Protocol(Side.SERVER, state=State.OPEN, max_size=None)


def test_handshake_is_accepted_by_a_websockets_server_and_checked_back() -> None:
    key = wire.new_key()
    raw = wire.upgrade_request("127.0.0.1", 8765, "/ws", key, "cloudpark.v1")
    server = ServerProtocol()
    server.receive_data(raw)
    [request] = server.events_received()
    assert isinstance(request, Request)
    response = server.accept(request)
    assert response.status_code == 101
    server.send_response(response)
    reader = wire.Reader()
    sent = b"".join(server.data_to_send())
    head = reader.feed_head(sent[:10])
    assert head is None  # incomplete: waits for more
    head = reader.feed_head(sent[10:])
    wire.check_upgrade(head, key)
    with pytest.raises(wire.WireError, match="Sec-WebSocket-Accept"):
        wire.check_upgrade(head, wire.new_key())
    with pytest.raises(wire.WireError, match="upgrade refused"):
        wire.check_upgrade(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0", key)


@pytest.mark.parametrize("size", [0, 20, 125, 126, 5000, 70_000])
def test_client_frames_of_every_length_reach_the_server_intact(size) -> None:
    server = _server()
    payload = bytes(range(256)) * (size // 256) + bytes(size % 256)
    server.receive_data(wire.frame(payload))
    [frame] = server.events_received()
    assert frame.opcode is Opcode.BINARY and frame.data == payload


def test_server_frames_split_anywhere_come_out_whole_and_in_order() -> None:
    server = _server()
    server.send_binary(b"a" * 10)
    server.send_binary(b"b" * 300)
    server.send_binary(b"c" * 70_000)
    server.send_ping(b"are you there")
    server.send_binary(b"first ", fin=False)
    server.send_continuation(b"second", fin=True)
    server.send_close(1000, "bye")
    data = b"".join(server.data_to_send())
    for step in (1, 7, 1000, len(data)):
        reader = wire.Reader()
        out = []
        for i in range(0, len(data), step):
            out += reader.feed(data[i:i + step])
        assert [(op, len(p)) for op, p in out] == [
            (wire.OP_BINARY, 10), (wire.OP_BINARY, 300), (wire.OP_BINARY, 70_000), (wire.OP_PING, 13),
            (wire.OP_BINARY, 12), (wire.OP_CLOSE, 5)]
        assert out[4][1] == b"first second" and wire.close_code(out[5][1]) == 1000


def test_a_masked_server_frame_is_unmasked_and_reserved_bits_are_refused() -> None:
    client = Protocol(Side.CLIENT, state=State.OPEN, max_size=None)  # clients mask their frames
    client.send_binary(b"masked payload")
    assert wire.Reader().feed(b"".join(client.data_to_send())) == [(wire.OP_BINARY, b"masked payload")]
    bad = bytes((0x80 | 0x40 | wire.OP_BINARY, 1)) + b"x"  # FIN + RSV1: a compressed frame
    with pytest.raises(wire.WireError, match="reserved bits"):
        wire.Reader().feed(bad)


def test_close_frames_carry_their_code() -> None:
    assert wire.close_code(Close(4004, "too slow").serialize()) == 4004
    assert wire.close_code(b"") is None
