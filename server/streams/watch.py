"""The state of one event's stream, decided from what is seen: segments arriving, the
encoder ending, time passing. No I/O and no clock of its own: ``now`` (monotonic
seconds) is passed in, so every transition is tested without ffmpeg.

    idle ──first segment──> live ──no segment for stall_s / encoder ended──> interrupted
      ^                      ^                                                   │
      │                      └──────────────segments again (a restarted run)─────┘
      └─ a push source waits here for its broadcaster        stop ──> ended (replay)

A test pattern or a file that fails or stalls is run again after a backoff that grows
with each run that gave nothing (1, 2, 4, 8, 15, 30 s) and starts over once one gives
segments. A push source is listened for again at once when its broadcaster leaves; it
is restarted when it has been silent for ``push_restart_s``, so a broadcaster that
reconnects is not left knocking at an encoder still bound to a dead connection.
"""

from __future__ import annotations

from dataclasses import dataclass, field

IDLE, LIVE, INTERRUPTED, ENDED = "idle", "live", "interrupted", "ended"
STATES = (IDLE, LIVE, INTERRUPTED, ENDED)
BACKOFF = (1.0, 2.0, 4.0, 8.0, 15.0, 30.0)
RELISTEN_S = 0.2


@dataclass
class Watch:
    push: bool  # the source is a broadcaster pushing to us: wait for it, never give up
    stall_s: float = 4.0  # no new segment this long: interrupted
    startup_s: float = 20.0  # a test pattern or file with no first segment after this long is restarted
    push_restart_s: float = 10.0
    backoff: tuple[float, ...] = BACKOFF
    state: str = IDLE
    reason: str = ""
    failures: int = 0  # runs in a row that gave no segment
    runs: int = 0
    _run_start: float | None = field(default=None, repr=False)
    _last: float | None = field(default=None, repr=False)
    _run_segments: int = field(default=0, repr=False)

    def _set(self, state: str, reason: str) -> bool:
        changed = (state, reason) != (self.state, self.reason)
        self.state, self.reason = state, reason
        return changed

    def run_started(self, now: float) -> None:
        self._run_start, self._last, self._run_segments = now, None, 0
        self.runs += 1

    def segments(self, count: int, now: float) -> bool:
        """``count`` new segments were seen; True when the state changed (to live)."""
        if count <= 0:
            return False
        self._last = now
        self._run_segments += count
        self.failures = 0
        return self._set(LIVE, "")

    def check(self, now: float) -> tuple[bool, bool]:
        """(state changed, restart the encoder) for the running encoder at ``now``."""
        if self._run_start is None or self.state == ENDED:
            return False, False
        if self._last is None:
            if not self.push and now - self._run_start >= self.startup_s:
                return False, True
            return False, False
        silent = now - self._last
        if silent < self.stall_s:
            return False, False
        changed = self._set(INTERRUPTED, f"no new segment for {self.stall_s:g} s")
        return changed, silent >= (self.push_restart_s if self.push else self.stall_s)

    def run_ended(self, why: str) -> tuple[bool, float]:
        """The encoder stopped on its own or was stopped as stalled, because ``why``:
        (state changed, seconds to wait before the next run)."""
        produced = self._run_segments > 0
        self._run_start, self._last = None, None
        if produced:
            self.failures = 0
            delay = RELISTEN_S if self.push else self.backoff[0]
        else:
            self.failures += 1
            delay = self.backoff[min(self.failures, len(self.backoff)) - 1]
        if self.state == ENDED:
            return False, 0.0
        if self.push and self.state == IDLE:
            return self._set(IDLE, why), delay  # still waiting for the broadcaster
        return self._set(INTERRUPTED, why), delay

    def end(self) -> bool:
        self._run_start = None
        return self._set(ENDED, "")
