"""Server figures in the Prometheus text exposition format (served at /metrics)."""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Callable, Mapping

TICK_BUCKETS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.075, 0.1, 0.25)


class Histogram:
    def __init__(self, buckets: tuple[float, ...]) -> None:
        self.buckets = buckets
        self.counts = [0] * (len(buckets) + 1)
        self.total = 0.0
        self.n = 0
        self.max = 0.0

    def observe(self, value: float) -> None:
        self.counts[bisect.bisect_left(self.buckets, value)] += 1
        self.total += value
        self.n += 1
        if value > self.max:
            self.max = value


class Metrics:
    """Counters the shell bumps on the hot path (plain ints: no locks, one thread)."""

    def __init__(self) -> None:
        self.tick_seconds = Histogram(TICK_BUCKETS)
        self.bytes_in = 0
        self.bytes_out = 0
        self.messages_in = 0
        self.messages_out = 0
        self.snapshots_skipped = 0
        self.dropped: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()

    def render(self, clients_per_park: Mapping[str, int], extra: Callable[[], list[str]] | None = None) -> str:
        out: list[str] = []

        def metric(name: str, kind: str, help_text: str, samples: list[tuple[str, float]]) -> None:
            out.append(f"# HELP {name} {help_text}")
            out.append(f"# TYPE {name} {kind}")
            for labels, value in samples:
                out.append(f"{name}{labels} {value}")

        metric("cloudpark_clients", "gauge", "Connected clients in a park (joined avatars).",
               [(f'{{park="{p}"}}', n) for p, n in sorted(clients_per_park.items())])
        h = self.tick_seconds
        samples: list[tuple[str, float]] = []
        running = 0
        for bound, count in zip(h.buckets, h.counts, strict=False):
            running += count
            samples.append((f'_bucket{{le="{bound}"}}', running))
        samples.append(('_bucket{le="+Inf"}', h.n))
        samples.append(("_sum", h.total))
        samples.append(("_count", h.n))
        out.append("# HELP cloudpark_tick_seconds Time spent in one server tick (all rooms).")
        out.append("# TYPE cloudpark_tick_seconds histogram")
        for suffix, value in samples:
            out.append(f"cloudpark_tick_seconds{suffix} {value}")
        metric("cloudpark_tick_seconds_max", "gauge", "Longest server tick since the server started.",
               [("", h.max)])
        metric("cloudpark_bytes_in_total", "counter", "Websocket payload bytes received.", [("", self.bytes_in)])
        metric("cloudpark_bytes_out_total", "counter", "Websocket payload bytes sent.", [("", self.bytes_out)])
        metric("cloudpark_messages_in_total", "counter", "Websocket messages received.", [("", self.messages_in)])
        metric("cloudpark_messages_out_total", "counter", "Websocket messages sent.", [("", self.messages_out)])
        metric("cloudpark_snapshots_skipped_total", "counter",
               "Snapshots replaced because a client's write buffer was full.", [("", self.snapshots_skipped)])
        metric("cloudpark_dropped_clients_total", "counter", "Connections closed by the server, by reason.",
               [(f'{{reason="{r}"}}', n) for r, n in sorted(self.dropped.items())])
        metric("cloudpark_errors_total", "counter", "Error replies sent, by error code.",
               [(f'{{code="{c}"}}', n) for c, n in sorted(self.errors.items())])
        if extra is not None:
            out.extend(extra())
        return "\n".join(out) + "\n"
