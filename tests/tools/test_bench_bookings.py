"""``cloudpark bench bookings`` end to end on a tiny zone (SQLite): the real seed, accounts
and web commands as subprocesses, spaces added through the park console, a small storm
from real HTTP clients, the independent query, JSON and Markdown written. Not a
benchmark (the figures of such a run mean nothing): that it runs and that exactly one
booking per contested slot wins, every loser told "taken" with alternatives, does."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tools.bench.bookings import markdown


@pytest.mark.timeout(120)
def test_bench_bookings_runs_a_tiny_storm_and_finds_no_overlap(tmp_path: Path) -> None:
    out = tmp_path / "bench"
    done = subprocess.run(
        [sys.executable, "-m", "tools.cli", "bench", "bookings", "--engines", "sqlite", "--clients", "10",
         "--attempts", "40", "--spaces", "4", "--hours", "2", "--sustain-spaces", "3", "--sustain-clients", "2",
         "--seconds", "0.5", "--searches", "3", "--scale", "0.002", "--out", str(out), "--no-docs",
         "--web-core", "none", "--load-core", "none"], capture_output=True, text=True, timeout=110, check=False)
    assert done.returncode == 0, done.stderr[-3000:] + done.stdout[-2000:]
    [path] = out.glob("bookings-*.json")
    run = json.loads(path.read_text(encoding="utf-8"))
    [sqlite] = run["results"]["engines"]
    storm, check = sqlite["storm"], sqlite["check"]
    assert (storm["attempts"], storm["slots"], storm["confirmed"]) == (40, 8, 8)
    assert storm["statuses"] == {"201": 8, "409": 32} and storm["taken_with_alternatives"] == 32
    assert check["overlapping_pairs"] == 0 and check["storm_confirmed_in_db"] == 8
    assert sqlite["sustained"]["bookings"] > 0 and set(sqlite["sustained"]["statuses"]) == {"201"}
    assert sqlite["search"]["whole zone"]["spaces_listed"] >= sqlite["search"]["one park"]["spaces_listed"] >= 7
    assert sqlite["wrong"] == []
    text = markdown(run)
    assert "Guarantees: held on every engine" in text and run["machine"]["cpu_model"] in text
    assert (out / path.name.replace(".json", ".md")).read_text(encoding="utf-8") == text
