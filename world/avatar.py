"""An avatar: one visitor's body in a park room.

Plain state, no behaviour beyond its input queue. Positions are metres, ``yaw``
radians CCW from +x (east). ``last_seq`` is the sequence number of the last input
applied (acknowledged to the client in every snapshot as ``a``). The input queue is
bounded (``RoomConfig.input_queue`` ticks; an input covering ``n`` ticks takes ``n``
places, and ``last_seq`` moves to its ``s`` when the last of them is applied): an input that arrives when it is full, or whose
sequence number is not above the last one queued, is refused and counted in
``dropped_inputs``, never stored. A ``detached`` avatar's connection dropped: it stays
in the world, standing still, until the client resumes or the room removes it.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from world.protocol.constants import Anim
from world.protocol.messages import Input


@dataclass(slots=True, eq=False)
class Avatar:
    eid: int
    user_id: str
    name: str
    color: int
    role: str
    company: str
    x: float
    y: float
    yaw: float
    anim: Anim = Anim.IDLE
    emote: Anim = Anim.IDLE  # a gesture held while standing still; walking clears it
    last_seq: int = 0
    queue_limit: int = 8
    inputs: deque[Input] = field(default_factory=deque)
    last_queued_seq: int = 0
    dropped_inputs: int = 0
    detached: bool = False

    def queue_input(self, inp: Input) -> bool:
        """Queue ``inp.n`` ticks of input (the same message once per tick); False (and
        counted) when they do not all fit or the input is out of sequence."""
        n = inp.n
        if inp.s <= self.last_queued_seq or len(self.inputs) + n > self.queue_limit:
            self.dropped_inputs += 1
            return False
        if n == 1:
            self.inputs.append(inp)
        else:
            self.inputs.extend((inp,) * n)
        self.last_queued_seq = inp.s
        return True

    def clear_inputs(self) -> None:
        self.inputs.clear()

    @property
    def shown_anim(self) -> Anim:
        """What others see: the movement animation, or the emote while idle."""
        return self.anim if self.anim != Anim.IDLE else self.emote
