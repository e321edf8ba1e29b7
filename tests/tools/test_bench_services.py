"""``cloudpark bench services`` end to end on a tiny zone (SQLite): the real seed as a
subprocess, the measuring module in its own process, JSON and Markdown written. Not a
benchmark (a tiny zone's figures mean nothing): that it runs, that the broad policy it
publishes tells exactly as many people as inbox rows appear, and that search found the
demo policies, does."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tools.bench.services import markdown


@pytest.mark.timeout(180)
def test_bench_services_runs_on_a_tiny_zone(tmp_path: Path) -> None:
    out = tmp_path / "bench"
    done = subprocess.run(
        [sys.executable, "-m", "tools.cli", "bench", "services", "--engines", "sqlite", "--scale", "0.005",
         "--rounds", "2", "--enterprises", "10", "--out", str(out), "--no-docs"],
        capture_output=True, text=True, timeout=170, check=False)
    assert done.returncode == 0, done.stderr[-3000:] + done.stdout[-2000:]
    [path] = out.glob("services-2*.json")
    run = json.loads(path.read_text(encoding="utf-8"))
    [sqlite] = run["results"]["engines"]
    assert sqlite["counts"] == {"policies": 100, "enterprises": 250}
    pub = sqlite["publish"]
    assert pub["eligible"] > 0 and pub["told"] == pub["inbox_rows"] > 0
    assert sqlite["search"]["by_query"]["zh 人才"]["total_hits"] > 0
    assert sqlite["search"]["by_query"]["no match"]["total_hits"] == 0
    assert sqlite["wrong"] == []
    text = markdown(run)
    assert run["machine"]["cpu_model"] in text and "publish -> all notified" in text
    assert (out / path.name.replace(".json", ".md")).read_text(encoding="utf-8") == text
