"""The compiled halves of the room (world/snapshot_frames.pyx, world/room_steps.pyx)
against the Python they replaced: the same frames byte for byte (``snapshot.frame``,
msgspec's integer forms), the same movement bit for bit (``movement.apply_input``),
the same packed items and the same booth zones."""

from __future__ import annotations

import functools
import math
import random

import msgspec
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.world.conftest import booth, square_park
from world.crowd_views import dense_views
from world.layout import ParkLayout
from world.movement import apply_input
from world.people import Person
from world.protocol.codec import decode_server
from world.protocol.messages import Input
from world.room import Room, RoomConfig, _Zones
from world.room_steps import zone_changes
from world.snapshot import frame
from world.walkable import WalkGrid

LOW = 0xFFFFFFFF
DT = 1 / 20


@functools.cache
def park_and_grid(size: float) -> tuple[ParkLayout, WalkGrid]:
    layout = square_park(size=size)
    return layout, WalkGrid.from_layout(layout)


def person(i: int) -> Person:
    return Person(user_id=f"u{i}", name=f"v{i}", role="guest", color=0x336699 + i)


def expected_frames(room: Room, targets: list[int], sent: set[int], seen: dict[int, int],
                    acks_before: dict[int, tuple[int, tuple[int, int, int]]]) -> dict[int, bytes]:
    """What each target's frame must be, from sets: ``sent`` (pair keys known before
    the build), this build's view (``room._view_keys``), the entities' stamps."""
    view = {int(k) for k in room._view_keys}
    ents = room._entities
    out = {}
    for v in targets:
        in_view = sorted(k & LOW for k in view if k >> 32 == v)
        known = {k & LOW for k in sent if k >> 32 == v}
        enter = [e for e in in_view if e not in known or ents[e].look_tick > seen[v]]
        update = [e for e in in_view if e in known and ents[e].look_tick <= seen[v] and ents[e].changed_tick > seen[v]]
        leave = sorted(known - set(in_view))
        ack = room.avatars[v].last_seq
        state = ents[v].state
        pos = (state[0], state[1], state[2])
        if enter or update or leave or (ack, pos) != acks_before[v]:
            out[v] = frame(room.tick, ack, pos, [ents[e].eb for e in enter], [ents[e].ub for e in update], leave)
    return out


def ws_body(data: bytes) -> bytes:
    """The payload of one unmasked final binary websocket frame, its length checked."""
    assert data[0] == 0x82
    n = data[1] & 0x7F
    start = 2 if n < 126 else 4 if n == 126 else 10
    size = n if n < 126 else int.from_bytes(data[2:start], "big")
    assert len(data) == start + size
    return data[start:]


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), far=st.booleans(), big_tick=st.booleans())
def test_every_frame_is_the_bytes_frame_writes(seed: int, far: bool, big_tick: bool) -> None:
    rng = random.Random(seed)
    size = 800.0 if far else 60.0  # far: positions in int32 centimetres, ids past 127
    layout, grid = park_and_grid(size)
    room = Room(layout.park_id, layout, RoomConfig(view_radius=40.0 if not far else 500.0, view_max=12), grid=grid)
    if big_tick:
        room.tick = 2**32 + rng.randrange(1000)  # the tick as a uint64
    eids = [room.join(person(i), None, rng) for i in range(rng.randrange(2, 40 if not far else 200))]
    for e in eids:
        room.teleport(e, rng.uniform(-size / 2, size / 2), rng.uniform(-size / 2, size / 2), rng.uniform(-4, 4))
    seq = dict.fromkeys(eids, 0)
    for _ in range(12):
        roll = rng.random()
        if roll < 0.1 and len(room.avatars) > 2:
            gone = rng.choice(list(room.avatars))
            room.leave(gone)
        elif roll < 0.2:
            e = room.join(person(rng.randrange(10**6)), None, rng)
            seq[e] = 0
        elif roll < 0.3:
            room.set_look(rng.choice(list(room.avatars)), name=f"n{rng.randrange(10**6)}")
        for e in room.avatars:
            if rng.random() < 0.6:
                seq[e] += 1
                a = rng.uniform(-math.pi, math.pi)
                room.queue_input(e, Input(s=seq[e], mx=math.cos(a), my=math.sin(a), yaw=a, run=rng.random() < 0.3))
        room.step(DT)
        present = list(room.avatars)
        targets = sorted(rng.sample(present, rng.randrange(0, len(present) + 1)))
        sent = {int(k) for k in room._sent.keys}
        seen = {v: room._viewers[v].last_tick for v in targets}
        before = {v: (room._viewers[v].ack, room._viewers[v].pos) for v in targets}
        built = room.build_frames(targets)
        assert built.eids == targets
        want = expected_frames(room, targets, sent, seen, before)
        got = {}
        for eid, (start, body, end) in zip(built.eids, built.bounds.tolist(), strict=True):
            if start != end:
                data = built.data[start:end]
                assert ws_body(data) == data[body - start:]
                got[eid] = data[body - start:]
        assert got == want


def test_a_frame_past_64_kib_gets_the_long_header() -> None:
    layout = square_park(size=40.0)
    room = Room(layout.park_id, layout, RoomConfig(view_max=5000))
    rng = random.Random(5)
    for i in range(3000):
        room.join(Person(user_id=f"u{i}", name="名" * 8, role="guest", color=i), None, rng)
    built = room.build_frames([1])
    start, body, end = built.bounds.tolist()[0]
    assert body - start == 10 and end - body >= 0x10000  # 8-byte length (RFC 6455 5.2)
    snap = decode_server(ws_body(built.data[start:end]))
    assert len(snap.e) == 2999 and {e[5] for e in snap.e} == {"名" * 8}


