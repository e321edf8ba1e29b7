"""Remote avatars drawn ~100 ms in the past, between two snapshots; bounded extrapolation.

Pure: the caller passes local times (seconds, any monotonic origin). A snapshot's tick
``k`` gives server time ``k * tick_dt``; ``ServerClock`` estimates the offset between
server and local time from the least-delayed snapshots, so jitter only delays, never
shifts, the rendered timeline. ``Crowd`` keeps a short sample track per entity.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

from world.protocol.quantize import pos_from_wire, yaw_from_wire

TRACK_SAMPLES = 16


@dataclass(frozen=True, slots=True)
class Sample:
    t: float  # server time, seconds
    x: float
    y: float
    yaw: float
    anim: int


@dataclass(frozen=True, slots=True)
class Remote:
    """One entity as drawn this frame."""

    eid: int
    x: float
    y: float
    yaw: float
    anim: int
    speed: float  # metres per second, for the walk cycle
    name: str
    rgb: int


def lerp_angle(a: float, b: float, f: float) -> float:
    d = (b - a + math.pi) % (2.0 * math.pi) - math.pi
    return a + d * f


class ServerClock:
    """Local time -> server time. Follows the earliest arrivals; drifts slowly otherwise."""

    def __init__(self, drift_per_s: float = 0.02) -> None:
        self.offset: float | None = None
        self.drift_per_s = drift_per_s
        self._last_local = 0.0

    def observe(self, server_t: float, local_t: float) -> None:
        sample = server_t - local_t
        if self.offset is None or sample > self.offset:
            self.offset = sample
        else:
            # Let the estimate sag slowly so a clock that runs slow, or a latency that
            # grew for good, is followed instead of forcing extrapolation forever.
            self.offset -= min(self.offset - sample, self.drift_per_s * max(0.0, local_t - self._last_local))
        self._last_local = local_t

    def server_time(self, local_t: float) -> float:
        return local_t + (self.offset or 0.0)


class Track:
    def __init__(self, name: str, rgb: int) -> None:
        self.name = name
        self.rgb = rgb
        self.samples: deque[Sample] = deque(maxlen=TRACK_SAMPLES)

    def push(self, s: Sample) -> None:
        if self.samples and s.t <= self.samples[-1].t:
            return  # duplicate or reordered snapshot
        self.samples.append(s)

    def at(self, t: float, max_extrapolation: float) -> tuple[float, float, float, int, float]:
        """(x, y, yaw, anim, speed) at server time ``t``."""
        ss = self.samples
        last = ss[-1]
        if len(ss) == 1 or t <= ss[0].t:
            return ss[0].x, ss[0].y, ss[0].yaw, ss[0].anim, 0.0
        if t >= last.t:
            prev = ss[-2]
            span = last.t - prev.t
            vx, vy = (last.x - prev.x) / span, (last.y - prev.y) / span
            ahead = min(t - last.t, max_extrapolation)
            return last.x + vx * ahead, last.y + vy * ahead, last.yaw, last.anim, math.hypot(vx, vy)
        for i in range(len(ss) - 1, 0, -1):
            a, b = ss[i - 1], ss[i]
            if a.t <= t <= b.t:
                f = (t - a.t) / (b.t - a.t)
                speed = math.hypot(b.x - a.x, b.y - a.y) / (b.t - a.t)
                return (a.x + (b.x - a.x) * f, a.y + (b.y - a.y) * f, lerp_angle(a.yaw, b.yaw, f),
                        b.anim if f > 0.5 else a.anim, speed)
        raise AssertionError("unreachable: samples are sorted")


class Crowd:
    """Every remote entity in view, fed by snapshots, sampled at render time."""

    def __init__(self, tick_dt: float, delay: float = 0.1, max_extrapolation: float = 0.25) -> None:
        self.tick_dt = tick_dt
        self.delay = delay
        self.max_extrapolation = max_extrapolation
        self.clock = ServerClock()
        self.tracks: dict[int, Track] = {}

    def snapshot(
        self, tick: int, local_t: float,
        enters: list[tuple[int, int, int, int, int, str, int]],
        updates: list[tuple[int, int, int, int, int]],
        leaves: list[int],
    ) -> None:
        t = tick * self.tick_dt
        self.clock.observe(t, local_t)
        for eid in leaves:
            self.tracks.pop(eid, None)
        seen: set[int] = set()
        for eid, x, y, yaw, anim, name, rgb in enters:
            track = Track(name, rgb)
            self.tracks[eid] = track
            track.push(Sample(t, pos_from_wire(x), pos_from_wire(y), yaw_from_wire(yaw), anim))
            seen.add(eid)
        for eid, x, y, yaw, anim in updates:
            track = self.tracks.get(eid)
            if track is not None:
                track.push(Sample(t, pos_from_wire(x), pos_from_wire(y), yaw_from_wire(yaw), anim))
                seen.add(eid)
        for eid, track in self.tracks.items():
            if eid not in seen and track.samples:
                s = track.samples[-1]  # unchanged this tick: it stood still
                track.push(Sample(t, s.x, s.y, s.yaw, s.anim))

    def clear(self) -> None:
        self.tracks.clear()
        self.clock = ServerClock()

    def render(self, local_t: float) -> list[Remote]:
        t = self.clock.server_time(local_t) - self.delay
        out = []
        for eid, track in self.tracks.items():
            if track.samples:
                x, y, yaw, anim, speed = track.at(t, self.max_extrapolation)
                out.append(Remote(eid, x, y, yaw, anim, speed, track.name, track.rgb))
        return out
