"""The sans-I/O connection state machine, driven with bytes only."""

from __future__ import annotations

import msgpack
import pytest

from tests.world.session_pair import SessionPair
from world.protocol import messages as M
from world.protocol.codec import encode
from world.protocol.constants import PROTOCOL_VERSION, CloseCode, ErrorCode
from world.protocol.session import (
    ALLOWED,
    TRANSITIONS,
    ServerSession,
    SessionLimits,
    SessionStateError,
    State,
)


def frames(session: ServerSession) -> list[object]:
    from world.protocol.codec import decode_server

    return [decode_server(f) for f in session.data_to_send()]


def test_every_state_has_a_row_and_closed_allows_nothing() -> None:
    assert set(ALLOWED) == set(State)
    assert ALLOWED[State.CLOSED] == frozenset()
    assert "in" in ALLOWED[State.IN_PARK] and "in" not in ALLOWED[State.AUTHENTICATED]
    assert all(src is not State.CLOSED for src, _ in TRANSITIONS)


def test_hello_welcome_guest_join() -> None:
    pair = SessionPair()
    pair.client.hello()
    (hello,) = pair.pump()
    assert isinstance(hello, M.Hello) and pair.server.state is State.GREETED
    (welcome,) = pair.deliver()
    assert isinstance(welcome, M.Welcome) and welcome.v == PROTOCOL_VERSION and welcome.walk_speed == 2.0
    rid = pair.client.guest("Ann")
    (guest,) = pair.pump()
    assert isinstance(guest, M.Guest) and guest.id == rid
    pair.server.authenticated()
    pair.client.join("798-art-zone")
    (join,) = pair.pump()
    assert isinstance(join, M.Join)
    pair.server.joined()
    pair.client.move(1.0, 0.0)
    (inp,) = pair.pump()
    assert isinstance(inp, M.Input) and inp.s == 1
    pair.server.left()
    assert pair.server.state is State.AUTHENTICATED


def test_version_mismatch_is_answered_then_closed_4000() -> None:
    s = ServerSession(SessionLimits(), 0.0)
    assert s.receive(encode(M.Hello(v=99)), 0.0) == []
    err, bye = frames(s)
    assert isinstance(err, M.Error) and err.code == ErrorCode.VERSION and "99" in err.msg
    assert isinstance(bye, M.Bye) and bye.code == CloseCode.VERSION_MISMATCH == s.close_code


def test_message_before_the_handshake_gets_bad_state_with_request_id() -> None:
    s = ServerSession()
    assert s.receive(encode(M.Join(park="p", id=7)), 0.0) == []
    (err,) = frames(s)
    assert isinstance(err, M.Error) and err.code == ErrorCode.BAD_STATE and err.re == 7
    assert s.state is State.CONNECTED


def test_garbage_is_answered_with_the_request_id_when_it_can_be_found() -> None:
    s = ServerSession()
    s.receive(msgpack.packb({"t": "join", "park": 5, "id": 42}), 0.0)
    s.receive(b"\xc1\xc1", 0.0)
    s.receive(msgpack.packb({"t": "teleport", "id": 3}), 0.0)
    e1, e2, e3 = frames(s)
    assert (e1.code, e1.re) == (ErrorCode.BAD_TYPE, 42)  # type: ignore[attr-defined]
    assert (e2.code, e2.re) == (ErrorCode.MALFORMED, 0)  # type: ignore[attr-defined]
    assert (e3.code, e3.re) == (ErrorCode.UNKNOWN_TYPE, 3)  # type: ignore[attr-defined]
    assert s.errors == 3 and s.close_code is None


def test_too_many_errors_closes_4001() -> None:
    s = ServerSession(SessionLimits(max_errors=20))
    for _ in range(20):
        s.receive(b"\xc1", 0.0)
    assert s.close_code is None
    s.receive(b"\xc1", 0.0)
    assert s.close_code == CloseCode.TOO_MANY_ERRORS and s.state is State.CLOSED
    assert isinstance(frames(s)[-1], M.Bye)
    assert s.receive(encode(M.Hello(v=PROTOCOL_VERSION)), 0.0) == []


