"""A park room: joining, movement, booths and per-viewer snapshots."""

from __future__ import annotations

import math
import random

import pytest

from tests.world.conftest import square_park
from world.layout import ParkLayout, Spawn
from world.people import Person
from world.protocol.codec import decode_server
from world.protocol.constants import Anim
from world.protocol.messages import Input, SnapView
from world.room import BoothEntered, BoothLeft, Room, RoomConfig, UnknownSpawn
from world.walkable import WalkGrid

DT = 0.05


@pytest.fixture(scope="module")
def grid(walled_park: ParkLayout) -> WalkGrid:
    return WalkGrid.from_layout(walled_park)


@pytest.fixture
def room(walled_park: ParkLayout, grid: WalkGrid) -> Room:
    return Room(walled_park.park_id, walled_park, RoomConfig(), grid=grid)


def visitor(name: str) -> Person:
    return Person(user_id=f"u-{name}", name=name, role="guest", color=0x3366CC)


def place(room: Room, eid: int, x: float, y: float) -> None:
    room.teleport(eid, x, y)


def snaps(room: Room) -> dict[int, SnapView]:
    out = {}
    for eid, frame in room.build_snapshots().items():
        msg = decode_server(frame)
        assert isinstance(msg, SnapView)
        out[eid] = msg
    return out


def test_join_places_avatars_on_walkable_ground_near_the_spawn(room: Room) -> None:
    rng = random.Random(1)
    for i in range(30):
        eid = room.join(visitor(f"v{i}"), "s1", rng)
        av = room.avatars[eid]
        assert room.grid.contains(av.x, av.y)
        assert abs(av.x) <= 1.5 and abs(av.y) <= 1.5
    assert room.counts.avatars == 30
    with pytest.raises(UnknownSpawn):
        room.join(visitor("x"), "nowhere", rng)


def test_spawn_inside_a_wall_is_moved_to_walkable_ground(grid: WalkGrid) -> None:
    lay = square_park(walls=((10.0, 0.0, 4.0, 4.0),), spawns=(Spawn("s1", 10.0, 0.0, 0.0),))
    room = Room(lay.park_id, lay)
    eid = room.join(visitor("a"), None, random.Random(2))
    assert room.grid.contains(room.avatars[eid].x, room.avatars[eid].y)


def test_a_saved_position_on_walkable_ground_is_where_a_returning_visitor_starts(room: Room) -> None:
    eid = room.join(visitor("back"), None, random.Random(3), at=(30.0, -25.0, 1.0))
    av = room.avatars[eid]
    assert (av.x, av.y) == (30.0, -25.0)
    assert av.yaw == pytest.approx(1.0)


def test_a_saved_position_no_longer_walkable_falls_back_to_a_spawn(room: Room) -> None:
    spawns = {s.id: s for s in room.layout.spawns}
    inside_wall = room.join(visitor("w"), None, random.Random(4), at=(10.0, 0.0, 0.0))  # the thin wall
    off_site = room.join(visitor("o"), None, random.Random(4), at=(500.0, 500.0, 0.0))
    for eid in (inside_wall, off_site):
        av = room.avatars[eid]
        assert room.grid.contains(av.x, av.y)
        assert min(abs(av.x - s.x) + abs(av.y - s.y) for s in spawns.values()) <= 3.0


def test_two_visitors_see_each_other_enter_move_and_acks(room: Room) -> None:
    rng = random.Random(3)
    a = room.join(visitor("Ann"), None, rng)
    b = room.join(visitor("Bob"), None, rng)
    room.step(DT)
    first = snaps(room)
    assert [e[0] for e in first[a].e] == [b] and first[a].e[0][5] == "Bob"
    assert [e[0] for e in first[b].e] == [a]
    for s in range(1, 9):
        assert room.queue_input(a, Input(s=s, mx=1.0))
    for _ in range(7):  # a burst: 2 at once (a made up the tick it stood still), then one per tick
        room.step(DT)
    assert room.avatars[a].last_seq == 8
    room.queue_input(a, Input(s=9, mx=1.0))
    room.queue_input(a, Input(s=10, mx=1.0))
    room.step(DT)
    room.step(DT)
    second = snaps(room)
    assert second[a].a == 10  # 10 inputs applied, never faster than one tick per tick on average
    assert second[a].p[0] == first[a].p[0] + 100  # 10 ticks at 2 m/s = 1 m
    (upd,) = second[b].u
    assert upd[0] == a and upd[1] == second[a].p[0] and upd[4] == Anim.WALK
    assert second[b].e == [] and second[b].l == []


