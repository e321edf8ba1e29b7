"""Snapshots: what each viewer is sent, built from entity bytes encoded once per tick.

Wire shape (``messages.Snap``): ``{"t": "snap", "k": tick, "a": last applied input
seq, "p": [x_cm, y_cm, yaw_u16], "e": [...], "u": [...], "l": [...]}``. ``e`` items are
full entity state ``[eid, x_cm, y_cm, yaw_u16, anim, name, rgb]`` for entities that
entered the viewer's view (or changed name/colour); ``u`` items ``[eid, x_cm, y_cm,
yaw_u16, anim]`` for entities already in view whose quantized state changed since
this viewer was last sent them; ``l`` ids of entities that left view (or the room).
Empty lists are omitted. A viewer with nothing new (same ``a`` and ``p``, no e/u/l)
gets no frame at all: an idle park costs nothing on the wire.

``EntityBytes`` holds each entity's pre-packed items (MessagePack bytes), re-encoded
only when its quantized state changes, so a tick packs each entity at most once
whatever the number of viewers; its ``changed_tick``/``look_tick`` are the room's
build generation at the change (see ``Room``). ``SentViews`` remembers what every
viewer's client knows, as one sorted array of pair keys ``viewer << 32 | entity``:
the enter/stay/leave diffs of all viewers are a few array operations per tick, and
each viewer's frame is slices of pre-encoded items joined under a hand-written
MessagePack array header (``frame``). ``ViewerState`` holds a viewer's last
acknowledgement, own position and build generation; ``rollback`` (with
``SentViews.rollback``) undoes the last snapshot when the server could not send it,
so the next one carries everything the client missed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import msgspec
import numpy as np
import numpy.typing as npt

from world.protocol.messages import Snap

_encoder = msgspec.msgpack.Encoder()

Quantized = tuple[int, int, int, int]  # x_cm, y_cm, yaw_u16, anim
IntArray = npt.NDArray[np.int64]


@dataclass(slots=True, eq=False)
class EntityBytes:
    eid: int
    state: Quantized
    name: str
    color: int
    changed_tick: int  # build generation of the last change of ``state``
    look_tick: int  # build generation of the last change of name or colour
    ub: bytes = field(init=False)  # the packed ``u`` item
    _eb: bytes | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.ub = _encoder.encode((self.eid, *self.state))

    def set_state(self, state: Quantized, tick: int) -> bool:
        if state == self.state:
            return False
        self.state = state
        self.changed_tick = tick
        self.ub = _encoder.encode((self.eid, *state))
        self._eb = None
        return True

    def set_look(self, name: str, color: int, tick: int) -> bool:
        if name == self.name and color == self.color:
            return False
        self.name, self.color, self.look_tick = name, color, tick
        self._eb = None
        return True

    @property
    def eb(self) -> bytes:
        """The packed ``e`` item."""
        if self._eb is None:
            self._eb = _encoder.encode((self.eid, *self.state, self.name, self.color))
        return self._eb

    @property
    def u(self) -> msgspec.Raw:
        return msgspec.Raw(self.ub)

    @property
    def e(self) -> msgspec.Raw:
        return msgspec.Raw(self.eb)


@dataclass(slots=True, eq=False)
class ViewerState:
    """What one viewer's client has been sent, besides its view (``SentViews``)."""

    last_tick: int = -1  # build generation of the last snapshot the client got (or had nothing to get)
    ack: int = -1
    pos: tuple[int, int, int] = (0, 0, 0)
    _undo: tuple[int, int, tuple[int, int, int]] | None = None

    def commit(self, tick: int, ack: int, pos: tuple[int, int, int]) -> None:
        self._undo = (self.last_tick, self.ack, self.pos)
        self.last_tick, self.ack, self.pos = tick, ack, pos

    def rollback(self) -> bool:
        """Forget the last committed snapshot (it was not delivered)."""
        if self._undo is None:
            return False
        self.last_tick, self.ack, self.pos = self._undo
        self._undo = None
        return True

    def reset(self) -> None:
        """The client starts from nothing (a new or resumed connection)."""
        self.last_tick = -1
        self.ack = -1
        self._undo = None


_LOW = 0xFFFFFFFF
_EMPTY = np.zeros(0, dtype=np.int64)


def _both_ways(a: IntArray, b: IntArray) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """For two sorted arrays of unique keys: which of ``a`` are in ``b``, which of ``b``
    are in ``a``. One stable sort of the two runs (a linear merge) finds the pairs."""
    in_b = np.zeros(len(a), dtype=bool)
    in_a = np.zeros(len(b), dtype=bool)
    if len(a) == 0 or len(b) == 0:
        return in_b, in_a
    both = np.concatenate((a, b))
    order = np.argsort(both, kind="stable")
    merged = both[order]
    same = np.nonzero(merged[1:] == merged[:-1])[0]
    in_b[order[same]] = True  # stable: the copy from ``a`` comes first
    in_a[order[same + 1] - len(a)] = True
    return in_b, in_a


def _viewers_in(keys: IntArray, viewers: set[int]) -> npt.NDArray[np.bool_]:
    return np.isin(keys >> 32, np.fromiter(viewers, dtype=np.int64, count=len(viewers)))


def eid_index(eids: IntArray) -> IntArray:
    """A lookup table from entity id to its position in ``eids`` (sorted, unique,
    non-negative), ``len(eids)`` for ids not among them: ``table[np.minimum(q, len(table)
    - 1)]``. A gather, where ``searchsorted`` of tens of thousands of unsorted ids costs
    milliseconds. Ids only grow, so the table stays within a small multiple of n while
    visitors come and go; past that, ``positions`` falls back to a binary search."""
    n = len(eids)
    top = int(eids[-1]) if n else 0
    if top > 4 * n + 65536:
        return _EMPTY
    table = np.full(top + 2, n, dtype=np.int64)
    table[eids] = np.arange(n, dtype=np.int64)
    return table


