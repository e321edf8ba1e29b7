"""Client-side prediction of your own avatar, reconciled against the server's ``a``.

Pure: no Panda3D, no clocks. Each simulation tick the client builds one ``Input``,
steps it locally through the SAME movement function the server uses
(``world.movement.apply_input`` bound to the park's walk grid) and keeps it until the
server acknowledges it. When a snapshot says "inputs up to ``a`` applied, you are at
``p``", the unacknowledged inputs are replayed from ``p``. The difference between the
old and the replayed prediction is not shown at once: it becomes a render offset that
decays over ``smoothing`` seconds, so corrections glide instead of snapping. Errors
over ``teleport`` metres (a respawn, a server-side move) are applied immediately.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from world.protocol.messages import Input

# (x, y, yaw, input, dt) -> (x, y, yaw, anim): world.movement.apply_input with the grid bound.
Step = Callable[[float, float, float, Input, float], tuple[float, float, float, int]]

MAX_PENDING = 256  # ~13 s of inputs at 20 Hz; older ones are certainly lost or applied


@dataclass(frozen=True, slots=True)
class Pose:
    x: float
    y: float
    yaw: float


def wrap_angle(a: float) -> float:
    """An angle in [-pi, pi)."""
    return (a + math.pi) % (2.0 * math.pi) - math.pi


class Predictor:
    """Your avatar: predicted state, pending inputs and a decaying correction offset."""

    def __init__(
        self, step: Step, pose: Pose, tick_dt: float, *, smoothing: float = 0.25,
        teleport: float = 3.0, first_seq: int = 1,
    ) -> None:
        self._step = step
        self.tick_dt = tick_dt
        self.smoothing = smoothing
        self.teleport = teleport
        self.x, self.y, self.yaw = pose.x, pose.y, pose.yaw
        self.prev_x, self.prev_y = pose.x, pose.y  # state one tick ago, for drawing between ticks
        self.anim = 0
        self.next_seq = first_seq
        self.acked = first_seq - 1
        self.pending: deque[Input] = deque(maxlen=MAX_PENDING)
        self.offset_x = 0.0
        self.offset_y = 0.0
        self.last_correction = 0.0  # metres, size of the latest reconciliation error

    def apply(self, mx: float, my: float, yaw: float, run: bool) -> Input:
        """Predict one tick of movement; the returned ``Input`` is what to send."""
        norm = math.hypot(mx, my)
        if norm > 1.0:
            mx, my = mx / norm, my / norm
        inp = Input(s=self.next_seq, mx=mx, my=my, yaw=wrap_angle(yaw), run=run)
        self.next_seq += 1
        self.prev_x, self.prev_y = self.x, self.y
        self.x, self.y, self.yaw, self.anim = self._step(self.x, self.y, self.yaw, inp, self.tick_dt)
        self.pending.append(inp)
        return inp

    def reconcile(self, acked: int, server: Pose) -> None:
        """The server applied inputs up to ``acked`` and put you at ``server``."""
        if acked < self.acked:
            return  # an older snapshot arriving late tells nothing new
        self.acked = acked
        while self.pending and self.pending[0].s <= acked:
            self.pending.popleft()
        x, y, yaw = server.x, server.y, server.yaw
        for inp in self.pending:
            x, y, yaw, _ = self._step(x, y, yaw, inp, self.tick_dt)
        ex, ey = self.x - x, self.y - y
        self.last_correction = math.hypot(ex, ey)
        if self.last_correction > self.teleport:
            self.offset_x = self.offset_y = 0.0
        else:
            self.offset_x += ex
            self.offset_y += ey
        self.prev_x -= ex
        self.prev_y -= ey
        self.x, self.y = x, y
        if not self.pending:
            self.yaw = yaw  # the input's yaw is ours; only take the server's when idle

    def reset(self, pose: Pose) -> None:
        """Start over at ``pose`` (join, rejoin, reconnect): forget pending inputs."""
        self.x, self.y, self.yaw = pose.x, pose.y, pose.yaw
        self.prev_x, self.prev_y = pose.x, pose.y
        self.pending.clear()
        self.acked = self.next_seq - 1
        self.offset_x = self.offset_y = 0.0

    def advance(self, frame_dt: float) -> None:
        """Decay the correction offset by one rendered frame."""
        if self.smoothing <= 0.0:
            self.offset_x = self.offset_y = 0.0
            return
        keep = math.exp(-frame_dt * 3.0 / self.smoothing)  # ~95% gone after `smoothing` seconds
        self.offset_x *= keep
        self.offset_y *= keep
        if abs(self.offset_x) < 1e-4 and abs(self.offset_y) < 1e-4:
            self.offset_x = self.offset_y = 0.0

    def render_pose(self, alpha: float = 1.0) -> Pose:
        """Where to draw your avatar this frame, ``alpha`` of the way from the previous
        tick's state to the latest (the fixed-timestep accumulator over ``tick_dt``)."""
        a = min(1.0, max(0.0, alpha))
        x = self.prev_x + (self.x - self.prev_x) * a
        y = self.prev_y + (self.y - self.prev_y) * a
        return Pose(x + self.offset_x, y + self.offset_y, self.yaw)
