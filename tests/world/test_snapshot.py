"""Snapshot frames joined by hand are exactly what msgspec writes for ``Snap``."""

from __future__ import annotations

import msgspec
from hypothesis import given
from hypothesis import strategies as st

from world.protocol import messages as M
from world.protocol.codec import decode_server
from world.snapshot import build_frame, frame

_enc = msgspec.msgpack.Encoder()
i32 = st.integers(-(2**31), 2**31 - 1)
u32 = st.integers(0, 2**32 - 1)
enter = st.lists(st.tuples(u32, i32, i32, st.integers(0, 65535), st.integers(0, 20), st.text(max_size=20),
                           st.integers(0, 0xFFFFFF)), max_size=20)
update = st.lists(st.tuples(u32, i32, i32, st.integers(0, 65535), st.integers(0, 20)), max_size=40)


@given(u32, st.integers(-1, 2**32 - 1), st.tuples(i32, i32, st.integers(0, 65535)), enter, update,
       st.lists(u32, max_size=20))
def test_frame_is_the_bytes_msgspec_writes_for_snap(tick: int, ack: int, pos: tuple[int, int, int],
                                                    e: list[tuple[object, ...]], u: list[tuple[object, ...]],
                                                    left: list[int]) -> None:
    eb = [_enc.encode(x) for x in e]
    ub = [_enc.encode(x) for x in u]
    got = frame(tick, ack, pos, eb, ub, left)
    assert got == build_frame(tick, ack, pos, [msgspec.Raw(b) for b in eb], [msgspec.Raw(b) for b in ub], left)
    snap = decode_server(got)
    assert isinstance(snap, M.SnapView)
    assert (snap.k, snap.a, tuple(snap.p), snap.l) == (tick, ack, pos, left)
    assert [list(x) for x in snap.e] == [list(x) for x in e]
    assert [list(x) for x in snap.u] == [list(x) for x in u]
