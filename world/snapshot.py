"""Snapshots: what each viewer is sent, built from entity bytes encoded once per tick.

Wire shape (``messages.Snap``): ``{"t": "snap", "k": tick, "a": last applied input
seq, "p": [x_cm, y_cm, yaw_u16], "e": [...], "u": [...], "l": [...]}``. ``e`` items are
full entity state ``[eid, x_cm, y_cm, yaw_u16, anim, name, rgb]`` for entities that
entered the viewer's view (or changed name/colour); ``u`` items ``[eid, x_cm, y_cm,
yaw_u16, anim]`` for entities already in view whose quantized state changed since
this viewer was last sent them; ``l`` ids of entities that left view (or the room).
Empty lists are omitted. A viewer with nothing new (same ``a`` and ``p``, no e/u/l)
gets no frame at all: an idle park costs nothing on the wire.

``EntityBytes`` holds each entity's pre-packed items (``msgspec.Raw``), re-encoded
only when its quantized state changes, so a tick packs each entity at most once
whatever the number of viewers. ``ViewerState`` remembers what the viewer's client
knows; ``rollback`` undoes the last snapshot when the server could not send it (a
slow client), so the next one carries everything the client missed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import msgspec

from world.protocol.messages import Snap

_encoder = msgspec.msgpack.Encoder()

Quantized = tuple[int, int, int, int]  # x_cm, y_cm, yaw_u16, anim


@dataclass(slots=True, eq=False)
class EntityBytes:
    eid: int
    state: Quantized
    name: str
    color: int
    changed_tick: int  # tick of the last change of ``state``
    look_tick: int  # tick of the last change of name or colour
    u: msgspec.Raw = field(init=False)
    _e: msgspec.Raw | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.u = msgspec.Raw(_encoder.encode((self.eid, *self.state)))

    def set_state(self, state: Quantized, tick: int) -> bool:
        if state == self.state:
            return False
        self.state = state
        self.changed_tick = tick
        self.u = msgspec.Raw(_encoder.encode((self.eid, *state)))
        self._e = None
        return True

    def set_look(self, name: str, color: int, tick: int) -> bool:
        if name == self.name and color == self.color:
            return False
        self.name, self.color, self.look_tick = name, color, tick
        self._e = None
        return True

    @property
    def e(self) -> msgspec.Raw:
        if self._e is None:
            self._e = msgspec.Raw(_encoder.encode((self.eid, *self.state, self.name, self.color)))
        return self._e


@dataclass(slots=True, eq=False)
class ViewerState:
    """What one viewer's client has been sent."""

    known: set[int] = field(default_factory=set)
    last_tick: int = -1  # tick of the last snapshot the client got (or had nothing to get)
    ack: int = -1
    pos: tuple[int, int, int] = (0, 0, 0)
    _undo: tuple[set[int], int, int, tuple[int, int, int]] | None = None

    def commit(self, known: set[int], tick: int, ack: int, pos: tuple[int, int, int]) -> None:
        self._undo = (self.known, self.last_tick, self.ack, self.pos)
        self.known, self.last_tick, self.ack, self.pos = known, tick, ack, pos

    def rollback(self) -> bool:
        """Forget the last committed snapshot (it was not delivered)."""
        if self._undo is None:
            return False
        self.known, self.last_tick, self.ack, self.pos = self._undo
        self._undo = None
        return True

    def reset(self) -> None:
        """The client starts from nothing (a new or resumed connection)."""
        self.known = set()
        self.last_tick = -1
        self.ack = -1
        self._undo = None


def build_frame(tick: int, ack: int, pos: tuple[int, int, int], enter: list[msgspec.Raw],
                update: list[msgspec.Raw], leave: list[int]) -> bytes:
    return _encoder.encode(Snap(k=tick, a=ack, p=pos, e=enter, u=update, l=leave))
