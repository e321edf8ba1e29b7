"""The benchmark's outputs: JSON, a PNG plot, and a Markdown table appended to the docs."""

from __future__ import annotations

import json

from tools.bench.report import largest_held, machine, markdown, verdict, write


def _step(mode: str, clients: int, p99: float, rate_min: float, holds: bool) -> dict:
    return {
        "clients": clients, "mode": mode, "shape": "tour", "joined": clients, "window_s": 5.0,
        "tick_ms": {"p50": p99 / 2, "p99": p99, "max": p99 * 1.5, "max_is_bucket_bound": True},
        "snapshots_per_client_per_s": {"mean": 19.9, "min": rate_min, "p1": rate_min, "p5": 19.5, "p50": 20.0},
        "latency_ms": {"p50": 30.0, "p99": 80.0}, "down_bytes_per_client_per_s": 9000.0,
        "up_bytes_per_client_per_s": 700.0, "server_cpu_percent": 55.0, "other_load_on_server_core_percent": 3.0, "rss_mb": 120.0,
        "rss_per_client_kb": 40.0, "dropped": {"too_slow": 2} if not holds else {},
        "generator": {"processes": 1, "cpu_s": 3.0, "cpu_percent": 60.0}, "holds": holds,
    }


STEPS = [
    _step("real", 250, 8.0, 19.8, True), _step("real", 500, 20.0, 19.6, True), _step("real", 1000, 70.0, 12.0, False),
    _step("naive", 250, 30.0, 19.5, True), _step("naive", 500, 200.0, 4.0, False),
    {"clients": 1000, "mode": "naive", "shape": "tour", "holds": False, "skipped": "naive mode was saturated at 500 clients"},
]


def test_verdict_names_the_largest_count_held_and_the_ratio_to_naive() -> None:
    v = verdict(STEPS)
    assert (v["largest_held_real"], v["largest_held_naive"], v["clients_ratio"]) == (500, 250, 2.0)
    assert v["tick_p99_ratio_naive_over_real"] == {"250": 3.75, "500": 10.0}
    assert largest_held([_step("real", 10, 90.0, 3.0, False)], "real") is None


def test_write_leaves_json_plot_and_a_table_in_the_docs(tmp_path) -> None:
    run = {"started": "2026-01-01 00:00:00", "started_epoch": 1767225600.0, "command": "cloudpark bench crowd",
           "machine": machine(), "steps": STEPS, "verdict": verdict(STEPS),
           "settings": {"park": "798-art-zone", "shape": "tour", "seconds": 5.0, "tick_rate": 20, "procs": 1,
                        "server_core": 0, "bots_core": 1}}
    docs = tmp_path / "docs" / "benchmarks.md"
    paths = write(run, tmp_path / "bench", docs)
    data = json.loads(paths["json"].read_text())
    assert data["verdict"]["largest_held_real"] == 500 and len(data["steps"]) == 6
    assert paths["plot"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = docs.read_text()
    assert text.startswith("# Benchmarks")
    assert "| real | 1000 | 1000 | 35.0 / 70.0 / <=105.0 |" in text
    assert "naive mode was saturated at 500 clients" in text
    assert "real **500**, naive **250**, ratio **2.0x**" in text
    write(run, tmp_path / "bench", docs)  # a second run appends; the header stays single
    assert docs.read_text().count("# Benchmarks") == 1 and docs.read_text().count("## Crowd benchmark") == 2


def test_machine_describes_cores_cpu_and_python() -> None:
    m = machine()
    assert m["nproc"] >= 1 and m["cpu_model"] and m["python"].count(".") == 2
    assert "| mode | clients |" in markdown({
        "started": "x", "machine": m, "steps": [], "verdict": verdict([]), "json": "j", "plot": "p", "command": "c",
        "settings": {"park": "p", "shape": "tour", "seconds": 1.0, "tick_rate": 20, "procs": 1,
                     "server_core": 0, "bots_core": 1}})
