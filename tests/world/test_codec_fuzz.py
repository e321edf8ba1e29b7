"""Fuzz: whatever bytes arrive, the decoders raise ProtocolError or return a message."""

from __future__ import annotations

import msgspec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from world.protocol import messages as M
from world.protocol.codec import (
    ProtocolError,
    decode_client,
    decode_server,
    encode,
    peek_request_id,
)
from world.protocol.session import ServerSession, SessionLimits

VALID_CLIENT = [
    encode(M.Hello(v=1, client="bot", resume="r" * 20)), encode(M.Guest(name="Ann", color=1, id=9)),
    encode(M.Input(s=123456, mx=0.5, my=-1.0, yaw=3.0, run=True)),
    encode(M.Chat(ch="booth", text="hello", booth="b01", id=4)),
    encode(M.BoothEdit(booth="b01", content=M.BoothPatch(name="n", products=(M.Product(name="p", price="1"),)))),
    encode(M.Card(booth="b02", name="N", consent=True, message="m" * 50)),
]
VALID_SERVER = [
    encode(M.Snap(k=1, a=2, p=(1, 2, 3), e=[msgspec.Raw(msgspec.msgpack.encode((1, 2, 3, 4, 0, "A", 5)))], l=[9])),
    encode(M.Error(code="bad_type", msg="x", re=3)), encode(M.ChatLine(ch="park", text="t", name="n", eid=1, ts=1.0)),
]


def _decode_both(data: bytes) -> None:
    for decode in (decode_client, decode_server):
        try:
            decode(data)
        except ProtocolError:
            pass


@settings(max_examples=1500, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_arbitrary_bytes(data: bytes) -> None:
    _decode_both(data)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    frame = bytearray(draw(st.sampled_from(VALID_CLIENT + VALID_SERVER)))
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["flip", "cut", "insert", "dup"]))
        pos = draw(st.integers(0, max(len(frame) - 1, 0)))
        if op == "flip" and frame:
            frame[pos] ^= 1 << draw(st.integers(0, 7))
        elif op == "cut":
            del frame[pos:pos + draw(st.integers(1, 8))]
        elif op == "insert":
            frame[pos:pos] = draw(st.binary(min_size=1, max_size=8))
        else:
            frame += frame[pos:]
    return bytes(frame)


@settings(max_examples=2000, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_valid_frames(data: bytes) -> None:
    _decode_both(data)


json_like = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | st.floats() | st.text(max_size=20) | st.binary(max_size=20),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8) | st.integers(-(2**63), 2**63), inner, max_size=5),
    max_leaves=20,
)


@settings(max_examples=1000, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["t", "id", "s", "mx", "yaw", "n", "name", "color", "park", "spawn", "text", "ch",
                                       "booth", "e", "v", "resume", "content"]), json_like))
def test_well_formed_msgpack_of_any_shape(obj: dict[object, object]) -> None:
    if "t" not in obj or not isinstance(obj.get("t"), str):
        obj["t"] = "in"
    _decode_both(msgspec.msgpack.encode(obj))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.binary(max_size=64), mutated()), max_size=30))
def test_a_session_never_raises_on_any_sequence_of_frames(frames: list[bytes]) -> None:
    s = ServerSession()
    for i, f in enumerate(frames):
        s.receive(f, i * 0.01)
    s.data_to_send()


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300) | st.text(max_size=100) | st.builds(bytearray, st.binary(max_size=50))
       | st.builds(memoryview, st.binary(max_size=50)))
def test_any_frame_of_any_kind_raises_only_protocol_error(data: bytes) -> None:
    """Binary or text, whatever it holds: ProtocolError or a message; peek never raises."""
    _decode_both(data)
    try:
        decode_client(data, limit=16)
    except ProtocolError as exc:
        assert exc.code in ("malformed", "too_large", "bad_type", "unknown_type")
    if not isinstance(data, str):
        assert 0 <= peek_request_id(bytes(data)) <= 0xFFFFFFFF


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.binary(max_size=64), st.text(max_size=64), mutated(), st.binary(min_size=200, max_size=300)),
                max_size=30))
def test_a_session_answers_text_and_oversize_frames_without_raising(frames: list[bytes | str]) -> None:
    s = ServerSession(SessionLimits(max_frame=128))
    for i, f in enumerate(frames):
        s.receive(f, i * 0.01)
    for out in s.data_to_send():
        assert decode_server(out) is not None
