"""The codec on bytes: exact encodings, round trips, precise errors."""

from __future__ import annotations

import msgpack
import msgspec
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


def test_the_frame_limit_error_is_too_large_and_names_the_size() -> None:
    with pytest.raises(ProtocolError) as info:
        decode_client(b"\x80" * (MAX_FRAME_BYTES + 1))
    assert info.value.code == ErrorCode.TOO_LARGE == "too_large"
    assert f"{MAX_FRAME_BYTES + 1} bytes" in info.value.detail and str(MAX_FRAME_BYTES) in info.value.detail


def test_a_text_frame_is_malformed_whatever_it_holds() -> None:
    with pytest.raises(ProtocolError) as info:
        decode_client('{"t": "ping"}')  # type: ignore[arg-type]
    assert info.value.code == ErrorCode.MALFORMED


def _fresh(value: object) -> object:
    """An equal value that is not the same object (what a caller computing it passes)."""
    if isinstance(value, float):
        return float(repr(value))
    if isinstance(value, int) and not isinstance(value, bool):
        return int(str(value + 2**70)) - 2**70
    if isinstance(value, str) and value:
        return "".join(list(value))
    return value


def _sample(t: msgspec.inspect.Type) -> object:
    """Some valid value of a field type (for the required fields of a message)."""
    if isinstance(t, msgspec.inspect.IntType):
        return max(t.ge or 0, 1)
    if isinstance(t, msgspec.inspect.FloatType):
        return 1.5
    if isinstance(t, msgspec.inspect.StrType):
        return "x"
    if isinstance(t, msgspec.inspect.BoolType):
        return True
    if isinstance(t, msgspec.inspect.ListType | msgspec.inspect.VarTupleType):
        return [_sample(t.item_type)] * (t.min_length or 0)
    if isinstance(t, msgspec.inspect.TupleType):
        return [_sample(x) for x in t.item_types]
    if isinstance(t, msgspec.inspect.DictType):
        return {}
    if isinstance(t, msgspec.inspect.UnionType):
        return _sample(t.types[0])
    if isinstance(t, msgspec.inspect.StructType):
        return {f.encode_name: _sample(f.type) for f in t.fields if f.required}
    if isinstance(t, msgspec.inspect.AnyType | msgspec.inspect.RawType):
        return None
    raise AssertionError(f"no sample for {t}")


MESSAGE_CLASSES = [*M.ClientMessage.__args__, *M.ServerMessage.__args__, M.Snap]  # type: ignore[attr-defined]


@pytest.mark.parametrize("cls", MESSAGE_CLASSES, ids=lambda c: f"{c.__name__}")
def test_a_field_equal_to_its_default_is_left_out_even_when_passed_explicitly(cls: type[msgspec.Struct]) -> None:
    """msgspec's omit_defaults compares by identity: a 0.0 a caller computed is not the
    class's 0.0. The codec leaves out every field equal to its default, as documented."""
    info = msgspec.inspect.type_info(cls)
    assert isinstance(info, msgspec.inspect.StructType)
    plain = msgspec.convert({f.name: _sample(f.type) for f in info.fields if f.required}, cls)
    explicit = msgspec.structs.replace(plain, **{
        f.name: _fresh(f.default) for f in info.fields
        if not f.required and f.default is not msgspec.NODEFAULT})
    assert encode(explicit) == encode(plain)


def test_a_guest_session_has_no_expires_and_an_idle_input_no_yaw() -> None:
    raw = msgpack.unpackb(encode(M.Session(user=M.UserInfo(id="guest:1", name="Ann", role="guest", color=1),
                                           resume="r", resume_ttl=30.0, perms={}, token="",
                                           expires=float("0"), re=0)))
    assert "expires" not in raw and "token" not in raw and "re" not in raw
    assert msgpack.unpackb(encode(M.Input(s=1, mx=1.0, yaw=float("0")))) == {"t": "in", "s": 1, "mx": 1.0}


def test_records_inside_messages_have_only_defaults_identity_cannot_miss() -> None:
    """``encode`` swaps values equal to a default at the top level only; the records
    nested in messages must keep defaults that are singletons (None, "", 0, False, ())."""
    nested = [v for v in vars(M).values() if isinstance(v, type) and issubclass(v, msgspec.Struct)
              and v not in MESSAGE_CLASSES and v.__module__ == M.__name__ and not v.__name__.startswith("_")]
    assert M.Link in nested and M.UserInfo in nested
    for cls in nested:
        for f in msgspec.structs.fields(cls):
            if f.default is not msgspec.NODEFAULT:
                assert f.default in (None, "", 0, False, ()), (cls.__name__, f.name, f.default)
