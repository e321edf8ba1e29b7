"""The naive snapshot builder: the baseline the crowd benchmark compares the real design to.

What a first-cut server does: every client gets every other avatar, in full, every
tick; each client's snapshot is built and packed on its own (no encode-once, no
caching, no deltas, no interest management); positions go out as unquantized float64
(centimetres and yaw turn units as floats instead of ints). Only the server's
``--snapshot-mode naive`` uses it, to measure the gain of the real path side by side.

The frames keep the ``snap`` shape (``k``, ``a``, ``p``, ``e``) so bots read them like
real ones; ``e`` items are ``[eid, x_cm, y_cm, yaw_units, anim, name, rgb]`` with
floats where the real protocol has ints, so clients that validate ``SnapView`` strictly
reject them: this mode is for benchmarks, never for players.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import msgspec

from world.avatar import Avatar
from world.protocol.quantize import CM_PER_M, YAW_UNITS, pos_to_wire, yaw_to_wire

_TURN_UNITS = YAW_UNITS / (2.0 * math.pi)


def naive_snapshots(tick: int, avatars: Sequence[Avatar], viewers: Iterable[int]) -> dict[int, bytes]:
    """One packed ``snap`` frame per viewer eid, each listing every other avatar in full.

    ``avatars``: every avatar in the room; ``viewers``: the eids that get a frame this
    tick (attached clients). Cost is O(viewers x avatars) by design.
    """
    by_eid = {a.eid: a for a in avatars}
    out: dict[int, bytes] = {}
    encode = msgspec.msgpack.encode
    for eid in viewers:
        me = by_eid.get(eid)
        if me is None:
            continue
        entities = [
            [a.eid, a.x * CM_PER_M, a.y * CM_PER_M, (a.yaw * _TURN_UNITS) % YAW_UNITS,
             int(a.shown_anim), a.name, a.color]
            for a in avatars if a.eid != eid
        ]
        out[eid] = encode({
            "t": "snap",
            "k": tick,
            "a": me.last_seq,
            "p": [pos_to_wire(me.x), pos_to_wire(me.y), yaw_to_wire(me.yaw)],
            "e": entities,
        })
    return out
