"""The naive snapshot baseline: every viewer gets every other avatar, in full, as floats."""

from __future__ import annotations

import math

import msgspec

from world.avatar import Avatar
from world.naive_snapshot import naive_snapshots
from world.protocol import codec


def _avatar(eid: int, x: float, y: float, yaw: float = 0.0, seq: int = 0) -> Avatar:
    return Avatar(eid=eid, user_id=f"u{eid}", name=f"v{eid}", color=0x112233, role="guest", company="",
                  x=x, y=y, yaw=yaw, last_seq=seq)


def test_every_viewer_sees_every_other_avatar_however_far() -> None:
    avatars = [_avatar(1, 0.0, 0.0, seq=5), _avatar(2, 1000.0, -800.0), _avatar(3, 1.234567, 2.5, math.pi / 2)]
    frames = naive_snapshots(42, avatars, [1, 2])
    assert set(frames) == {1, 2}
    snap = msgspec.msgpack.decode(frames[1])
    assert (snap["t"], snap["k"], snap["a"], snap["p"]) == ("snap", 42, 5, [0, 0, 0])
    assert [e[0] for e in snap["e"]] == [2, 3]
    far = snap["e"][0]
    assert far[1:3] == [100000.0, -80000.0] and far[5:] == ["v2", 0x112233]
    near = snap["e"][1]
    assert isinstance(near[1], float) and near[1] == 123.4567  # unquantized
    assert near[3] == 16384.0  # a quarter turn in u16 units, as a float


def test_viewers_not_in_the_room_get_nothing() -> None:
    assert naive_snapshots(1, [_avatar(1, 0, 0)], [1, 99]).keys() == {1}


def test_naive_frames_are_refused_by_the_strict_client_decoder() -> None:
    frames = naive_snapshots(1, [_avatar(1, 0, 0), _avatar(2, 1.5, 0)], [1])
    try:
        codec.decode_server(frames[1])
    except codec.ProtocolError as exc:
        assert exc.code.value == "bad_type"
    else:
        raise AssertionError("a float entity position must not pass as a real snapshot")
