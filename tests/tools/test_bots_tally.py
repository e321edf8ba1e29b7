"""A crowd's tally: merged across processes, summarised into per-client figures."""

from __future__ import annotations

from collections import Counter

from tools.bots.tally import Tally


def test_summary_gives_per_client_rates_and_latency_percentiles() -> None:
    t = Tally(clients=4, joined=4, window_s=10.0, cpu_s=2.0, snaps=[200, 200, 190, 100],
              latencies_ms=[float(i) for i in range(1, 101)], bytes_down=40_000, bytes_up=8_000, frames_up=800)
    s = t.summary()
    assert s["snapshots_per_client_per_s"]["min"] == 10.0
    assert s["snapshots_per_client_per_s"]["mean"] == 17.25
    assert 49 <= s["latency_ms"]["p50"] <= 51 and s["latency_ms"]["max"] == 100.0
    assert s["down_bytes_per_client_per_s"] == 1000.0
    assert s["up_bytes_per_client_per_s"] == 200.0
    assert s["inputs_per_client_per_s"] == 20.0
    assert s["generator"]["cpu_percent"] == 20.0


def test_merge_adds_processes_together() -> None:
    a = Tally(clients=2, joined=2, window_s=5.0, snaps=[1, 2], closes=Counter(too_slow=1), errors=Counter(x=1))
    b = Tally(clients=3, joined=2, window_s=5.0, snaps=[3, 4, 5], closes=Counter(too_slow=2))
    m = a.merge(b)
    assert (m.clients, m.joined, m.processes, m.snaps) == (5, 4, 2, [1, 2, 3, 4, 5])
    assert m.summary()["closes"] == {"too_slow": 3} and m.summary()["errors"] == {"x": 1}


def test_an_empty_window_reports_no_latency_instead_of_failing() -> None:
    s = Tally(clients=1, window_s=1.0).summary()
    assert s["latency_ms"]["p99"] is None and s["latency_ms"]["samples"] == 0
