"""``cloudpark bench services``: public policy services at zone scale, SQLite and PostgreSQL.

Per engine: a fresh database (the PostgreSQL one dropped and created again), ``cloudpark
demo seed --zone --scale S`` (at scale 1: 50,000 enterprises, 100,000 accounts, 20,000
demo policies, the open ones matched), then ``python -m server.policies.bench`` in its own
process (tools never import the server) measuring: policy search p50/p99 over a mix of
Chinese and English queries with filters (target p99 < 100 ms), one enterprise's matches
p50/p99 (target < 100 ms), and publish -> every eligible and possibly eligible enterprise
notified end to end (target < 5 s at 50,000), with the time split into matching, writing
the matches and writing the notices. JSON + Markdown with the machine (CPU named).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools.bench.api import Engine, _cli, _run
from tools.bench.bookings import _fresh_pg

TARGETS = {"search_p99_ms": 100.0, "matches_p99_ms": 100.0, "publish_s": 5.0}


@dataclass(frozen=True)
class ServicesBench:
    engines: tuple[Engine, ...]
    scale: float = 1.0
    rounds: int = 50
    enterprises: int = 300
    work_dir: Path = Path("var/bench")
    reuse: bool = False  # keep a database seeded by an earlier run


def _url(engine: Engine) -> str:
    return engine.database or f"sqlite+aiosqlite:///{engine.data_dir / 'cloudpark.sqlite3'}"


def run_engine(bench: ServicesBench, engine: Engine) -> dict[str, Any]:
    log = bench.work_dir / "logs" / f"services-{engine.name}.log"
    seed_s = None
    if not bench.reuse:
        if engine.database:
            asyncio.run(_fresh_pg(engine.database))
        elif engine.data_dir.exists():
            shutil.rmtree(engine.data_dir)
    engine.data_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    _run(_cli("demo", "seed", "--zone", "--scale", f"{bench.scale:g}", *engine.flags()), log)
    seed_s = round(time.perf_counter() - t0, 1)
    out = bench.work_dir / f"services-{engine.name}.json"
    _run([sys.executable, "-m", "server.policies.bench", "--database", _url(engine), "--rounds", str(bench.rounds),
          "--enterprises", str(bench.enterprises), "--out", str(out)], log)
    result = json.loads(out.read_text(encoding="utf-8"))
    return {"engine": engine.name, "seed_s": seed_s, **result, "wrong": verdict(result)}


def verdict(result: dict[str, Any]) -> list[str]:
    """What is wrong with a run (not what is slow: targets are reported, not enforced)."""
    pub = result["publish"]
    wrong = []
    if pub["inbox_rows"] != pub["told"]:
        wrong.append(f"publish told {pub['told']} but {pub['inbox_rows']} inbox rows exist")
    if result["counts"]["enterprises"] and not pub["eligible"]:
        wrong.append("the broad rent subsidy found no eligible enterprise")
    return wrong


def run_bench(bench: ServicesBench) -> dict[str, Any]:
    return {"engines": [run_engine(bench, e) for e in bench.engines]}


def markdown(run: dict[str, Any]) -> str:
    m = run["machine"]
    engines = run["results"]["engines"]

    def row(label: str, fn: Any) -> str:
        return f"| {label} | " + " | ".join(str(fn(e)) for e in engines) + " |"
    lines = [
        f"## Public policy services ({run['started']})", "",
        f"`{run['command']}` on {m.get('cpu_model', '?')} ({m.get('nproc', '?')} cores, Python {m.get('python', '?')}, "
        f"load average {m.get('load_average_1m', '?')} at the start); "
        "a shared machine: figures are upper bounds. Through the repository and the service in one process "
        "(SQL, driver, row decoding, jieba), one request at a time.", "",
        "| | " + " | ".join(e["engine"] for e in engines) + " |",
        "|---|" + "---|" * len(engines),
        row("enterprises / policies", lambda e: f"{e['counts']['enterprises']:,} / {e['counts']['policies']:,}"),
        row("seed (demo zone + policies) s", lambda e: e["seed_s"]),
        row("policy search p50 / p99 ms (target p99 < 100)",
            lambda e: f"{e['search']['all']['p50_ms']} / {e['search']['all']['p99_ms']}"),
        row("one enterprise's matches p50 / p99 ms (target < 100)",
            lambda e: f"{e['matches']['p50_ms']} / {e['matches']['p99_ms']}"),
        row("publish -> all notified, s (target < 5)", lambda e: e["publish"]["end_to_end_s"]),
        row("  eligible + possibly / people told",
            lambda e: f"{e['publish']['eligible']:,} + {e['publish']['possibly']:,} / {e['publish']['told']:,}"),
        row("  match / build notices / write matches + notices (one transaction) s",
            lambda e: f"{e['publish']['match_s']} / {e['publish']['notify_s']} / {e['publish']['write_s']}"),
        row("change (v2, re-match, tell the new) s", lambda e: e["change"]["end_to_end_s"]),
        "", "Search by query (p99 ms, total hits):", "",
        "| query | " + " | ".join(e["engine"] for e in engines) + " |",
        "|---|" + "---|" * len(engines),
    ]
    for name in engines[0]["search"]["by_query"]:
        lines.append(f"| {name} | " + " | ".join(
            f"{e['search']['by_query'][name]['p99_ms']} ({e['search']['by_query'][name]['total_hits']:,})"
            for e in engines) + " |")
    return "\n".join(lines) + "\n"


def write(run: dict[str, Any], out: Path, docs: Path | None) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(run["started_epoch"]))
    paths = {"json": out / f"services-{stamp}.json", "markdown": out / f"services-{stamp}.md"}
    paths["json"].write_text(json.dumps(run, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    text = markdown(run)
    paths["markdown"].write_text(text, encoding="utf-8")
    if docs is not None:
        with contextlib.suppress(OSError), docs.open("a", encoding="utf-8") as f:
            f.write("\n" + text)
        paths["docs"] = docs
    return paths
