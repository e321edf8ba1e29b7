"""``cloudpark bench api`` runs end to end on a tiny zone (SQLite, 500 enterprises):
the real seed, accounts and web commands as subprocesses, JSON and Markdown written.
Not a benchmark: the figures of such a run mean nothing; that it runs, signs every
role in and gets 200s does."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tools.bench.api_report import markdown


@pytest.mark.timeout(120)
def test_bench_api_runs_on_a_tiny_zone_and_writes_valid_json(tmp_path: Path) -> None:
    out = tmp_path / "bench"
    done = subprocess.run(
        [sys.executable, "-m", "tools.cli", "bench", "api", "--engines", "sqlite", "--enterprises", "500",
         "--seconds", "0.5", "--clients", "2", "--scenario", "directory API (mixed)", "--scenario", "console: park",
         "--scenario", "console: employee", "--scenario", "park console pages", "--scenario",
         "enterprise console pages", "--scenario", "employee pages", "--out", str(out), "--no-docs", "--web-core", "none",
         "--load-core", "none"], capture_output=True, text=True, timeout=110, check=False)
    assert done.returncode == 0, done.stderr[-3000:] + done.stdout[-2000:]
    [path] = out.glob("api-*.json")
    run = json.loads(path.read_text(encoding="utf-8"))
    [sqlite] = run["results"]["engines"]
    assert sqlite["engine"] == "sqlite" and sqlite["version"].startswith("SQLite")
    assert set(sqlite["scenarios"]) == {"directory API (mixed)", "console: park", "console: employee",
                                       "park console pages", "enterprise console pages", "employee pages"}
    for name, scenario in sqlite["scenarios"].items():
        for part in ("one_client", "concurrent"):
            r = scenario[part]
            assert set(r["statuses"]) == {"200"} and r["requests"] > 0, (name, part, r["statuses"])
            assert r["all"]["p50_ms"] <= r["all"]["p99_ms"] <= r["all"]["max_ms"]
    searched = sqlite["scenarios"]["directory API (mixed)"]["one_client"]["by_label"]
    assert searched["zh 2 chars"]["n"] > 0 and searched["park filter"]["n"] > 0
    assert run["machine"]["cpu_model"] and run["machine"]["nproc"] >= 1
    text = markdown(run)
    assert "| console: park |" in text and "zh 2 chars" in text
    assert (out / path.name.replace(".json", ".md")).read_text(encoding="utf-8") == text
