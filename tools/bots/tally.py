"""What a crowd measured: counters per process, merged into one summary.

Counters only count inside the measurement window (after the crowd has joined);
``Tally.summary`` turns the merged counts into the figures the benchmark reports.
"""

from __future__ import annotations

import math
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
    # a showcase crowd (``crowd.ShowcasePlan``): what was sent, what came back
    showcase: bool = False
    reactions_sent: int = 0
    asks: int = 0
    upvotes: int = 0
    reaction_seconds: list[list[int]] = field(default_factory=list)  # per bot: seconds with a ``reactions``
    reaction_counts: dict[int, dict[int, set[int]]] = field(default_factory=dict)  # second -> hall -> totals seen
    reaction_delays_ms: list[float] = field(default_factory=list)  # arrival after the second ended
    halls: list[int] = field(default_factory=list)  # per bot: the hall it was in at the end (0: none)
    asked_in: dict[int, int] = field(default_factory=dict)  # question id -> the asker's hall (asked by the
    # window's last second: its board has had time to reach every hall)
    question_halls: dict[int, set[int]] = field(default_factory=dict)  # question id -> halls whose board showed it
    wall_from: float = 0.0  # the window on the wall clock (``reactions.second`` is Unix time)
    wall_until: float = 0.0

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
            showcase=self.showcase or other.showcase,
            reactions_sent=self.reactions_sent + other.reactions_sent,
            asks=self.asks + other.asks,
            upvotes=self.upvotes + other.upvotes,
            reaction_seconds=self.reaction_seconds + other.reaction_seconds,
            reaction_counts=_union(self.reaction_counts, other.reaction_counts),
            reaction_delays_ms=self.reaction_delays_ms + other.reaction_delays_ms,
            halls=self.halls + other.halls,
            asked_in=self.asked_in | other.asked_in,
            question_halls={q: self.question_halls.get(q, set()) | other.question_halls.get(q, set())
                            for q in self.question_halls.keys() | other.question_halls.keys()},
            wall_from=max(self.wall_from, other.wall_from),
            wall_until=min(self.wall_until, other.wall_until) if self.wall_until and other.wall_until
            else self.wall_until or other.wall_until,
        )

    def showcase_summary(self) -> dict[str, Any]:
        """Reactions delivered every second to every client, the halls, the Q&A shared."""
        first = math.ceil(self.wall_from)
        last = math.floor(self.wall_until) - 2  # the counts of second s arrive just after s + 1
        expected = set(range(first, last + 1))
        got = [len(expected & set(s)) for s in self.reaction_seconds] or [0]
        per_hall = Counter(h for h in self.halls if h)
        seconds = {s: h for s, h in self.reaction_counts.items() if s in expected}
        agreed = sum(1 for h in seconds.values() if len({t for totals in h.values() for t in totals}) == 1)
        delays = np.asarray(self.reaction_delays_ms or [np.nan], dtype=float)
        finite = np.isfinite(delays).any()
        crossed = [q for q, hall in self.asked_in.items() if self.question_halls.get(q, set()) - {hall}]
        return {
            "reactions_sent": self.reactions_sent,
            "reactions_sent_per_client_per_s": round(self.reactions_sent / max(self.clients, 1)
                                                     / (self.window_s or 1.0), 3),
            "asks": self.asks,
            "upvotes": self.upvotes,
            "seconds_expected": len(expected),
            "clients_every_second": sum(1 for g in got if g == len(expected)),
            "seconds_per_client": {"min": min(got), "mean": round(float(np.mean(got)), 2)},
            "client_seconds_missed": sum(len(expected) - g for g in got),
            "reaction_delay_ms": {
                "p50": round(float(np.nanpercentile(delays, 50)), 1) if finite else None,
                "p99": round(float(np.nanpercentile(delays, 99)), 1) if finite else None,
            },
            "halls": {str(h): n for h, n in sorted(per_hall.items())},
            "seconds_same_counts_in_every_hall": agreed,
            "seconds_with_counts": len(seconds),
            # halls whose clients got a second's counts (0: a bot not told its hall yet is no hall)
            "halls_per_second_max": max((len([x for x in h if x]) for h in seconds.values()), default=0),
            "questions_asked_in_window": len(self.asked_in),
            "questions_seen_in_another_hall": len(crossed),
            "questions_seen": len(self.question_halls),
        }

    def summary(self) -> dict[str, Any]:
        window = self.window_s or 1.0
        n = max(self.clients, 1)
        rates = np.asarray(self.snaps or [0], dtype=float) / window
        lat = np.asarray(self.latencies_ms or [np.nan], dtype=float)

        def pct(a: np.ndarray, q: float) -> float | None:
            v = float(np.nanpercentile(a, q)) if np.isfinite(a).any() else None
            return None if v is None else round(v, 3)

        out = {
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
        if self.showcase:
            out["showcase"] = self.showcase_summary()
        return out


def _union(a: dict[int, dict[int, set[int]]], b: dict[int, dict[int, set[int]]]) -> dict[int, dict[int, set[int]]]:
    out = {s: {h: set(t) for h, t in halls.items()} for s, halls in a.items()}
    for s, halls in b.items():
        mine = out.setdefault(s, {})
        for h, totals in halls.items():
            mine.setdefault(h, set()).update(totals)
    return out
