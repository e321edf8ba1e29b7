"""A tiny crowd benchmark step, for real: `cloudpark serve` and `cloudpark bots` subprocesses."""

from __future__ import annotations

import json

import pytest

from tests.tools.park_scene import PARK, write_scene
from tools.bench.crowd import CrowdBench, holds, run_bench, run_step
from tools.cli import main

STEP_FIELDS = {
    "clients", "mode", "shape", "joined", "window_s", "tick_ms", "snapshots_per_client_per_s", "latency_ms",
    "down_bytes_per_client_per_s", "up_bytes_per_client_per_s", "server_cpu_percent", "rss_mb", "rss_idle_mb",
    "rss_per_client_kb", "dropped", "generator", "holds", "other_load_on_server_core_percent",
    "inputs_per_client_per_s", "generator_starved",
}


@pytest.fixture
def bench(tmp_path, monkeypatch) -> CrowdBench:
    monkeypatch.setenv("CLOUDPARK_BUILD_SCENES", "0")  # the hand-made scene is the only park hosted
    write_scene(tmp_path / "data")
    return CrowdBench(clients=(5,), seconds=2.0, park=PARK, data_dir=tmp_path / "data",
                      work_dir=tmp_path / "bench", server_core=None, bots_core=None, ramp_per_s=50.0)


def test_a_small_step_measures_everything_the_table_needs(bench) -> None:
    step = run_step(bench, 5, "real")
    assert STEP_FIELDS <= step.keys()
    assert step["joined"] == 5
    assert step["tick_ms"]["ticks"] > 0 and step["tick_ms"]["p99"] is not None
    assert step["snapshots_per_client_per_s"]["min"] > 0
    assert step["latency_ms"]["samples"] > 0
    assert step["rss_mb"] > 0 and step["server_cpu_percent"] > 0
    assert step["holds"] == holds(step)


def test_a_server_that_cannot_start_is_reported_not_raised(bench, tmp_path) -> None:
    broken = CrowdBench(**{**bench.__dict__, "tick_rate": 0})  # the server refuses a zero tick rate
    steps = run_bench(broken)
    assert len(steps) == 1 and "error" in steps[0] and not steps[0]["holds"]


def test_the_command_writes_json_plot_and_table(bench, tmp_path, capsys) -> None:
    docs = tmp_path / "benchmarks.md"
    rc = main(["bench", "crowd", "--clients", "4", "--seconds", "1.5", "--park", PARK,
               "--data-dir", str(bench.data_dir), "--out", str(tmp_path / "out"), "--docs", str(docs),
               "--server-core", "none", "--bots-core", "none", "--ramp", "50", "--procs", "2"])
    assert rc == 0
    [json_path] = (tmp_path / "out").glob("crowd-*.json")
    run = json.loads(json_path.read_text())
    step = run["steps"][0]
    assert step["clients"] == step["joined"] == 4 and run["machine"]["nproc"] >= 1
    assert step["generator"]["processes"] == 2  # the crowd was spread over two bot processes
    assert list((tmp_path / "out").glob("crowd-*.png"))
    assert "| real | 4 | 4 |" in docs.read_text()


def test_bad_client_counts_are_refused_with_a_message(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["bench", "crowd", "--clients", "10,many"])
    assert "expected comma-separated client counts" in capsys.readouterr().err


def test_a_park_without_a_scene_is_named_in_the_error(tmp_path, capsys) -> None:
    rc = main(["bench", "crowd", "--clients", "2", "--park", "no-such-park", "--data-dir", str(tmp_path),
               "--out", str(tmp_path / "out"), "--no-docs"])
    assert rc == 1
    assert "no scene for park 'no-such-park'" in capsys.readouterr().err


def test_before_and_rounds_interleave_count_by_count_and_the_summary_takes_medians(tmp_path) -> None:
    from tools.bench.crowd import plan
    from tools.bench.report import summary, verdict

    side = CrowdBench(clients=(100, 200), before_dir=tmp_path, rounds=2)
    assert plan(side) == [("real", 100, 0), ("before", 100, 0), ("real", 100, 1), ("before", 100, 1),
                          ("real", 200, 0), ("before", 200, 0), ("real", 200, 1), ("before", 200, 1)]
    assert plan(CrowdBench(clients=(100, 200))) == [("real", 100, 0), ("real", 200, 0)]

    def step(mode: str, clients: int, p99: float, held: bool) -> dict[str, object]:
        return {"mode": mode, "clients": clients, "holds": held, "server_cpu_percent": 50.0,
                "tick_ms": {"p50": 10.0, "p99": p99}, "snapshots_per_client_per_s": {"min": 19.5, "mean": 20.0}}

    steps = [step("real", 100, 20.0, True), step("before", 100, 30.0, True), step("real", 100, 40.0, True),
             step("before", 100, 60.0, False), step("real", 100, 30.0, True), step("before", 100, 70.0, False),
             step("real", 200, 45.0, True), step("before", 200, 80.0, False)]
    rows = {(r["mode"], r["clients"]): r for r in summary(steps)}
    assert rows[("real", 100)]["tick_p99_ms"] == 30.0 and rows[("real", 100)]["holds"]
    assert rows[("before", 100)]["held_rounds"] == 1 and not rows[("before", 100)]["holds"]  # 1 of 3: no
    v = verdict(steps)
    assert v["largest_held_real"] == 200 and v["largest_held_before"] is None and v["real_over_before"] is None