def test_errors_are_forgiven_slowly() -> None:
    s = ServerSession(SessionLimits(max_errors=20, error_refill_s=10.0))
    for _ in range(20):
        s.receive(b"\xc1", 0.0)
    s.receive(b"\xc1", 10.0)  # one error refilled after 10 s
    assert s.close_code is None
    s.receive(b"\xc1", 10.0)
    assert s.close_code == CloseCode.TOO_MANY_ERRORS


def test_oversize_frame_is_answered_too_large_naming_its_size_then_bye_and_close_1009() -> None:
    s = ServerSession(SessionLimits(max_frame=100))
    s.receive(b"\x80" + b"x" * 200, 0.0)
    assert s.close_code == CloseCode.MESSAGE_TOO_BIG
    err, bye = frames(s)
    assert isinstance(err, M.Error) and err.code == ErrorCode.TOO_LARGE
    assert err.msg == "frame of 201 bytes exceeds the 100-byte limit"
    assert isinstance(bye, M.Bye) and bye.code == 1009


def test_a_text_frame_is_answered_malformed_send_binary_and_counts_as_an_error() -> None:
    s = ServerSession()
    assert s.receive('{"t": "hello", "v": 1}', 0.0) == []
    (err,) = frames(s)
    assert isinstance(err, M.Error) and err.code == ErrorCode.MALFORMED
    assert err.msg == "text frames are not accepted: send binary MessagePack"
    assert s.errors == 1 and s.close_code is None and s.state is State.CONNECTED
    s.receive("x" * 300, 0.0)  # a text frame too big is too big first
    s2 = ServerSession(SessionLimits(max_frame=100))
    s2.receive("é" * 60, 0.0)  # 120 bytes of UTF-8
    assert s2.close_code == CloseCode.MESSAGE_TOO_BIG and "120 bytes" in frames(s2)[0].msg


def test_a_flood_closes_at_once_with_bye_4003_last() -> None:
    pair = in_park()
    for _ in range(200):
        pair.client.move(1.0, 0.0)
    pair.pump(now=0.1)
    out = pair.deliver()
    assert isinstance(out[-1], M.Bye) and out[-1].code == CloseCode.FLOOD
    assert pair.server.state is State.CLOSED and pair.server.receive(encode(M.Ping()), 0.2) == []


def in_park(limits: SessionLimits | None = None) -> SessionPair:
    pair = SessionPair(limits or SessionLimits())
    pair.handshake()
    pair.server.joined()
    pair.deliver()
    return pair


def test_inputs_over_the_rate_are_dropped_with_one_error_per_second() -> None:
    pair = in_park()
    for _ in range(40):
        pair.client.move(1.0, 0.0)
    accepted = pair.pump(now=0.5)
    assert len(accepted) == 10  # the burst
    errors = pair.deliver()
    assert len(errors) == 1 and errors[0].code == ErrorCode.RATE_LIMITED
    assert pair.server.close_code is None and pair.server.dropped_inputs == 30
    pair.client.move(1.0, 0.0)
    assert len(pair.pump(now=0.6)) == 1  # refilled at 30/s


def test_a_flood_closes_4003() -> None:
    pair = in_park()
    for _ in range(200):
        pair.client.move(1.0, 0.0)
    pair.pump(now=0.1)
    assert pair.server.close_code == CloseCode.FLOOD


def test_chat_is_not_rate_limited_by_the_session_but_counts_among_all_messages() -> None:
    """The one chat rate rule is world.chat.ChatLimiter, per account (the server asks it);
    the session passes chat lines on like any other message, within 20/s."""
    pair = in_park()
    for i in range(7):
        pair.client.request(M.Chat(ch="park", text=f"hi {i}", id=i + 1))
    assert len(pair.pump(now=0.0)) == 7
    for i in range(20):
        pair.client.request(M.Chat(ch="park", text=f"more {i}", id=100 + i))
    assert len(pair.pump(now=0.0)) == 11  # hello, guest and 7 lines took 9 of the burst of 20
    errs = pair.deliver()
    assert [e.re for e in errs] == list(range(111, 120)) and all(e.code == ErrorCode.RATE_LIMITED for e in errs)