def test_idle_avatars_cost_nothing(room: Room) -> None:
    rng = random.Random(4)
    for i in range(10):
        room.join(visitor(f"v{i}"), None, rng)
    room.step(DT)
    assert len(room.build_snapshots()) == 10
    for _ in range(5):
        room.step(DT)
        assert room.build_snapshots() == {}


def test_only_changed_entities_are_sent_as_updates(room: Room) -> None:
    rng = random.Random(5)
    a, b, c = (room.join(visitor(n), None, rng) for n in "abc")
    room.step(DT)
    room.build_snapshots()
    room.set_emote(b, "wave")
    room.step(DT)
    out = snaps(room)
    assert set(out) == {a, c}  # b itself has nothing new to learn
    assert [u[0] for u in out[a].u] == [b] and out[a].u[0][4] == Anim.WAVE


def test_a_wall_stops_the_avatar(room: Room) -> None:
    eid = room.join(visitor("w"), None, random.Random(6))
    place(room, eid, 8.0, 0.0)
    for s in range(1, 80):
        room.queue_input(eid, Input(s=s, mx=1.0, run=True))
        room.step(DT)
    assert 9.0 < room.avatars[eid].x < 10.0


def test_booth_enter_and_leave_events_with_dwell(room: Room) -> None:
    eid = room.join(visitor("v"), None, random.Random(7))
    place(room, eid, -15.0, 0.0)
    events = []
    seq = 0
    for _ in range(100):  # walk west 10 m: through b01's zone (x -22..-18)
        seq += 1
        room.queue_input(eid, Input(s=seq, mx=-1.0))
        events += room.step(DT)
    assert events[0] == BoothEntered(eid, "b01")
    assert isinstance(events[1], BoothLeft) and events[1].booth_id == "b01"
    assert events[1].dwell_s == pytest.approx(2.0, abs=0.2)  # 4 m at 2 m/s
    assert room.visitors_in_booth("b01") == []


def test_leaving_the_room_ends_a_booth_visit_and_others_get_a_leave(room: Room) -> None:
    rng = random.Random(8)
    a = room.join(visitor("a"), None, rng)
    b = room.join(visitor("b"), None, rng)
    place(room, b, -20.0, 0.0)
    place(room, a, -20.0, 1.0)
    assert room.step(DT) == [BoothEntered(b, "b01"), BoothEntered(a, "b01")]
    assert room.visitors_in_booth("b01") == [a, b]
    snaps(room)
    (left,) = room.leave(b)
    assert isinstance(left, BoothLeft) and left.eid == b
    room.step(DT)
    assert snaps(room)[a].l == [b]


def test_entities_enter_and_leave_view_with_distance(room: Room) -> None:
    rng = random.Random(9)
    a = room.join(visitor("a"), None, rng)
    b = room.join(visitor("b"), None, rng)
    place(room, a, -45.0, -45.0)
    place(room, b, 45.0, 45.0)
    room.step(DT)
    assert all(not s.e for s in snaps(room).values())
    place(room, b, -20.0, -45.0)
    room.step(DT)
    assert [e[0] for e in snaps(room)[a].e] == [b]
    place(room, b, 40.0, -45.0)
    room.step(DT)
    assert snaps(room)[a].l == [b]


