"""Reading the server's /metrics text: samples, deltas, histogram quantiles."""

from __future__ import annotations

import math

import pytest

from tools.bench import prometheus as prom

TEXT = """# HELP cloudpark_tick_seconds Time spent in one server tick (all rooms).
# TYPE cloudpark_tick_seconds histogram
cloudpark_tick_seconds_bucket{le="0.01"} 50
cloudpark_tick_seconds_bucket{le="0.02"} 90
cloudpark_tick_seconds_bucket{le="0.05"} 100
cloudpark_tick_seconds_bucket{le="+Inf"} 100
cloudpark_tick_seconds_sum 1.5
cloudpark_tick_seconds_count 100
cloudpark_dropped_clients_total{reason="too_slow"} 3
cloudpark_dropped_clients_total{reason="idle"} 1
cloudpark_bytes_out_total 12345
"""


def test_parse_reads_labels_and_values() -> None:
    s = prom.parse(TEXT)
    assert prom.value(s, "cloudpark_bytes_out_total") == 12345
    assert prom.by_label(s, "cloudpark_dropped_clients_total", "reason") == {"too_slow": 3, "idle": 1}
    assert prom.value(s, "cloudpark_tick_seconds_bucket", le="+Inf") == 100


def test_quantiles_interpolate_inside_buckets() -> None:
    b = prom.buckets(prom.parse(TEXT), "cloudpark_tick_seconds")
    assert b[-1] == (math.inf, 100)
    assert prom.histogram_quantile(0.5, b) == pytest.approx(0.01)
    assert prom.histogram_quantile(0.7, b) == pytest.approx(0.015)
    assert prom.histogram_quantile(0.99, b) == pytest.approx(0.047)
    assert prom.highest_bucket(b) == (0.05, False)


def test_delta_between_scrapes_only_counts_the_window() -> None:
    before = prom.parse(TEXT)
    after = prom.parse(TEXT.replace('le="0.05"} 100', 'le="0.05"} 110').replace('le="+Inf"} 100', 'le="+Inf"} 120')
                       .replace('le="0.02"} 90', 'le="0.02"} 90').replace("count 100", "count 120"))
    d = prom.buckets(prom.delta(after, before), "cloudpark_tick_seconds")
    # 20 ticks in the window: 10 between 20 and 50 ms, 10 past the last finite bucket
    assert prom.histogram_quantile(0.25, d) == pytest.approx(0.035)
    assert prom.histogram_quantile(0.99, d) == 0.05  # in +Inf: reported as the last bound
    assert prom.histogram_quantile(0.5, []) is None


def test_garbage_lines_are_skipped() -> None:
    assert prom.parse("not a metric line at all !!\nok 1\nbad{x=\"1\"} notanumber\n") == {("ok", ()): 1.0}


def test_a_max_past_the_last_bucket_is_reported_as_beyond_it() -> None:
    b = [(0.1, 5.0), (0.25, 8.0), (math.inf, 9.0)]
    assert prom.highest_bucket(b) == (0.25, True)
    assert prom.highest_bucket([]) == (None, False)
