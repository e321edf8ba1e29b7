"""The Prometheus text exposition format, as far as the benchmark reads it.

``parse`` gives ``{(name, labels): value}``; ``histogram_quantile`` interpolates a
quantile from the bucket counts between two scrapes (as PromQL's function does).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

Sample = tuple[str, tuple[tuple[str, str], ...]]

_LINE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)")
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse(text: str) -> dict[Sample, float]:
    out: dict[Sample, float] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = _LINE.match(line)
        if m is None:
            continue
        try:
            value = float(m.group(3))
        except ValueError:
            continue
        labels = tuple(sorted(_LABEL.findall(m.group(2) or "")))
        out[(m.group(1), labels)] = value
    return out


def value(samples: Mapping[Sample, float], name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def by_label(samples: Mapping[Sample, float], name: str, label: str) -> dict[str, float]:
    """Every sample of ``name`` keyed by one label's value (e.g. dropped clients by reason)."""
    out: dict[str, float] = {}
    for (n, labels), v in samples.items():
        if n == name:
            d = dict(labels)
            if label in d:
                out[d[label]] = out.get(d[label], 0.0) + v
    return out


def delta(after: Mapping[Sample, float], before: Mapping[Sample, float]) -> dict[Sample, float]:
    return {k: v - before.get(k, 0.0) for k, v in after.items()}


def buckets(samples: Mapping[Sample, float], name: str) -> list[tuple[float, float]]:
    """Cumulative ``(upper bound, count)`` pairs of histogram ``name``, sorted by bound."""
    out = []
    for (n, labels), v in samples.items():
        if n == f"{name}_bucket":
            le = dict(labels).get("le")
            if le is not None:
                out.append((math.inf if le == "+Inf" else float(le), v))
    return sorted(out)


def histogram_quantile(q: float, cumulative: list[tuple[float, float]]) -> float | None:
    """Linear interpolation inside the bucket holding quantile ``q``; None when empty.

    A quantile in the +Inf bucket returns the highest finite bound (a lower bound).
    """
    if not cumulative or cumulative[-1][1] <= 0:
        return None
    total = cumulative[-1][1]
    rank = q * total
    prev_bound, prev_count = 0.0, 0.0
    for bound, count in cumulative:
        if count >= rank:
            if math.isinf(bound):
                return prev_bound
            if count == prev_count:
                return bound
            return prev_bound + (bound - prev_bound) * (rank - prev_count) / (count - prev_count)
        prev_bound, prev_count = bound, count
    return prev_bound


def highest_bucket(cumulative: list[tuple[float, float]]) -> tuple[float | None, bool]:
    """The max as far as buckets tell: (upper bound of the highest non-empty bucket, False),
    or (the highest finite bound, True) when observations landed past it (+Inf)."""
    prev = 0.0
    top: float | None = None
    finite = 0.0
    for bound, count in cumulative:
        if not math.isinf(bound):
            finite = bound
        if count > prev:
            top = bound
        prev = count
    if top is not None and math.isinf(top):
        return finite, True
    return top, False