def test_a_skipped_snapshot_is_made_up_next_time(room: Room) -> None:
    rng = random.Random(10)
    a = room.join(visitor("a"), None, rng)
    b = room.join(visitor("b"), None, rng)
    room.step(DT)
    room.build_snapshots()
    room.queue_input(b, Input(s=1, mx=1.0))
    room.step(DT)
    assert a in room.build_snapshots()
    room.mark_skipped(a)  # the server could not send it
    room.step(DT)  # b stands still now
    out = snaps(room)
    assert [u[0] for u in out[a].u] == [b]
    assert out[a].u[0][1] == room.own_state(b)[0]


def test_a_skipped_first_snapshot_resends_full_state(room: Room) -> None:
    a = room.join(visitor("a"), None, random.Random(11))
    b = room.join(visitor("b"), None, random.Random(12))
    room.step(DT)
    room.build_snapshots()
    room.mark_skipped(a)
    room.step(DT)
    assert [e[0] for e in snaps(room)[a].e] == [b]


def test_detached_avatar_stays_and_reattached_client_gets_everything(room: Room) -> None:
    a = room.join(visitor("a"), None, random.Random(13))
    b = room.join(visitor("b"), None, random.Random(14))
    room.step(DT)
    room.build_snapshots()
    room.detach(a)
    assert not room.queue_input(a, Input(s=1, mx=1.0))
    room.step(DT)
    assert a not in room.build_snapshots()
    assert a in room.avatars
    room.attach(a)
    room.step(DT)
    assert [e[0] for e in snaps(room)[a].e] == [b]


def test_look_change_is_resent_as_full_state(room: Room) -> None:
    a = room.join(visitor("a"), None, random.Random(15))
    b = room.join(visitor("b"), None, random.Random(16))
    room.step(DT)
    room.build_snapshots()
    room.set_look(b, name="Bea", color=0x00FF00)
    room.step(DT)
    (entry,) = snaps(room)[a].e
    assert entry[0] == b and entry[5:] == ("Bea", 0x00FF00)


def test_near_lists_avatars_within_the_radius_nearest_first(room: Room) -> None:
    a, b, c = (room.join(visitor(n), None, random.Random(17)) for n in "abc")
    place(room, a, 0.0, 0.0)
    place(room, b, 10.0, 0.0)
    place(room, c, 3.0, 0.0)
    assert room.near(a, 15.0) == [a, c, b]
    assert room.near(a, 5.0) == [a, c]


def test_walk_animation_stops_when_inputs_stop(room: Room) -> None:
    a = room.join(visitor("a"), None, random.Random(18))
    room.queue_input(a, Input(s=1, mx=1.0))
    room.step(DT)
    assert room.avatars[a].anim == Anim.WALK
    for _ in range(3):
        room.step(DT)
    assert room.avatars[a].anim == Anim.IDLE


def test_full_input_queue_drops_and_counts(room: Room) -> None:
    a = room.join(visitor("a"), None, random.Random(19))
    results = [room.queue_input(a, Input(s=s, mx=1.0)) for s in range(1, 12)]
    assert results.count(False) == 3 and room.counts.dropped_inputs == 3