def positions(table: IntArray, eids: IntArray, q: IntArray) -> IntArray:
    """Positions in ``eids`` of the ids ``q`` (``len(eids)`` for an id not among them),
    through ``eid_index``'s table (or a binary search when it had none)."""
    if len(table):
        return table[np.minimum(q, len(table) - 1)]
    n = len(eids)
    pos = np.minimum(np.searchsorted(eids, q), n)
    found = pos < n
    found[found] = eids[pos[found]] == q[found]
    pos[~found] = n
    return pos


@dataclass(slots=True, eq=False)
class Diff:
    """This build's pair keys, grouped by viewer: entering (new in view, or look
    changed), updated (in view, state changed since the viewer's last build) and
    leaving (sent before, no longer in view or in the room). ``update_at``: each
    updated entity's position in the room's ``eids``."""

    enter: IntArray
    update: IntArray
    leave: IntArray
    update_at: IntArray = field(default_factory=lambda: _EMPTY)


class SentViews:
    """Every viewer's known entities, as sorted pair keys ``viewer << 32 | entity``."""

    def __init__(self) -> None:
        self.keys: IntArray = _EMPTY
        self._undo: IntArray = _EMPTY
        self._rolled: set[int] = set()
        self._reset: set[int] = set()

    def rollback(self, viewer: int) -> None:
        """The viewer's last frame was not delivered: its view reverts at the next diff."""
        self._rolled.add(viewer)

    def reset(self, viewer: int) -> None:
        """The viewer's client knows nothing (applied at the next diff)."""
        self._reset.add(viewer)
        self._rolled.discard(viewer)

    def _settle(self) -> None:
        if self._rolled:
            cur = _viewers_in(self.keys, self._rolled)
            old = _viewers_in(self._undo, self._rolled)
            self.keys = np.sort(np.concatenate((self.keys[~cur], self._undo[old])))
            self._rolled.clear()
        if self._reset:
            self.keys = self.keys[~_viewers_in(self.keys, self._reset)]
            self._reset.clear()

    def diff(self, view: IntArray, eids: IntArray, targets: IntArray, seen_gen: IntArray,
             changed_gen: IntArray, look_gen: IntArray) -> Diff:
        """Diff this build's ``view`` (sorted pair keys) against what was sent, for the
        ``targets`` (sorted viewer eids; ``seen_gen`` their last build generations), and
        commit ``view`` for them. ``eids`` (sorted) are the room's entities,
        ``changed_gen``/``look_gen`` their stamps. Viewers not targeted keep their
        sent views; viewers no longer in the room are forgotten."""
        self._settle()
        sent = self.keys
        n = len(eids)
        is_target = np.zeros(n + 1, dtype=bool)  # index n: not in the room
        tpos = np.searchsorted(eids, targets)
        is_target[tpos] = True
        gen_of = np.full(n + 1, np.iinfo(np.int64).max, dtype=np.int64)
        gen_of[tpos] = seen_gen

        table = eid_index(eids)
        kv = positions(table, eids, view >> 32)  # view keys only name entities in the room
        kt = positions(table, eids, view & _LOW)
        k_target = is_target[kv]
        was_sent, still_in_view = _both_ways(view, sent)
        seen = gen_of[kv]
        relook = look_gen[kt] > seen
        enter = k_target & (~was_sent | relook)
        update = k_target & was_sent & ~relook & (changed_gen[kt] > seen)

        sv = positions(table, eids, sent >> 32)  # n: no longer in the room
        in_room = sv < n
        s_target = is_target[sv]
        leave = s_target & ~still_in_view

        out = Diff(view[enter], view[update], sent[leave], kt[update])
        keep = in_room & ~s_target
        committed = view[k_target]
        self._undo = sent
        self.keys = np.sort(np.concatenate((committed, sent[keep]))) if keep.any() else committed
        return out


def array_header(n: int) -> bytes:
    """The MessagePack header of an array of ``n`` items."""
    if n < 16:
        return _FIXARRAY[n]
    if n < 0x10000:
        return b"\xdc" + n.to_bytes(2, "big")
    return b"\xdd" + n.to_bytes(4, "big")


_FIXARRAY = [bytes((0x90 | i,)) for i in range(16)]


_FIXMAP = [bytes((0x80 | i,)) for i in range(16)]


def frame(tick: int, ack: int, pos: tuple[int, int, int], enter: list[bytes], update: list[bytes],
          leave: list[int]) -> bytes:
    """An encoded ``snap`` from packed ``e``/``u`` items (empty lists are omitted): the
    bytes msgspec writes for ``Snap`` (``build_frame``), the map joined by hand."""
    enc = _encoder.encode
    parts = [b"", b"\xa1t\xa4snap\xa1k", enc(tick), b"\xa1a", enc(ack), b"\xa1p", enc(pos)]
    fields = 4
    if enter:
        parts.append(b"\xa1e")
        parts.append(array_header(len(enter)))
        parts.extend(enter)
        fields += 1
    if update:
        parts.append(b"\xa1u")
        parts.append(array_header(len(update)))
        parts.extend(update)
        fields += 1
    if leave:
        parts.append(b"\xa1l")
        parts.append(enc(leave))
        fields += 1
    parts[0] = _FIXMAP[fields]
    return b"".join(parts)


def build_frame(tick: int, ack: int, pos: tuple[int, int, int], enter: list[msgspec.Raw],
                update: list[msgspec.Raw], leave: list[int]) -> bytes:
    return _encoder.encode(Snap(k=tick, a=ack, p=pos, e=enter, u=update, l=leave))
