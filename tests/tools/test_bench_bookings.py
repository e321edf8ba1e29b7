"""``cloudpark bench bookings`` end to end on a tiny zone (SQLite, and PostgreSQL in a
database of its own that the bench drops and creates, dropped after): the real seed, accounts
and web commands as subprocesses, spaces added through the park console, a small storm
from real HTTP clients, the independent query, JSON and Markdown written. Not a
benchmark (the figures of such a run mean nothing): that it runs and that exactly one
booking per contested slot wins, every loser told "taken" with alternatives, does."""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server.db import conftest as pg
from tools.bench.bookings import markdown


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest) -> Iterator[list[str]]:
    """The bench's engine flags; for PostgreSQL a database name it may drop (it says 'bench')."""
    if request.param == "sqlite":
        yield ["--engines", "sqlite"]
        return
    name = f"cloudpark_bench_test_{secrets.token_hex(6)}"
    try:
        pg.run(pg._admin("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - no PostgreSQL: skip, or fail under CI=true
        pg._need_postgresql(exc)
    try:
        yield ["--engines", "postgresql", "--pg-database",
               pg._server_url(name).replace("postgresql://", "postgresql+asyncpg://", 1)]
    finally:
        pg.run(pg._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.mark.timeout(150)
def test_bench_bookings_runs_a_tiny_storm_and_finds_no_overlap(tmp_path: Path, engine: list[str]) -> None:
    out = tmp_path / "bench"
    done = subprocess.run(
        [sys.executable, "-m", "tools.cli", "bench", "bookings", *engine, "--clients", "10",
         "--attempts", "40", "--spaces", "4", "--hours", "2", "--sustain-spaces", "3", "--sustain-clients", "2",
         "--seconds", "2", "--searches", "3", "--search-rounds", "2", "--scale", "0.002", "--out", str(out),
         "--no-docs", "--web-core", "none", "--load-core", "none"], capture_output=True, text=True, timeout=140, check=False)
    assert done.returncode == 0, done.stderr[-3000:] + done.stdout[-2000:]
    [path] = out.glob("bookings-*.json")
    run = json.loads(path.read_text(encoding="utf-8"))
    [one] = run["results"]["engines"]
    assert one["engine"] == engine[1]
    storm, check = one["storm"], one["check"]
    assert (storm["attempts"], storm["slots"], storm["confirmed"]) == (40, 8, 8)
    assert storm["statuses"] == {"201": 8, "409": 32} and storm["taken_with_alternatives"] == 32
    assert check["overlapping_pairs"] == 0 and check["storm_confirmed_in_db"] == 8
    sustained = one["sustained"]
    assert sustained["bookings"] >= 4 and sustained["errors"] == 0 and sustained["rival_not_taken"] == 0
    assert set(sustained["statuses"]) <= {"book 201", "rival 409", "wait 201", "cancel 200"}
    assert sustained["waitlist_joined"] >= sustained["bookings"] - 2  # the last ones may be cut by the clock
    assert sustained["cancelled"] >= 1 and sustained["offered_in_db"] == sustained["cancelled"]  # offered to the rival
    assert one["search"]["whole zone"]["spaces_listed"] >= one["search"]["one park"]["spaces_listed"] >= 7
    side = one["search_side_by_side"]
    assert side["one park"]["equal"] and side["whole zone"]["equal"]
    assert side["one park"]["free_starts"] == one["search"]["one park"]["free_starts"] > 0
    if engine[1] == "sqlite":  # PostgreSQL's planner rightly scans a table of some twenty rows
        assert "bookings_space_time" in " ".join(side["plan"]["whole zone"])  # the search's one query uses the index
    assert one["wrong"] == []
    text = markdown(run)
    assert "Guarantees: held on every engine" in text and run["machine"]["cpu_model"] in text
    assert "fast == rule engine (every round) | yes / yes |" in text
    assert (out / path.name.replace(".json", ".md")).read_text(encoding="utf-8") == text