def test_every_client_replica_matches_its_view_through_skips_attach_and_leave(
        walled_park: ParkLayout, grid: WalkGrid) -> None:
    """Frames applied to a client-side picture give exactly what the viewer should see
    (entities in view with their current state), whatever mix of moves, look changes,
    undelivered frames, detach/attach, joins and leaves happened."""
    room = Room(walled_park.park_id, walled_park, RoomConfig(view_radius=6.0, view_max=5), grid=grid)
    rng = random.Random(7)
    replicas: dict[int, dict[int, tuple[int, ...]]] = {}
    seq: dict[int, int] = {}
    for i in range(14):
        eid = room.join(visitor(f"v{i}"), None, rng)
        replicas[eid], seq[eid] = {}, 0
    for _ in range(150):
        eids = list(room.avatars)
        for eid in eids:
            if rng.random() < 0.6 and not room.avatars[eid].detached:
                seq[eid] += 1
                room.queue_input(eid, Input(s=seq[eid], mx=rng.uniform(-1, 1), my=rng.uniform(-1, 1),
                                            n=rng.choice((1, 1, 2))))
        roll = rng.random()
        if roll < 0.05 and len(eids) > 4:
            gone = rng.choice(eids)
            room.leave(gone)
            del replicas[gone]
        elif roll < 0.10:
            eid = room.join(visitor(f"w{rng.random()}"), None, rng)
            replicas[eid], seq[eid] = {}, 0
        elif roll < 0.15:
            eid = rng.choice(eids)
            if room.avatars[eid].detached:
                room.attach(eid)
                replicas[eid] = {}
            else:
                room.detach(eid)
        elif roll < 0.2:
            room.set_look(rng.choice(eids), name=f"n{rng.randrange(99)}")
        room.step(DT)
        frames = room.build_snapshots()
        for eid, frame in frames.items():
            if rng.random() < 0.15:
                room.mark_skipped(eid)
                continue
            msg = decode_server(frame)
            assert isinstance(msg, SnapView)
            rep = replicas[eid]
            for e in msg.e:
                rep[e[0]] = tuple(e[1:5])
            for u in msg.u:
                assert u[0] in rep  # updates only for entities the client knows
                rep[u[0]] = tuple(u[1:5])
            for gone_eid in msg.l:
                assert rep.pop(gone_eid, None) is not None
        keys = room._interest._prev_keys.tolist()
        for eid in frames:
            if eid in replicas and not room.avatars[eid].detached and room._viewers[eid].has_undo:
                view = {k & 0xFFFFFFFF for k in keys if k >> 32 == eid}
                assert replicas[eid] == {e: room.own_state(e) for e in view}


def test_a_batched_input_moves_one_tick_at_a_time_and_is_acked_after_the_last(room: Room) -> None:
    a = room.join(visitor("a"), None, random.Random(3))
    room.step(DT)
    x0 = room.avatars[a].x
    room.queue_input(a, Input(s=1, mx=1.0, n=3))
    xs, acks = [], []
    for _ in range(4):
        room.step(DT)
        xs.append(room.avatars[a].x)
        acks.append(room.avatars[a].last_seq)
    steps = [round(b - a_, 6) for a_, b in zip([x0, *xs], xs, strict=False)]
    assert steps[0] > 0 and steps[0] == steps[1] == steps[2] and steps[3] == 0
    assert acks == [0, 0, 1, 1]


def test_a_batched_input_that_does_not_fit_the_queue_is_refused_whole(room: Room) -> None:
    a = room.join(visitor("a"), None, random.Random(3))
    assert room.queue_input(a, Input(s=1, mx=1.0, n=4))
    assert room.queue_input(a, Input(s=2, mx=1.0, n=4))
    assert not room.queue_input(a, Input(s=3, mx=1.0, n=1))  # queue of 8 ticks is full
    assert len(room.avatars[a].inputs) == 8 and room.dropped_inputs == 1


def test_views_refreshed_every_other_build_lag_one_build_and_joins_refresh_at_once(
        walled_park: ParkLayout, grid: WalkGrid) -> None:
    room = Room(walled_park.park_id, walled_park, RoomConfig(view_every=2), grid=grid)
    rng = random.Random(9)
    a = room.join(visitor("a"), None, rng)
    b = room.join(visitor("b"), None, rng)
    place(room, a, -45.0, -45.0)
    place(room, b, 45.0, 45.0)
    room.step(DT)
    assert all(not s.e for s in snaps(room).values())  # refreshed: b is far away
    place(room, b, -20.0, -45.0)
    room.step(DT)
    assert b not in [e[0] for s in snaps(room).values() for e in s.e]  # the cached view
    room.step(DT)
    assert [e[0] for e in snaps(room)[a].e] == [b]  # one build later
    c = room.join(visitor("c"), None, rng)
    place(room, c, -44.0, -45.0)
    room.step(DT)
    assert c in [e[0] for e in snaps(room)[a].e]  # a join refreshes the views at once


