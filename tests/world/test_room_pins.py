"""Pinned avatars (a showcase's presenters) are seen by every viewer, beyond the view
radius and the K-nearest cap; stand-ins mirror an avatar of another room."""

from __future__ import annotations

import random

from tests.world.conftest import square_park
from world.people import Person
from world.protocol.codec import decode_server
from world.protocol.constants import Anim
from world.protocol.messages import SnapView
from world.room import Room, RoomConfig


def _person(name: str) -> Person:
    return Person(user_id=f"u-{name}", name=name, role="guest", color=0x3366CC)


def _views(room: Room) -> dict[int, set[int]]:
    seen: dict[int, set[int]] = {}
    for eid, frame in room.build_snapshots().items():
        snap = decode_server(frame)
        assert isinstance(snap, SnapView)
        seen.setdefault(eid, set()).update(e[0] for e in snap.e)
        seen[eid] -= set(snap.l)
    return seen


def test_a_pinned_avatar_is_seen_beyond_the_radius_and_the_cap_and_unpinned_falls_back() -> None:
    room = Room("p", square_park(200.0), RoomConfig(view_radius=10.0, view_max=1))
    rng = random.Random(1)
    viewer = room.join(_person("viewer"), None, rng, at=(-60.0, 0.0, 0.0))
    neighbour = room.join(_person("neighbour"), None, rng, at=(-59.0, 0.0, 0.0))
    presenter = room.join(_person("presenter"), None, rng, at=(60.0, 40.0, 0.0))
    assert _views(room)[viewer] == {neighbour}  # the cap of 1: only the nearest
    room.pin([presenter])
    assert room.pinned == (presenter,)
    room.step(0.05)
    seen = _views(room)
    assert seen[viewer] == {presenter}  # entered (the neighbour was seen already)
    assert presenter not in seen.get(presenter, set())  # never oneself
    room.pin([])
    room.step(0.05)
    frames = {e: decode_server(f) for e, f in room.build_snapshots().items()}
    assert presenter in frames[viewer].l  # type: ignore[union-attr]


def test_a_stand_in_shows_where_the_mirrored_avatar_stands_and_what_it_does() -> None:
    room = Room("p", square_park(100.0))
    rng = random.Random(2)
    viewer = room.join(_person("viewer"), None, rng, at=(0.0, 0.0, 0.0))
    stand_in = room.join(_person("presenter"), None, rng, at=(5.0, 5.0, 0.0))
    room.detach(stand_in)
    room.build_snapshots()
    room.mirror(stand_in, 7.5, -3.25, 1.0, int(Anim.WAVE))
    snap = decode_server(room.build_snapshots()[viewer])
    assert isinstance(snap, SnapView)
    (update,) = snap.u
    assert update[:3] == (stand_in, 750, -325) and update[4] == Anim.WAVE


def test_pinned_pairs_merge_into_a_view_exactly_as_a_sorted_union() -> None:
    import numpy as np

    room = Room("p", square_park(100.0))
    rng = np.random.default_rng(5)
    for _ in range(50):
        eids = np.unique(rng.integers(1, 60, 30)).astype(np.int64)
        view = np.unique((rng.choice(eids, 200) << 32) | rng.choice(eids, 200))
        view = view[(view >> 32) != (view & 0xFFFFFFFF)]
        pins = rng.choice(eids, 3)
        room.pin(pins.tolist())
        pins = np.unique(pins)
        want = np.union1d(view, [(int(v) << 32) | int(p) for v in eids for p in pins if v != p])
        assert np.array_equal(room._with_pinned(view, eids), want)
