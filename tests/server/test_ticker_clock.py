"""The ticker stepped tick by tick with a ManualClock: no sockets, no sleeping."""

from __future__ import annotations

import random
from typing import Any

import msgspec
import pytest

from server.clock import ManualClock
from server.config import ServerConfig
from server.metrics import Metrics
from server.parks import HostedPark
from server.presence import Presence
from server.ticker import Ticker
from tests.server.harness import PARK, small_layout
from world.people import Person
from world.protocol import messages as M
from world.protocol.codec import decode_server
from world.protocol.constants import WALK_SPEED
from world.room import Room


class Sink:
    def __init__(self) -> None:
        self.rows: list[tuple[Any, ...]] = []

    def post(self, *row: Any) -> None:
        self.rows.append(row)


class FakePeer:
    ip = "10.0.0.9"
    closing = False
    session: Any = None

    def __init__(self) -> None:
        self.frames: list[bytes] = []
        self.byes: list[int] = []
        self.backlog = 0

    def push(self, data: bytes) -> bool:
        self.frames.append(data)
        return True

    push_later = push
    push_snapshot = push

    def push_frame(self, frame: bytes | memoryview) -> bool:
        """A framed snapshot: its body is kept (the websocket header read as RFC 6455 says)."""
        data = bytes(frame)
        assert data[0] == 0x82  # final binary frame
        size = data[1] & 0x7F
        start = 2 if size < 126 else 4 if size == 126 else 10
        body = data[start:]
        assert len(body) == (size if size < 126 else int.from_bytes(data[2:start], "big"))
        return self.push(body)

    def buffered(self) -> int:
        return self.backlog

    def bye(self, code: int, reason: str) -> None:
        self.byes.append(code)


def _world(**cfg_changes: Any) -> tuple[Ticker, Presence, HostedPark, ManualClock, Sink]:
    cfg = ServerConfig(**cfg_changes)
    layout = small_layout(PARK)
    park = HostedPark(PARK, PARK, PARK, layout, Room(PARK, layout), None)
    positions, visits = Sink(), Sink()
    clock = ManualClock()
    presence = Presence({PARK: park}, cfg, positions, visits)  # type: ignore[arg-type]
    ticker = Ticker(cfg, {PARK: park}, presence, Metrics(), clock, lambda p, b, liked: None)
    return ticker, presence, park, clock, positions


def _step(ticker: Ticker, clock: ManualClock, n: int) -> None:
    for _ in range(n):
        clock.advance(ticker.dt)
        ticker.tick()


def test_one_second_of_ticks_walks_exactly_walk_speed_and_sends_twenty_snapshots() -> None:
    ticker, presence, park, clock, _ = _world()
    peer = FakePeer()
    v = presence.connected(peer)  # type: ignore[arg-type]
    presence.signed_in(v, Person("u1", "Ann", "visitor", registered=True))
    eid = presence.join(v, park, "centre", random.Random(1), None, clock.now())
    x0 = park.room.avatars[eid].x
    for s in range(1, 21):
        park.room.queue_input(eid, M.Input(s=s, mx=1.0))
        _step(ticker, clock, 1)
    assert abs(park.room.avatars[eid].x - x0 - WALK_SPEED) < 1e-6
    snaps = [decode_server(f) for f in peer.frames]
    assert len(snaps) == 20 and all(isinstance(s, M.SnapView) for s in snaps)
    assert snaps[-1].a == 20  # the last input is acknowledged


@pytest.mark.parametrize("mode", ["aoi", "naive"])
def test_both_snapshot_modes_show_each_client_the_other_walking(mode: str) -> None:
    """The compiled frames (aoi) and the naive per-client packing side by side: two
    visitors, each sees the other arrive and walk, and gets its own input acknowledged."""
    ticker, presence, park, clock, _ = _world(snapshot_mode=mode)
    peers, eids = [], []
    for i in range(2):
        peer = FakePeer()
        v = presence.connected(peer)  # type: ignore[arg-type]
        presence.signed_in(v, Person(f"u{i}", f"V{i}", "visitor", registered=True))
        eids.append(presence.join(v, park, "centre", random.Random(i), None, clock.now()))
        peers.append(peer)
    for s in range(1, 11):
        park.room.queue_input(eids[1], M.Input(s=s, mx=1.0))
        _step(ticker, clock, 1)
    seen: dict[int, float] = {}
    for f in peers[0].frames:  # plain MessagePack: naive frames carry floats, which SnapView refuses
        snap = msgspec.msgpack.decode(f)
        assert snap["t"] == "snap"
        for item in snap.get("e", []) + snap.get("u", []):
            seen[item[0]] = item[1]
    assert abs(seen[eids[1]] - park.room.avatars[eids[1]].x * 100) <= 0.5  # the walker's latest x, in cm
    assert msgspec.msgpack.decode(peers[1].frames[-1])["a"] == 10


def test_a_client_behind_is_skipped_then_dropped_after_behind_drop_s_of_simulated_time() -> None:
    ticker, presence, park, clock, _ = _world(behind_drop_s=1.0, high_water=100)
    peer = FakePeer()
    v = presence.connected(peer)  # type: ignore[arg-type]
    presence.signed_in(v, Person("u1", "Ann", "visitor", registered=True))
    presence.join(v, park, "centre", random.Random(1), None, clock.now())
    peer.backlog = 10_000
    _step(ticker, clock, 20)  # 1.0 s behind: not yet
    assert peer.byes == [] and ticker.metrics.snapshots_skipped >= 19 and peer.frames == []
    _step(ticker, clock, 2)
    assert peer.byes == [4004]


def test_a_dropped_avatar_is_held_for_resume_ttl_then_leaves_and_its_place_is_saved() -> None:
    ticker, presence, park, clock, positions = _world(resume_ttl=30.0)
    peer = FakePeer()
    v = presence.connected(peer)  # type: ignore[arg-type]
    presence.signed_in(v, Person("ada", "Ada", "visitor", registered=True))
    eid = presence.join(v, park, "centre", random.Random(1), None, clock.now())
    presence.disconnected(v, said_goodbye=False, stopping=False, now=clock.now(), mono=clock.monotonic())
    assert eid in park.room and presence.per_ip[peer.ip] == 1  # held, and still counted against its address
    _step(ticker, clock, 20 * 29)
    assert eid in park.room
    _step(ticker, clock, 20 * 2)
    assert eid not in park.room and presence.per_ip[peer.ip] == 0 and not presence.holds
    assert positions.rows and positions.rows[-1][:2] == ("ada", PARK)