def _run_east(room: Room, eid: int, arrivals: list[float], seconds: float, n: int = 1) -> list[float]:
    """Inputs (run east) arriving at the given simulated times, queued before the tick
    they fall in; returns the avatar's x after every tick."""
    xs = [room.avatars[eid].x]
    pending = sorted(arrivals)
    seq = 0
    for k in range(round(seconds / DT)):
        while pending and pending[0] < (k + 1) * DT - 1e-9:
            pending.pop(0)
            seq += 1
            room.queue_input(eid, Input(s=seq, mx=1.0, run=True, n=n))
        room.step(DT)
        xs.append(room.avatars[eid].x)
    return xs


@pytest.mark.parametrize("per_second", [30, 40, 60])
def test_inputs_faster_than_the_tick_rate_never_move_an_avatar_faster_than_run_speed(per_second: int) -> None:
    lay = square_park(size=300.0)
    room = Room(lay.park_id, lay)
    a = room.join(visitor("fast"), None, random.Random(1))
    place(room, a, -100.0, 0.0)
    xs = _run_east(room, a, [i / per_second for i in range(per_second * 10)], 10.0)
    assert (xs[-1] - xs[0]) / 10.0 <= 6.0 + 1e-9
    assert (xs[-1] - xs[0]) / 10.0 >= 6.0 - 0.03  # and it does run at full speed
    for w in (1, 2, 3, 10, 50):  # over any window of w ticks, at most w ticks of running
        assert max(b - a_ for a_, b in zip(xs, xs[w:], strict=False)) <= 6.0 * DT * w + 1e-9


def test_time_lost_standing_still_is_made_up_only_within_the_catch_up_allowance() -> None:
    lay = square_park(size=300.0)
    room = Room(lay.park_id, lay)
    a = room.join(visitor("late"), None, random.Random(1))
    place(room, a, -100.0, 0.0)
    for _ in range(10):  # half a second with nothing queued
        room.step(DT)
    xs = _run_east(room, a, [0.0] * 8, 1.0)  # then 8 ticks arrive at once
    steps = [round((b - a_) / (6.0 * DT), 6) for a_, b in zip(xs, xs[1:], strict=False)]
    assert steps[:7] == [3, 1, 1, 1, 1, 1, 0] and sum(steps) == 8  # 2 ticks made up, then one per tick


def test_batched_inputs_every_other_tick_and_jittered_inputs_still_move_at_full_speed() -> None:
    lay = square_park(size=300.0)
    room = Room(lay.park_id, lay)
    a = room.join(visitor("bot"), None, random.Random(1))
    place(room, a, -100.0, 0.0)
    xs = _run_east(room, a, [2 * k * DT for k in range(100)], 10.0, n=2)  # 10 Hz, n = 2
    assert xs[-1] - xs[0] == pytest.approx(6.0 * 10.0, abs=1e-6)
    b = room.join(visitor("jitter"), None, random.Random(2))
    place(room, b, -100.0, 50.0)
    jittered = [k * DT + (DT * 1.5 if k % 3 == 0 else 0.0) for k in range(200)]  # every third one late
    xs = _run_east(room, b, jittered, 10.0)
    assert xs[-1] - xs[0] == pytest.approx(6.0 * 10.0, abs=1e-6)


def test_spawn_jitter_is_a_disc_of_1_5_m_drawn_from_the_rng_passed_in() -> None:
    lay = square_park(size=60.0)
    room = Room(lay.park_id, lay)
    rng = random.Random(11)
    places = []
    for i in range(400):
        av = room.avatars[room.join(visitor(f"v{i}"), "s1", rng)]
        places.append((av.x, av.y))
    dist = [math.hypot(x, y) for x, y in places]  # the spawn s1 is at the origin
    assert max(dist) <= 1.5 + 1e-9
    assert max(dist) > 1.4 and sum(d < 0.75 for d in dist) > 50  # spread over the disc, not a ring
    again = Room(lay.park_id, lay)
    rng2 = random.Random(11)
    assert [(again.avatars[again.join(visitor(f"v{i}"), "s1", rng2)].x) for i in range(5)] == [p[0] for p in places[:5]]
