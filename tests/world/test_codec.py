"""The codec on bytes: exact encodings, round trips, precise errors."""

from __future__ import annotations

import msgpack
import pytest

from world.protocol import messages as M
from world.protocol.codec import (
    ProtocolError,
    decode_client,
    decode_server,
    encode,
    peek_request_id,
)
from world.protocol.constants import MAX_FRAME_BYTES, ErrorCode
from world.protocol.quantize import pos_from_wire, pos_to_wire, yaw_from_wire, yaw_to_wire


def test_input_is_a_small_msgpack_map_tagged_by_t() -> None:
    data = encode(M.Input(s=7, mx=1.0))
    assert msgpack.unpackb(data) == {"t": "in", "s": 7, "mx": 1.0}
    assert data[0] == 0x83  # fixmap of 3: defaults are left out


def test_client_messages_round_trip() -> None:
    msgs = [
        M.Hello(v=1, client="t"), M.Guest(name="Ann", color=0xFF00FF, id=1), M.Join(park="798-art-zone", id=2),
        M.Input(s=1, mx=-0.5, my=0.25, yaw=1.0, run=True), M.Chat(ch="near", text="你好", id=3),
        M.BoothEdit(booth="b01", content=M.BoothPatch(name="X", links=(M.Link(label="a", url="https://a.b"),))),
        M.Card(booth="b01", name="Ann", consent=True, email="a@b.c"), M.Ping(c=1.5),
    ]
    for m in msgs:
        assert decode_client(encode(m)) == m


def test_snapshot_encodes_pre_packed_items_and_decodes_as_snapview() -> None:
    item = msgspec_raw((3, 100, -200, 16384, 1))
    data = encode(M.Snap(k=9, a=4, p=(1, 2, 3), u=[item]))
    assert msgpack.unpackb(data) == {"t": "snap", "k": 9, "a": 4, "p": [1, 2, 3], "u": [[3, 100, -200, 16384, 1]]}
    view = decode_server(data)
    assert isinstance(view, M.SnapView) and view.u == [(3, 100, -200, 16384, 1)] and view.e == []


def msgspec_raw(obj: object) -> object:
    import msgspec

    return msgspec.Raw(msgspec.msgpack.encode(obj))


@pytest.mark.parametrize(("data", "code"), [
    (b"", ErrorCode.MALFORMED),
    (b"\xc1", ErrorCode.MALFORMED),
    (msgpack.packb([1, 2]), ErrorCode.BAD_TYPE),
    (msgpack.packb({"s": 1}), ErrorCode.BAD_TYPE),
    (msgpack.packb({"t": "nope"}), ErrorCode.UNKNOWN_TYPE),
    (msgpack.packb({"t": "in", "s": -1}), ErrorCode.BAD_TYPE),
    (msgpack.packb({"t": "in", "s": 1, "mx": 2.0}), ErrorCode.BAD_TYPE),
    (msgpack.packb({"t": "guest", "name": ""}), ErrorCode.BAD_TYPE),
    (msgpack.packb({"t": "chat", "ch": "park", "text": "x" * 501}), ErrorCode.BAD_TYPE),
])
def test_bad_frames_raise_protocol_error_with_a_code(data: bytes, code: ErrorCode) -> None:
    with pytest.raises(ProtocolError) as info:
        decode_client(data)
    assert info.value.code == code and info.value.detail


def test_frame_limit() -> None:
    with pytest.raises(ProtocolError, match="exceeds"):
        decode_client(b"\x80" * (MAX_FRAME_BYTES + 1))


def test_peek_request_id() -> None:
    assert peek_request_id(msgpack.packb({"t": "x", "id": 77})) == 77
    assert peek_request_id(msgpack.packb({"id": True})) == 0
    assert peek_request_id(b"\xc1") == 0


def test_unknown_fields_from_newer_peers_are_ignored() -> None:
    assert decode_client(msgpack.packb({"t": "ping", "c": 1.0, "future": [1, 2]})) == M.Ping(c=1.0)


def test_quantization_units() -> None:
    assert pos_to_wire(1.234) == 123 and pos_from_wire(-250) == -2.5
    assert yaw_to_wire(3.141592653589793) == 32768 and yaw_to_wire(-1e-9) == 0
    assert yaw_from_wire(49152) == pytest.approx(-3.141592653589793 / 2)