def test_handshake_and_idle_timeouts() -> None:
    s = ServerSession(SessionLimits(handshake_timeout=10.0, idle_timeout=60.0), now=0.0)
    s.check_timeouts(9.0)
    assert s.close_code is None
    s.check_timeouts(11.0)
    assert s.close_code == CloseCode.AUTH_FAILED
    pair = in_park()
    pair.server.check_timeouts(59.0)
    assert pair.server.close_code is None
    pair.server.check_timeouts(61.0)
    assert pair.server.close_code == CloseCode.IDLE


def test_repeated_auth_failures_close_4002() -> None:
    pair = SessionPair()
    pair.client.hello()
    pair.pump()
    for _ in range(5):
        pair.server.auth_failed("wrong user name or password", rid=1)
    assert pair.server.close_code == CloseCode.AUTH_FAILED


def test_server_bug_transitions_raise() -> None:
    s = ServerSession()
    with pytest.raises(SessionStateError):
        s.joined()


def test_client_session_follows_the_server_messages() -> None:
    pair = SessionPair()
    pair.client.hello()
    pair.pump()
    pair.deliver()
    assert pair.client.state is State.GREETED and pair.client.welcome is not None
    pair.server.send(M.Bye(code=1001, reason="shutting down"))
    pair.deliver()
    assert pair.client.close_code == 1001


def test_a_batched_input_counts_its_ticks_against_the_rate() -> None:
    pair = in_park()
    for s in range(1, 5):
        pair.client.request(M.Input(s=s, mx=1.0, n=3))
    accepted = pair.pump(now=0.5)
    assert [m.n for m in accepted] == [3, 3, 3]  # 9 of the 10-tick burst; the 4th needs 3 more
    assert pair.server.dropped_inputs == 1


def test_an_input_covering_more_than_four_ticks_is_refused_precisely() -> None:
    pair = in_park()
    pair.client.request(M.Input(s=1, mx=1.0, n=5))
    assert pair.pump(now=0.5) == []
    errors = pair.deliver()
    assert len(errors) == 1 and errors[0].code == ErrorCode.BAD_TYPE and "$.n" in errors[0].msg


def _hot(pair: SessionPair, now: float) -> list[tuple[bool, object]]:
    """The client's frames through the hot path (``receive_input``) only."""
    return [pair.server.receive_input(f, now) for f in pair.client.data_to_send()]


def test_the_hot_path_takes_inputs_under_the_same_rate_rules() -> None:
    pair = in_park()
    before = pair.server.messages_in
    for _ in range(40):
        pair.client.move(1.0, 0.0)
    results = _hot(pair, 0.5)
    assert all(taken for taken, _ in results)  # every input frame taken
    assert sum(1 for _, msg in results if isinstance(msg, M.Input)) == 10  # the burst, as receive
    errors = pair.deliver()
    assert len(errors) == 1 and errors[0].code == ErrorCode.RATE_LIMITED
    assert pair.server.dropped_inputs == 30 and pair.server.messages_in == before + 40
    for _ in range(200):
        pair.client.move(1.0, 0.0)
    _hot(pair, 0.6)
    assert pair.server.close_code == CloseCode.FLOOD


def test_the_hot_path_leaves_every_other_frame_to_receive_untouched() -> None:
    pair = in_park()
    before = pair.server.messages_in
    chat = encode(M.Chat(ch="near", text="hello"))
    too_big = encode(M.Input(s=1)) + b"\x00" * pair.limits.max_frame
    bad = encode(M.Input(s=1))[:-3]  # cut short: undecodable
    wrong_tag = b"\x82\xa1t\xa2in\xa1t\xa4chat"  # peeks like an input, is not one
    for frame in (chat, too_big, bad, wrong_tag):
        assert pair.server.receive_input(frame, 1.0) == (False, None)
    assert pair.server.messages_in == before and pair.server.errors == 0 and not pair.server.has_data_to_send()
    early = SessionPair()
    early.handshake()
    early.client.move(1.0, 0.0)
    (frame,) = early.client.data_to_send()
    assert early.server.receive_input(frame, 1.0) == (False, None)  # not in a park yet: receive answers it
    assert not early.server.receive(frame, 1.0) and early.deliver()[-1].code == ErrorCode.BAD_STATE
