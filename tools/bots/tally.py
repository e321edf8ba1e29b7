"""What a crowd measured: counters per process, merged into one summary.

Counters only count inside the measurement window (after the crowd has joined);
``Tally.summary`` turns the merged counts into the figures the benchmark reports.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

MAX_LATENCY_SAMPLES = 200_000  # per process; enough for stable p99s, bounded memory


@dataclass
class Tally:
    clients: int = 0
    joined: int = 0  # bots in the park when the window closed
    window_s: float = 0.0
    cpu_s: float = 0.0  # generator CPU seconds spent inside the window
    snaps: list[int] = field(default_factory=list)  # per bot, inside the window
    latencies_ms: list[float] = field(default_factory=list)
    bytes_down: int = 0
    bytes_up: int = 0
    frames_up: int = 0
    reconnects: int = 0
    chats: int = 0
    likes: int = 0
    closes: Counter[str] = field(default_factory=Counter)  # why a connection ended
    errors: Counter[str] = field(default_factory=Counter)  # `error.code` answers
    processes: int = 1

    def merge(self, other: Tally) -> Tally:
        return Tally(
            clients=self.clients + other.clients,
            joined=self.joined + other.joined,
            window_s=max(self.window_s, other.window_s),
            cpu_s=self.cpu_s + other.cpu_s,
            snaps=self.snaps + other.snaps,
            latencies_ms=self.latencies_ms + other.latencies_ms,
            bytes_down=self.bytes_down + other.bytes_down,
            bytes_up=self.bytes_up + other.bytes_up,
            frames_up=self.frames_up + other.frames_up,
            reconnects=self.reconnects + other.reconnects,
            chats=self.chats + other.chats,
            likes=self.likes + other.likes,
            closes=self.closes + other.closes,
            errors=self.errors + other.errors,
            processes=self.processes + other.processes,
        )

    def summary(self) -> dict[str, Any]:
        window = self.window_s or 1.0
        n = max(self.clients, 1)
        rates = np.asarray(self.snaps or [0], dtype=float) / window
        lat = np.asarray(self.latencies_ms or [np.nan], dtype=float)

        def pct(a: np.ndarray, q: float) -> float | None:
            v = float(np.nanpercentile(a, q)) if np.isfinite(a).any() else None
            return None if v is None else round(v, 3)

        return {
            "clients": self.clients,
            "joined": self.joined,
            "window_s": round(self.window_s, 3),
            "snapshots_per_client_per_s": {
                "mean": round(float(rates.mean()), 3),
                "min": round(float(rates.min()), 3),
                "p1": pct(rates, 1),
                "p5": pct(rates, 5),
                "p50": pct(rates, 50),
            },
            "latency_ms": {
                "p50": pct(lat, 50),
                "p90": pct(lat, 90),
                "p99": pct(lat, 99),
                "max": None if not self.latencies_ms else round(float(np.nanmax(lat)), 3),
                "samples": len(self.latencies_ms),
            },
            "down_bytes_per_client_per_s": round(self.bytes_down / n / window, 1),
            "up_bytes_per_client_per_s": round(self.bytes_up / n / window, 1),
            "inputs_per_client_per_s": round(self.frames_up / n / window, 2),
            "reconnects": self.reconnects,
            "chats": self.chats,
            "likes": self.likes,
            "closes": dict(self.closes),
            "errors": dict(self.errors),
            "generator": {
                "processes": self.processes,
                "cpu_s": round(self.cpu_s, 3),
                "cpu_percent": round(100.0 * self.cpu_s / window, 1),
            },
        }
