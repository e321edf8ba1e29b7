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
viewer's client knows, as one sorted array of pair keys ``viewer << 32 | entity``.
The diff of every viewer's view against it and the frames themselves are one
compiled pass (``world.snapshot_frames.assemble``): a merge of the two sorted key
arrays, viewer by viewer, writing each frame (websocket header and MessagePack
body, the bytes ``frame`` below writes) into one buffer for the whole build, so the
server writes slices of it with no per-viewer Python. ``ViewerState`` holds a viewer's last
acknowledgement, own position and build generation; ``rollback`` (with
``SentViews.rollback``) undoes the last snapshot when the server could not send it,
so the next one carries everything the client missed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import msgspec
import numpy as np
import numpy.typing as npt

from world.protocol.messages import Snap
from world.snapshot_frames import ViewerState, assemble


class HasAck(Protocol):
    """What ``assemble`` reads of an avatar: the last input it applied."""

    last_seq: int

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


_LOW = 0xFFFFFFFF
_EMPTY = np.zeros(0, dtype=np.int64)


def _viewers_in(keys: IntArray, viewers: set[int]) -> npt.NDArray[np.bool_]:
    return np.isin(keys >> 32, np.fromiter(viewers, dtype=np.int64, count=len(viewers)))


def eid_index(eids: IntArray) -> IntArray:
    """A lookup table from entity id to its position in ``eids`` (sorted, unique,
    non-negative), ``len(eids)`` for ids not among them: ``table[np.minimum(q, len(table)
    - 1)]``. A gather, where ``searchsorted`` of tens of thousands of unsorted ids costs
    milliseconds. Ids only grow, so the table stays within a small multiple of n while
    visitors come and go; past that, the table is empty and ``assemble`` searches
    ``eids`` instead."""
    n = len(eids)
    top = int(eids[-1]) if n else 0
    if top > 4 * n + 65536:
        return _EMPTY
    table = np.full(top + 2, n, dtype=np.int64)
    table[eids] = np.arange(n, dtype=np.int64)
    return table


@dataclass(slots=True, eq=False)
class Frames:
    """One build's frames: viewer ``eids[i]``'s websocket frame is
    ``data[bounds[i, 0]:bounds[i, 2]]``, its MessagePack body from ``bounds[i, 1]``;
    an empty range when the viewer had nothing new."""

    eids: list[int]
    data: bytes
    bounds: npt.NDArray[np.int64]  # (len(eids), 3): frame start, body start, end


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

    def assemble(self, view: IntArray, eids: IntArray, targets: IntArray, states: list[ViewerState],
                 ents: list[EntityBytes], avatars: Sequence[HasAck], tick: int,
                 gen: int) -> tuple[bytes, npt.NDArray[np.int64]]:
        """The frames of this build's ``view`` (sorted pair keys) for the ``targets``
        (sorted viewer eids, ``states`` their ``ViewerState``), against what each was
        sent; commits ``view`` for them. ``eids`` (sorted) are the room's entities,
        ``ents`` and ``avatars`` in the same order. Viewers not targeted keep their sent
        views; viewers no longer in the room are forgotten."""
        self._settle()
        data, bounds, keys = assemble(view, self.keys, eids, eid_index(eids), targets, states, ents,
                                      list(avatars), tick, gen)
        self._undo = self.keys
        self.keys = keys
        return data, bounds


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