@settings(max_examples=60, deadline=None)
@given(x=st.floats(-5.0e10, 5.0e10), y=st.floats(-5.0e10, 5.0e10), yaw=st.floats(-1e4, 1e4),
       eid_extra=st.integers(0, 70000))
def test_packed_items_are_what_msgspec_writes(x: float, y: float, yaw: float, eid_extra: int) -> None:
    layout, grid = park_and_grid(10.0)  # positions set by hand: any float, walkable or not
    room = Room(layout.park_id, layout, RoomConfig(), grid=grid)
    room._next_eid += eid_extra  # ids of one, two and three bytes
    e = room.join(person(1), None, random.Random(1))
    av = room.avatars[e]
    av.x, av.y, av.yaw = x, y, yaw
    room.step(DT)
    ent = room._entities[e]
    assert ent.state == Room._quantize(av)
    assert ent.ub == msgspec.msgpack.encode((e, *ent.state))


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 3))
def test_movement_is_apply_input_bit_for_bit(seed: int, n: int) -> None:
    rng = random.Random(seed)
    layout = square_park(walls=((10.0, 0.0, 0.2, 20.0), (-5.0, 8.0, 6.0, 0.5)))
    room = Room(layout.park_id, layout, RoomConfig())
    e = room.join(person(1), None, rng)
    room.teleport(e, rng.uniform(-30, 30), rng.uniform(-30, 30))
    room.step(DT)
    av = room.avatars[e]
    x, y, yaw = av.x, av.y, av.yaw
    for s in range(1, 30):
        inp = Input(s=s, mx=rng.uniform(-1.5, 1.5), my=rng.uniform(-1.5, 1.5), yaw=rng.uniform(-10, 10),
                    run=rng.random() < 0.5, n=n)
        room.queue_input(e, inp)
        for _ in range(n):
            room.step(DT)
            x, y, yaw, anim = apply_input(x, y, yaw, inp, DT, room.grid)
            assert (av.x, av.y, av.yaw) == (x, y, yaw)
            assert av.anim == anim
        assert av.last_seq == s


@settings(max_examples=60, deadline=None)
@given(points=st.lists(st.tuples(st.floats(-30, 30), st.floats(-30, 30)), min_size=1, max_size=50))
def test_booth_zones_are_the_ones_locate_finds(points: list[tuple[float, float]]) -> None:
    layout = square_park(booths=(booth("b01", -20.0, 0.0), booth("b02", -18.0, 1.0, 6.0), booth("b03", 10.0, 10.0)))
    room = Room(layout.park_id, layout, RoomConfig())
    rng = random.Random(2)
    eids = [room.join(person(i), None, rng) for i in range(len(points))]
    room.step(DT)
    zones = _Zones.from_layout(layout)
    for e, (x, y) in zip(eids, points, strict=True):
        room.avatars[e].x, room.avatars[e].y = x, y
    want = zones.locate(np.array([p[0] for p in points]), np.array([p[1] for p in points]))
    presences = list(room._presence.values())
    for p in presences:
        p.booth = "elsewhere"  # every avatar's zone is reported
    got = zone_changes(list(room.avatars.values()), presences, set(eids), zones.ids, zones.boxes, zones.rings)
    assert [booth for _, booth in got] == want


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(2, 120), k=st.integers(1, 60), ties=st.booleans(),
       spread=st.sampled_from([10.0, 40.0, 5000.0]))
def test_crowd_views_are_the_k_nearest_with_hysteresis(seed: int, n: int, k: int, ties: bool,
                                                       spread: float) -> None:
    """``dense_views`` against the rule written out: float32 distances, the k-th
    smallest, within it and the leave radius, within the radius or seen last tick, the
    k nearest by (distance, index) where ties left more. Spread over 80 m, most grid
    cells are out of a viewer's reach; over 10 km the cells widen."""
    rng = random.Random(seed)
    xs = np.array([rng.uniform(-spread, spread) for _ in range(n)])
    ys = np.array([rng.uniform(-spread, spread) for _ in range(n)])
    if ties:  # people on a 1 m grid: many equal distances
        xs, ys = np.round(xs), np.round(ys)
    eids = np.arange(1, n + 1, dtype=np.int64) * 3
    pairs = [(int(eids[i]) << 32) | int(eids[j]) for i in range(n) for j in range(n) if i != j]
    prev = np.array(sorted(rng.sample(pairs, len(pairs) // 3)), dtype=np.int64)
    radius, leave = 8.0, 9.2
    vi, tj = dense_views(eids, xs, ys, prev, radius, leave, k)
    x32, y32 = xs.astype(np.float32), ys.astype(np.float32)
    r2, l2 = np.float32(radius * radius), np.float32(leave * leave)
    seen = set(prev.tolist())
    want = []
    kk = min(k, n - 1)
    for i in range(n):
        row = [np.float32((x32[i] - x32[j]) * (x32[i] - x32[j])) + np.float32((y32[i] - y32[j]) * (y32[i] - y32[j]))
               if j != i else np.float32(np.inf) for j in range(n)]
        thr = min(sorted(row)[kk - 1], l2)
        cands = [j for j in range(n) if row[j] <= thr
                 and (row[j] <= r2 or ((int(eids[i]) << 32) | int(eids[j])) in seen)]
        if len(cands) > kk:
            cands = sorted(sorted(cands, key=lambda j: (row[j], j))[:kk])
        want.extend((i, j) for j in cands)
    assert list(zip(vi.tolist(), tj.tolist(), strict=True)) == want
